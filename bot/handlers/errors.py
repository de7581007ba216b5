"""The global error handler: log without secrets, tell the member something went wrong in their language."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.handlers.common import translator
from bot.services import PasserelleContext
from bot.storage import members

logger = logging.getLogger(__name__)


async def on_error(update: object, context: PasserelleContext) -> None:
    # Polling errors arrive with update=None (PTB run loop); there is nobody to tell.
    error = context.error
    logger.error("Error while handling an update: %s: %s", type(error).__name__, error,
                 exc_info=not isinstance(error, TelegramError))
    if not isinstance(update, Update) or update.effective_user is None or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return
    try:
        member = await members.get_by_telegram_id(context.services.db, update.effective_user.id)
    except Exception:  # the database itself may be the problem
        member = None
    tr = translator(context.services, member, update.effective_user)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, tr.gettext(
            "Sorry, something went wrong on our side. Please try again in a moment."))
    except TelegramError:
        pass
