"""JobQueue wiring only. Two recurring jobs, rebuilt at every start (jobs live in memory; the database is the truth):

- the outbox sender, every second: drains what is due under Telegram's limits;
- the tick, every TICK_SECONDS: asks each feature what is due now (weekly prompts, digests, reminders…) and
  queues it in the outbox. Tests call `tick(application)` after moving the fake clock instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram.ext import Application

from bot.delivery.sender import Sender
from bot.services import Services

logger = logging.getLogger(__name__)

SENDER_JOB = "outbox-sender"
TICK_JOB = "due-work-tick"
TICK_SECONDS = 20.0

DueWork = Callable[[Services, Application], Awaitable[None]]


def due_work() -> tuple[DueWork, ...]:
    """Every feature's "what is due now", in the order they run at each tick."""
    from bot.delivery import calls, pairs, prompts, relay

    return (prompts.send_due_prompts, relay.flush_digests, calls.due_call_work, pairs.due_pair_work)


def sender_for(application: Application) -> Sender:
    services = application.bot_data.services
    return Sender(bot=application.bot, db=services.db, clock=services.clock, keep_going=lambda: application.running)


async def tick(application: Application) -> None:
    """Run every feature's due work once, each isolated from the others' failures."""
    services: Services = application.bot_data.services
    for work in due_work():
        try:
            await work(services, application)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Due work %s failed; it runs again at the next tick", work.__qualname__)


async def tick_job(context) -> None:
    await tick(context.application)


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
    """Schedule the recurring jobs."""
    if application.job_queue is None:
        return
    for name in (SENDER_JOB, TICK_JOB):
        for job in application.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    # A long drain (a broadcast) outlives many ticks: skip those instead of queueing them.
    single = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    application.job_queue.run_repeating(outbox_job, interval=1.0, first=0.5, name=SENDER_JOB,
                                        data=sender_for(application), job_kwargs=single)
    application.job_queue.run_repeating(tick_job, interval=TICK_SECONDS, first=1.0, name=TICK_JOB, job_kwargs=single)
