"""Leaving a flow half-way: /start again in the middle of onboarding, a question asked from /me left unanswered,
a voice note where a written answer or a button is awaited."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.profile import EDIT_WINDOW
from bot.storage import members
from tests.e2e.test_onboarding import _agree_label, _done_label, _first_kind_label, join, press_data, tap_circle
from tests.support import Harness

ORGANISATION_QUESTION = "Which organisation do you belong to? Send its name in a message."


async def _step(h: Harness, user) -> str | None:
    return (await members.get_by_telegram_id(h.db, user.id)).onboarding_step


async def _verified(h: Harness, user) -> None:
    """Consent and phone given: the bot now asks for the organisation."""
    await h.command(user, "start")
    await h.tap(user, _agree_label(h, user))
    await h.contact(user, "22890123456")


async def _member_asked_from_me(h: Harness):
    """Kossi, a member of the food circle, taps "Organisation" in /me: the bot asks for the new name."""
    kossi = h.sim.add_user("Kossi", "Agbeko", language_code="en")
    await join(h, kossi, "22890123456", "Coopérative Agbe", slug="food")
    await h.command(kossi, "me")
    await h.tap(kossi, "Organisation")
    return kossi


async def test_start_in_the_middle_of_onboarding_takes_the_member_back_to_the_question_they_left(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", "Mensah", language_code="en")
    await _verified(h, ama)
    assert h.last(ama.id).text == ORGANISATION_QUESTION
    # She closes the app; the next day she taps /start again.
    h.clock.advance(timedelta(days=1))
    await h.command(ama, "start")
    texts = h.texts(ama.id)
    assert texts[-2] == "Welcome back, Ama! Let us go on where you left off."
    assert texts[-1] == ORGANISATION_QUESTION
    assert await _step(h, ama) == "organisation"
    await h.text(ama, "Groupement Dzidzɔ")
    assert await _step(h, ama) == "kind"
    await h.tap(ama, _first_kind_label(h, ama))
    await press_data(h, ama, "dk:s")
    await press_data(h, ama, "dk:l")
    assert await _step(h, ama) == "circles"
    # Again at the last step: the circle picker comes back, and finishing from it works.
    await h.command(ama, "start")
    assert h.texts(ama.id)[-2] == "Welcome back, Ama! Let us go on where you left off."
    assert h.last(ama.id).text.startswith("Choose the circles you want to take part in")
    await tap_circle(h, ama, "food")
    await h.tap(ama, _done_label(h, ama))
    assert await _step(h, ama) == "done"
    await h.command(ama, "start")
    assert h.texts(ama.id)[-1].startswith("Welcome back, Ama!\n")  # finished: the usual greeting, no question


async def test_a_question_from_me_lapses_and_the_next_text_is_read_as_any_other(harness: Harness):
    h = harness
    kossi = await _member_asked_from_me(h)
    assert h.last(kossi.id).text == ORGANISATION_QUESTION
    # He never answers; days later he writes to the bot about something else.
    h.clock.advance(EDIT_WINDOW + timedelta(minutes=1))
    await h.text(kossi, "Chez nous, le comité de gestion se réunit chaque mois pour fixer les prix.")
    member = await members.get_by_telegram_id(h.db, kossi.id)
    assert (member.organisation, member.onboarding_step) == ("Coopérative Agbe", "done")
    assert "Organisation saved" not in h.last(kossi.id).text
    assert h.last(kossi.id).text.startswith("No exchange question is open for you right now.")


async def test_a_question_from_me_answered_in_time_is_still_taken(harness: Harness):
    h = harness
    kossi = await _member_asked_from_me(h)
    h.clock.advance(EDIT_WINDOW - timedelta(minutes=2))
    await h.text(kossi, "Coopérative Agbe-Nyuie")
    assert (await members.get_by_telegram_id(h.db, kossi.id)).organisation == "Coopérative Agbe-Nyuie"
    assert h.last(kossi.id).text == "Organisation saved: Coopérative Agbe-Nyuie"  # as shown, bold removed


async def test_start_drops_a_question_from_me_left_unanswered(harness: Harness):
    h = harness
    kossi = await _member_asked_from_me(h)
    await h.command(kossi, "start")
    assert h.last(kossi.id).text.startswith("Welcome back, Kossi!\n")
    assert await _step(h, kossi) == "done"
    await h.text(kossi, "Une autre structure")
    assert (await members.get_by_telegram_id(h.db, kossi.id)).organisation == "Coopérative Agbe"


async def test_a_voice_note_where_an_answer_is_awaited_asks_for_the_answer(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", "Mensah", language_code="fr")
    await _verified(h, ama)
    h.sim.send_voice(ama.id)
    await h.deliver()
    assert h.last(ama.id).text == "Répondez d'abord à la question ci-dessus, par écrit ou avec ses boutons."
    assert await _step(h, ama) == "organisation"
    stranger = h.sim.add_user("Yao", language_code="fr")
    h.sim.send_voice(stranger.id)
    await h.deliver()
    assert h.last(stranger.id).text == "Envoyez /start pour rejoindre les cercles."
