"""Command menus (setMyCommands): set at start, retried later when Telegram refuses or cannot be reached.

A menu is a comfort, not something the bot needs to work (issue 10): a failure is logged and retried with a
growing delay, never fatal. `menus_to_publish` is the one list of every menu the bot shows; a new kind of menu
(per chat, per facilitator) is one more entry there, and then shares the retry.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from bot.services import Services
from bot.ui import commands

logger = logging.getLogger(__name__)

MENU_RETRY_JOB = "command-menus-retry"
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(hours=1)

Menu = tuple[str, Callable[[Application], Awaitable[None]]]  # (what it is, for the log; how to set it)


def menus_to_publish(services: Services) -> list[Menu]:
    """Every command menu the bot sets, in order."""
    return [("members' command menu", lambda application: commands.publish(application.bot, services.i18n))]


async def publish_menus(application: Application) -> list[str]:
    """Set every menu; returns what failed (each failure logged with the method and Telegram's answer)."""
    services: Services = application.bot_data.services
    failed = []
    for name, publish in menus_to_publish(services):
        try:
            await publish(application)
        except TelegramError as error:
            logger.warning("setMyCommands failed for the %s: %s: %s", name, type(error).__name__, error)
            failed.append(name)
    return failed


async def publish_menus_or_retry_later(application: Application, delay: timedelta = FIRST_RETRY) -> None:
    """Set the menus now; if one fails, try all again after `delay` (doubled each time, at most an hour)."""
    failed = await publish_menus(application)
    if not failed:
        return
    logger.warning("Command menus will be set again in %d s (%s)", delay.total_seconds(), ", ".join(failed))
    for job in application.job_queue.get_jobs_by_name(MENU_RETRY_JOB):
        job.schedule_removal()
    application.job_queue.run_once(_retry_menus_job, when=delay, data=min(delay * 2, LONGEST_RETRY),
                                   name=MENU_RETRY_JOB)


async def _retry_menus_job(context) -> None:
    await publish_menus_or_retry_later(context.application, context.job.data)
