"""The facilitators' guided screens: pickers (circle, side, member, question), the facilitation home, the live
delivery count of an announcement and the question writer's steps. Rendered for one reader; user text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import SafeHtml, Translator, escape
from bot.storage.circles import Circle, Territory
from bot.storage.facilitator_tools import DeliveryCounts
from bot.storage.members import Member
from bot.ui.callbacks import ButtonData
from bot.ui.pickers import Choice, paged_rows
from bot.ui.screens import circle_name, territory_name

WHOLE_CIRCLE = "all"   # the `choice` of a step addressed to every side of a circle
UNSET = "-"


@dataclass(frozen=True)
class Step(ButtonData):
    """One step of a facilitator's guided action: what is chosen so far (0 / "-" for not yet)."""

    PREFIX: ClassVar[str] = "fx"
    action: str
    circle_id: int = 0
    choice: str = UNSET      # a territory code or WHOLE_CIRCLE, a prompt key, a relay mode, a writer's language
    target: int = 0          # a member id
    page: int = 0


def button(label: str, step: Step) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=step.encode())


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


def pick_circle(tr: Translator, circles: Sequence[Circle], step: Step) -> tuple[str, InlineKeyboardMarkup]:
    choices = [Choice(circle_name(tr, c), Step(step.action, c.id).encode()) for c in circles]
    rows = paged_rows(choices, step.page, lambda page: Step(step.action, page=page).encode())
    return tr.html("Which circle?"), InlineKeyboardMarkup(rows)


def pick_side(tr: Translator, circle: Circle, territories: Sequence[Territory], step: Step, *,
              whole_circle: bool) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[button(territory_name(tr, t), Step(step.action, circle.id, t.code))] for t in territories]
    if whole_circle:
        rows.append([button(tr.gettext("Both sides"), Step(step.action, circle.id, WHOLE_CIRCLE))])
    return tr.html("<b>{circle}</b>: which side?", circle=circle_name(tr, circle)), markup(rows)


def member_label(member: Member) -> str:
    return f"{member.display_name} · {member.organisation}" if member.organisation else member.display_name


def pick_member(tr: Translator, circle: Circle, people: Sequence[Member], step: Step, question: str
                ) -> tuple[str, InlineKeyboardMarkup | None]:
    """Verified members by name and organisation, paged: nobody types a Telegram id."""
    choices = [Choice(member_label(m)[:60], Step(step.action, circle.id, step.choice, m.id).encode())
               for m in people]
    rows = paged_rows(choices, step.page, lambda page: Step(step.action, circle.id, step.choice, 0, page).encode())
    if not people:
        return tr.html("<b>{circle}</b>: no verified member on this side yet.", circle=circle_name(tr, circle)), None
    return tr.html(question, circle=circle_name(tr, circle)), InlineKeyboardMarkup(rows)


def progress_text(tr: Translator, counts: DeliveryCounts) -> SafeHtml:
    """"312 / 540 delivered, 3 unreachable", then the final count once nothing is waiting."""
    delivered = tr.ngettext("{delivered} / {count} delivered", "{delivered} / {count} delivered", counts.total,
                            delivered=counts.delivered)
    unreachable = tr.ngettext("{count} unreachable", "{count} unreachable", counts.unreachable)
    if counts.finished:
        return tr.html("📣 Announcement sent: {delivered}, {unreachable}.", delivered=delivered,
                       unreachable=unreachable)
    return tr.html("📣 Announcement on its way: {delivered}, {unreachable}…", delivered=delivered,
                   unreachable=unreachable)


def question_label(text: str) -> str:
    """A question on a button: its first words (Telegram cuts long labels badly on phones)."""
    return text if len(text) <= 60 else text[:57].rstrip() + "…"


def language_block(tr: Translator, locale: str, body: str, *, fallback: bool) -> SafeHtml:
    head = escape(tr.language_name(locale))
    note = tr.html(" (no text in this language: these members read the French)") if fallback else ""
    return SafeHtml(f"<b>{head}</b>{note}\n{escape(body)}")
