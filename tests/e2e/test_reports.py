"""Issue 6 end to end: /report counts and chart, /journal surviving /forget, announcements, co-facilitation."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime, timedelta

from PIL import Image

from bot.handlers.reports import build_report
from bot.storage import calls, circles
from bot.translation import TranslationResult
from bot.ui.report import reading_line
from tests.e2e.test_onboarding import member_row
from tests.e2e.test_weekly_exchange import at, two_sides
from tests.support import Harness

FIRST_MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 2026-W49
REPORT_DAY = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)    # Thursday of 2026-W52


class BracketTranslator:
    """A translation service stand-in: '[fr] text'."""

    async def translate(self, text: str, source: str, target: str) -> TranslationResult:
        return TranslationResult(f"[{target}] {text}", source, target, translated=True)

    async def aclose(self) -> None:
        return None


async def seed(h: Harness):
    """Four weeks of prompts: Lomé answers every week, Rennes once; one call proposed per side, Rennes' held."""
    rennes, lome = await two_sides(h)
    for week in range(4):
        await at(h, FIRST_MONDAY + timedelta(weeks=week))
        await h.text(lome, f"Semaine {week + 1} : les femmes du village décident ensemble des semis.")
    await h.text(rennes, "Chez nous, les habitants votent en assemblée pour la cantine.")
    await h.drain()
    food = await circles.get_by_slug(h.db, "food")
    rennes_id, lome_id = (await member_row(h, rennes))["id"], (await member_row(h, lome))["id"]
    now = h.clock.now()
    held = await calls.create_proposal(h.db, circle_id=food.id, proposer_id=rennes_id, topic="Cantines",
                                       duration_minutes=45, deadline=now, slots=[now - timedelta(days=2)],
                                       invitee_ids=[lome_id], now=now - timedelta(days=5))
    proposal = await calls.get_proposal(h.db, held)
    await calls.confirm(h.db, proposal, (await calls.slots_of(h.db, proposal))[0], "https://meet.example/x", now)
    await calls.create_proposal(h.db, circle_id=food.id, proposer_id=lome_id, topic="Semences",
                                duration_minutes=30, deadline=now + timedelta(days=3),
                                slots=[now + timedelta(days=5)], invitee_ids=[rennes_id], now=now)
    return rennes, lome, food, await calls.get_proposal(h.db, held)


async def png_of(h: Harness, message) -> bytes:
    photo = max(message.photo, key=lambda size: size["file_size"])
    return bytes(await (await h.app.bot.get_file(photo["file_id"])).download_as_bytearray())


async def test_a_report_on_seeded_data_gives_the_right_counts_and_a_valid_png(harness: Harness, facilitator):
    h = harness
    rennes, lome, food, _ = await seed(h)
    h.clock.set(REPORT_DAY)

    report = await build_report(h.services, food, h.clock.now())
    assert [w.week_key for w in report.weeks][-4:] == ["2026-W49", "2026-W50", "2026-W51", "2026-W52"]
    sides = {t.territory: t for t in report.territories}
    assert (sides["togo"].replies, sides["togo"].active_members, sides["togo"].members) == (4, 1, 1)
    assert (sides["bretagne"].replies, sides["bretagne"].active_members) == (1, 1)
    assert (sides["bretagne"].calls_proposed, sides["bretagne"].calls_held) == (1, 1)
    assert (sides["togo"].calls_proposed, sides["togo"].calls_held) == (1, 0)
    openers = [w.opener for w in report.weeks[-4:]]
    # Every week had an opener; once Togo had answered clearly more, Brittany was the side invited to open.
    assert None not in openers and openers[-1] == "bretagne"
    assert report.reading.quieter == "bretagne"

    await h.command(facilitator, "report", "food")
    tr = h.services.i18n.for_locale("fr")
    text = h.texts(facilitator.id)[-2]  # the report text, then the chart
    names = {"bretagne": tr.gettext("Brittany"), "togo": tr.gettext("Togo")}
    assert html.unescape(reading_line(tr, report.reading, names)) in text  # "Togo answered 4 times, Bretagne 1: …"
    assert text.count("█" * 10) == 1 and "█" * 11 not in text            # the larger side has the full bar
    assert "/promote" in text  # no territory has a facilitator of its own yet: the bot asks for one
    chart = h.last(facilitator.id)
    assert chart.photo
    data = await png_of(h, chart)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert image.size == (960, 540)


async def test_members_get_their_own_circles_report_without_the_facilitator_notes(harness: Harness):
    h = harness
    rennes, _, _, _ = await seed(h)
    outsider = h.sim.add_user("Kodjo", language_code="fr")
    from tests.e2e.test_onboarding import join

    await join(h, outsider, "+22891234567", "Coop Kara", slug="circular")
    await h.command(rennes, "report")  # their only circle: no argument needed
    assert "█" in h.texts(rennes.id)[-2] and "/promote" not in h.texts(rennes.id)[-2]
    assert h.last(rennes.id).photo
    await h.command(outsider, "report", "food")
    assert "circular" in h.last(outsider.id).text and "█" not in h.last(outsider.id).text


async def test_the_journal_keeps_replies_with_territories_and_no_data_of_a_forgotten_member(harness: Harness):
    h = harness
    h.services.translator = BracketTranslator()
    rennes, lome, food, held = await seed(h)
    rennes_row = await member_row(h, rennes)
    lome_row = await member_row(h, lome)
    # The call's follow-ups: both name a practice (the calls feature records them; the journal keeps them).
    people = [m for m in await circles.members_of(h.db, food.id)]
    await calls.start_followups(h.db, held, people, h.clock.now())
    for row, practice in ((rennes_row, "Le conseil des mangeurs décide des menus."),
                          (lome_row, "Les anciens transmettent les semences aux jeunes.")):
        followup = await calls.get_followup(h.db, held.id, row["id"])
        await calls.answer_took_place(h.db, followup.id, True, h.clock.now())
        await calls.save_practice(h.db, followup.id, practice, h.clock.now())

    await h.command(rennes, "forget")
    await h.tap(rennes, "Oui")
    await h.command(lome, "journal", "food")
    document = h.last(lome.id)
    assert document.document["file_name"] == "journal-food.md"
    journal = document.document_bytes.decode("utf-8")

    for week in range(1, 5):
        assert f"Semaine {week} : les femmes du village décident ensemble des semis." in journal
    # Ama writes in French from an Ewe interface: Rennes reads her text as written (issue 10: the language of the
    # text, not of the interface), while the translation the Lomé side read of Rennes's reply is kept.
    assert "[fr] Semaine 4" not in journal
    assert "[ee] Chez nous, les habitants votent en assemblée pour la cantine." in journal
    assert "Chez nous, les habitants votent en assemblée pour la cantine." in journal  # kept, anonymised
    assert "Le conseil des mangeurs décide des menus." in journal
    assert "Les anciens transmettent les semences aux jeunes." in journal
    for needle in ("Maël", "Bihan", "Breizh", "33612345678", "+33 6"):
        assert needle not in journal
    assert "Ama Mensah" in journal and "Dzidzɔ" in journal
    # Newest first, each under its territory.
    headings = [line for line in journal.splitlines() if line.startswith("## ")]
    assert len(headings) == 7
    assert sum("Togo" in line for line in headings) == 5 and sum("Bretagne" in line for line in headings) == 2
    assert journal.index("Semaine 4") < journal.index("Semaine 1")
    assert "#decident" in journal and "#ensemble" in journal
    # And no row anywhere still points at the forgotten member.
    rows = await h.db.fetch_all("SELECT * FROM journal_entries WHERE member_id = ? OR author_label LIKE ?",
                                (rennes_row["id"], "%Maël%"))
    assert rows == []


async def test_an_announcement_is_previewed_then_sent_once_in_each_members_language(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    await h.command(facilitator, "announce", "food\nfr: Réunion ouverte jeudi à 18h.\nee: Takpekpe le yawoɖa.")
    preview = h.last(facilitator.id)
    assert "Réunion ouverte jeudi" in preview.text and "Takpekpe le yawoɖa." in preview.text
    await h.drain()
    assert not any("Réunion ouverte" in t for t in h.texts(rennes.id))  # nothing before the confirmation
    _, send = h.button(facilitator.id, h.services.i18n.for_locale("fr").gettext("Send"))
    await h.press(facilitator, preview, send)
    await h.press(facilitator, preview, send, forge=True)  # a second (late) tap sends nothing twice
    await h.drain()
    assert sum("Réunion ouverte jeudi à 18h." in t for t in h.texts(rennes.id)) == 1
    assert sum("Takpekpe le yawoɖa." in t for t in h.texts(lome.id)) == 1
    assert not any("Réunion ouverte" in t for t in h.texts(lome.id))


async def test_an_announcement_to_one_territory_reaches_only_that_side(harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    await h.command(facilitator, "announce", "food togo\nLes semences arrivent samedi.")
    _, send = h.button(facilitator.id, h.services.i18n.for_locale("fr").gettext("Send"))
    await h.press(facilitator, h.last(facilitator.id), send)
    await h.drain()
    assert any("Les semences arrivent samedi." in t for t in h.texts(lome.id))
    assert not any("Les semences arrivent samedi." in t for t in h.texts(rennes.id))


async def test_a_territory_facilitator_reaches_their_side_and_names_the_other_sides_facilitator(
        harness: Harness, facilitator):
    h = harness
    rennes, lome = await two_sides(h)
    await h.command(facilitator, "promote", f"{lome.id} food togo")
    assert "/promote" in h.last(facilitator.id).text  # Bretagne still has nobody: the bot asks for someone
    await h.command(lome, "announce", "food\nÀ tous")  # the whole circle: not theirs alone
    refusal = h.services.i18n.for_locale("ee").gettext("This is reserved for facilitators.")
    assert h.last(lome.id).text == refusal and not h.last(lome.id).buttons()
    await h.command(lome, "announce", "food togo\nÀ Lomé")
    assert h.last(lome.id).buttons()
    await h.command(lome, "promote", f"{rennes.id} food bretagne")
    await h.command(facilitator, "report", "food")
    assert "/promote" not in h.texts(facilitator.id)[-2]  # both sides now have a facilitator
    await h.command(lome, "newcircle", "water Water")  # circle rights are not global rights
    assert await circles.get_by_slug(h.db, "water") is None


async def test_forget_leaves_no_row_about_a_member_with_journal_entries_rights_and_announcements(
        harness: Harness, facilitator):
    from tests.e2e.test_privacy import rows_mentioning

    h = harness
    rennes, lome, food, _ = await seed(h)
    row = await member_row(h, rennes)
    await h.command(facilitator, "promote", f"{rennes.id} food")
    await h.command(rennes, "promote", f"{lome.id} food togo")           # promoted_by = Maël
    await h.command(rennes, "announce", "food\nfr: Réunion jeudi")       # created_by = Maël
    await h.tap(rennes, h.services.i18n.for_locale("fr").gettext("Send"))
    assert await h.db.fetch_all("SELECT * FROM journal_entries WHERE member_id = ?", (row["id"],))

    await h.command(rennes, "forget")
    await h.tap(rennes, "Oui")
    needles = ("+33612345678", "33612345678", "Maël", "Bihan", "Breizh")
    found = await rows_mentioning(h, member_id=row["id"], telegram_id=rennes.id, needles=needles)
    assert found == []
    # What the circle shared stays: the reply, its territory, the Togo side's facilitator, the announcement.
    kept = await h.db.fetch_all("SELECT territory_code, author_label FROM journal_entries WHERE text LIKE ?",
                                ("%habitants votent%",))
    assert [tuple(r) for r in kept] == [("bretagne", None)]
    assert await h.db.fetch_one("SELECT 1 FROM circle_facilitators c JOIN members m ON m.id = c.member_id "
                                "WHERE m.telegram_user_id = ?", (lome.id,))


async def test_replies_relayed_in_a_digest_enter_the_journal_with_their_translations(harness: Harness):
    h = harness
    h.services.translator = BracketTranslator()
    rennes, lome = await two_sides(h)
    food = await circles.get_by_slug(h.db, "food")
    await circles.set_relay_mode(h.db, food.id, "digest")
    await at(h, FIRST_MONDAY)
    await h.text(lome, "Míemãa nukuwo ɖe ƒomewo dome.")  # in Ewe: a French reader gets a translation
    assert await h.db.fetch_all("SELECT * FROM journal_entries") == []  # not relayed yet
    await at(h, FIRST_MONDAY + timedelta(hours=2))
    entries = await h.db.fetch_all("SELECT territory_code, text, translations FROM journal_entries")
    assert [(e["territory_code"], e["text"]) for e in entries] == [
        ("togo", "Míemãa nukuwo ɖe ƒomewo dome.")]
    assert "[fr] Míemãa nukuwo" in entries[0]["translations"]
