"""An invite restricted to an imported list of numbers lets in only those numbers."""

from __future__ import annotations

from bot.invite_import import create_listed_invite
from bot.storage import members
from tests.support import Harness


async def _start_with(h: Harness, user, code: str, phone: str) -> None:
    await h.command(user, "start", code)
    message, data = next((m, d) for m in reversed(h.sim.chat_history(user.id)) if m.from_bot
                         for _, d in m.buttons() if d == "consent:yes")
    await h.press(user, message, data)
    await h.contact(user, phone)


async def test_only_listed_numbers_join_with_a_listed_invite_and_get_their_organisation(harness: Harness):
    h = harness
    code, problems = await create_listed_invite(
        h.db, "phone,organisation\n+33612345678,Coop Breizh Bio\n", circle_slug="food", territory=None, uses=None,
        days=30, now=h.clock.now())
    assert not problems
    listed, stranger = h.sim.add_user("Maël"), h.sim.add_user("Yann")
    await _start_with(h, listed, code, "+33612345678")
    await _start_with(h, stranger, code, "+33698765432")

    maël = await members.get_by_telegram_id(h.db, listed.id)
    assert maël.status == "active" and maël.organisation == "Coop Breizh Bio"
    yann = await members.get_by_telegram_id(h.db, stranger.id)
    assert yann.phone_e164 is None and yann.status == "new"
    assert "not among them" in h.texts(stranger.id)[-1] or "numéros" in h.texts(stranger.id)[-1]
