"""The global error handler: log without secrets, tell the member something went wrong in their language.

Two kinds of errors arrive here. Errors of a handler come with the update: the member is told, in their
language, that something went wrong (never what: no exception text reaches a chat). Errors of the polling loop
come with update=None (PTB run loop, TELEGRAM-NOTES §2); PTB retries those forever, which is right for a network
outage but not for a 409 Conflict: another process polls with the same token and the two would steal each
other's updates until someone notices. The bot stops instead, and `passerelle run` says why.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Conflict, Forbidden, TelegramError

from bot.handlers.common import translator
from bot.services import PasserelleContext
from bot.storage import members

logger = logging.getLogger(__name__)

ANOTHER_INSTANCE = "another instance is polling with this token (Telegram answered 409 Conflict); stop it first"
WEBHOOK_SET = "a webhook is set for this token (Telegram answered 409 Conflict); remove it with deleteWebhook first"


async def on_error(update: object, context: PasserelleContext) -> None:
    """Log the failure (the log formatter redacts the token and phone numbers) and answer the member."""
    error = context.error
    if update is None and isinstance(error, Conflict):
        _stop_for_conflict(context, error)
        return
    chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    logger.error("Error while handling an update (chat %s): %s: %s", chat, type(error).__name__, error,
                 exc_info=not isinstance(error, TelegramError))
    if not isinstance(update, Update) or update.effective_user is None or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return
    await _tell_member(update, context)


async def answer_unknown_button(update: Update, context: PasserelleContext) -> None:
    """A button whose data no handler recognises: answer it, change nothing."""
    member = await members.get_by_telegram_id(context.services.db, update.effective_user.id)
    tr = translator(context.services, member, update.effective_user)
    await update.callback_query.answer(tr.gettext("This button is no longer valid."))


def _stop_for_conflict(context: PasserelleContext, error: Conflict) -> None:
    services = context.services
    if services.fatal_stop is None:
        services.fatal_stop = WEBHOOK_SET if "webhook" in str(error).lower() else ANOTHER_INSTANCE
        logger.critical("Stopping: %s", services.fatal_stop)
        context.application.stop_running()


async def _tell_member(update: Update, context: PasserelleContext) -> None:
    try:
        member = await members.get_by_telegram_id(context.services.db, update.effective_user.id)
    except Exception:  # the database itself may be the problem
        member = None
    tr = translator(context.services, member, update.effective_user)
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass  # the handler may have answered it before failing; Telegram refuses a second answer
    try:
        await context.bot.send_message(update.effective_chat.id, tr.gettext(
            "Sorry, something went wrong on our side. Please try again in a moment."))
    except TelegramError:
        pass  # the API itself may be what failed; the log line above is all we can do
