"""/report and /journal: a circle's reciprocity over 8 weeks (text with bars, and a PNG chart) and its journal.

Facilitators of a circle get its full report (with the territories lacking a facilitator); members get the
report and journal of their own circles.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from telegram import InputFile, Update

from bot.domain import reciprocity
from bot.domain.facilitation import covered_territories, may_facilitate
from bot.handlers.common import member_of, rights_of, translator
from bot.i18n import Translator
from bot.services import PasserelleContext, Services
from bot.storage import circles, facilitators, journal, reports
from bot.storage.circles import Circle
from bot.telegram_io import optional_part
from bot.ui import chart
from bot.ui import journal as journal_ui
from bot.ui import report as report_ui
from bot.ui.screens import circle_name, territory_name
from bot.ui.text import split_lines


@dataclass(frozen=True)
class Reach:
    """A circle the caller asked about, and how they see it."""

    tr: Translator
    circle: Circle
    facilitator: bool
    zone: str


async def _circle_in_reach(update: Update, context: PasserelleContext, usage: str) -> Reach | None:
    """The circle named in the arguments (or the caller's only circle), if the caller facilitates or belongs to it."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    rights = await rights_of(services, update.effective_user.id)
    own = await circles.circle_ids_of(services.db, member.id) if member and member.is_active else set()
    visible = [c for c in await circles.list_open(services.db) if c.id in own or may_facilitate(rights, c.id)]
    args = context.args or []
    wanted = [c for c in visible if c.slug == args[0]] if args else (visible if len(visible) == 1 else [])
    if not wanted:
        await update.effective_message.reply_text(tr.html("{usage}\nCircles: {circles}", usage=usage,
                                                          circles=", ".join(c.slug for c in visible) or "—"))
        return None
    zone = (member.time_zone if member else None) or "UTC"
    return Reach(tr, wanted[0], may_facilitate(rights, wanted[0].id), zone)


async def build_report(services: Services, circle: Circle, now: datetime) -> reciprocity.CircleReport:
    """Read the circle's facts of the last weeks and summarise them."""
    db = services.db
    codes = [t.code for t in await circles.territories(db)]
    weeks = reciprocity.report_weeks(now)
    rights = await facilitators.rights_in_circle(db, circle.id, services.config.admin_ids)
    return reciprocity.summarise(
        territories=codes, weeks=weeks, members_by_territory=await reports.members_by_territory(db, circle.id),
        replies=await reports.reply_facts(db, circle.id, weeks), openers=await reports.openers(db, circle.id, weeks),
        calls=await reports.call_facts(db, circle.id, reciprocity.window_start(now), now),
        facilitated=covered_territories(rights, codes))


async def send_report(update: Update, context: PasserelleContext) -> None:
    """/report [circle]: the text with bars, then the chart."""
    reach = await _circle_in_reach(update, context, "/report circle")
    if reach is None:
        return
    services, tr, circle = context.services, reach.tr, reach.circle
    report = await build_report(services, circle, services.clock.now())
    territories = await circles.territories(services.db)
    lines = report_ui.report_text(tr, circle, report, territories, for_facilitator=reach.facilitator,
                                  circle_slug=circle.slug)
    for chunk in split_lines(lines):
        await update.effective_message.reply_text(chunk)
    names = {t.code: territory_name(tr, t) for t in territories}
    # The text is the report; the chart only illustrates it: if drawing or uploading fails, the member is told
    # that the chart failed, not that "something went wrong" with a report they already have.
    async with optional_part(context.bot, update.effective_chat.id, "report chart",
                             tr.gettext("The chart could not be drawn this time; the report above is complete.")):
        # Drawing takes a few tens of milliseconds of CPU: keep the event loop free for other members meanwhile.
        png = await asyncio.to_thread(chart.render_png, report, circle_name(tr, circle), names,
                                      [report_ui.week_label(w.week_key) for w in report.weeks], tr.gettext("opened"))
        await update.effective_message.reply_photo(InputFile(png, filename=f"report-{circle.slug}.png"),
                                                   caption=tr.html("Replies per week; the dot shows who opened."))


async def send_journal(update: Update, context: PasserelleContext) -> None:
    """/journal [circle]: the circle's journal as a Markdown file, newest first."""
    reach = await _circle_in_reach(update, context, "/journal circle")
    if reach is None:
        return
    services, tr, circle = context.services, reach.tr, reach.circle
    entries = await journal.entries(services.db, circle.id)
    text = journal_ui.journal_markdown(tr, circle, entries, await circles.territories(services.db), zone=reach.zone,
                                       now=services.clock.now())
    await update.effective_message.reply_document(
        InputFile(text.encode("utf-8"), filename=f"journal-{circle.slug}.md"),
        caption=tr.nhtml("Journal of {circle}: {count} entry.", "Journal of {circle}: {count} entries.",
                         len(entries), circle=circle_name(tr, circle)))
