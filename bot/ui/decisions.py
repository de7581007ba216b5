"""Screens of circle decisions, rendered for one reader: the /decide draft, the ballot, the result, reminders.

The result is written as plain-text lines (catalogued once) that Telegram messages escape and the journal quotes
as Markdown: the same words in both places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from babel.lists import format_list
from babel.numbers import format_percent
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.decisions import (ABSTAIN, DEADLINE_DAYS, DEFAULT_DEADLINE_DAYS, MAX_OPTION_LENGTH, MAX_OPTIONS,
                                  MAX_QUESTION_LENGTH, MIN_OPTIONS, EXTENSION_DAYS, Draft, Outcome, Result,
                                  Step)
from bot.i18n import SafeHtml, Translator, escape
from bot.storage.circles import Circle, Territory
from bot.storage.decisions import Decision
from bot.ui.callbacks import ButtonData
from bot.ui.calls import Place, when
from bot.ui.exchanges import language_of
from bot.ui.screens import Screen, circle_name, territory_name
from bot.ui.text import truncate_plain


# Button data -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftButton(ButtonData):
    """A step of /decide: action c (circle id), rm (option index), done, dl (days), fam, ok, x."""

    PREFIX: ClassVar[str] = "dcd"
    action: str
    value: int


@dataclass(frozen=True)
class VoteButton(ButtonData):
    """A choice on a ballot: 0 abstains, 1..n an option."""

    PREFIX: ClassVar[str] = "dcv"
    decision_id: int
    choice: int


@dataclass(frozen=True)
class OriginalButton(ButtonData):
    PREFIX: ClassVar[str] = "dco"
    decision_id: int


@dataclass(frozen=True)
class WithdrawButton(ButtonData):
    PREFIX: ClassVar[str] = "dcw"
    decision_id: int


@dataclass(frozen=True)
class ExtendButton(ButtonData):
    PREFIX: ClassVar[str] = "dce"
    decision_id: int


def _button(label: str, data: ButtonData) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.encode())


def _cancel_row(tr: Translator) -> list[InlineKeyboardButton]:
    return [_button(tr.gettext("Cancel"), DraftButton("x", 0))]


# The question as one reader reads it -------------------------------------------------------------------------

@dataclass(frozen=True)
class Wording:
    question: str
    options: tuple[str, ...]
    note: SafeHtml          # which language it was written in, and whether this is a machine translation
    translated: bool


def wording(tr: Translator, decision: Decision) -> Wording:
    """The question and options in the reader's language when a machine translation exists, else as written."""
    translation = decision.translations.get(tr.locale)
    if decision.language != tr.locale and translation:
        return Wording(translation["question"], tuple(translation["options"]),
                       tr.html("machine translation from {language}", language=language_of(tr, decision.language)),
                       True)
    note = (tr.html("in {language}", language=language_of(tr, decision.language))
            if decision.language != tr.locale else SafeHtml(""))
    return Wording(decision.question, decision.options, note, False)


def option_label(number: int, option: str, limit: int = 40) -> str:
    return f"{number}. {truncate_plain(option, limit)}"


# /decide -------------------------------------------------------------------------------------------------------

def deadline_label(tr: Translator, days: int) -> str:
    label = tr.ngettext("{count} day", "{count} days", days)
    return f"• {label}" if days == DEFAULT_DEADLINE_DAYS else label


def draft_screen(tr: Translator, draft: Draft, circles: Sequence[Circle], reader: Place, deadline: datetime,
                 *, note: str = "") -> Screen:
    """The screen of the draft's current step."""
    lines = [note] if note else []
    rows: list[list[InlineKeyboardButton]] = []
    if draft.step == Step.CIRCLE:
        lines.append(tr.html("To which circle do you put a question?"))
        rows = [[_button(circle_name(tr, c), DraftButton("c", c.id))] for c in circles]
    elif draft.step == Step.QUESTION:
        lines.append(tr.html("Write the question in one message, in your language: the members of the other "
                             "territory read it with its language named, or machine-translated."))
    else:
        lines.append(tr.html("Question: <b>{question}</b>", question=draft.question or ""))
        lines += [escape(option_label(i, o, 200)) for i, o in enumerate(draft.options, 1)]
    if draft.step == Step.OPTIONS:
        lines.append(tr.html("Send each option in its own message ({low} to {high}). Everyone can also abstain.",
                             low=MIN_OPTIONS, high=MAX_OPTIONS))
        if draft.options:
            rows.append([_button(tr.gettext("✖ {number}", number=i), DraftButton("rm", i - 1))
                         for i in range(1, len(draft.options) + 1)])
        if len(draft.options) >= MIN_OPTIONS:
            rows.append([_button(tr.gettext("Done with the options"), DraftButton("done", 0))])
    elif draft.step == Step.DEADLINE:
        lines.append(tr.html("How long can the members vote?"))
        rows.append([_button(deadline_label(tr, d), DraftButton("dl", d)) for d in DEADLINE_DAYS])
    elif draft.step == Step.CONFIRM:
        lines.append(tr.html("Vote until {deadline}.", deadline=when(tr, deadline, reader, [])))
        lines.append(tr.html("Each territory weighs the same in the result, whatever its number of voters."))
        if draft.weigh_families:
            lines.append(tr.html("Within each territory, each family of organisations (farmers' and producers' "
                                 "organisations, associations and cooperatives, local authorities and "
                                 "institutions, research) also weighs the same."))
        rows.append([_button(deadline_label(tr, d), DraftButton("dl", d)) for d in DEADLINE_DAYS])
        rows.append([_button(tr.gettext("Families of organisations weigh the same: yes") if draft.weigh_families
                             else tr.gettext("Families of organisations weigh the same: no"),
                             DraftButton("fam", 0))])
        rows.append([_button(tr.gettext("Put the question to the circle"), DraftButton("ok", 0))])
    return "\n".join(lines), InlineKeyboardMarkup([*rows, _cancel_row(tr)])


def draft_problem(tr: Translator, problem: str, step: Step) -> SafeHtml:
    """Why a typed text or a button did not change the draft."""
    limit = MAX_QUESTION_LENGTH if step == Step.QUESTION else MAX_OPTION_LENGTH
    messages = {
        "empty": tr.html("⚠️ That message was empty."),
        "too_long": tr.nhtml("⚠️ That is too long: at most {count} character.",
                             "⚠️ That is too long: at most {count} characters.", limit),
        "duplicate": tr.html("⚠️ This option is already in the list."),
        "too_many_options": tr.nhtml("⚠️ At most {count} option.", "⚠️ At most {count} options.", MAX_OPTIONS),
        "too_few_options": tr.nhtml("⚠️ At least {count} option.", "⚠️ At least {count} options.", MIN_OPTIONS),
    }
    return messages.get(problem, SafeHtml(""))


def sent_screen(tr: Translator, decision: Decision, recipients: int) -> Screen:
    """What the proposer sees once the question is sent: they may withdraw it until the first vote."""
    text = tr.nhtml("Your question went to {count} place (members' private chats or their territory's group).",
                    "Your question went to {count} places (members' private chats or their territory's group).",
                    recipients)
    text = SafeHtml(text + "\n" + tr.html("You can withdraw it until the first vote."))
    return text, InlineKeyboardMarkup([[_button(tr.gettext("Withdraw the question"), WithdrawButton(decision.id))]])


# The ballot ----------------------------------------------------------------------------------------------------

def ballot(tr: Translator, decision: Decision, circle: Circle, proposer: SafeHtml, reader: Place,
           others: Sequence[Place], *, mine: int | None, in_group: bool) -> Screen:
    """The question as one place reads it, with a button per option and one to abstain."""
    shown = wording(tr, decision)
    lines = [tr.html("🗳 {proposer} puts a question to the circle {circle}:", proposer=proposer,
                     circle=circle_name(tr, circle)),
             tr.html("<b>{question}</b>", question=shown.question)]
    if shown.note:
        lines.append(SafeHtml(f"<i>({shown.note})</i>"))
    lines += [escape(option_label(i, o, 200)) for i, o in enumerate(shown.options, 1)]
    lines.append(tr.html("Vote until {deadline}. One person, one vote, which you can change until then.",
                         deadline=when(tr, decision.deadline, reader, others)))
    lines.append(tr.html("Each territory weighs the same in the result, whatever its number of voters."))
    if decision.weigh_families:
        lines.append(tr.html("Within each territory, each family of organisations also weighs the same."))
    if in_group:
        lines.append(tr.html("<i>Members of the circle vote with the buttons below; each vote stays private.</i>"))
    choices = [*((i, option_label(i, o)) for i, o in enumerate(shown.options, 1)), (ABSTAIN, tr.gettext("Abstain"))]
    rows = [[_button(("✅ " if mine == number else "") + label, VoteButton(decision.id, number))]
            for number, label in choices]
    if shown.translated:
        rows.append([_button(tr.gettext("Show original"), OriginalButton(decision.id))])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def vote_answer(tr: Translator, decision: Decision, choice: int, *, changed: bool, same: bool) -> str:
    """The short answer to a press on a ballot."""
    label = tr.gettext("Abstain") if choice == ABSTAIN else option_label(choice, wording(tr, decision).options[choice - 1])
    if same:
        return tr.gettext("Your vote is already: {choice}", choice=label)
    if changed:
        return tr.gettext("Vote changed: {choice}", choice=label)
    return tr.gettext("Vote recorded: {choice}", choice=label)


def original(tr: Translator, decision: Decision) -> str:
    lines = [tr.html("Original ({language}):", language=language_of(tr, decision.language)),
             tr.html("<b>{question}</b>", question=decision.question)]
    lines += [escape(option_label(i, o, 200)) for i, o in enumerate(decision.options, 1)]
    return "\n".join(lines)


# The result ----------------------------------------------------------------------------------------------------

def percent(tr: Translator, share) -> str:
    return format_percent(float(share), locale=tr.babel_locale)


def _shares(tr: Translator, shares: Sequence) -> str:
    return " · ".join(f"{i}: {percent(tr, s)}" for i, s in enumerate(shares, 1))


def outcome_line(tr: Translator, result: Result, options: Sequence[str], names: Mapping[str, str]) -> str:
    """'Carried: 1. Monday', 'No decision: tie between …', 'No decision: Togo did not reach its quorum.'"""
    if result.outcome == Outcome.CARRIED:
        number = result.winners[0]
        return tr.gettext("✅ Carried: {option}", option=option_label(number, options[number - 1], 200))
    if result.outcome == Outcome.TIE:
        tied = format_list([option_label(n, options[n - 1], 60) for n in result.winners], locale=tr.babel_locale)
        return tr.gettext("⚖️ No decision: tie between {options}.", options=tied)
    if result.outcome == Outcome.NO_QUORUM:
        missing = result.missing_quorum
        if not missing:
            return tr.gettext("⛔ No decision: the circle has no members to vote.")
        return tr.ngettext("⛔ No decision: {territories} did not reach its quorum.",
                           "⛔ No decision: {territories} did not reach their quorum.", len(missing),
                           territories=format_list([names.get(t, t) for t in missing], locale=tr.babel_locale))
    return tr.gettext("⛔ No decision: everyone who voted abstained.")


def result_lines(tr: Translator, result: Result, options: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """The result in plain text: what carried, each territory's breakdown, the average and the head count."""
    lines = [outcome_line(tr, result, options, names)]
    if result.weigh_families:
        lines.append(tr.gettext("Each territory weighs the same, and within each territory each family of "
                                "organisations weighs the same:"))
    else:
        lines.append(tr.gettext("Each territory weighs the same: each option's share is computed within each "
                                "territory, then the territories' shares are averaged."))
    for side in result.sides:
        quorum = (tr.gettext("quorum {quorum} reached", quorum=side.quorum) if side.reached_quorum
                  else tr.gettext("quorum {quorum} not reached", quorum=side.quorum))
        line = tr.ngettext("• {territory}: {count} of {members} voted ({quorum})",
                           "• {territory}: {count} of {members} voted ({quorum})", side.voters,
                           territory=names.get(side.territory, side.territory), members=side.members, quorum=quorum)
        if side.abstained:
            line += tr.ngettext(", {count} abstained", ", {count} abstained", side.abstained)
        if side.chose:
            line += f" — {_shares(tr, side.shares)}"
        lines.append(line)
    if any(s.chose for s in result.sides):
        lines.append(tr.gettext("Average of the territories: {shares}", shares=_shares(tr, result.shares)))
    counts = " · ".join(f"{i}: {n}" for i, n in enumerate(result.head_count, 1))
    ahead = result.head_count_winners
    if len(ahead) == 1:
        lines.append(tr.gettext("A plain head count would have given {counts}: {option} ahead.", counts=counts,
                                option=option_label(ahead[0], options[ahead[0] - 1], 60)))
    elif ahead:
        lines.append(tr.gettext("A plain head count would have given {counts}: a tie.", counts=counts))
    return lines


def result_message(tr: Translator, decision: Decision, circle: Circle, result: Result,
                   territories: Sequence[Territory]) -> str:
    shown = wording(tr, decision)
    names = {t.code: territory_name(tr, t) for t in territories}
    head = [tr.html("🗳 Result of the question put to the circle {circle}:", circle=circle_name(tr, circle)),
            tr.html("<b>{question}</b>", question=shown.question)]
    if shown.note:
        head.append(SafeHtml(f"<i>({shown.note})</i>"))
    head += [escape(option_label(i, o, 200)) for i, o in enumerate(shown.options, 1)]
    return "\n".join([*head, *(escape(line) for line in result_lines(tr, result, shown.options, names))])


# Reminders and notices ---------------------------------------------------------------------------------------

def quorum_reminder(tr: Translator, decision: Decision, circle: Circle, territory: Territory | None, voters: int,
                    quorum: int, reader: Place) -> str:
    shown = wording(tr, decision)
    return "\n".join([
        tr.html("⏰ The question put to the circle {circle} still needs voters on your side ({territory}): "
                "<b>{question}</b>", circle=circle_name(tr, circle), territory=territory_name(tr, territory),
                question=shown.question),
        tr.nhtml("{count} voter of the {quorum} needed so far; without them there is no decision at all.",
                 "{count} voters of the {quorum} needed so far; without them there is no decision at all.",
                 voters, quorum=quorum),
        tr.html("Vote with the buttons of the question before {deadline}; abstaining counts too.",
                deadline=when(tr, decision.deadline, reader, [])),
    ])


def withdrawn_notice(tr: Translator, decision: Decision, circle: Circle) -> str:
    return tr.html("The question <b>{question}</b> put to the circle {circle} was withdrawn by its author before "
                   "anyone voted.", question=wording(tr, decision).question, circle=circle_name(tr, circle))


def extended_notice(tr: Translator, decision: Decision, circle: Circle, reader: Place,
                    others: Sequence[Place]) -> str:
    return tr.html("A facilitator extended the vote on <b>{question}</b> ({circle}): you can vote until {deadline}.",
                   question=wording(tr, decision).question, circle=circle_name(tr, circle),
                   deadline=when(tr, decision.deadline, reader, others))


def open_list(tr: Translator, items: Sequence[tuple[Decision, Circle, int, bool, bool]], reader: Place) -> Screen:
    """/decisions: the open questions of the member's circles, with extend (facilitators) and withdraw buttons.

    Each item is (decision, circle, voters so far, may extend, may withdraw).
    """
    if not items:
        return tr.html("No question is open in your circles. Put one with /decide."), None
    lines = [tr.html("<b>Open questions</b>")]
    rows = []
    for decision, circle, voters, may_extend, may_withdraw in items:
        lines.append(tr.nhtml("• <b>{question}</b> ({circle}): {count} vote so far, until {deadline}",
                              "• <b>{question}</b> ({circle}): {count} votes so far, until {deadline}", voters,
                              question=wording(tr, decision).question, circle=circle_name(tr, circle),
                              deadline=when(tr, decision.deadline, reader, [])))
        short = truncate_plain(wording(tr, decision).question, 30)
        if may_extend:
            rows.append([_button(tr.ngettext("Extend by {count} day: {question}", "Extend by {count} days: {question}",
                                             EXTENSION_DAYS, question=short), ExtendButton(decision.id))])
        if may_withdraw:
            rows.append([_button(tr.gettext("Withdraw: {question}", question=short), WithdrawButton(decision.id))])
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


def journal_lines(tr: Translator, decision: Decision, territories: Mapping[str, Territory], zone: str) -> list[str]:
    """A decision in the circle's journal (Markdown): the question, its options, and the result or the deadline."""
    names = {code: territory_name(tr, t) for code, t in territories.items()}
    lines = [f"**{decision.question}**", ""]
    for locale, text in sorted(decision.translations.items()):
        lines += [f"{tr.language_name(locale)}: {text['question']}", ""]
    lines += [option_label(i, o, 200) for i, o in enumerate(decision.options, 1)] + [""]
    if decision.result is not None:
        lines += [*result_lines(tr, decision.result, decision.options, names), ""]
    else:
        lines += [tr.gettext("Vote open until {deadline}.", deadline=tr.datetime(decision.deadline, zone)), ""]
    return lines
