"""The health signal: the running bot records when Telegram last answered it; `passerelle health` reads it.

In long polling the proof of life is a getUpdates that succeeded (recorded by the request seam below, so a
poller stuck in retries stops renewing it); in webhook mode, where nothing is polled, it is a getWebhookInfo
that the heartbeat job calls and that still names our URL. Every HEARTBEAT_SECONDS the job writes the last proof
to the database, which another process (a container orchestrator, a systemd timer) can read.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from telegram.error import TelegramError
from telegram.ext import Application
from bot.clock import Clock
from bot.services import Services
from bot.storage import heartbeat
from bot.telegram_io import TracedRequest

logger = logging.getLogger(__name__)

HEARTBEAT_JOB = "heartbeat"
HEARTBEAT_SECONDS = 30.0
DEFAULT_MAX_AGE = timedelta(minutes=5)


class PollRecordingRequest(TracedRequest):
    """The transport of getUpdates (traced like every call), remembering when a long poll last got Telegram's 200."""

    def __init__(self, clock: Clock, **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.last_success: datetime | None = None

    async def do_request(self, *args, **kwargs) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 200:
            self.last_success = self._clock.now()
        return code, payload


def install(application: Application, poll_request: PollRecordingRequest | None) -> None:
    """Start the heartbeat job (first beat at once)."""
    application.job_queue.run_repeating(_heartbeat_job, interval=HEARTBEAT_SECONDS, first=0.0,
                                        data=poll_request, name=HEARTBEAT_JOB)


async def _heartbeat_job(context) -> None:
    services: Services = context.application.bot_data.services
    proof = await _last_proof_of_life(context.application, services, context.job.data)
    if proof is not None:
        await heartbeat.record(services.db, proof)


async def _last_proof_of_life(application: Application, services: Services,
                              poll_request: PollRecordingRequest | None) -> datetime | None:
    if services.config.webhook_url is None:
        return poll_request.last_success if poll_request is not None else None
    try:
        info = await application.bot.get_webhook_info()
    except TelegramError as error:
        logger.warning("getWebhookInfo failed: %s: %s", type(error).__name__, error)
        return None
    if info.url != services.config.webhook_url:
        logger.warning("The webhook is no longer set to PASSERELLE_WEBHOOK_URL (Telegram has %r)", info.url or "none")
        return None
    return services.clock.now()


async def check(db_path: Path, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE) -> tuple[bool, str]:
    """(healthy, one line): the database opens and passes quick_check, and Telegram answered within max_age."""
    from bot.admin import open_existing

    db = await open_existing(db_path)
    try:
        verdict = (await db.fetch_one("PRAGMA quick_check"))[0]
        last = await heartbeat.last(db)
    finally:
        await db.close()
    if verdict != "ok":
        return False, f"unhealthy: the database {db_path} failed its quick check ({verdict})"
    if last is None:
        return False, "unhealthy: no heartbeat yet (the bot has not reached Telegram since it was installed)"
    age = max(now - last, timedelta(0))
    if age > max_age:
        return False, (f"unhealthy: Telegram last answered the bot {age.total_seconds():.0f} s ago "
                       f"(limit {max_age.total_seconds():.0f} s)")
    return True, f"healthy: database ok, Telegram last answered the bot {age.total_seconds():.0f} s ago"
