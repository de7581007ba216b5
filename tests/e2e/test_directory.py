"""The directory of practices end to end: cards written during onboarding and through /me, /directory filtered by
territory and practice across the border, hidden cards, proposing a call from a card, pairing's two-way matches,
/mydata and /forget, and buttons that are forged, stale or pressed twice."""

from __future__ import annotations

import json

from bot.domain.pairing import Participant, pair_up
from bot.storage import calls, circles, directory, members
from bot.translation import LibreTranslateTranslator
from tests.e2e.test_onboarding import join, press_data
from tests.support import Harness, tick

INVALID = "This button is no longer valid."


async def people(h: Harness, *, ama_learns: str = "How young people are trained as apprentices") -> dict:
    """Rennes: Maël and Gwen; Lomé: Ama and Kossi; all in the food circle, reading English."""
    u = {}
    for key, first, phone, organisation, shares, learns in (
        ("maël", "Maël", "+33612345678", "Coop Breizh", "We train young apprentices in our kitchens",
         "How decisions are taken by everyone in assemblies"),
        ("gwen", "Gwen", "+33698765432", "Jardins de Gwen", None, None),
        ("ama", "Ama", "+22890123456", "Association Dzidzɔ", "Women's savings groups decide together",
         ama_learns),
        ("kossi", "Kossi", "+22891234567", "Coopérative Kossi", "Our youth club runs the market", None),
    ):
        u[key] = h.sim.add_user(first, language_code="en")
        await join(h, u[key], phone, organisation, slug="food", shares=shares, learns=learns)
    return u


async def member(h: Harness, user) -> members.Member:
    return await members.get_by_telegram_id(h.db, user.id)


def last_answer(h: Harness) -> str:
    return h.sim.calls("answerCallbackQuery")[-1].params.get("text", "")


def listed(h: Harness, user) -> str:
    return h.last(user.id).text


async def test_onboarding_stores_both_sides_with_the_tags_suggested_by_the_words(harness: Harness):
    h = harness
    u = await people(h)
    card = await directory.get_card(h.db, (await member(h, u["maël"])).id)
    assert card.shares.text == "We train young apprentices in our kitchens" and card.shares.language == "en"
    assert {"youth", "learning"} <= card.shares.tags
    assert "governance" in card.learns.tags
    # Skipped questions store nothing, and the member still reaches the circles and the end of onboarding.
    gwen = await member(h, u["gwen"])
    assert (await directory.get_card(h.db, gwen.id)).is_empty and gwen.onboarding_step == "done"


async def test_a_search_by_tag_returns_the_peers_across_the_border_and_hidden_cards_do_not_show(harness: Harness):
    h = harness
    u = await people(h)
    await h.command(u["maël"], "directory")
    page = listed(h, u["maël"])
    assert "4 organisations" not in page and "3 organisations" in page  # the reader is not listed
    assert page.index("Association Dzidzɔ") < page.index("Jardins de Gwen")  # the other side first
    for secret in ("+33", "+228", "22890123456", "@"):
        assert secret not in page  # never a phone number or a Telegram handle

    await h.tap(u["maël"], "Filter by practice")
    await h.tap(u["maël"], "Young people")
    page = listed(h, u["maël"])
    assert "2 organisations" in page and "Association Dzidzɔ" in page and "Coopérative Kossi" in page
    assert "Jardins de Gwen" not in page
    assert "Would like to learn: How young people are trained" in page  # Ama wants to learn it: she is listed

    # Kossi hides his card: it leaves the directory at once, and his button on Maël's open list stops working.
    await h.command(u["kossi"], "me")
    await h.tap(u["kossi"], "Hide my card")
    assert "(hidden)" in h.last(u["kossi"].id).text
    message, data = h.button(u["maël"].id, "Coopérative Kossi")
    await h.press(u["maël"], message, data)
    assert last_answer(h) == INVALID
    await h.command(u["maël"], "directory")
    await h.tap(u["maël"], "Filter by practice")
    await h.tap(u["maël"], "Young people")
    page = listed(h, u["maël"])
    assert "1 organisation " in page and "Coopérative Kossi" not in page
    # Territory filter: Brittany has nobody who shares or wants to learn this practice (Maël is the reader).
    await h.tap(u["maël"], "Brittany")
    assert "No organisation matches" in listed(h, u["maël"])
    await h.command(u["kossi"], "me")
    await h.tap(u["kossi"], "Show my card")
    await h.command(u["maël"], "directory")
    assert "Coopérative Kossi" in listed(h, u["maël"])


async def test_re_pressing_a_filter_already_chosen_answers_once_and_edits_nothing(harness: Harness):
    h = harness
    u = await people(h)
    await h.command(u["gwen"], "directory")
    message, data = h.button(u["gwen"].id, "Togo")
    await h.press(u["gwen"], message, data)
    edits = len(h.sim.calls("editMessageText"))
    for _ in range(2):  # the chosen territory, then the current page number: the same screen
        message, data = h.button(u["gwen"].id, "Togo")
        await h.press(u["gwen"], message, data)
    await h.tap(u["gwen"], "Filter by practice")
    await h.tap(u["gwen"], "All practices")  # already the filter: the list comes back unchanged
    assert len(h.sim.calls("editMessageText")) == edits + 2  # the menu, then the list again
    assert "Association Dzidzɔ" in listed(h, u["gwen"])
    # The harness fails at teardown if Telegram refused any call (a second answer, an identical edit).


async def test_a_call_proposed_from_a_card_invites_that_peer(harness: Harness):
    h = harness
    u = await people(h)
    ama = await member(h, u["ama"])
    await h.command(u["maël"], "directory")
    await h.tap(u["maël"], "Association Dzidzɔ")
    card = listed(h, u["maël"])
    assert "Can share: Women's savings groups decide together" in card
    await h.tap(u["maël"], "Propose a call")
    await h.text(u["maël"], "Savings groups and apprentices")
    await press_data(h, u["maël"], "cp:d:45")
    await h.text(u["maël"], "2026-12-08 15:00")
    await press_data(h, u["maël"], "cp:ok")
    proposal = (await calls.calls_of(h.db, (await member(h, u["maël"])).id))[-1]
    assert await calls.invitee_ids(h.db, proposal.id) == {ama.id}


async def test_pairing_picks_the_two_way_match_and_the_introduction_says_what_each_brings(harness: Harness):
    h = harness
    u = await people(h)
    food = await circles.get_by_slug(h.db, "food")
    mael = await member(h, u["maël"])
    everyone = await circles.members_of(h.db, food.id)
    # Whoever the draw would give Maël without the directory, make the *other* Togolese his two-way match.
    default = pair_up([Participant(m.id, m.territory_code) for m in everyone], [], 0)
    partner_by_default = next(m for g in default.groups if mael.id in g for m in g if m != mael.id)
    match_key = "kossi" if partner_by_default == (await member(h, u["ama"])).id else "ama"
    other_key = "ama" if match_key == "kossi" else "kossi"
    for key, shares, learns in ((match_key, "Our women decide together in assemblies", "Training young people"),
                                (other_key, "Our market", "Accounting")):
        await h.command(u[key], "me")
        await h.tap(u[key], "Can share")
        await h.text(u[key], shares)
        await press_data(h, u[key], "dd:s")
        await h.command(u[key], "me")
        await h.tap(u[key], "Would like to learn")
        await h.text(u[key], learns)
        await press_data(h, u[key], "dd:l")
    match = await member(h, u[match_key])

    h.clock.advance(days=7)
    await tick(h)
    await h.drain()
    cycle = await calls.last_cycle(h.db, food.id)
    groups = list((await calls.groups_of_cycle(h.db, cycle.id)).values())
    assert any({mael.id, match.id} <= set(g) for g in groups)
    intro = next(m.text for m in h.sim.sent_messages(u["maël"].id) if m.text and m.text.startswith("🤝"))
    assert f"You can bring {match.first_name}: Training and passing on skills, Young people" in intro
    assert f"{match.first_name} can bring you: Governance and decisions" in intro


async def test_a_card_is_written_and_retagged_through_me(harness: Harness):
    h = harness
    u = await people(h)
    gwen = await member(h, u["gwen"])
    await h.command(u["gwen"], "me")
    await h.tap(u["gwen"], "Can share")
    await h.text(u["gwen"], "x" * 401)
    assert "at most 400 characters" in h.last(u["gwen"].id).text
    await h.text(u["gwen"], "Neighbours compost together")
    assert "✅ Inhabitants and local life" in [label for label, _ in h.last(u["gwen"].id).buttons()]
    await h.tap(u["gwen"], "Women")  # add a tag the words did not suggest
    await h.tap(u["gwen"], "Women")  # and remove it again
    await h.tap(u["gwen"], "Women")
    await press_data(h, u["gwen"], "dd:s")
    assert "Saved" in h.last(u["gwen"].id).text
    card = await directory.get_card(h.db, gwen.id)
    assert "women" in card.shares.tags and "community" in card.shares.tags
    assert (await member(h, u["gwen"])).onboarding_step == "done"
    await h.text(u["gwen"], "An answer to the weekly question")  # no longer taken as a note
    assert (await directory.get_card(h.db, gwen.id)).shares.text == "Neighbours compost together"
    await h.command(u["gwen"], "me")
    assert "Can share: Neighbours compost together" in h.last(u["gwen"].id).text


async def test_cards_are_read_in_the_readers_language_or_with_their_language_named(harness: Harness):
    h = harness
    u = await people(h)
    fr_reader = h.sim.add_user("Yannick", language_code="fr")
    await join(h, fr_reader, "+33655555555", "Ressourcerie", slug="food")
    await h.command(fr_reader, "directory")
    page = listed(h, fr_reader)
    assert "Women's savings groups decide together" in page and "(en anglais)" in page

    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=_fake_translator())
    await h.command(fr_reader, "directory")
    page = listed(h, fr_reader)
    assert "[fr] Women's savings groups decide together" in page
    assert "traduction automatique, original en anglais" in page
    ama = await member(h, u["ama"])
    assert (await directory.get_card(h.db, ama.id)).translations["s:fr"].startswith("[fr]")


def _fake_translator():
    import httpx

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/languages":
            return httpx.Response(200, json=[{"code": "fr", "targets": ["en"]}, {"code": "en", "targets": ["fr"]}])
        body = json.loads(request.content)
        return httpx.Response(200, json={"translatedText": f"[{body['target']}] {body['q']}"})

    return httpx.MockTransport(handle)


async def test_forged_and_stale_directory_buttons_are_refused_without_content(harness: Harness):
    h = harness
    u = await people(h)
    kossi = await member(h, u["kossi"])
    other = await circles.get_by_slug(h.db, "circular")
    await h.command(u["maël"], "directory")
    before = len(h.sim.calls("editMessageText"))
    for data in ("do:999999:-:-:0", "dl:mars:-:0", "dl:-:nonsense:0", "dm:-:x", "dt:s:nonsense", "dt:q:youth",
                 "dk:s", "dq:s:extra", f"dc:{kossi.id}:{other.id}", "dh:7", "do:abc:-:-:0", "dd:l:x"):
        h.sim.press_button(u["maël"].id, h.last(u["maël"].id).message_id, data, forge=True)
        await h.deliver()
        assert last_answer(h) == INVALID, data
    assert len(h.sim.calls("editMessageText")) == before
    # Skip pressed again on an onboarding question already answered: refused, the step does not move.
    h.sim.press_button(u["gwen"].id, h.last(u["gwen"].id).message_id, "dk:l", forge=True)
    await h.deliver()
    assert last_answer(h) == INVALID and (await member(h, u["gwen"])).onboarding_step == "done"


async def test_mydata_shows_the_card_and_forget_erases_it(harness: Harness):
    from tests.e2e.test_privacy import rows_mentioning

    h = harness
    u = await people(h)
    ama = await member(h, u["ama"])
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=_fake_translator())
    reader = h.sim.add_user("Yannick", language_code="fr")
    await join(h, reader, "+33655555555", "Ressourcerie", slug="food")
    await h.command(reader, "directory")  # leaves a kept translation on Ama's card
    await h.command(u["ama"], "mydata")
    data = json.loads(h.last(u["ama"].id).document_bytes.decode("utf-8"))
    card = data["directory_card"]
    assert card["can_share"]["text"] == "Women's savings groups decide together"
    assert "governance" in card["can_share"]["tags"] and card["hidden"] is False
    assert card["machine_translations"]["s:fr"].startswith("[fr]")

    needles = ("Women's savings groups", "young people are trained")
    assert await rows_mentioning(h, member_id=ama.id, telegram_id=u["ama"].id, needles=needles)
    await h.command(u["ama"], "forget")
    await h.tap(u["ama"], "Yes, erase everything")
    assert await rows_mentioning(h, member_id=ama.id, telegram_id=u["ama"].id, needles=needles) == []
    assert await h.db.fetch_one("SELECT 1 FROM directory_cards WHERE member_id = ?", (ama.id,)) is None
    await h.command(u["maël"], "directory")
    assert "Association Dzidzɔ" not in listed(h, u["maël"])


async def test_onboarding_left_at_the_tags_resumes_after_a_restart_and_a_done_pressed_twice_changes_nothing(
        harness: Harness, sim, clock, tmp_path):
    from tests.e2e.test_onboarding import begin
    from tests.support import start_harness

    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await begin(h, ama)
    await h.contact(ama, "+22890123456")
    await h.text(ama, "Association Dzidzɔ")
    await h.tap(ama, "Association")
    await h.text(ama, "Women's savings groups decide together")
    assert (await member(h, ama)).onboarding_step == "shares-tags"

    await h.close()  # the bot restarts while Ama looks at her tags
    h2 = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock)
    try:
        await h2.tap(ama, "Women")  # untick a suggested tag on the picker sent before the restart
        picker, _ = h2.button(ama.id, "Done")
        for _ in range(2):  # a double tap: both presses reach the bot before it removed the buttons
            sim.press_button(ama.id, picker.message_id, "dd:s")
        await h2.deliver()
        assert "What would your organisation like to learn" in h2.last(ama.id).text
        assert (await member(h2, ama)).onboarding_step == "learns"  # no second question, the step moved once
        assert last_answer(h2) == INVALID  # the second press found the picker closed
        assert sum("like to learn" in (m.text or "") for m in h2.sim.sent_messages(ama.id)) == 1
        await press_data(h2, ama, "dk:l")
        assert (await member(h2, ama)).onboarding_step == "circles"
        card = await directory.get_card(h2.db, (await member(h2, ama)).id)
        assert "women" not in card.shares.tags and "governance" in card.shares.tags and card.learns is None
        h2.assert_no_refused_call()
    finally:
        await h2.close()
