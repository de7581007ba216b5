"""JobQueue wiring only. Three recurring jobs, rebuilt at every start (jobs live in memory; the database is the truth):

- the outbox sender, every SENDER_SECONDS: drains what is due under Telegram's limits;
- the tick, every TICK_SECONDS: asks each feature what is due now (weekly prompts, digests, reminders…) and
  queues it in the outbox. Tests call `tick(application)` after moving the fake clock instead of waiting.
- the reminder watch, every REMINDER_SECONDS: queues the call reminders whose instant fell since its last run
  (issue 7: p99 <= 2 s late; the tick alone made them up to 20 s late). The tick still catches up after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import Application

from bot.delivery.sender import Sender
from bot.services import Services

logger = logging.getLogger(__name__)

SENDER_JOB = "outbox-sender"
TICK_JOB = "due-work-tick"
REMINDER_JOB = "call-reminder-watch"
PROGRESS_JOB = "announcement-progress"
SENDER_SECONDS = 0.5
TICK_SECONDS = 20.0
REMINDER_SECONDS = 1.0
PROGRESS_SECONDS = 2.0   # one edit per announcement at most every 2 s: live enough, far under the edit limits

DueWork = Callable[[Services, Application], Awaitable[None]]


def due_work() -> tuple[DueWork, ...]:
    """Every feature's "what is due now", in the order they run at each tick."""
    from bot.delivery import calls, decisions, held_replies, pairs, prompts, relay

    # Held replies before digests: a reply passed on at its deadline joins the digest of the same tick.
    return (prompts.send_due_prompts, held_replies.release_due_held_replies, relay.flush_digests,
            calls.due_call_work, pairs.due_pair_work, decisions.due_decision_work)


def sender_for(application: Application) -> Sender:
    from bot.delivery.calls import REMINDER_KEY_PREFIX

    services = application.bot_data.services
    return Sender(bot=application.bot, db=services.db, clock=services.clock, keep_going=lambda: application.running,
                  first=REMINDER_KEY_PREFIX)


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


@dataclass
class ReminderWatch:
    """Until when reminders were already looked for (in memory: at start the tick's catch-up covers the past)."""

    checked_until: datetime | None = None


async def reminder_job(context) -> None:
    """Queue the reminders that fell due since the last run: two indexed reads, nothing more when none did."""
    watch: ReminderWatch = context.job.data
    services: Services = context.application.bot_data.services
    from bot.delivery.calls import queue_reminders_falling_due

    now = services.clock.now()
    try:
        await queue_reminders_falling_due(services, watch.checked_until or now, now)
        watch.checked_until = now
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("Reminder watch failed; it looks again from the same instant at the next run")


async def progress_job(context) -> None:
    """Edit the delivery count of the announcements being sent (issue 11)."""
    from bot.delivery.announcement_progress import show_delivery_progress

    try:
        await show_delivery_progress(context.application.bot_data.services, context.application.bot)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("Announcement delivery count failed; it is tried again at the next run")


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
    for name in (SENDER_JOB, TICK_JOB, REMINDER_JOB, PROGRESS_JOB):
        for job in application.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
    # A long drain (a broadcast) outlives many ticks: skip those instead of queueing them.
    single = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    application.job_queue.run_repeating(outbox_job, interval=SENDER_SECONDS, first=0.5, name=SENDER_JOB,
                                        data=sender_for(application), job_kwargs=single)
    application.job_queue.run_repeating(tick_job, interval=TICK_SECONDS, first=1.0, name=TICK_JOB, job_kwargs=single)
    # Out of phase with the sender (which runs at .0 and .5): what the watch queues at .8 leaves at the next .0,
    # instead of waiting half a period when both run at the same instant and the sender reads first.
    application.job_queue.run_repeating(reminder_job, interval=REMINDER_SECONDS, first=0.8, name=REMINDER_JOB,
                                        data=ReminderWatch(), job_kwargs=single)
    application.job_queue.run_repeating(progress_job, interval=PROGRESS_SECONDS, first=1.3, name=PROGRESS_JOB,
                                        job_kwargs=single)
