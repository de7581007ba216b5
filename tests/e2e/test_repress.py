"""Tapping twice, and tapping the option already chosen (issue 10).

People on slow connections tap again when nothing seems to happen, so both presses reach the bot before the
first answer lands; others tap the option already selected. Each press must get exactly one answer, no apology,
and no call Telegram would refuse (the harness fails any test whose calls the simulator refused).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.test_onboarding import join
from tests.e2e.test_weekly_exchange import at, two_sides
from tests.support import Harness

APOLOGY = "un problème est survenu"


async def double_tap(h: Harness, user, label_part: str) -> None:
    """Both presses are sent before the bot handles the first, as a hurried thumb does."""
    message, data = h.button(user.id, label_part)
    first = h.sim.press_button(user.id, message.message_id, data)["callback_query"]["id"]
    second = h.sim.press_button(user.id, message.message_id, data)["callback_query"]["id"]
    await h.deliver()
    answered = [r.params["callback_query_id"] for r in h.sim.calls("answerCallbackQuery")]
    assert answered.count(first) == 1 and answered.count(second) == 1
    assert not any(APOLOGY in t for t in h.texts(user.id))


async def test_tapping_the_language_already_selected_changes_nothing_and_is_answered_once(harness: Harness):
    h = harness
    user = h.sim.add_user("Maël", language_code="fr")
    await h.command(user, "start")
    screen = h.last(user.id)
    await h.tap(user, "• Français")
    assert h.last(user.id).text == screen.text
    assert not h.sim.calls("editMessageText")  # identical screen: not even sent
    await double_tap(h, user, "• Français")
    await h.tap(user, "English")
    assert "Welcome" in h.last(user.id).text


async def test_double_taps_through_the_whole_onboarding(harness: Harness):
    h = harness
    user = h.sim.add_user("Ama", language_code="fr")
    await h.command(user, "start")
    await double_tap(h, user, "j'accepte")
    await h.contact(user, "+22890123456")
    await h.text(user, "Groupement Dzidzɔ")
    await double_tap(h, user, "Association")
    await h.text(user, "Les habitants décident ensemble")   # what the organisation can share
    await h.tap(user, "Femmes")                               # a tag the words did not suggest
    await double_tap(h, user, "Terminé")                      # tags kept once, one next question
    await double_tap(h, user, "Passer")                       # nothing to learn: skipped once
    assert sum("voudrait apprendre" in t for t in h.texts(user.id)) == 1
    await h.tap(user, "Alimentation durable")
    await double_tap(h, user, "Terminé")
    assert sum("Alimentation durable" in t for t in h.texts(user.id)) >= 1


async def test_double_tapping_relay_as_it_is_relays_once(harness: Harness):
    h = harness
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Nous avons acheté un camion, deux machines et un ordinateur avec 20000 euros.")
    await double_tap(h, rennes, "telle quelle")
    await h.drain()
    assert sum("camion" in (m.text or "") for m in h.sim.sent_messages(lome.id)) == 1


async def test_double_tapping_a_time_zone_and_the_profile_language(harness: Harness):
    h = harness
    user = h.sim.add_user("Gwen", language_code="fr")
    await join(h, user, "+33612345678", "Coop Gwen", slug="food")
    await h.command(user, "me")
    await double_tap(h, user, "• Français")
    await h.tap(user, "Fuseau")
    await double_tap(h, user, "Paris")


async def test_double_tapping_keep_my_data_is_answered_once(harness: Harness):
    h = harness
    user = h.sim.add_user("Kossi", language_code="fr")
    await join(h, user, "+22890123456", "Coop Kossi", slug="food")
    await h.command(user, "forget")
    await double_tap(h, user, "Annuler")
    assert "Rien n'a été effacé" in h.last(user.id).text


async def double_press(h: Harness, user, data: str) -> None:
    """The newest bot message carrying exactly this data, pressed twice before the bot answers."""
    message = next(m for m in reversed([m for m in h.sim.chat_history(user.id) if m.from_bot])
                   if any(d == data for _, d in m.buttons()))
    ids = [h.sim.press_button(user.id, message.message_id, data)["callback_query"]["id"] for _ in range(2)]
    await h.deliver()
    answered = [r.params["callback_query_id"] for r in h.sim.calls("answerCallbackQuery")]
    assert [answered.count(i) for i in ids] == [1, 1]
    assert not any(APOLOGY in t or "went wrong" in t for t in h.texts(user.id))


async def test_double_presses_through_a_call_proposal_and_its_vote(harness: Harness):
    from datetime import datetime as naive

    from bot.storage import calls
    from tests.e2e.test_calls import people, press

    h = harness
    u = await people(h)
    await h.command(u["maël"], "propose")
    await double_tap(h, u["maël"], "Everyone in the circle")
    await h.text(u["maël"], "Seed banks")
    await double_press(h, u["maël"], "cp:d:60")
    slot = naive(2026, 12, 3, 15, 0)
    await double_press(h, u["maël"], f"cp:day:{slot:%Y%m%d}")
    await double_press(h, u["maël"], f"cp:h:{slot:%Y%m%d}:{slot:%H}")
    await press(h, u["maël"], f"cp:m:{slot:%Y%m%d}:{slot:%H}:{slot:%M}")
    await double_press(h, u["maël"], "cp:ok")
    await h.drain()
    proposals = await h.db.fetch_all("SELECT id FROM call_proposals")
    assert len(proposals) == 1  # sent once
    proposal = await calls.get_proposal(h.db, proposals[0]["id"])
    slot_id = (await calls.slots_of(h.db, proposal))[0].slot_id
    await double_press(h, u["ama"], f"cv:{proposal.id}:{slot_id}")  # a toggle pressed twice: back to no vote
    await double_press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()


async def test_double_presses_of_pairing_and_of_an_announcement(harness: Harness, facilitator):
    from tests.e2e.test_calls import people

    h = harness
    u = await people(h)
    await h.command(u["gwen"], "pairing")
    await double_tap(h, u["gwen"], "Pause peer pairs")
    await h.text(facilitator, "/announce food\nfr: Réunion jeudi\nen: Meeting on Thursday")
    data = next(d for m in reversed(h.sim.sent_messages(facilitator.id)) for _, d in m.buttons()
                if d.startswith("an:send:"))
    await double_press(h, facilitator, data)
    await h.drain()
    assert sum("Thursday" in (m.text or "") for m in h.sim.sent_messages(u["ama"].id)) == 1


async def test_a_facilitator_double_pressing_a_held_number_decision_places_it_once(harness: Harness, facilitator):
    from tests.e2e.test_onboarding import begin, member_row

    h = harness
    await h.command(facilitator, "help")  # a facilitator who has opened their chat with the bot
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    await h.drain()
    held = await member_row(h, hans)
    await double_press(h, facilitator, f"held:ok:{held['id']}:togo")
    await h.drain()
    assert (await member_row(h, hans))["status"] == "active"
    assert sum("placed you on the Togo side" in t for t in h.texts(hans.id)) == 1


async def test_double_pressing_yes_after_a_call_asks_for_the_practice_once(harness: Harness):
    from datetime import datetime as naive

    from tests.e2e.test_calls import people, press, propose, slot_ids, vote
    from tests.support import tick

    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Journal", [naive(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    h.clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    await tick(h)
    await tick(h)
    await h.drain()
    await double_press(h, u["ama"], f"cf:{proposal.id}:y")
    assert sum("Which practice" in t for t in h.texts(u["ama"].id)) == 1


async def test_two_quick_taps_on_different_languages_end_on_the_second(harness: Harness):
    """Both presses carry the screen from before the first edit; the last choice must be what the chat shows."""
    h = harness
    user = h.sim.add_user("Maël", language_code="fr")
    await h.command(user, "start")
    french = h.last(user.id).text
    message = h.last(user.id)
    english = next(d for label, d in message.buttons() if "English" in label)
    français = next(d for label, d in message.buttons() if "Français" in label)
    h.sim.press_button(user.id, message.message_id, english)
    h.sim.press_button(user.id, message.message_id, français)
    await h.deliver()
    assert h.last(user.id).text == french
