"""The facilitators' guided screens: pickers (circle, side, member, question), the facilitation home, the live
delivery count of an announcement and the question writer's steps. Rendered for one reader; user text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import SafeHtml, Translator, escape
from bot.storage.circles import Circle, Territory
from bot.storage.facilitator_tools import DeliveryCounts, HelpRequest
from bot.storage.facilitators import GlobalFacilitator
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


@dataclass(frozen=True)
class CircleAttention:
    """What needs attention in one circle this week."""

    circle: Circle
    question: str | None                 # this week's question, None when it has not been sent yet
    answers: dict[str, int]              # answers to it per territory code
    sides_without_facilitator: list[str]
    open_calls: int
    help_requests: int = 0               # "translation unclear" requests not handled yet


@dataclass(frozen=True)
class Attention:
    held: int          # numbers from outside the territories waiting (0 for facilitators of some circles only)
    circles: list[CircleAttention]


def home_screen(tr: Translator, attention: Attention, territories: Sequence[Territory], *, every: bool
                ) -> tuple[str, InlineKeyboardMarkup]:
    """/facilitate: what needs attention now, a button for each thing to do, then every action."""
    names = {t.code: territory_name(tr, t) for t in territories}
    lines: list[str] = [tr.html("<b>Facilitation</b>: what needs attention now")]
    rows: list[list[InlineKeyboardButton]] = []
    if attention.held:
        lines.append(tr.nhtml("⏳ {count} number from outside the territories waits for your decision.",
                              "⏳ {count} numbers from outside the territories wait for your decision.",
                              attention.held))
        rows.append([button(tr.gettext("Place the held numbers"), Step("held"))])
    for item in attention.circles:
        lines += ["", tr.html("<b>{circle}</b>", circle=circle_name(tr, item.circle))]
        if item.question is None:
            lines.append(tr.html("· This week's question has not been sent yet."))
        else:
            lines.append(tr.html("· This week: {question}", question=question_label(item.question)))
            lines.append("· " + ", ".join(tr.nhtml("{side}: {count} answer", "{side}: {count} answers",
                                                   item.answers.get(code, 0), side=side)
                                          for code, side in names.items()))
        if item.help_requests:
            lines.append(tr.nhtml("· ❓ {count} reply awaits your help with its translation.",
                                  "· ❓ {count} replies await your help with their translation.",
                                  item.help_requests))
            rows.append([button(tr.gettext("Help with translations: {circle}", circle=circle_name(tr, item.circle)),
                                Step("help", item.circle.id))])
        for code in item.sides_without_facilitator:
            lines.append(tr.html("· The {side} side has no facilitator.", side=names[code]))
            rows.append([button(tr.gettext("Name a facilitator: {circle}, {side}", circle=circle_name(tr, item.circle),
                                           side=names[code]), Step("promote", item.circle.id, code))])
        if item.open_calls:
            lines.append(tr.nhtml("· {count} call proposed, vote open.", "· {count} calls proposed, votes open.",
                                  item.open_calls))
    return "\n".join(lines), markup([*rows, *action_rows(tr, every=every)])


def action_rows(tr: Translator, *, every: bool) -> list[list[InlineKeyboardButton]]:
    """The home's buttons for every action (each asks which circle when there are several)."""
    rows = [[button(tr.gettext("Report"), Step("report")), button(tr.gettext("Journal"), Step("journal"))],
            [button(tr.gettext("Announce"), Step("announce")),
             button(tr.gettext("Name a co-facilitator"), Step("promote"))],
            [button(tr.gettext("Send the question now"), Step("send")),
             button(tr.gettext("Write a question"), Step("write"))],
            [button(tr.gettext("Questions"), Step("prompts")), button(tr.gettext("Relay mode"), Step("relay"))]]
    if every:
        rows.append([button(tr.gettext("Members"), Step("members")),
                     button(tr.gettext("Invitation link"), Step("invite"))])
        rows.append([button(tr.gettext("Create a circle"), Step("newcircle"))])
    return rows


def help_screen(tr: Translator, circle: Circle, requests: Sequence[HelpRequest]
                ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The circle's open "translation unclear" requests, each with the reply's text and a button once handled."""
    if not requests:
        return tr.html("<b>{circle}</b>: no reply awaits help with its translation.", circle=circle_name(tr, circle)), \
            None
    lines = [tr.html("<b>{circle}</b>: replies members could not understand in translation. Explain them (in the "
                     "circle's group, or to the person), then mark them handled.", circle=circle_name(tr, circle))]
    rows = []
    for number, request in enumerate(requests[:8], start=1):
        lines.append(tr.html("{number}. {author} ({language}), asked by {asked_by}:\n<i>{text}</i>", number=number,
                             author=request.author, language=tr.language_name(request.reply_language),
                             asked_by=request.asked_by, text=question_label(request.reply_text)))
        rows.append([button(tr.gettext("✓ Handled: {number}", number=number),
                            Step("helped", circle.id, UNSET, request.id))])
    return "\n\n".join(lines), markup(rows)


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


EVERYWHERE = "everywhere"   # the demotion of a right over every circle (a Step action)
CONFIRMED = "yes"


def everywhere_button(tr: Translator) -> list[InlineKeyboardButton]:
    """The row that opens the withdrawal of rights over every circle (shown to those who hold such a right)."""
    return [button(tr.gettext("Facilitators of every circle…"), Step(EVERYWHERE))]


def everywhere_screen(tr: Translator, promoted: Sequence[GlobalFacilitator], configured: int, step: Step
                      ) -> tuple[str, InlineKeyboardMarkup | None]:
    """The facilitators of every circle the bot may withdraw, and why those of the configuration are not listed."""
    lines = [tr.html("<b>Facilitators of every circle</b>: whose right ends? Their rights on particular circles, if "
                     "any, stay.") if promoted
             else tr.html("No member holds a right over every circle given with /promote.")]
    if configured:
        lines.append(tr.nhtml("{count} facilitator is named in the server's configuration (PASSERELLE_ADMINS): the "
                              "bot cannot withdraw that right; only the server's administrator can, by changing the "
                              "setting.",
                              "{count} facilitators are named in the server's configuration (PASSERELLE_ADMINS): the "
                              "bot cannot withdraw their right; only the server's administrator can, by changing the "
                              "setting.", configured))
    choices = [Choice(_named(p.display_name, p.organisation)[:60], Step(EVERYWHERE, 0, UNSET, p.member_id).encode())
               for p in promoted]
    rows = paged_rows(choices, step.page, lambda page: Step(EVERYWHERE, page=page).encode())
    return "\n\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def confirm_everywhere(tr: Translator, chosen: GlobalFacilitator) -> tuple[str, InlineKeyboardMarkup]:
    """A right over every circle is withdrawn only after a second tap."""
    text = tr.html("Withdraw the right of <b>{name}</b> over every circle? They keep their rights on particular "
                   "circles, if any.", name=_named(chosen.display_name, chosen.organisation))
    return text, markup([[button(tr.gettext("Withdraw"), Step(EVERYWHERE, 0, CONFIRMED, chosen.member_id))],
                         [button(tr.gettext("◀ Back"), Step(EVERYWHERE))]])


def _named(name: str, organisation: str | None) -> str:
    return f"{name} · {organisation}" if organisation else name
