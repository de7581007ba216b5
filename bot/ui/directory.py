"""Screens of the directory of practices: the questions, the tag picker, the paged list and a card.

Never shows a phone number or a Telegram handle: a listing carries a name, an organisation, its kind and territory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.directory import PRACTICE_TAGS, TAGS_BY_KEY, Card, Listing, Side, ordered_tags
from bot.domain.profile import ORGANISATION_KINDS
from bot.i18n import SafeHtml, Translator, escape
from bot.storage.circles import Circle, Territory
from bot.ui.callbacks import ButtonData
from bot.ui.exchanges import language_of
from bot.ui.pickers import Choice, clamp_page, paged_rows
from bot.ui.screens import Screen, circle_name, territory_name
from bot.ui.text import MAX_TEXT, truncate_plain

PAGE_SIZE = 5  # each listing has a few lines of text: five keep a page well under Telegram's 4096 characters
LIST_EXCERPT = 160
SHORT_EXCERPT = 60
ANY = "-"  # "no filter" in button data


@dataclass(frozen=True)
class WriteNote(ButtonData):
    """/me: write (again) what the organisation shares or would like to learn."""
    PREFIX: ClassVar[str] = "dq"
    side: str


@dataclass(frozen=True)
class SkipNote(ButtonData):
    """Onboarding: skip one question."""
    PREFIX: ClassVar[str] = "dk"
    side: str


@dataclass(frozen=True)
class ToggleTag(ButtonData):
    PREFIX: ClassVar[str] = "dt"
    side: str
    tag: str


@dataclass(frozen=True)
class TagsDone(ButtonData):
    PREFIX: ClassVar[str] = "dd"
    side: str


@dataclass(frozen=True)
class HideCard(ButtonData):
    PREFIX: ClassVar[str] = "dh"
    hidden: int  # 1: hide, 0: show again


@dataclass(frozen=True)
class ListPage(ButtonData):
    PREFIX: ClassVar[str] = "dl"
    territory: str  # a territory code, or ANY
    tag: str        # a tag key, or ANY
    page: int


@dataclass(frozen=True)
class TagMenu(ButtonData):
    PREFIX: ClassVar[str] = "dm"
    territory: str
    tag: str


@dataclass(frozen=True)
class OpenCard(ButtonData):
    PREFIX: ClassVar[str] = "do"
    member_id: int
    territory: str
    tag: str
    page: int


@dataclass(frozen=True)
class ProposeCall(ButtonData):
    PREFIX: ClassVar[str] = "dc"
    member_id: int
    circle_id: int


@dataclass(frozen=True)
class NoteView:
    """One side of a card as a reader sees it: translated, or the original with its language named."""

    text: str
    language: str
    translated: bool


@dataclass(frozen=True)
class Filters:
    territory: str | None
    tag: str | None
    page: int = 0

    def data(self, page: int | None = None) -> ListPage:
        return ListPage(self.territory or ANY, self.tag or ANY, self.page if page is None else page)


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


QUESTIONS = {
    Side.SHARES: N_("🎁 What can your organisation <b>share</b> with the other side? A few short lines, in your own "
                 "words: a practice, a way of organising, something you learned."),
    Side.LEARNS: N_("🌱 What would your organisation <b>like to learn</b> from the other side? A few short lines."),
}
SIDE_LABELS = {Side.SHARES: N_("🎁 Can share"), Side.LEARNS: N_("🌱 Would like to learn")}


def ask_note(tr: Translator, side: Side, *, onboarding: bool, limit: int) -> Screen:
    """The question for one side; during onboarding it can be skipped (and answered later through /me)."""
    text = tr.html(QUESTIONS[side]) + "\n" + tr.html("(at most {limit} characters)", limit=limit)
    if not onboarding:
        return text, None
    return text + "\n" + tr.html("You can skip this and answer later with /me."), InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("Skip"), callback_data=SkipNote(side.value).encode())]])


def tag_picker(tr: Translator, side: Side, chosen: frozenset[str]) -> Screen:
    """Every practice tag, the chosen ones ticked (first the ones found in the member's words), and Done."""
    text = tr.html(
        "Practice tags help peers find you. The ticked ones come from your words: tap to change, then <b>Done</b>.")
    rows = [[InlineKeyboardButton(("✅ " if tag.key in chosen else "▫️ ") + tr.gettext(tag.label),
                                  callback_data=ToggleTag(side.value, tag.key).encode())] for tag in PRACTICE_TAGS]
    rows.append([InlineKeyboardButton(tr.gettext("Done"), callback_data=TagsDone(side.value).encode())])
    return text, InlineKeyboardMarkup(rows)


def tag_names(tr: Translator, keys: frozenset[str]) -> str:
    return ", ".join(tr.gettext(tag.label) for tag in ordered_tags(keys))


def saved_note(tr: Translator, side: Side, tags: frozenset[str]) -> str:
    return tr.html("Saved. {side}: {tags}", side=tr.gettext(SIDE_LABELS[side]), tags=tag_names(tr, tags) or "—")


def own_card_lines(tr: Translator, card: Card) -> list[SafeHtml]:
    """The member's own card in /me."""
    lines = [tr.html("<b>Directory of practices</b>") + (tr.html(" (hidden)") if card.hidden else "")]
    for side in Side:
        note = card.note(side)
        lines.append(tr.html("{side}: {text}", side=tr.gettext(SIDE_LABELS[side]),
                             text=truncate_plain(note.text, LIST_EXCERPT) if note else "—"))
    return lines


def own_card_buttons(tr: Translator, card: Card) -> list[list[InlineKeyboardButton]]:
    hide = (InlineKeyboardButton(tr.gettext("Show my card"), callback_data=HideCard(0).encode()) if card.hidden
            else InlineKeyboardButton(tr.gettext("Hide my card"), callback_data=HideCard(1).encode()))
    return [[InlineKeyboardButton(tr.gettext(SIDE_LABELS[side]), callback_data=WriteNote(side.value).encode())
             for side in Side], [hide]]


def _note_line(tr: Translator, side: Side, view: NoteView | None, excerpt: int | None) -> SafeHtml | None:
    if view is None:
        return None
    text = truncate_plain(view.text, excerpt) if excerpt else view.text
    if view.translated:
        origin = tr.html(" <i>(machine translation from {language})</i>", language=language_of(tr, view.language))
    elif view.language != tr.locale:
        origin = tr.html(" <i>(in {language})</i>", language=language_of(tr, view.language))
    else:
        origin = SafeHtml("")
    return tr.html("{side}: {text}", side=tr.gettext(SIDE_LABELS[side]), text=text) + origin


def _heading(tr: Translator, entry: Listing, territories: Mapping[str, Territory]) -> SafeHtml:
    kind = ORGANISATION_KINDS.get(entry.kind or "")
    return tr.html("<b>{organisation}</b> ({kind}) — {name}, {territory}",
                   organisation=entry.organisation or entry.name, kind=tr.gettext(kind) if kind else "—",
                   name=entry.name, territory=territory_name(tr, territories.get(entry.territory)))


def _entry_lines(tr: Translator, entry: Listing, views: Mapping[Side, NoteView | None],
                 territories: Mapping[str, Territory], excerpt: int | None, *, with_tags: bool = True
                 ) -> list[SafeHtml]:
    lines = [_heading(tr, entry, territories)]
    for side in Side:
        line = _note_line(tr, side, views.get(side), excerpt)
        if line is not None:
            tags = entry.card.tags(side) if with_tags else frozenset()
            lines.append(line + (escape(f" [{tag_names(tr, tags)}]") if tags else ""))
    return lines


def _page_lines(tr: Translator, shown: Sequence[Listing], views: Mapping[int, Mapping[Side, NoteView | None]],
                territories: Mapping[str, Territory], room: int) -> list[SafeHtml]:
    """The page's listings within `room` characters: excerpts and tags, else shorter excerpts without tags (long
    names and many tags in Ewe could pass Telegram's 4096 characters; the card shows everything)."""
    for excerpt, with_tags in ((LIST_EXCERPT, True), (SHORT_EXCERPT, False)):
        lines: list[SafeHtml] = []
        for entry in shown:
            lines += ["", *_entry_lines(tr, entry, views.get(entry.member_id, {}), territories, excerpt,
                                        with_tags=with_tags)]
        if len("\n".join(lines)) <= room:
            break
    return lines


def page_of(entries: Sequence[Listing], page: int) -> list[Listing]:
    page = clamp_page(page, len(entries), PAGE_SIZE)
    return list(entries[page * PAGE_SIZE:(page + 1) * PAGE_SIZE])


def directory_list(tr: Translator, entries: Sequence[Listing], views: Mapping[int, Mapping[Side, NoteView | None]],
                   filters: Filters, territories: Mapping[str, Territory]) -> Screen:
    """The filtered, paged list: the page's organisations in the text, a button to open each, filters below."""
    page = clamp_page(filters.page, len(entries), PAGE_SIZE)
    tag = TAGS_BY_KEY.get(filters.tag or "")
    lines = [tr.nhtml("<b>Directory of practices</b>: {count} organisation of your circles.",
                      "<b>Directory of practices</b>: {count} organisations of your circles.", len(entries)),
             tr.html("Territory: {territory} · Practice: {practice}",
                     territory=territory_name(tr, territories[filters.territory]) if filters.territory
                     else tr.gettext("All territories"),
                     practice=tr.gettext(tag.label) if tag else tr.gettext("All practices"))]
    if not entries:
        lines += ["", tr.html("No organisation matches. Try another filter.")]
    lines += _page_lines(tr, page_of(entries, page), views, territories, MAX_TEXT - len("\n".join(lines)) - 1)
    choices = [Choice(f"{entry.organisation or entry.name} — {entry.name}",
                      OpenCard(entry.member_id, filters.territory or ANY, filters.tag or ANY, page).encode())
               for entry in entries]
    rows = paged_rows(choices, page, lambda n: filters.data(n).encode(), size=PAGE_SIZE)
    rows.append([InlineKeyboardButton(("• " if filters.territory is None else "") + tr.gettext("All territories"),
                                      callback_data=ListPage(ANY, filters.tag or ANY, 0).encode())]
                + [InlineKeyboardButton(("• " if filters.territory == code else "") + territory_name(tr, t),
                                        callback_data=ListPage(code, filters.tag or ANY, 0).encode())
                   for code, t in territories.items()])
    rows.append([InlineKeyboardButton("🏷 " + tr.gettext("Filter by practice"),
                                      callback_data=TagMenu(filters.territory or ANY, filters.tag or ANY).encode())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def tag_menu(tr: Translator, filters: Filters) -> Screen:
    """Choose the practice to filter by (the current one marked); choosing goes back to the list's first page."""
    rows = [[InlineKeyboardButton(("• " if filters.tag is None else "") + tr.gettext("All practices"),
                                  callback_data=ListPage(filters.territory or ANY, ANY, 0).encode())]]
    rows += [[InlineKeyboardButton(("• " if filters.tag == tag.key else "") + tr.gettext(tag.label),
                                   callback_data=ListPage(filters.territory or ANY, tag.key, 0).encode())]
             for tag in PRACTICE_TAGS]
    return tr.html("Show the organisations that share or would like to learn:"), InlineKeyboardMarkup(rows)


def card_screen(tr: Translator, entry: Listing, views: Mapping[Side, NoteView | None],
                territories: Mapping[str, Territory], shared_circles: Sequence[Circle], back: Filters) -> Screen:
    """One organisation in full, with a button per shared circle to propose them a call."""
    lines = _entry_lines(tr, entry, views, territories, None)
    if entry.card.is_empty:
        lines.append(tr.html("They have not said yet what they share or would like to learn."))
    rows = [[InlineKeyboardButton(
        tr.gettext("Propose a call ({circle})", circle=circle_name(tr, circle)) if len(shared_circles) > 1
        else tr.gettext("Propose a call"), callback_data=ProposeCall(entry.member_id, circle.id).encode())]
        for circle in shared_circles]
    rows.append([InlineKeyboardButton("◀ " + tr.gettext("Back to the directory"),
                                      callback_data=back.data().encode())])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def what_each_brings(tr: Translator, name: str, to_them: frozenset[str], to_you: frozenset[str]) -> list[SafeHtml]:
    """Lines of a pair introduction: what the reader can bring a peer and the peer the reader (directory tags)."""
    lines = []
    if to_them:
        lines.append(tr.html("  You can bring {name}: {practices}", name=name, practices=tag_names(tr, to_them)))
    if to_you:
        lines.append(tr.html("  {name} can bring you: {practices}", name=name, practices=tag_names(tr, to_you)))
    return lines
