"""Circle decisions end to end: a question put in Rennes reaches Lomé in Ewe, both sides vote, a side below quorum
is reminded once, everyone gets the result with each territory's breakdown, and the journal keeps it."""

from __future__ import annotations

import html
from datetime import timedelta

from bot.domain.decisions import reminder_time
from bot.handlers.reports import build_report
from bot.storage import circles, decisions, members
from bot.ui import decisions as screens
from bot.ui.calls import Place, when
from bot.ui.exchanges import language_of
from bot.ui.report import decisions_line
from bot.translation import LibreTranslateTranslator
from bot.delivery import decisions as use_cases
from tests.e2e.test_atomic_writes import breaks_leave_nothing_behind
from tests.e2e.test_calls import press
from tests.e2e.test_onboarding import join
from tests.e2e.test_reply_translation import fake_libretranslate
from tests.support import Harness, tick

QUESTION = "Quel jour pour l'assemblée commune ?"


async def circle_of_two_sides(h: Harness):
    """Two members in Rennes (French), four in Lomé: three read Ewe, one English; all in sustainable food."""
    users = {}
    for key, first, language, phone, organisation in (
        ("maël", "Maël", "fr", "+33612345678", "Coop Breizh"),
        ("gwen", "Gwen", "fr", "+33698765432", "Les Jardins de Gwen"),
        ("ama", "Ama", "ee", "+22890123456", "Association Dzidzɔ"),
        ("kossi", "Kossi", "ee", "+22891234567", "Coopérative Kossi"),
        ("yawo", "Yawo", "ee", "+22892345678", "GIE Yawo"),
        ("kofi", "Kofi", "en", "+22893456789", "Coop Kpalimé"),
    ):
        users[key] = h.sim.add_user(first, language_code=language)
        await join(h, users[key], phone, organisation, slug="food")
    return users


async def put_question(h: Harness, proposer, question: str = QUESTION, options=("Lundi", "Jeudi"), days: int = 7):
    """Play /decide through its steps and deliver the ballots; returns the stored decision."""
    await h.command(proposer, "decide")
    await h.text(proposer, question)
    for option in options:
        await h.text(proposer, option)
    await press(h, proposer, "dcd:done:0")
    await press(h, proposer, f"dcd:dl:{days}")
    await press(h, proposer, "dcd:ok:0")
    await h.drain()
    row = await h.db.fetch_one("SELECT id FROM decisions ORDER BY id DESC LIMIT 1")
    return await decisions.get(h.db, row["id"])


def ballot_of(h: Harness, user, decision):
    return next(m for m in reversed(h.sim.sent_messages(user.id))
                if any(data.startswith(f"dcv:{decision.id}:") for _, data in m.buttons()))


async def vote(h: Harness, user, decision, choice: int) -> None:
    await h.press(user, ballot_of(h, user, decision), f"dcv:{decision.id}:{choice}")


def last_answer(h: Harness) -> str:
    return h.sim.calls("answerCallbackQuery")[-1].params.get("text", "")


def tr_of(h: Harness, locale: str, region: str):
    return h.services.i18n.for_locale(locale, region)


async def test_a_question_put_in_rennes_reaches_lome_in_ewe_with_the_deadline_in_lome_time(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=fake_libretranslate())
    decision = await put_question(h, u["maël"])
    assert (decision.question, decision.options, decision.language) == (QUESTION, ("Lundi", "Jeudi"), "fr")
    assert decision.deadline == decision.created_at.replace(second=0, microsecond=0) + timedelta(days=7)

    ee = tr_of(h, "ee", "TG")
    ballot = ballot_of(h, u["ama"], decision)
    lome = when(ee, decision.deadline, Place("Africa/Lome", "Lomé"), [Place("Europe/Paris", "Rennes")])
    assert lome in ballot.text and ee.datetime(decision.deadline, "Africa/Lome") in ballot.text
    assert QUESTION in ballot.text and language_of(ee, "fr") in ballot.text  # its language named, in Ewe
    labels = [label for label, _ in ballot.buttons()]
    assert labels == ["1. Lundi", "2. Jeudi", ee.gettext("Abstain")] and ee.gettext("Abstain") != "Abstain"
    # Rennes reads Paris time first; the English reader in Lomé gets a machine translation, the original on demand.
    assert "Rennes" in ballot_of(h, u["gwen"], decision).text
    english = ballot_of(h, u["kofi"], decision)
    assert f"[en] {QUESTION}" in english.text and "machine translation from French" in english.text
    assert [label for label, _ in english.buttons()] == ["1. [en] Lundi", "2. [en] Jeudi", "Abstain", "Show original"]
    await h.press(u["kofi"], english, f"dco:{decision.id}")
    assert QUESTION in h.sim.sent_messages(u["kofi"].id)[-1].text
    # The proposer may withdraw it until the first vote: the button is on their confirmation.
    assert any(data == f"dcw:{decision.id}" for m in h.sim.sent_messages(u["maël"].id) for _, data in m.buttons())


async def test_votes_from_both_sides_a_quorum_reminder_and_the_result_to_everyone(harness: Harness, facilitator):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    await vote(h, u["maël"], decision, 1)
    await vote(h, u["gwen"], decision, 2)
    await vote(h, u["ama"], decision, 2)
    await vote(h, u["ama"], decision, 2)   # the option already chosen: nothing changes, and it is said
    assert "2. Jeudi" in last_answer(h)
    ama = await members.get_by_telegram_id(h.db, u["ama"].id)
    assert (await decisions.votes(h.db, decision.id))[ama.id] == 2
    assert "✅ 2. Jeudi" in [label for label, _ in h.last(u["ama"].id).buttons()]

    # Togo (4 members) needs 2 voters: reminded once, at 10:00 in Lomé the last day before the deadline.
    at = reminder_time(decision.deadline, "Africa/Lome")
    h.clock.set(at - timedelta(minutes=1))
    await tick(h)
    await h.drain()
    reminders = [m for m in h.sim.sent_messages() if m.text and m.text.startswith("⏰")]
    assert reminders == []
    h.clock.set(at)
    await tick(h)
    await tick(h)
    await h.drain()
    reminded = {m.chat_id for m in h.sim.sent_messages() if m.text and m.text.startswith("⏰")}
    assert reminded == {u["kossi"].id, u["yawo"].id, u["kofi"].id}  # not Ama (voted), not Brittany (quorum met)
    reminder = h.sim.sent_messages(u["kofi"].id)[-1].text
    assert "still needs voters on your side (Togo)" in reminder and "1 voter of the 2 needed so far" in reminder
    assert f"before {when(tr_of(h, 'en', 'TG'), decision.deadline, Place('Africa/Lome', 'Lomé'), [])}" in reminder
    ee = tr_of(h, "ee", "TG")
    assert ee.ngettext("{count} voter of the {quorum} needed so far; without them there is no decision at all.",
                       "{count} voters of the {quorum} needed so far; without them there is no decision at all.",
                       1, quorum=2) in h.sim.sent_messages(u["kossi"].id)[-1].text

    await vote(h, u["kossi"], decision, 1)
    await vote(h, u["kossi"], decision, 2)   # a changed vote counts once
    assert last_answer(h) == tr_of(h, "ee", "TG").gettext("Vote changed: {choice}", choice="2. Jeudi")
    await vote(h, u["yawo"], decision, 1)
    assert (await decisions.get(h.db, decision.id)).is_open
    await vote(h, u["kofi"], decision, 0)     # the last one abstains: everyone voted, the vote closes at once
    closed = await decisions.get(h.db, decision.id)
    assert closed.status == "closed"
    await h.drain()

    # Brittany: 50 % each; Togo: Lundi 1/3, Jeudi 2/3 -> Jeudi carries (7/12); the head count says 2 to 3.
    result = closed.result
    assert result.winners == (2,) and result.head_count == (2, 3)
    for key, locale, region in (("maël", "fr", "FR"), ("ama", "ee", "TG"), ("kofi", "en", "TG")):
        tr = tr_of(h, locale, region)
        names = {"bretagne": tr.gettext("Brittany"), "togo": tr.gettext("Togo")}
        text = [m.text for m in h.sim.sent_messages(u[key].id) if m.text and m.text.startswith("🗳")][-1]
        for line in screens.result_lines(tr, result, ("Lundi", "Jeudi"), names):
            assert line in text, (key, line, text)
    english = [m.text for m in h.sim.sent_messages(u["kofi"].id) if m.text and m.text.startswith("🗳")][-1]
    assert "✅ Carried: 2. Jeudi" in english
    assert "• Togo: 4 of 4 voted (quorum 2 reached), 1 abstained — 1: 33% · 2: 67%" in english
    assert "• Brittany: 2 of 2 voted (quorum 1 reached) — 1: 50% · 2: 50%" in english
    assert "Average of the territories: 1: 42% · 2: 58%" in english
    assert "A plain head count would have given 1: 2 · 2: 3: 2. Jeudi ahead." in english

    # Pressing after the vote closed: an answer, no change, no refused call.
    await vote(h, u["ama"], decision, 1)
    assert last_answer(h) == tr_of(h, "ee", "TG").gettext("Voting on this question is closed.")
    assert (await decisions.votes(h.db, decision.id))[ama.id] == 2

    # The journal keeps the question and its result.
    await h.command(facilitator, "journal", "food")
    journal = [m for m in h.sim.sent_messages(facilitator.id) if m.document][-1].document_bytes.decode()
    assert QUESTION in journal and "Maël, Coop Breizh" in journal
    fr = tr_of(h, "fr", None)
    assert screens.outcome_line(fr, result, ("Lundi", "Jeudi"), {}) in journal

    # The circle's report: questions proposed by each side, and participation.
    report = await build_report(h.services, await circles.get_by_slug(h.db, "food"), h.clock.now())
    sides = {t.territory: t for t in report.territories}
    assert (sides["bretagne"].decisions_proposed, sides["bretagne"].decision_votes,
            sides["bretagne"].decision_seats) == (1, 2, 2)
    assert (sides["togo"].decisions_proposed, sides["togo"].decision_votes, sides["togo"].decision_seats) == (0, 4, 4)
    await h.command(facilitator, "report", "food")
    text = h.texts(facilitator.id)[-2]  # the report text, then the chart
    names = {"bretagne": fr.gettext("Brittany"), "togo": fr.gettext("Togo")}
    assert html.unescape(decisions_line(fr, sides["bretagne"], names)) in text
    assert "Bretagne · questions posées au cercle : 1 proposée, participation 100" in text


async def test_at_the_deadline_a_side_below_quorum_means_no_decision(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"], days=3)
    for key, choice in (("maël", 1), ("gwen", 1), ("ama", 2)):
        await vote(h, u[key], decision, choice)
    h.clock.set(decision.deadline)
    await vote(h, u["kossi"], decision, 2)   # too late, even before the tick closes it
    assert last_answer(h) == tr_of(h, "ee", "TG").gettext("Voting on this question is closed.")
    await tick(h)
    await h.drain()
    closed = await decisions.get(h.db, decision.id)
    assert closed.status == "closed" and closed.result.missing_quorum == ("togo",)
    english = [m.text for m in h.sim.sent_messages(u["kofi"].id) if m.text and m.text.startswith("🗳")][-1]
    assert "⛔ No decision: Togo did not reach its quorum." in english
    assert "• Togo: 1 of 4 voted (quorum 2 not reached) — 1: 0% · 2: 100%" in english
    assert "A plain head count would have given 1: 2 · 2: 1: 1. Lundi ahead." in english
    await tick(h)
    await h.drain()
    results = [m for m in h.sim.sent_messages(u["kofi"].id) if m.text and m.text.startswith("🗳")]
    assert len(results) == 2  # the ballot and one result, never twice


async def test_the_proposer_withdraws_before_the_first_vote_only(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    first = await put_question(h, u["maël"])
    await press(h, u["maël"], f"dcw:{first.id}")
    await h.drain()
    assert (await decisions.get(h.db, first.id)).status == "withdrawn"
    assert any("withdrawn" in (m.text or "") for m in h.sim.sent_messages(u["kofi"].id))
    await vote(h, u["kofi"], first, 1)
    assert last_answer(h) == "Voting on this question is closed."

    second = await put_question(h, u["maël"], question="Which colour for the banner?", options=("Green", "Blue"))
    await vote(h, u["gwen"], second, 1)
    before = await decisions.get(h.db, second.id)
    await press(h, u["maël"], f"dcw:{second.id}")
    assert (await decisions.get(h.db, second.id)).status == "open" and before.status == "open"
    # Someone else cannot withdraw it (forged data): refused, nothing changes.
    h.sim.press_button(u["gwen"].id, h.last(u["gwen"].id).message_id, f"dcw:{second.id}", forge=True)
    await h.deliver()
    assert (await decisions.get(h.db, second.id)).status == "open"


async def test_a_facilitator_extends_the_deadline_once(harness: Harness, facilitator):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    # Members see the open question but no extend button; a forged one changes nothing.
    await h.command(u["gwen"], "decisions")
    assert QUESTION in h.last(u["gwen"].id).text and h.last(u["gwen"].id).buttons() == []
    h.sim.press_button(u["gwen"].id, h.last(u["gwen"].id).message_id, f"dce:{decision.id}", forge=True)
    await h.deliver()
    assert last_answer(h) == "Seul·e un·e animateur·rice de ce cercle peut prolonger ses votes."
    assert (await decisions.get(h.db, decision.id)).deadline == decision.deadline

    # A facilitator of PASSERELLE_ADMINS who never joined as a member sees the circles they facilitate.
    assert await members.get_by_telegram_id(h.db, facilitator.id) is None
    await h.command(facilitator, "decisions")
    await press(h, facilitator, f"dce:{decision.id}")
    await h.drain()
    extended = await decisions.get(h.db, decision.id)
    assert extended.deadline == decision.deadline + timedelta(days=3) and extended.extended
    notice = [m.text for m in h.sim.sent_messages(u["kofi"].id) if m.text and "extended" in m.text][-1]
    en = tr_of(h, "en", "TG")
    assert when(en, extended.deadline, Place("Africa/Lome", "Lomé"), [Place("Europe/Paris", "Rennes")]) in notice
    assert h.last(facilitator.id).buttons() == []  # extended once: the button is gone from the refreshed list
    h.sim.press_button(facilitator.id, h.last(facilitator.id).message_id, f"dce:{decision.id}", forge=True)
    await h.deliver()
    assert (await decisions.get(h.db, decision.id)).deadline == extended.deadline


async def test_a_member_who_leaves_the_circle_during_a_vote_has_their_vote_removed(harness: Harness):
    from tests.e2e.test_onboarding import tap_circle

    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    await vote(h, u["yawo"], decision, 1)
    yawo = await members.get_by_telegram_id(h.db, u["yawo"].id)
    await h.command(u["yawo"], "circles")
    await tap_circle(h, u["yawo"], "food")
    assert yawo.id not in await decisions.votes(h.db, decision.id)
    await vote(h, u["yawo"], decision, 2)
    assert last_answer(h) == tr_of(h, "ee", "TG").gettext("Only the members of this circle vote on its questions.")
    assert yawo.id not in await decisions.votes(h.db, decision.id)


async def test_a_member_who_forgets_during_a_vote_has_their_vote_removed(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    await vote(h, u["ama"], decision, 1)
    await vote(h, u["kossi"], decision, 2)
    ama = await members.get_by_telegram_id(h.db, u["ama"].id)
    await h.command(u["ama"], "forget")
    await h.tap(u["ama"], tr_of(h, "ee", "TG").gettext("Yes, erase everything"))
    assert ama.id not in await decisions.votes(h.db, decision.id)
    # The proposer's /forget keeps the decision for the circle, unsigned.
    await h.command(u["maël"], "forget")
    await h.tap(u["maël"], tr_of(h, "fr", "FR").gettext("Yes, erase everything"))
    kept = await decisions.get(h.db, decision.id)
    assert kept is not None and kept.proposer_id is None and kept.proposer_territory == "bretagne"


async def test_texts_while_writing_are_checked_and_the_draft_can_be_cancelled(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    await h.command(u["kofi"], "decide")
    await h.text(u["kofi"], "x" * 301)
    assert "at most 300 characters" in h.last(u["kofi"].id).text
    await h.text(u["kofi"], "Shall we meet in March?")
    await h.text(u["kofi"], "Yes")
    await h.text(u["kofi"], "yes")
    assert "already in the list" in h.last(u["kofi"].id).text
    assert not any(data.startswith("dcd:done") for _, data in h.last(u["kofi"].id).buttons())
    await press(h, u["kofi"], "dcd:x:0")
    assert await decisions.get_draft(h.db, (await members.get_by_telegram_id(h.db, u["kofi"].id)).id) is None
    await press(h, u["kofi"], "dcd:done:0", forge=True)
    assert last_answer(h) == "This button is no longer valid."
    assert (await h.db.fetch_one("SELECT count(*) AS n FROM decisions"))["n"] == 0


async def test_a_territory_with_a_group_gets_one_ballot_there_and_its_members_vote_from_it(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    food = await circles.get_by_slug(h.db, "food")
    group = h.sim.add_group("Alimentation durable · Togo", bot_is_admin=True)
    for key in ("ama", "kossi", "yawo", "kofi"):
        h.sim.add_member(group.id, u[key].id)
    await circles.bind_group(h.db, circle_id=food.id, chat_id=group.id, thread_id=None, territory_code="togo",
                             title="Togo", now=h.clock.now())
    decision = await put_question(h, u["maël"])
    ballots = [m for m in h.sim.sent_messages(group.id) if m.buttons()]
    assert len(ballots) == 1 and QUESTION in ballots[0].text
    assert not any(m.buttons() for m in h.sim.sent_messages(u["ama"].id) if QUESTION in (m.text or ""))
    assert ballot_of(h, u["gwen"], decision)  # Brittany has no group: private chats

    await h.press(u["ama"], ballots[0], f"dcv:{decision.id}:2")
    ee = tr_of(h, "ee", "TG")
    assert last_answer(h) == ee.gettext("Vote recorded: {choice}", choice="2. Jeudi")
    await h.press(u["ama"], ballots[0], f"dcv:{decision.id}:2")
    assert last_answer(h) == ee.gettext("Your vote is already: {choice}", choice="2. Jeudi")
    assert h.sim.message(group.id, ballots[0].message_id).text == ballots[0].text  # the shared ballot stays as it was
    ama = await members.get_by_telegram_id(h.db, u["ama"].id)
    assert await decisions.votes(h.db, decision.id) == {ama.id: 2}
    # The group gets the result too, once.
    h.clock.set(decision.deadline)
    await tick(h)
    await h.drain()
    assert len([m for m in h.sim.sent_messages(group.id) if m.text and m.text.startswith("🗳")]) == 2


async def test_putting_a_question_is_all_or_nothing(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    await h.command(u["maël"], "decide")
    await h.text(u["maël"], QUESTION)
    for option in ("Lundi", "Jeudi"):
        await h.text(u["maël"], option)
    maël = await members.get_by_telegram_id(h.db, u["maël"].id)
    draft = (await decisions.get_draft(h.db, maël.id)).draft
    writes = await breaks_leave_nothing_behind(h, lambda s: use_cases.put_question(s, maël, draft))
    assert writes == 1 + 1 + 2 * 6  # the decision, the draft deleted, a ballot and its record per member
    assert await decisions.get_draft(h.db, maël.id) is None


async def test_closing_a_decision_is_all_or_nothing(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    await vote(h, u["maël"], decision, 1)
    h.clock.set(decision.deadline)
    writes = await breaks_leave_nothing_behind(h, lambda s: use_cases.close_decision(s, decision.id))
    assert writes == 1 + 6  # the result, and its message to each member
    assert (await decisions.get(h.db, decision.id)).status == "closed"


async def test_withdrawing_extending_and_reminding_are_all_or_nothing(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    maël = await members.get_by_telegram_id(h.db, u["maël"].id)
    first = await put_question(h, u["maël"])
    assert await breaks_leave_nothing_behind(h, lambda s: use_cases.withdraw(s, first.id, maël)) == 1 + 5
    second = await put_question(h, u["maël"], question="Which colour?", options=("Green", "Blue"))
    assert await breaks_leave_nothing_behind(h, lambda s: use_cases.extend(s, second.id)) == 1 + 6
    h.clock.set(reminder_time((await decisions.get(h.db, second.id)).deadline, "Africa/Lome"))
    writes = await breaks_leave_nothing_behind(
        h, lambda s: use_cases.due_decision_work(s))  # Togo is below its quorum: reminded
    assert writes == 1 + 4 and await decisions.reminded_sides(h.db, second.id) == {"togo"}


async def test_erasing_the_proposer_removes_the_ballots_that_name_them(harness: Harness):
    from bot.erasure import erase_member

    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    assert any("Maël" in r["payload"] for r in await h.db.fetch_all("SELECT payload FROM outbox"))
    maël = await members.get_by_telegram_id(h.db, u["maël"].id)
    await erase_member(h.db, maël.id)
    assert not any("Maël" in r["payload"] for r in await h.db.fetch_all("SELECT payload FROM outbox"))
    # The question stays with the circle, and the others do not get its ballot a second time.
    await tick(h)
    assert await h.db.fetch_all("SELECT * FROM outbox WHERE dedupe_key LIKE 'decision:%:ballot:%'") == []
    assert (await decisions.get(h.db, decision.id)).is_open


async def test_a_member_who_joins_during_the_vote_gets_the_ballot_at_the_next_tick(harness: Harness):
    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    newcomer = h.sim.add_user("Edem", language_code="ee")
    await join(h, newcomer, "+22899123456", "Coopérative Edem", slug="food")
    await tick(h)
    await tick(h)
    await h.drain()
    ballots = [m for m in h.sim.sent_messages(newcomer.id) if m.buttons() and QUESTION in (m.text or "")]
    assert len(ballots) == 1  # once, however many ticks
    await vote(h, newcomer, decision, 1)
    edem = await members.get_by_telegram_id(h.db, newcomer.id)
    assert (await decisions.votes(h.db, decision.id)) == {edem.id: 1}
    # Those who had it already do not get it twice.
    assert len([m for m in h.sim.sent_messages(u["ama"].id) if m.buttons() and QUESTION in (m.text or "")]) == 1


async def test_mydata_lists_the_questions_a_member_put_and_their_votes(harness: Harness):
    import json

    h = harness
    u = await circle_of_two_sides(h)
    decision = await put_question(h, u["maël"])
    await vote(h, u["ama"], decision, 2)
    for user in (u["maël"], u["ama"]):
        await h.command(user, "mydata")
    maël = json.loads(h.sim.sent_messages(u["maël"].id)[-1].document_bytes)["circle_decisions"]
    ama = json.loads(h.sim.sent_messages(u["ama"].id)[-1].document_bytes)["circle_decisions"]
    assert [q["question"] for q in maël["questions_put"]] == [QUESTION] and maël["votes"] == []
    assert ama["questions_put"] == [] and [(v["question"], v["choice"]) for v in ama["votes"]] == [(QUESTION, "Jeudi")]
