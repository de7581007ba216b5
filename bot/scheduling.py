"""JobQueue wiring only: the outbox sender runs as one long-lived task, woken every second."""

from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application

from bot.delivery.sender import Sender

logger = logging.getLogger(__name__)

SENDER_JOB = "outbox-sender"


def sender_for(application: Application) -> Sender:
    services = application.bot_data.services
    return Sender(bot=application.bot, db=services.db, clock=services.clock)


async def outbox_job(context) -> None:
    """Drain what is due; the job is skipped while a previous drain still runs (max_instances=1)."""
    sender: Sender = context.job.data
    try:
        await sender.drain()
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("Outbox drain failed; it will be retried at the next tick")


def install(application: Application) -> None:
    """Schedule the recurring jobs (rebuilt at every start: jobs live in memory, the database is the truth)."""
    if application.job_queue is None:
        return
    for job in application.job_queue.get_jobs_by_name(SENDER_JOB):
        job.schedule_removal()
    application.job_queue.run_repeating(
        outbox_job, interval=1.0, first=0.5, name=SENDER_JOB, data=sender_for(application),
        # A long drain (a broadcast) outlives many ticks: skip those silently instead of queueing them.
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
