"""/report and /journal: a circle's reciprocity over 8 weeks (text with bars, and a PNG chart) and its journal.

Facilitators of a circle get its full report (with the territories lacking a facilitator); members get the
report and journal of their own circles.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from telegram import InputFile, Update, User
from telegram.constants import ChatAction

from bot.domain import reciprocity
from bot.domain.facilitation import covered_territories, may_facilitate
from bot.handlers.common import member_of, rights_of, translator
from bot.i18n import Translator
from bot.services import PasserelleContext, Services
from bot.storage import circles, decisions, facilitators, journal, members, reports
from bot.storage.circles import Circle
from bot.telegram_io import optional_part
from bot.ui import chart
from bot.ui import journal as journal_ui
from bot.ui import report as report_ui
from bot.ui.screens import circle_name, territory_name
from bot.ui.text import split_lines


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


@dataclass(frozen=True)
class Reach:
    """A circle the caller asked about, and how they see it."""

    tr: Translator
    circle: Circle
    facilitator: bool
    zone: str


async def visible_circles(services: Services, user: User) -> list[Circle]:
    """The circles whose report and journal a person may read: their own, and those they facilitate."""
    member = await members.get_by_telegram_id(services.db, user.id)
    rights = await rights_of(services, user.id)
    own = await circles.circle_ids_of(services.db, member.id) if member and member.is_active else set()
    return [c for c in await circles.list_open(services.db) if c.id in own or may_facilitate(rights, c.id)]


async def reach_of(services: Services, user: User, circle: Circle) -> Reach:
    """How a person sees a circle they may read (check visible_circles first)."""
    member = await members.get_by_telegram_id(services.db, user.id)
    tr = translator(services, member, user)
    zone = (member.time_zone if member else None) or "UTC"
    return Reach(tr, circle, may_facilitate(await rights_of(services, user.id), circle.id), zone)


async def _circle_in_reach(update: Update, context: PasserelleContext, usage: str) -> Reach | None:
    """The circle named in the arguments (or the caller's only circle), if the caller facilitates or belongs to it."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    visible = await visible_circles(services, update.effective_user)
    args = context.args or []
    wanted = [c for c in visible if c.slug == args[0]] if args else (visible if len(visible) == 1 else [])
    if not wanted:
        await update.effective_message.reply_text(tr.html("{usage}\nCircles: {circles}", usage=tr.gettext(usage),
                                                          circles=", ".join(c.slug for c in visible) or "—"))
        return None
    return await reach_of(services, update.effective_user, wanted[0])


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
        facilitated=covered_territories(rights, codes),
        decisions=await decisions.report_facts(db, circle.id, reciprocity.window_start(now)))


async def send_report(update: Update, context: PasserelleContext) -> None:
    """/report [circle]: the text with bars, then the chart."""
    reach = await _circle_in_reach(update, context, N_("/report circle"))
    if reach is not None:
        await deliver_report(context, update.effective_chat.id, reach)


async def deliver_report(context: PasserelleContext, chat_id: int, reach: Reach) -> None:
    """The report text with bars, then the chart (the chat shows "sending a photo" while it is drawn)."""
    services, tr, circle, bot = context.services, reach.tr, reach.circle, context.bot
    report = await build_report(services, circle, services.clock.now())
    territories = await circles.territories(services.db)
    lines = report_ui.report_text(tr, circle, report, territories, for_facilitator=reach.facilitator)
    for chunk in split_lines(lines):
        await bot.send_message(chat_id, chunk)
    names = {t.code: territory_name(tr, t) for t in territories}
    # The text is the report; the chart only illustrates it: if drawing or uploading fails, the member is told
    # that the chart failed, not that "something went wrong" with a report they already have.
    async with optional_part(bot, chat_id, "report chart",
                             tr.gettext("The chart could not be drawn this time; the report above is complete.")):
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        # Drawing takes a few tens of milliseconds of CPU: keep the event loop free for other members meanwhile.
        png = await asyncio.to_thread(chart.render_png, report, circle_name(tr, circle), names,
                                      [report_ui.week_label(tr, w.week_key) for w in report.weeks],
                                      tr.gettext("opened"))
        await bot.send_photo(chat_id, InputFile(png, filename=f"report-{circle.slug}.png"),
                             caption=tr.html("Replies per week; the dot shows who opened."))


async def send_journal(update: Update, context: PasserelleContext) -> None:
    """/journal [circle]: the circle's journal as a Markdown file, newest first."""
    reach = await _circle_in_reach(update, context, N_("/journal circle"))
    if reach is not None:
        await deliver_journal(context, update.effective_chat.id, reach)


async def deliver_journal(context: PasserelleContext, chat_id: int, reach: Reach) -> None:
    """The journal as a Markdown file (the chat shows "sending a file" while it is written)."""
    services, tr, circle = context.services, reach.tr, reach.circle
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    entries = await journal.entries(services.db, circle.id)
    text = journal_ui.journal_markdown(tr, circle, entries, await circles.territories(services.db), zone=reach.zone,
                                       now=services.clock.now())
    await context.bot.send_document(
        chat_id, InputFile(text.encode("utf-8"), filename=f"journal-{circle.slug}.md"),
        caption=tr.nhtml("Journal of {circle}: {count} entry.", "Journal of {circle}: {count} entries.",
                         len(entries), circle=circle_name(tr, circle)))
