"""Joining by phone, end to end through the Bot API simulator."""

from __future__ import annotations

from bot.storage import circles, members
from tests.support import Harness


async def join(h: Harness, user, phone: str, organisation: str, circle_label: str, *, language: str | None = None):
    """Play a person through the whole onboarding."""
    await h.command(user, "start")
    if language:
        await h.tap(user, language)
    await h.tap(user, "✅" if False else _agree_label(h, user))
    await h.contact(user, phone)
    await h.text(user, organisation)
    await h.tap(user, _first_kind_label(h, user))
    await h.tap(user, circle_label)
    await h.tap(user, _done_label(h, user))


def _agree_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data == "consent:yes")


def _first_kind_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data.startswith("kind:"))


def _done_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data == "circ:done")


async def test_members_from_rennes_and_lome_land_in_their_territories(harness: Harness):
    h = harness
    rennes = h.sim.add_user("Maël", "Le Bihan", language_code="fr")
    lome = h.sim.add_user("Kossi", "Agbeko", language_code="en")
    await join(h, rennes, "+33612345678", "Coop <Breizh> & Co", "Sustainable food")
    await join(h, lome, "22890123456", "Association Dzidzɔ 🌱", "Sustainable food")

    maël = await members.get_by_telegram_id(h.db, rennes.id)
    kossi = await members.get_by_telegram_id(h.db, lome.id)
    assert (maël.territory_code, maël.time_zone, maël.phone_e164, maël.status) == (
        "bretagne", "Europe/Paris", "+33612345678", "active")
    assert (kossi.territory_code, kossi.time_zone, kossi.phone_e164) == ("togo", "Africa/Lome", "+22890123456")
    assert kossi.locale == "en"  # his Telegram language is supported, so it is kept over the territory default
    food = await circles.get_by_slug(h.db, "food")
    assert {m.id for m in await circles.members_of(h.db, food.id)} == {maël.id, kossi.id}
    assert maël.organisation == "Coop <Breizh> & Co"
    assert any("Coop <Breizh> & Co" in text for text in h.texts(rennes.id))
