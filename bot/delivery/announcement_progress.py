"""Live delivery count of announcements: one message per announcement, edited as the outbox drains.

A separate job rather than a hook in the sender's loop: it reads the outbox rows of each announcement still in
progress ("312 / 540 delivered, 3 unreachable"), edits the facilitator's message when the figure changed, and
stops watching once every row is delivered or given up (the last edit shows the final count).
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from bot.domain.announcements import announcement_key
from bot.services import Services
from bot.storage import facilitator_tools
from bot.telegram_io import describe_failure, edit_message
from bot.ui.facilitation import progress_text

logger = logging.getLogger(__name__)


async def show_delivery_progress(services: Services, bot: Bot) -> None:
    """Edit the count of every announcement still being delivered (nothing is sent when no figure changed)."""
    for watched in await facilitator_tools.progress_to_show(services.db):
        counts = await facilitator_tools.delivery_counts(services.db, announcement_key(watched.announcement_id))
        text = progress_text(services.i18n.for_locale(watched.locale), counts)
        if text != watched.shown:
            try:
                await edit_message(bot, watched.chat_id, watched.message_id, text)
            except RetryAfter:
                continue  # edits come too fast for Telegram: the next run shows the figure of then
            except TelegramError as error:
                # The facilitator deleted the message, say: the count is a convenience, the sending goes on.
                logger.warning("Announcement %s: count not shown: %s", watched.announcement_id,
                               describe_failure(error))
                await facilitator_tools.record_progress(services.db, watched.announcement_id, text, True)
                continue
        await facilitator_tools.record_progress(services.db, watched.announcement_id, text, counts.finished)
