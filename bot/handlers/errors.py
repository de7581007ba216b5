"""The global error handler: log without secrets, tell the member something went wrong in their language.

Two kinds of errors arrive here. Errors of a handler come with the update: the member is told, in their
language, that something went wrong (never what: no exception text reaches a chat), but only when they got
nothing useful from this update: a failure after the answer was delivered (a chart after the report text, a
malformed answer to a message that did arrive) is logged, not apologised for. Every kind of exception is handled;
the log line names the Bot API method that failed (bot.telegram_io traces each update's calls). Errors of the polling loop
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
from bot.telegram_io import answer_once, current_trace, describe_failure

logger = logging.getLogger(__name__)

ANOTHER_INSTANCE = "another instance is polling with this token (Telegram answered 409 Conflict); stop it first"
WEBHOOK_SET = "a webhook is set for this token (Telegram answered 409 Conflict); remove it with deleteWebhook first"


async def on_error(update: object, context: PasserelleContext) -> None:
    """Log the failure (the log formatter redacts the token and phone numbers) and answer the member."""
    error = context.error
    if update is None and isinstance(error, Conflict):
        _stop_for_conflict(context, error)
        return
    if not isinstance(update, Update):
        job = context.job.name if context.job is not None else None
        logger.error("Error %s: %s", f"in job {job}" if job else "outside an update", describe_failure(error),
                     exc_info=not isinstance(error, TelegramError))
        return
    chat = update.effective_chat.id if update.effective_chat else None
    trace = current_trace()
    delivered = trace is not None and trace.delivered
    logger.error("Error while handling an update (chat %s)%s: %s", chat,
                 " after the answer was delivered" if delivered else "", describe_failure(error),
                 exc_info=not isinstance(error, TelegramError))
    if update.effective_user is None or update.effective_chat is None or isinstance(error, Forbidden):
        return
    await _tell_member(update, context, apologise=not delivered)


async def answer_unknown_button(update: Update, context: PasserelleContext) -> None:
    """A button whose data no handler recognises: answer it, change nothing."""
    member = await members.get_by_telegram_id(context.services.db, update.effective_user.id)
    tr = translator(context.services, member, update.effective_user)
    await answer_once(update, tr.gettext("This button is no longer valid."))


def _stop_for_conflict(context: PasserelleContext, error: Conflict) -> None:
    services = context.services
    if services.fatal_stop is None:
        services.fatal_stop = WEBHOOK_SET if "webhook" in str(error).lower() else ANOTHER_INSTANCE
        logger.critical("Stopping: %s", services.fatal_stop)
        context.application.stop_running()


async def _tell_member(update: Update, context: PasserelleContext, *, apologise: bool) -> None:
    try:
        await answer_once(update)  # the spinner stops, whatever failed
    except TelegramError as error:
        logger.warning("Could not answer the button press: %s", describe_failure(error))
    if not apologise:
        return
    try:
        member = await members.get_by_telegram_id(context.services.db, update.effective_user.id)
    except Exception:  # the database itself may be the problem
        member = None
    tr = translator(context.services, member, update.effective_user)
    try:
        await context.bot.send_message(update.effective_chat.id, tr.gettext(
            "Sorry, something went wrong on our side. Please try again in a moment."))
    except TelegramError:
        pass  # the API itself may be what failed; the log line above is all we can do
