"""Issue 11: facilitators run the exchange from their phone, without typing any argument — per-role command menus
in three languages, the facilitation home, pickers for every action, the guided question writer and the live
delivery count of announcements. End to end through the Bot API simulator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.delivery.announcement_progress import show_delivery_progress
from bot.delivery.sender import Sender
from bot.domain.framing import assess_framing, suggest_practice_angle
from bot.storage import circles, exchanges, facilitators, members
from bot.ui.commands import CIRCLE_FACILITATOR_MENU, FACILITATOR_MENU, MEMBER_COMMANDS
from bot.ui.facilitation import Step
from bot.ui.screens import circle_name
from tests.e2e.test_onboarding import begin, join, member_row
from tests.support import Harness, start_harness

FACILITATOR_ONLY = {name for name, _ in FACILITATOR_MENU} - {name for name, _ in MEMBER_COMMANDS}


def fr(h: Harness):
    return h.services.i18n.for_locale("fr")


def menu(h: Harness, chat_id: int) -> list[str]:
    return [c["command"] for c in h.sim.commands("chat", chat_id=chat_id)]


async def tap_circle_in_picker(h: Harness, user, slug: str, tr) -> None:
    circle = await circles.get_by_slug(h.db, slug)
    await h.tap(user, circle_name(tr, circle))


async def two_circle_world(h: Harness):
    """Claire (PASSERELLE_ADMINS, French) facilitates the two open circles: food and insertion (the third built-in
    circle is archived, so that pickers ask between exactly two). Three members of food, one per language."""
    await h.db.execute("UPDATE circles SET archived = 1 WHERE slug = 'circular'")
    maël = h.sim.add_user("Maël", language_code="fr")
    kossi = h.sim.add_user("Kossi", language_code="ee")
    ama = h.sim.add_user("Ama", language_code="en")
    await join(h, maël, "+33612345678", "Coop Breizh", slug="food")
    await join(h, kossi, "+22890123456", "Dzidzɔ", slug="food")
    await join(h, ama, "+22891234567", "GIE Lomé", slug="food")
    return maël, kossi, ama


async def test_a_facilitator_with_two_circles_runs_each_action_without_typing_an_argument(harness: Harness,
                                                                                          facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    food = await circles.get_by_slug(h.db, "food")

    # Report: a picker of the two circles, then the text and the chart (the chat shows "sending a photo").
    await h.command(claire, "report")
    assert tr.gettext("Which circle?") in h.last(claire.id).text
    await tap_circle_in_picker(h, claire, "food", tr)
    assert h.sim.calls("sendPhoto") and h.sim.calls("sendChatAction")[-1].params["action"] == "upload_photo"

    # Journal: the same picker, then the file (the chat shows "sending a file").
    await h.command(claire, "journal")
    await tap_circle_in_picker(h, claire, "food", tr)
    assert h.last(claire.id).document["file_name"] == "journal-food.md"
    assert h.sim.calls("sendChatAction")[-1].params["action"] == "upload_document"

    # Send this week's question now.
    await h.command(claire, "sendprompt")
    await tap_circle_in_picker(h, claire, "food", tr)
    assert "3" in h.last(claire.id).text
    await h.drain()
    assert any("question" in t.lower() for t in h.texts(ama.id))

    # Announce to both sides: the side on a button, the text as a message, the preview, Send.
    await h.command(claire, "announce")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, tr.gettext("Both sides"))
    await h.text(claire, "Réunion ouverte jeudi à 18h.")
    await h.tap(claire, tr.gettext("Send"))
    await h.drain()
    await show_delivery_progress(h.services, h.app.bot)
    assert "3 / 3" in h.last(claire.id).text
    assert any("Réunion ouverte jeudi" in t for t in h.texts(kossi.id))

    # Promote a co-facilitator of the other side: circle, side, then a member by name and organisation.
    await h.command(claire, "promote")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, tr.gettext("Togo"))
    labels = [label for label, _ in h.last(claire.id).buttons()]
    assert "Kossi · Dzidzɔ" in labels and not any("Maël" in label for label in labels)  # Maël is in Brittany
    assert not any(str(kossi.id) in label for label in labels)
    await h.tap(claire, "Kossi · Dzidzɔ")
    rights = await facilitators.rights_of(h.db, (await member_row(h, kossi))["id"])
    assert [(r.circle_id, r.territory) for r in rights] == [(food.id, "togo")]

    # Place a held number.
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    await h.command(claire, "held")
    await h.tap(claire, tr.gettext("Togo"))
    assert (await member_row(h, hans))["status"] == "active"

    # Write a question in three languages: French, English, Ewe skipped (French shown for Ewe readers), save.
    await h.command(claire, "addprompt")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.text(claire, "Comment décidez-vous ensemble de ce que vous semez ?")
    await h.text(claire, "How do you decide together what to sow?")
    await h.tap(claire, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("ee")))
    preview = h.last(claire.id).text
    assert "How do you decide together" in preview
    assert tr.gettext(" (no text in this language: these members read the French)").strip() in preview
    await h.tap(claire, tr.gettext("Save"))
    saved = (await exchanges.custom_prompts(h.db, food.id))[-1]
    assert saved.texts == {"fr": "Comment décidez-vous ensemble de ce que vous semez ?",
                           "en": "How do you decide together what to sow?"}

    # None of the commands above carried an argument.
    typed = [r.params for r in h.sim.requests if r.method == "getUpdates"]
    assert typed is not None
    sent_by_claire = [m.text for m in h.sim.chat_history(claire.id) if not m.from_bot and m.text
                      and m.text.startswith("/")]
    assert all(" " not in text for text in sent_by_claire), sent_by_claire


async def test_a_member_menu_has_no_facilitator_command_and_a_facilitator_menu_has_them_in_fr_en_and_ee(
        harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    food = await circles.get_by_slug(h.db, "food")
    for locale in ("fr", "en", "ee"):
        members_menu = {c["command"] for c in h.sim.commands("all_private_chats", locale)}
        assert members_menu and not members_menu & FACILITATOR_ONLY
    for user in (maël, kossi, ama):
        assert menu(h, user.id) == []        # members keep the members' menu

    # Claire (PASSERELLE_ADMINS) got hers when she first wrote; Kossi (ee) and Ama (en) when promoted.
    await h.command(claire, "facilitate")
    for user in (kossi, ama):
        await h.command(claire, "promote")
        await tap_circle_in_picker(h, claire, "food", fr(h))
        await h.tap(claire, fr(h).gettext("Togo"))
        await h.tap(claire, user.first_name)
    for user, locale, every in ((claire, "fr", True), (kossi, "ee", False), (ama, "en", False)):
        commands = h.sim.commands("chat", chat_id=user.id)
        names = [c["command"] for c in commands]
        expected = [n for n, _ in FACILITATOR_MENU if every or n in CIRCLE_FACILITATOR_MENU]
        assert names[:len(expected)] == expected
        tr = h.services.i18n.for_locale(locale)
        descriptions = dict(FACILITATOR_MENU)
        assert commands[0]["description"] == tr.gettext(descriptions["facilitate"])
        if locale != "en":  # translated, not the English msgid
            assert commands[0]["description"] != descriptions["facilitate"]
    assert "held" in menu(h, claire.id) and "held" not in menu(h, kossi.id)
    assert food.id in {r.circle_id for r in await facilitators.rights_of(h.db, (await member_row(h, ama))["id"])}


async def test_promotion_and_demotion_update_the_menu_and_a_restart_restores_it(harness: Harness, facilitator,
                                                                                 sim, clock, tmp_path):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    await h.command(claire, "promote")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, tr.gettext("Togo"))
    await h.tap(claire, "Kossi")
    assert "facilitate" in menu(h, kossi.id)
    await h.drain()
    assert "/facilitate" in h.texts(kossi.id)[-1]       # told, in Ewe, where to start

    # Kossi's menu follows his language.
    await h.command(kossi, "me")
    await h.tap(kossi, "English")
    en = h.services.i18n.for_locale("en")
    assert h.sim.commands("chat", chat_id=kossi.id)[0]["description"] == en.gettext(dict(FACILITATOR_MENU)["facilitate"])

    # A restart gives the menu back to a chat that lost it.
    h.sim._state.commands.clear()  # noqa: SLF001 - as after a token change: Telegram kept nothing
    second = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock, admins=frozenset({claire.id}))
    try:
        assert "facilitate" in menu(second, kossi.id) and "facilitate" in menu(second, claire.id)
    finally:
        await second.close()

    # Demotion, chosen on buttons: Kossi's menu is taken away.
    await h.command(claire, "demote")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, "Kossi")
    assert menu(h, kossi.id) == []
    assert await facilitators.rights_of(h.db, (await member_row(h, kossi))["id"]) == []

    # Rights lost while the bot was down (a database edit): the menu goes at the next start.
    await h.command(claire, "promote", f"{ama.id} food togo")  # the typed shortcut still works
    assert "facilitate" in menu(h, ama.id)
    await h.db.execute("DELETE FROM circle_facilitators")
    third = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock, admins=frozenset({claire.id}))
    try:
        assert menu(third, ama.id) == []
    finally:
        await third.close()


async def test_the_home_shows_what_needs_attention_with_a_button_per_action(harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    await h.command(claire, "facilitate")
    home = h.last(claire.id)
    assert tr.ngettext("⏳ {count} number from outside the territories waits for your decision.",
                       "⏳ {count} numbers from outside the territories wait for your decision.", 1) in home.text
    assert tr.gettext("· This week's question has not been sent yet.") in home.text
    # Claire is in Brittany's zone by default? She is no member: no side is hers, so Togo lacks a facilitator.
    assert tr.gettext("· The {side} side has no facilitator.", side=tr.gettext("Togo")) in home.text
    # The button of the missing side opens the member picker of that side directly.
    await h.tap(claire, tr.gettext("Name a facilitator: {circle}, {side}", circle=tr.gettext("Sustainable food"),
                                   side=tr.gettext("Togo")))
    assert "Kossi · Dzidzɔ" in [label for label, _ in h.last(claire.id).buttons()]
    # Sending the question from home, then home counts the answers per side.
    await h.command(claire, "facilitate")
    await h.tap(claire, tr.gettext("Send the question now"))
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.drain()
    await h.text(kossi, "Mía míewɔa dɔ ɖekae le míaƒe habɔbɔ me.")
    await h.command(claire, "facilitate")
    assert tr.ngettext("{side}: {count} answer", "{side}: {count} answers", 1, side=tr.gettext("Togo")) \
        in h.last(claire.id).text


async def test_the_question_writer_shows_the_framing_suggestion_before_saving_and_edits_from_the_list(
        harness: Harness, facilitator):
    h, claire = harness, facilitator
    await two_circle_world(h)
    tr = fr(h)
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "addprompt")
    await tap_circle_in_picker(h, claire, "food", tr)
    equipment = "Quel matériel, quelles machines et quel budget en euros avez-vous ?"
    await h.text(claire, equipment)
    suggestion = suggest_practice_angle(assess_framing(equipment, "fr"), "food")
    assert suggestion.means  # the nudge names what the wording mentions
    shown = h.last(claire.id).text
    assert tr.prompt(suggestion.msgid).split("{means}")[0] in shown and suggestion.means[0] in shown
    assert await exchanges.custom_prompts(h.db, food.id) == []          # nothing saved yet
    await h.text(claire, "Comment décidez-vous ensemble des achats ?")  # a new wording replaces it
    await h.tap(claire, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("en")))
    await h.tap(claire, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("ee")))
    await h.tap(claire, tr.gettext("Save"))
    saved = (await exchanges.custom_prompts(h.db, food.id))[-1]
    assert saved.texts == {"fr": "Comment décidez-vous ensemble des achats ?"}
    # Saving twice (a double tap) saves nothing twice.
    message, data = h.button(claire.id, tr.gettext("◀ Questions"))
    assert len(await exchanges.custom_prompts(h.db, food.id)) == 1

    # Editing starts from the circle's list of questions, by their text.
    await h.command(claire, "prompts")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, "Comment décidez-vous ensemble des achats")
    await h.tap(claire, tr.gettext("Edit"))
    await h.tap(claire, tr.gettext("Keep this text"))
    await h.text(claire, "How do you decide together on purchases?")
    await h.tap(claire, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("ee")))
    await h.tap(claire, tr.gettext("Save"))
    edited = await exchanges.custom_prompt(h.db, saved.id)
    assert edited.texts == {"fr": "Comment décidez-vous ensemble des achats ?",
                            "en": "How do you decide together on purchases?"}
    # ... and retiring too.
    await h.command(claire, "prompts")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, "Comment décidez-vous ensemble des achats")
    await h.tap(claire, tr.gettext("Retire"))
    assert (await exchanges.custom_prompt(h.db, saved.id)).retired


async def test_the_announcement_count_is_edited_as_the_outbox_drains_and_ends_with_the_final_figure(
        harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    await h.command(claire, "announce")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, tr.gettext("Both sides"))
    await h.text(claire, "Réunion jeudi")
    await h.tap(claire, tr.gettext("Send"))
    count = h.last(claire.id)
    assert "0 / 3" in count.text
    h.sim.block_bot(ama.id)   # one of the three cannot be reached
    h.refusals_expected = True  # Telegram refuses the message to Ama; checked below that nothing else is refused

    before = len(h.sim.calls("sendMessage"))
    await Sender(bot=h.app.bot, db=h.db, clock=h.clock,
                 keep_going=lambda: len(h.sim.calls("sendMessage")) == before).drain()   # one message out
    await show_delivery_progress(h.services, h.app.bot)
    edited = next(m for m in h.sim.chat_history(claire.id) if m.message_id == count.message_id)
    assert "1 / 3" in edited.text and tr.gettext("📣 Announcement on its way: {delivered}, {unreachable}…",
                                                 delivered="", unreachable="")[:12] in edited.text
    h.clock.advance(timedelta(seconds=2))   # the progress job runs every 2 s
    await h.drain()
    h.clock.advance(timedelta(seconds=2))
    await show_delivery_progress(h.services, h.app.bot)
    edited = next(m for m in h.sim.chat_history(claire.id) if m.message_id == count.message_id)
    assert "2 / 3" in edited.text
    assert tr.ngettext("{count} unreachable", "{count} unreachable", 1) in edited.text
    edits = len(h.sim.calls("editMessageText"))
    h.clock.advance(timedelta(seconds=2))
    await show_delivery_progress(h.services, h.app.bot)   # finished: no more edits
    assert len(h.sim.calls("editMessageText")) == edits
    assert h.refused_calls() == ["sendMessage: Forbidden: bot was blocked by the user"]


@pytest.mark.parametrize("data", [Step("send", 0).encode(), Step("promote", 1, "togo", 1).encode(),
                                  Step("wsave", 1).encode(), Step("retire", 1, "food-1").encode()])
async def test_a_member_pressing_a_forged_facilitator_button_is_refused_and_nothing_changes(
        harness: Harness, facilitator, data: str):
    from tests.e2e.test_facilitation import snapshot

    h = harness
    maël, kossi, ama = await two_circle_world(h)
    before = await snapshot(h)
    await h.press(maël, h.last(maël.id), data, forge=True)
    answer = h.sim.calls("answerCallbackQuery")[-1].params
    assert "reserved for facilitators" in answer["text"] or "réservée" in answer["text"]
    assert await snapshot(h) == before


async def test_stale_writer_buttons_and_text_after_the_window_do_nothing(harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "addprompt")
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.text(claire, "Comment partagez-vous les récoltes ?")
    skip_en = h.button(claire.id, tr.gettext("Skip: {language} readers get the French",
                                             language=tr.language_name("en")))
    await h.press(claire, *skip_en)
    await h.press(claire, *skip_en, forge=True)  # a double tap: the second arrives after the screen changed
    assert tr.gettext("This button is no longer valid.") in h.sim.calls("answerCallbackQuery")[-1].params["text"]
    h.clock.advance(timedelta(hours=3))
    await h.text(claire, "Texte en éwé, trop tard")
    assert await exchanges.custom_prompts(h.db, food.id) == []
    assert (await members.get_by_telegram_id(h.db, claire.id)) is None


async def test_a_new_circle_is_named_in_each_language_and_falls_back_to_french(harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    await h.command(claire, "newcircle")
    await h.text(claire, "Gestion de l'eau")
    await h.text(claire, "Water management")
    await h.tap(claire, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("ee")))
    water = await circles.get_by_slug(h.db, "gestion-de-l-eau")
    assert water is not None and water.names == {"fr": "Gestion de l'eau", "en": "Water management"}
    assert circle_name(h.services.i18n.for_locale("en"), water) == "Water management"
    assert circle_name(h.services.i18n.for_locale("ee"), water) == "Gestion de l'eau"   # French fallback
    # Members see it in their language in their circle picker.
    await h.command(ama, "circles")
    assert any("Water management" in label for label, _ in h.last(ama.id).buttons())
    await h.command(kossi, "circles")
    assert any("Gestion de l'eau" in label for label, _ in h.last(kossi.id).buttons())


async def test_usage_lines_hour_buttons_and_week_labels_follow_the_reader_locale(harness: Harness, facilitator):
    from datetime import date

    from bot.ui.calls import hour_picker
    from bot.ui.report import week_label

    h = harness
    i18n = h.services.i18n
    assert week_label(i18n.for_locale("fr"), "2026-W48") == "S48"
    assert week_label(i18n.for_locale("en"), "2026-W48") == "W48"
    labels = lambda tr: [b.text for row in hour_picker(tr, date(2026, 12, 3))[1].inline_keyboard for b in row]  # noqa: E731
    assert "14:00" in labels(i18n.for_locale("fr")) and "2:00\u202fPM" in labels(i18n.for_locale("en"))
    assert "14:00" in labels(i18n.for_locale("ee", "TG"))       # Ewe in Togo writes 24-hour times
    assert not any(label.endswith("h") for label in labels(i18n.for_locale("fr")))
    # A usage line in French says "cercle", not "circle".
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345678", "Coop Breizh", slug="food")
    await h.command(facilitator, "sendprompt", "nowhere")
    assert "/sendprompt cercle" in h.last(facilitator.id).text
    # Plural forms wherever a number is shown: one invited person reads as one.
    fr_tr = i18n.for_locale("fr")
    assert "1 sur 1 personne invitée" in fr_tr.ngettext(
        "{answered} of {count} invited answered. Voting closes by itself on {deadline}.",
        "{answered} of {count} invited answered. Voting closes by itself on {deadline}.", 1, answered=1, deadline="x")


async def test_a_circle_facilitator_of_one_side_names_the_other_side_s_facilitator_on_buttons(
        harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "promote", f"{maël.id} food bretagne")
    assert "facilitate" in menu(h, maël.id) and "held" not in menu(h, maël.id)   # circle rights: circle commands
    tr = fr(h)
    # One circle: no circle picker. Home lists food only, and the missing Togo side with its button.
    await h.command(maël, "facilitate")
    home = h.last(maël.id).text
    assert circle_name(tr, food) in home and tr.gettext("Social and professional insertion") not in home
    await h.tap(maël, tr.gettext("Name a facilitator: {circle}, {side}", circle=circle_name(tr, food),
                                 side=tr.gettext("Togo")))
    await h.tap(maël, "Kossi · Dzidzɔ")
    kossi_rights = await facilitators.rights_of(h.db, (await member_row(h, kossi))["id"])
    assert [(r.circle_id, r.territory) for r in kossi_rights] == [(food.id, "togo")]
    assert "facilitate" in menu(h, kossi.id)
    # Global commands stay refused to circle facilitators.
    await h.command(maël, "held")
    assert tr.gettext("This is reserved for facilitators.") in h.last(maël.id).text
    # A member with one circle gets their report without a picker; a forged step for another circle is refused.
    await h.command(ama, "report")
    assert h.sim.calls("sendPhoto")
    insertion = await circles.get_by_slug(h.db, "insertion")
    await h.press(maël, h.last(maël.id), Step("announce", insertion.id, "bretagne").encode(), forge=True)
    assert h.sim.calls("answerCallbackQuery")[-1].params["text"] == tr.gettext("This button is no longer valid.")
    assert await h.db.fetch_all("SELECT * FROM facilitator_drafts") == []


@pytest.mark.parametrize("locale, phone", [("fr", "+33698765432"), ("en", "+22891234567"), ("ee", "+22890123456")])
async def test_facilitator_screens_speak_the_facilitator_s_language(harness: Harness, facilitator, locale, phone):
    h, claire = harness, facilitator
    await h.db.execute("UPDATE circles SET archived = 1 WHERE slug = 'circular'")
    user = h.sim.add_user("Afi", language_code=locale)
    await join(h, user, phone, "ONG Afi", slug="food")
    await h.command(user, "me")
    await h.tap(user, h.services.i18n.for_locale(locale).language_name(locale))
    await h.command(claire, "promote", f"{user.id} food")
    tr = h.services.i18n.for_locale(locale, (await members.get_by_telegram_id(h.db, user.id)).phone_region)
    screens = []
    await h.command(user, "facilitate")
    screens.append((h.last(user.id).text, tr.html("<b>Facilitation</b>: what needs attention now")))
    await h.command(user, "addprompt")
    screens.append((h.last(user.id).text, tr.html("Send the question in <b>{language}</b> (required).",
                                                  language=tr.language_name("fr"))))
    await h.text(user, "Comment décidez-vous ensemble ?")
    await h.tap(user, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("en")))
    await h.tap(user, tr.gettext("Skip: {language} readers get the French", language=tr.language_name("ee")))
    screens.append((h.last(user.id).text, tr.html("<b>{circle}</b> · what members will receive, per language:",
                                                  circle=circle_name(tr, await circles.get_by_slug(h.db, "food")))))
    await h.command(user, "announce")
    await h.tap(user, tr.gettext("Both sides"))
    screens.append((h.last(user.id).text, tr.html(
        "Write the announcement to <b>{circle}</b> ({side}) in one message. Everyone reads it as written; to give a "
        "language its own text, start lines with fr:, en: or ee:.",
        circle=circle_name(tr, await circles.get_by_slug(h.db, "food")), side=tr.gettext("both sides"))))
    english = h.services.i18n.for_locale("en")
    for shown, expected in screens:
        plain = expected.replace("<b>", "").replace("</b>", "")
        assert plain.split("\n")[0][:25] in shown
    if locale != "en":
        assert "what needs attention" not in screens[0][0] and english.gettext("Which circle?") not in h.texts(user.id)


async def test_a_group_is_bound_on_buttons_and_only_a_facilitator_may_press_them(harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr = fr(h)
    group = h.sim.add_group("Alimentation durable", bot_is_admin=True)
    h.sim.add_member(group.id, claire.id, status="administrator")
    h.sim.add_member(group.id, maël.id)
    await h.command(claire, "bindgroup", chat_id=group.id)
    food = await circles.get_by_slug(h.db, "food")
    message, data = h.button(group.id, circle_name(tr, food))
    await h.press(maël, message, data)            # a member of the group is no facilitator
    assert h.sim.calls("answerCallbackQuery")[-1].params["text"] == tr.gettext("This is reserved for facilitators.")
    assert await h.db.fetch_all("SELECT * FROM circle_groups") == []
    await h.press(claire, message, data)
    message, data = h.button(group.id, tr.gettext("Togo"))
    await h.press(claire, message, data)
    rows = await h.db.fetch_all("SELECT circle_id, chat_id, territory_code FROM circle_groups")
    assert [tuple(r) for r in rows] == [(food.id, group.id, "togo")]
    assert "Ce groupe est désormais l'espace du cercle" in h.last(group.id).text


async def test_an_invitation_for_one_side_of_a_circle_is_made_from_the_home(harness: Harness, facilitator):
    h, claire = harness, facilitator
    await two_circle_world(h)
    tr = fr(h)
    await h.command(claire, "facilitate")
    await h.tap(claire, tr.gettext("Invitation link"))
    await tap_circle_in_picker(h, claire, "food", tr)
    await h.tap(claire, tr.gettext("Togo"))
    assert "start=" in h.last(claire.id).text
    row = await h.db.fetch_one("SELECT c.slug, i.territory_code, i.max_uses FROM invite_codes i "
                               "JOIN circles c ON c.id = i.circle_id")
    assert tuple(row) == ("food", "togo", None)


async def test_a_command_leaves_a_half_written_question_and_later_text_is_a_reply_again(harness: Harness,
                                                                                         facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "promote", f"{maël.id} food")       # Maël facilitates food and is a member of it
    tr = fr(h)
    await h.command(maël, "addprompt")                           # one circle: straight to the French text
    assert await h.db.fetch_all("SELECT * FROM facilitator_drafts")
    await h.command(maël, "prompt")                              # leaves the writer
    assert await h.db.fetch_all("SELECT * FROM facilitator_drafts") == []
    await h.text(maël, "Chez nous, les habitants décident ensemble en assemblée.")
    assert await exchanges.custom_prompts(h.db, food.id) == []
    assert tr.gettext("Skip: {language} readers get the French", language=tr.language_name("en")) not in \
        " ".join(label for label, _ in h.last(maël.id).buttons())


async def test_the_member_picker_is_paged_by_name_and_organisation(harness: Harness, facilitator):
    from bot.devtools.seeding import seed_members

    h, claire = harness, facilitator
    await h.db.execute("UPDATE circles SET archived = 1 WHERE slug IN ('circular', 'insertion')")
    seeded = await seed_members(h.db, h.sim, 20, h.clock.now())      # 10 on each side
    tr = fr(h)
    await h.command(claire, "promote")
    await h.tap(claire, tr.gettext("Togo"))
    first_page = [label for label, _ in h.last(claire.id).buttons()]
    assert first_page[-2:] == ["1/2", "▶"] and len(first_page) == 8 + 2
    assert all(" · Org " in label for label in first_page[:8])
    await h.tap(claire, "▶")
    second_page = [label for label, _ in h.last(claire.id).buttons()]
    assert len(second_page) == 2 + 2 and second_page[-2:] == ["◀", "2/2"]
    assert not set(second_page[:2]) & set(first_page[:8])          # the ten Togo members, each listed once
    await h.tap(claire, second_page[1])
    chosen = await members.get(h.db, (await h.db.fetch_one("SELECT member_id FROM circle_facilitators"))["member_id"])
    assert (chosen.territory_code, f"{chosen.display_name} · {chosen.organisation}") == ("togo", second_page[1])
    assert len([s for s in seeded if s.territory_code == "togo"]) == 10


async def test_translation_help_requests_wait_in_the_home_until_a_facilitator_marks_them_handled(
        harness: Harness, facilitator):
    from datetime import UTC, datetime

    from bot.translation import LibreTranslateTranslator
    from tests.e2e.test_reply_translation import english_reader, fake_libretranslate
    from tests.e2e.test_weekly_exchange import at

    h, claire = harness, facilitator
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=fake_libretranslate())
    rennes, reader = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Nous mutualisons les semences.")
    await h.drain()
    relayed = h.sim.sent_messages(reader.id)[-1]
    await h.press(reader, relayed, relayed.buttons()[1][1])       # "help me understand"
    await h.press(reader, relayed, relayed.buttons()[1][1])       # twice: one request
    tr = fr(h)
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "facilitate")
    home = h.last(claire.id).text
    assert tr.ngettext("· ❓ {count} reply awaits your help with its translation.",
                       "· ❓ {count} replies await your help with their translation.", 1) in home
    await h.tap(claire, tr.gettext("Help with translations: {circle}", circle=circle_name(tr, food)))
    assert "Nous mutualisons les semences." in h.last(claire.id).text
    message, data = h.button(claire.id, tr.gettext("✓ Handled: {number}", number=1))
    await h.press(claire, message, data)
    expected = tr.html("<b>{circle}</b>: no reply awaits help with its translation.", circle=circle_name(tr, food))
    assert h.last(claire.id).text == expected.replace("<b>", "").replace("</b>", "")
    await h.press(claire, message, data, forge=True)              # a double tap: already handled
    assert h.sim.calls("answerCallbackQuery")[-1].params["text"] == tr.gettext("This request was already handled.")
    await h.command(claire, "facilitate")
    assert "❓" not in h.last(claire.id).text


async def test_invite_sent_bare_asks_the_circle_then_the_side_and_typed_arguments_still_work(harness: Harness,
                                                                                            facilitator):
    h, claire = harness, facilitator
    await two_circle_world(h)
    tr = fr(h)
    await h.command(claire, "invite")
    assert tr.gettext("Which circle?") in h.last(claire.id).text
    assert await h.db.fetch_all("SELECT * FROM invite_codes") == []     # no link for no particular circle
    await tap_circle_in_picker(h, claire, "insertion", tr)
    await h.tap(claire, tr.gettext("Both sides"))
    assert "start=" in h.last(claire.id).text
    row = await h.db.fetch_one("SELECT c.slug, i.territory_code FROM invite_codes i JOIN circles c ON c.id = i.circle_id")
    assert tuple(row) == ("insertion", None)

    # With one open circle, no circle picker: the side comes first.
    await h.db.execute("UPDATE circles SET archived = 1 WHERE slug = 'insertion'")
    await h.command(claire, "invite")
    await h.tap(claire, tr.gettext("Togo"))
    rows = await h.db.fetch_all("SELECT c.slug, i.territory_code FROM invite_codes i JOIN circles c ON c.id = i.circle_id "
                                "ORDER BY i.rowid")
    assert [tuple(r) for r in rows] == [("insertion", None), ("food", "togo")]

    # Typed arguments keep their meaning, including an invitation to no particular circle.
    await h.command(claire, "invite", "food uses=3 territory=bretagne")
    await h.command(claire, "invite", "days=7")
    rows = await h.db.fetch_all("SELECT circle_id, territory_code, max_uses FROM invite_codes ORDER BY rowid")
    food = await circles.get_by_slug(h.db, "food")
    assert [tuple(r) for r in rows][2:] == [(food.id, "bretagne", 3), (None, None, None)]

    # A member sending /invite is refused, bare or typed.
    maël = h.sim.add_user("Maël", language_code="fr")
    await join(h, maël, "+33612345679", "Coop", slug="food")
    for args in ((), ("food",)):
        await h.command(maël, "invite", *args)
        assert tr.gettext("This is reserved for facilitators.") in h.last(maël.id).text
    assert len(await h.db.fetch_all("SELECT * FROM invite_codes")) == 4


async def test_a_right_over_every_circle_is_withdrawn_on_buttons_by_those_who_hold_one(harness: Harness, facilitator):
    h, claire = harness, facilitator
    maël, kossi, ama = await two_circle_world(h)
    tr, en = fr(h), h.services.i18n.for_locale("en")
    food = await circles.get_by_slug(h.db, "food")
    await h.command(claire, "promote", str(kossi.id))            # typed: facilitators of every circle
    await h.command(claire, "promote", str(ama.id))
    await h.command(claire, "promote", f"{ama.id} food togo")    # Ama also holds a right on food
    await h.command(claire, "promote", f"{maël.id} food bretagne")
    assert "held" in menu(h, kossi.id) and "held" in menu(h, ama.id) and "held" not in menu(h, maël.id)
    everywhere = tr.gettext("Facilitators of every circle…")

    # A facilitator of one circle is not offered it, and a forged button is refused.
    await h.command(maël, "demote")
    assert everywhere not in [label for label, _ in h.last(maël.id).buttons()]
    await h.press(maël, h.last(maël.id), Step("everywhere", 0, "yes", 1).encode(), forge=True)
    assert h.sim.calls("answerCallbackQuery")[-1].params["text"] == tr.gettext("This is reserved for facilitators.")
    assert await facilitators.promoted_telegram_ids(h.db) == [kossi.id, ama.id]

    # Ama, herself a facilitator of every circle, withdraws Kossi's right, in English, after a confirmation.
    await h.command(ama, "demote")
    await h.tap(ama, en.gettext("Facilitators of every circle…"))
    screen = h.last(ama.id)
    assert [label for label, _ in screen.buttons()] == ["Ama · GIE Lomé", "Kossi · Dzidzɔ"]
    assert "PASSERELLE_ADMINS" in screen.text      # Claire's right comes from the configuration: said, not listed
    assert en.ngettext("{count} facilitator is named in the server's configuration (PASSERELLE_ADMINS): the bot "
                       "cannot withdraw that right; only the server's administrator can, by changing the setting.",
                       "{count} facilitators are named in the server's configuration (PASSERELLE_ADMINS): the bot "
                       "cannot withdraw their right; only the server's administrator can, by changing the "
                       "setting.", 1) in screen.text
    await h.tap(ama, "Kossi · Dzidzɔ")
    assert await facilitators.promoted_telegram_ids(h.db) == [kossi.id, ama.id]   # not before the second tap
    withdraw = h.button(ama.id, en.gettext("Withdraw"))
    await h.press(ama, *withdraw)
    assert await facilitators.promoted_telegram_ids(h.db) == [ama.id]
    assert h.last(ama.id).text == en.gettext("{name} no longer facilitates every circle.", name="Kossi")
    assert menu(h, kossi.id) == []                                # back to the members' menu
    await h.press(ama, *withdraw, forge=True)                     # a double tap changes nothing more
    assert h.sim.calls("answerCallbackQuery")[-1].params["text"] == en.gettext("This button is no longer valid.")
    await h.command(kossi, "held")
    assert h.services.i18n.for_locale("ee").gettext("This is reserved for facilitators.") in h.last(kossi.id).text

    # Claire (PASSERELLE_ADMINS), from the single circle's list: Ama keeps her right on food, not the global one.
    await h.db.execute("UPDATE circles SET archived = 1 WHERE slug = 'insertion'")
    await h.command(claire, "demote")
    assert tr.html("<b>{circle}</b>: whose rights end?", circle=circle_name(tr, food)).replace("<b>", "") \
        .replace("</b>", "") in h.last(claire.id).text
    await h.tap(claire, everywhere)
    await h.tap(claire, "Ama · GIE Lomé")
    await h.tap(claire, tr.gettext("Withdraw"))
    assert await facilitators.promoted_telegram_ids(h.db) == []
    assert "facilitate" in menu(h, ama.id) and "held" not in menu(h, ama.id)
    ama_rights = await facilitators.rights_of(h.db, (await member_row(h, ama))["id"])
    assert [(r.circle_id, r.territory) for r in ama_rights] == [(food.id, "togo")]
    await h.command(claire, "demote")
    await h.tap(claire, everywhere)
    assert tr.gettext("No member holds a right over every circle given with /promote.") in h.last(claire.id).text
    assert h.last(claire.id).buttons() == []
