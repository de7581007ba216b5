"""Held replies (issue 10): a suggestion, never a block, and the author's alone until released."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage import exchanges
from tests.e2e.test_weekly_exchange import at, two_sides
from tests.support import Harness

EQUIPMENT = "Nous avons acheté un camion, deux machines et un ordinateur avec un budget de 20000 euros."
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def framing_buttons(h: Harness, user) -> list[tuple[object, str]]:
    """(message, data) of every framing button the user was shown."""
    return [(m, d) for m in h.sim.sent_messages(user.id) for _, d in m.buttons() if d.startswith("rf:")]


def framing_messages(h: Harness, user) -> int:
    return len({m.message_id for m, _ in framing_buttons(h, user)})


async def test_an_unanswered_suggestion_is_reminded_once_then_the_reply_is_passed_on_as_it_is(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, MONDAY)
    before = len(h.sim.sent_messages(lome.id))
    await h.text(rennes, EQUIPMENT)
    written = h.clock.now()
    await h.drain()
    assert len(h.sim.sent_messages(lome.id)) == before
    suggestions = framing_messages(h, rennes)

    await at(h, written + timedelta(hours=5, minutes=59))
    assert framing_messages(h, rennes) == suggestions  # not yet
    await at(h, written + timedelta(hours=6, minutes=1))
    reminder = h.sim.sent_messages(rennes.id)[-1]
    # Written a little after 09:00 UTC: passed on at 21:00 UTC, which is 22:00 in Rennes (UTC+1 in winter).
    assert "toujours votre choix" in reminder.text and "22:00" in reminder.text
    assert {d.split(":")[1] for _, d in reminder.buttons()} == {"send", "redo"}
    await at(h, written + timedelta(hours=9))
    assert framing_messages(h, rennes) == suggestions + 1  # reminded once only
    assert len(h.sim.sent_messages(lome.id)) == before

    await at(h, written + timedelta(hours=12, minutes=1))
    assert "camion" in h.sim.sent_messages(lome.id)[-1].text
    assert "transmise telle quelle" in h.sim.sent_messages(rennes.id)[-1].text
    # A late tap on the old buttons changes nothing and is answered once.
    message, data = framing_buttons(h, rennes)[-1]
    relayed = len(h.sim.sent_messages(lome.id))
    await h.press(rennes, message, data)
    await h.drain()
    assert len(h.sim.sent_messages(lome.id)) == relayed
    await at(h, written + timedelta(days=2))
    assert len(h.sim.sent_messages(lome.id)) == relayed  # never twice


async def test_a_reply_the_author_decided_on_is_not_reminded(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, MONDAY)
    await h.text(rennes, EQUIPMENT)
    message, data = next((m, d) for m, d in framing_buttons(h, rennes) if d.startswith("rf:redo:"))
    await h.press(rennes, message, data)
    count = len(h.sim.sent_messages(rennes.id))
    await at(h, h.clock.now() + timedelta(hours=13))
    assert len(h.sim.sent_messages(rennes.id)) == count
    assert not any("camion" in (m.text or "") for m in h.sim.sent_messages(lome.id))


async def _togo_group(h: Harness, facilitator, lome):
    group = h.sim.add_group("Alimentation durable · Togo", bot_is_admin=True)
    for user in (facilitator, lome):
        h.sim.add_member(group.id, user.id, status="administrator" if user is facilitator else "member")
    await h.command(facilitator, "bindgroup", "food togo", chat_id=group.id)
    await at(h, MONDAY)
    prompt = next(m for m in h.sim.sent_messages(group.id) if "\n\n" in (m.text or ""))
    return group, prompt


async def test_the_suggestion_for_a_group_reply_reaches_the_author_in_private_not_the_group(
        harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    group, prompt = await _togo_group(h, facilitator, lome)
    in_group = len(h.sim.sent_messages(group.id))
    await h.text(lome, "Mía kpɔ mɔ̃ yeye eve kple ʋu ɖeka, tractor kple machine ɖeka, budget 2 000 000 FCFA",
                 chat_id=group.id, reply_to=prompt.message_id)
    await h.drain()
    assert len(h.sim.sent_messages(group.id)) == in_group  # the other side sees no correction
    private = h.sim.sent_messages(lome.id)[-1]
    assert "Alimentation durable · Togo" in private.text
    assert any(d.startswith("rf:send:") for _, d in private.buttons())
    assert not any("tractor" in (m.text or "") for m in h.sim.sent_messages(rennes.id))
    await h.press(lome, private, next(d for _, d in private.buttons() if d.startswith("rf:send:")))
    await h.drain()
    assert "tractor" in h.sim.sent_messages(rennes.id)[-1].text


async def test_a_group_reply_whose_author_blocked_the_bot_is_relayed_as_it_is(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    group, prompt = await _togo_group(h, facilitator, lome)
    h.sim.block_bot(lome.id)
    await h.deliver()
    h.refusals_expected = True  # the private suggestion is refused (403): that is the path under test
    await h.text(lome, "Mía kpɔ tractor kple machine ɖeka, budget 2 000 000 FCFA",
                 chat_id=group.id, reply_to=prompt.message_id)
    await h.drain()
    assert "tractor" in h.sim.sent_messages(rennes.id)[-1].text
    assert [r.method for r in h.sim.requests if not r.ok] == ["sendMessage"]


async def test_a_held_reply_stays_its_authors_alone_whatever_buttons_a_client_forges(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, MONDAY)
    await h.text(rennes, EQUIPMENT)
    reply = (await h.db.fetch_all("SELECT id FROM replies WHERE status = 'held'"))[0]["id"]
    for prefix in ("ro", "ru", "md"):
        seen = len(h.sim.sent_messages(lome.id))
        h.sim.press_button(lome.id, h.last(lome.id).message_id, f"{prefix}:{reply}", forge=True)
        await h.deliver()
        await h.drain()
        assert len(h.sim.sent_messages(lome.id)) == seen, prefix
        answers = [r for r in h.sim.calls("answerCallbackQuery")][-1]
        assert "camion" not in str(answers.params)
    assert not any("camion" in (m.text or "") for m in h.sim.sent_messages(lome.id))
    facilitator_messages = [m for m in h.sim.sent_messages() if "camion" in (m.text or "")]
    assert all(m.chat_id == rennes.id for m in facilitator_messages)
    assert (await exchanges.get_reply(h.db, reply)).status == "held"
