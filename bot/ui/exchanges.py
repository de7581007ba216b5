"""Rendering of the weekly exchange: the prompt, relayed replies, digests, framing suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from babel import Locale
from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.framing import FramingSuggestion
from bot.i18n import SafeHtml, Translator, escape
from bot.storage.circles import Circle, Territory
from bot.ui.callbacks import pack
from bot.ui.screens import circle_name, territory_name
from bot.ui.text import MAX_CAPTION, split_lines, truncate_plain

KIND_ICONS = {"voice": "🎙", "photo": "🖼", "document": "📄", "audio": "🎵", "video": "🎬", "text": "💬"}


@dataclass(frozen=True)
class Author:
    name: str
    organisation: str | None
    territory: Territory | None


@dataclass(frozen=True)
class RelayedReply:
    """A reply as one recipient will read it (translated or not)."""

    reply_id: int
    author: Author
    kind: str
    text: str | None          # what the recipient reads (translation or original)
    language: str             # language the member wrote in
    translated: bool
    translation_failed: bool


def prompt_message(tr: Translator, circle: Circle, prompt_text: str, opener: Territory,
                   reader_territory: str | None) -> str:
    """The weekly question, saying which side opens this week (reciprocity: it alternates)."""
    if reader_territory == opener.code:
        opener_line = tr.html("This week <b>your side ({territory})</b> opens the exchange: tell first how you do "
                              "it; the other side will answer with their own practice.",
                              territory=territory_name(tr, opener))
    else:
        opener_line = tr.html("This week <b>{territory}</b> opens the exchange: read their answers as they come, "
                              "and tell how you do it on your side.", territory=territory_name(tr, opener))
    return "\n\n".join((
        tr.html("<b>{circle} · question of the week</b>", circle=circle_name(tr, circle)),
        escape(prompt_text),
        opener_line,
        tr.html("<i>Reply to this message, in writing or by voice note: your answer goes to the members on the "
                "other side.</i>"),
    ))


def language_of(tr: Translator, code: str) -> str:
    """A language's name in the reader's language ("éwé" for a French reader)."""
    try:
        return Locale.parse(code).get_display_name(tr.locale) or code
    except (ValueError, TypeError):
        return code


def attribution_mark(author_name: str) -> str:
    """The start of every attribution line naming this author, as rendered (erasure finds queued digests by it)."""
    return f"<b>{escape(author_name)}{ATTRIBUTION_SEPARATOR}"


ATTRIBUTION_SEPARATOR = " · "


def attribution(tr: Translator, reply: RelayedReply, *, reader_locale: str) -> SafeHtml:
    """'💬 Ama Mensah · Association Dzidzɔ · Togo (in Ewe)', escaped."""
    author = reply.author
    parts = [author.name] + ([author.organisation] if author.organisation else []) + [
        territory_name(tr, author.territory)]
    line = f"{KIND_ICONS.get(reply.kind, '💬')} <b>{escape(ATTRIBUTION_SEPARATOR.join(parts))}</b>"
    if reply.translated:
        note = tr.html("machine translation from {language}", language=language_of(tr, reply.language))
    elif reply.translation_failed:
        note = tr.html("in {language}; the translation service did not answer",
                       language=language_of(tr, reply.language))
    elif reply.language != reader_locale:
        note = tr.html("in {language}", language=language_of(tr, reply.language))
    else:
        note = ""
    return SafeHtml(f"{line} <i>({note})</i>" if note else line)


def reply_buttons(tr: Translator, reply: RelayedReply, *, reader_locale: str) -> InlineKeyboardMarkup | None:
    """A machine translation offers the original and a human reading; an untranslated reply in another
    language offers a human reading (a facilitator who reads both languages is asked)."""
    buttons = []
    if reply.translated:
        buttons.append(InlineKeyboardButton(tr.gettext("Show original"), callback_data=pack("ro", reply.reply_id)))
        buttons.append(InlineKeyboardButton(tr.gettext("Translation unclear"), callback_data=pack("ru", reply.reply_id)))
    elif reply.text and reply.language != reader_locale:
        buttons.append(InlineKeyboardButton(tr.gettext("Help me understand"), callback_data=pack("ru", reply.reply_id)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def relayed_text(tr: Translator, reply: RelayedReply, *, reader_locale: str) -> list[str]:
    """An immediate relay of a text reply: the attribution, then the text (split if very long)."""
    return split_lines([attribution(tr, reply, reader_locale=reader_locale), escape(reply.text or "")])


def relayed_caption(tr: Translator, reply: RelayedReply, *, reader_locale: str) -> str:
    """Caption for a copied voice note, photo or document: attribution and the member's caption (≤ 1024)."""
    head = attribution(tr, reply, reader_locale=reader_locale)
    room = MAX_CAPTION - len(head) - 2
    if not reply.text or room < 20:
        return head
    return f"{head}\n{escape(truncate_plain(reply.text, room // 2))}"


def digest(tr: Translator, circle: Circle, replies: Sequence[RelayedReply], *, reader_locale: str
           ) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """One digest for a window: every reply from the other side, media offered on demand (slow connections)."""
    lines = [tr.nhtml("<b>{circle}</b>: {count} new answer from the other side",
                      "<b>{circle}</b>: {count} new answers from the other side", len(replies),
                      circle=circle_name(tr, circle))]
    buttons = []
    for reply in replies:
        lines.append("")
        lines.append(attribution(tr, reply, reader_locale=reader_locale))
        if reply.kind != "text":
            lines.append(tr.html("<i>{kind} — tap the button below to receive it.</i>", kind=_kind_label(tr, reply.kind)))
            buttons.append(InlineKeyboardButton(
                f"{KIND_ICONS.get(reply.kind, '📎')} {truncate_plain(reply.author.name, 24)}",
                callback_data=pack("md", reply.reply_id)))
        if reply.text:
            lines.append(escape(reply.text))
    markup = InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, min(len(buttons), 90), 2)]) if buttons else None
    return split_lines(lines), markup


def _kind_label(tr: Translator, kind: str) -> str:
    labels = {"voice": tr.gettext("Voice note"), "photo": tr.gettext("Photo"), "document": tr.gettext("Document"),
              "audio": tr.gettext("Audio"), "video": tr.gettext("Video")}
    return labels.get(kind, kind)


def framing_suggestion(tr: Translator, suggestion: FramingSuggestion, reply_id: int, *,
                       in_group: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """A gentle, private nudge towards practices, naming the means the reply described; never blocks the reply.

    `in_group` names the group the reply was written in: the suggestion comes in private, so it says which answer.
    """
    intro = (tr.html("Before I pass on your answer in the group {group}, a suggestion:", group=in_group)
             if in_group else tr.html("Before I pass on your answer, a suggestion:"))
    text = "\n\n".join((intro, suggestion_text(tr, suggestion)))
    return text, _framing_buttons(tr, reply_id)


def held_reply_reminder(tr: Translator, suggestion: FramingSuggestion, reply_id: int, deadline: datetime,
                        zone: str) -> tuple[str, InlineKeyboardMarkup]:
    """The one reminder of a held reply: the choice again, and when it will be passed on without one."""
    text = "\n\n".join((
        tr.html("Your answer to this week's question is still waiting for your choice. Without one, it will be "
                "passed on as it is on {date} at {time}.", date=tr.date(deadline, zone), time=tr.time(deadline, zone)),
        suggestion_text(tr, suggestion)))
    return text, _framing_buttons(tr, reply_id)


def suggestion_text(tr: Translator, suggestion: FramingSuggestion) -> str:
    """The suggestion in the reader's language, naming the means as the member wrote them ("séchoirs", "van")."""
    means = format_list([tr.gettext("“{word}”", word=word) for word in suggestion.means], locale=tr.babel_locale)
    return escape(tr.prompt(suggestion.msgid).format(means=means))


def _framing_buttons(tr: Translator, reply_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(tr.gettext("Relay it as it is"), callback_data=pack("rf", "send", reply_id)),
        InlineKeyboardButton(tr.gettext("I'll rephrase"), callback_data=pack("rf", "redo", reply_id)),
    ]])
