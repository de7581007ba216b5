"""Telegram's ordinary answers, handled once for every handler and for the delivery code.

Three things Telegram does that a bot must not mistake for failures, or repeat:
- an edit whose text and buttons equal the message's answers 400 "message is not modified" (a member tapping the
  option already selected): the screen already shows what we meant, so it is a success;
- a callback query can be answered once; a second answer is refused ("query is too old … or query ID is
  invalid"), so the error handler must know whether the handler already answered;
- a failure after the member already got the answer (a chart upload after the report text) is not a reason to
  apologise: the error handler must know whether anything reached the chat.

The trace of one update lives in a context variable: PTB awaits every handler of an update, and the error handler,
inside the same task, so what the request layer records while a handler runs is visible to the error handler.
The request layer (`TracedRequest`) is the one seam every Bot API call crosses; it records which calls succeeded
and the name of the method that failed, so that log lines can say "sendDocument failed" rather than only
"NetworkError".
"""

from __future__ import annotations

import contextvars
import html
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

# Methods whose success means the member saw something from the bot in this update.
_DELIVERING = frozenset({
    "sendmessage", "senddocument", "sendphoto", "sendvoice", "sendaudio", "sendvideo", "sendmediagroup",
    "copymessage", "copymessages", "forwardmessage", "editmessagetext", "editmessagecaption",
})
NOT_MODIFIED = "message is not modified"
# The pressed message is gone (deleted by the member) or was never the bot's to edit (data sent by a modified
# client on an inaccessible message): the screen is sent as a new message instead.
_TAG = re.compile(r"<[^>]+>")
_CANNOT_EDIT = ("message to edit not found", "message can't be edited")
QUERY_TOO_OLD = "query is too old"


@dataclass
class UpdateTrace:
    """What the Bot API answered while one update was handled."""

    delivered: bool = False          # a message reached the chat (sent or edited)
    answered: bool = False           # the button press was answered
    failed_method: str | None = None  # the last Bot API method that failed


_TRACE: contextvars.ContextVar[UpdateTrace | None] = contextvars.ContextVar("passerelle_update_trace", default=None)


def begin_update() -> UpdateTrace:
    """Start the trace of a new update (the first handler group calls it)."""
    trace = UpdateTrace()
    _TRACE.set(trace)
    return trace


def current_trace() -> UpdateTrace | None:
    return _TRACE.get()


def _method_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _record(method: str, ok: bool) -> None:
    trace = _TRACE.get()
    if trace is None:
        return
    if not ok:
        trace.failed_method = method
    elif method.lower() in _DELIVERING:
        trace.delivered = True
    elif method.lower() == "answercallbackquery":
        trace.answered = True


class TracedRequest(HTTPXRequest):
    """PTB's HTTPX transport, recording into the current update's trace which Bot API calls succeeded."""

    async def do_request(self, url: str, method: str, request_data: Any = None, **kwargs: Any) -> tuple[int, bytes]:
        api_method = _method_of(url)
        try:
            status, payload = await super().do_request(url, method, request_data, **kwargs)
        except BaseException:
            _record(api_method, ok=False)
            raise
        _record(api_method, ok=200 <= status < 300)
        return status, payload


def is_not_modified(error: BaseException) -> bool:
    return isinstance(error, BadRequest) and NOT_MODIFIED in str(error).lower()


def describe_failure(error: BaseException) -> str:
    """'sendDocument: NetworkError: …' when the trace knows which call failed; never the token (PTB keeps it out)."""
    trace = _TRACE.get()
    method = trace.failed_method if trace is not None and isinstance(error, TelegramError) else None
    kind = f"{type(error).__name__}: {error}"
    return f"{method}: {kind}" if method else kind


# -- edits -------------------------------------------------------------------------------------------------
async def edit_screen(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Show `text` (and `markup`) in place of the pressed message; an unchanged screen is not an error.

    The edit is not even sent when the pressed message already shows this text and these buttons (a member
    tapping the option already selected): Telegram would refuse it. A message the bot can no longer edit (too
    old for Telegram to show it to the bot, or deleted) gets the screen as a new message.
    """
    message = update.callback_query.message
    if not _editable(message):
        await update.effective_chat.send_message(text, reply_markup=markup)
        return
    shown = _shown_by(update.get_bot())
    screen = _screen(text, markup)
    # What the chat shows now: what our last edit of this message put there, else the message as the update saw
    # it. A second tap sent before the first was handled carries the content from before the first tap's edit.
    key = (message.chat_id, message.message_id)
    showing = shown.get(key) or _screen(message.text_html if message.text else "", message.reply_markup)
    if showing == screen:
        _mark_delivered()
        return
    try:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
        shown.remember(key, screen)
    except BadRequest as error:
        if _cannot_edit(error):
            await update.effective_chat.send_message(text, reply_markup=markup)
            return
        if not is_not_modified(error):
            raise
        _mark_delivered()


async def remove_buttons(update: Update) -> None:
    """Take the buttons off the pressed message (a second press of a finished step finds none: not an error)."""
    message = update.callback_query.message
    if not _editable(message) or message.reply_markup is None:
        return
    shown = _shown_by(update.get_bot())
    key = (message.chat_id, message.message_id)
    last = shown.get(key)
    if last is not None and not last[1]:
        return  # a second tap sent before the first took the buttons off
    try:
        await update.callback_query.edit_message_reply_markup(reply_markup=None)
        text = last[0] if last is not None else _screen(message.text_html if message.text else "", None)[0]
        shown.remember(key, (text, ()))
    except BadRequest as error:
        if not (is_not_modified(error) or _cannot_edit(error)):
            raise


async def edit_message(bot: Bot, chat_id: int, message_id: int, text: str,
                       markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit a message the bot sent earlier (a vote tally, a delivery count); unchanged content is a success."""
    shown, screen = _shown_by(bot), _screen(text, markup)
    if shown.get((chat_id, message_id)) == screen:
        return
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
        shown.remember((chat_id, message_id), screen)
    except BadRequest as error:
        if not is_not_modified(error):
            raise


def _editable(message: object) -> bool:
    # PTB parses an inaccessible message (date 0: too old for Telegram to show it to the bot) as a Message too.
    return isinstance(message, Message) and message.is_accessible


# A screen as the member sees it: its text without HTML tags, and its buttons (label, data, url) row by row.
_Screen = tuple[str, tuple[tuple[tuple[str, object, object], ...], ...]]


class _ShownScreens:
    """What our last edits left on the last few hundred messages, per bot (bounded: it is only a cache)."""

    SIZE = 2048

    def __init__(self) -> None:
        self._screens: OrderedDict[tuple[int, int], _Screen] = OrderedDict()

    def get(self, key: tuple[int, int]) -> _Screen | None:
        return self._screens.get(key)

    def remember(self, key: tuple[int, int], screen: _Screen) -> None:
        self._screens[key] = screen
        self._screens.move_to_end(key)
        while len(self._screens) > self.SIZE:
            self._screens.popitem(last=False)


# Keyed by the Bot object's identity: Bots compare equal when they are the same Telegram bot, and two applications
# of one bot (a restart in tests) must not share what they showed. The entry holds its Bot, so that its id cannot
# be reused while the entry lives: a Bot cannot be weakly referenced on Python 3.13 (contextlib's
# AbstractAsyncContextManager, one of its bases, gained empty __slots__). Only the last few Bots are remembered.
_SHOWN: OrderedDict[int, tuple[Bot, _ShownScreens]] = OrderedDict()
_BOTS_REMEMBERED = 4


def _shown_by(bot: Bot) -> _ShownScreens:
    key = id(bot)
    entry = _SHOWN.get(key)
    if entry is None or entry[0] is not bot:
        entry = _SHOWN[key] = (bot, _ShownScreens())
        while len(_SHOWN) > _BOTS_REMEMBERED:
            _SHOWN.popitem(last=False)
    _SHOWN.move_to_end(key)
    return entry[1]


def _screen(text: str, markup: InlineKeyboardMarkup | None) -> _Screen:
    return html.unescape(_TAG.sub("", text)).strip(), _buttons(markup)


def _buttons(markup: InlineKeyboardMarkup | None) -> tuple[tuple[tuple[str, object, object], ...], ...]:
    if markup is None:
        return ()
    return tuple(tuple((b.text, b.callback_data, b.url) for b in row) for row in markup.inline_keyboard)


def _cannot_edit(error: BadRequest) -> bool:
    return any(reason in str(error).lower() for reason in _CANNOT_EDIT)


def _mark_delivered() -> None:
    trace = _TRACE.get()
    if trace is not None:
        trace.delivered = True


# -- button answers ------------------------------------------------------------------------------------------
async def answer_once(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer the button press unless this update already answered it (Telegram refuses a second answer)."""
    query = update.callback_query
    trace = _TRACE.get()
    if query is None or (trace is not None and trace.answered):
        return
    try:
        await query.answer(text=text[:200] if text else None, show_alert=alert)
    except BadRequest as error:
        # Answered late (a slow connection, a restart): the member's spinner has already stopped by itself.
        if QUERY_TOO_OLD not in str(error).lower():
            raise
        logger.info("A button press was answered too late to show: %s", error)


# -- optional parts of an answer -------------------------------------------------------------------------------
@asynccontextmanager
async def optional_part(bot: Bot, chat_id: int, what: str, apology: str) -> AsyncIterator[None]:
    """Run a part of an answer that the member can do without (a chart after the report text).

    If it fails, the member is told that this part failed, in their words (`apology`), and the log names the part
    and the call; the error does not reach the global handler, which would apologise for the whole answer.
    """
    try:
        yield
    except Forbidden:
        raise  # the member blocked the bot: nothing more to tell them
    except Exception as error:  # any failure of an optional part: the main answer stands
        logger.warning("Optional part %r failed (chat %s): %s", what, chat_id, describe_failure(error),
                       exc_info=not isinstance(error, TelegramError))
        try:
            await bot.send_message(chat_id, apology)
        except TelegramError as second:
            logger.warning("Could not say that %r failed (chat %s): %s", what, chat_id, describe_failure(second))
