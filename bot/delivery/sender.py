"""Drain the outbox within Telegram's limits; one sender owns the pace of all fan-out.

Limits (TELEGRAM-NOTES §1): about 30 messages/s in total, 1/s per private chat, 20/min per group. 429 answers
carry retry_after, which we honour for the whole bot. 403 means the member blocked the bot (or left): stop
sending to them. A row is marked sent right after Telegram confirms it, so a crash re-sends at most the one
message in flight.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.storage import members, outbox
from bot.storage.database import Database

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# While a long drain runs (a broadcast at 29/s), the outbox is read again this often, so that a message queued
# meanwhile with priority (a call reminder) waits about this long, not behind the whole broadcast.
REREAD_SECONDS = 0.25


@dataclass(frozen=True)
class Pace:
    per_second: float = 29.0        # just under the ~30/s global limit (direct replies rarely coincide)
    private_interval: float = 1.0   # one message per second per private chat
    group_interval: float = 3.0     # 20 messages per minute per group


@dataclass
class DrainReport:
    sent: int = 0
    postponed: int = 0
    dropped: int = 0
    failed: int = 0
    rate_limited: int = 0


def file_payload(filename: str, content: bytes) -> dict[str, str]:
    """How an outbox row carries a small file (an .ics): JSON cannot hold bytes, so base64."""
    return {"filename": filename, "base64": base64.b64encode(content).decode("ascii")}


def _with_files(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        key: InputFile(base64.b64decode(value["base64"]), filename=value["filename"])
        if isinstance(value, dict) and set(value) == {"filename", "base64"} else value
        for key, value in payload.items()
    }


def _kind(message: outbox.OutboxMessage) -> str:
    """What a row is for, from its dedupe key's first part ("relay", "prompt", "reminder"…); never a phone number."""
    return message.dedupe_key.split(":", 1)[0] if message.dedupe_key else "unkeyed"


def retry_after_seconds(error: RetryAfter) -> float:
    """retry_after is an int or, with PTB_TIMEDELTA=true, a timedelta."""
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class Sender:
    bot: Bot
    db: Database
    clock: Clock
    pace: Pace = field(default_factory=Pace)
    # False once the application stops: PTB's shutdown waits for running jobs, and a broadcast takes minutes at
    # Telegram's pace. What is left stays in the outbox for the next start.
    keep_going: Callable[[], bool] = lambda: True
    # Rows whose dedupe key starts with this go before the others (time-bound messages: call reminders).
    first: str | None = None
    _chat_ready_at: dict[int, float] = field(default_factory=dict)
    _global_ready_at: float = 0.0

    async def drain(self, *, max_rounds: int = 10_000) -> DrainReport:
        """Send every message due now, sleeping (through the clock) only as the limits require."""
        report = DrainReport()
        for _ in range(max_rounds):
            if not self.keep_going():
                break
            due = await outbox.due(self.db, self.clock.now(), first=self.first)
            if not due:
                break
            ready = [m for m in due if self._chat_ready_at.get(m.chat_id, 0.0) <= self._now()]
            if not ready:
                await self.clock.sleep(min(self._chat_ready_at[m.chat_id] for m in due) - self._now())
                continue
            reread_at = self._now() + REREAD_SECONDS
            for message in ready:
                if not self.keep_going():
                    return report
                if self._now() >= reread_at:
                    break
                if self._chat_ready_at.get(message.chat_id, 0.0) > self._now():
                    continue  # a second message to the same chat in this batch waits for the next round
                await self._wait_for_global_slot()
                await self._send(message, report)
        return report

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def _wait_for_global_slot(self) -> None:
        wait = self._global_ready_at - self._now()
        if wait > 0:
            await self.clock.sleep(wait)
        self._global_ready_at = max(self._global_ready_at, self._now()) + 1.0 / self.pace.per_second

    async def _send(self, message: outbox.OutboxMessage, report: DrainReport) -> None:
        interval = self.pace.group_interval if message.chat_id < 0 else self.pace.private_interval
        self._chat_ready_at[message.chat_id] = self._now() + interval
        try:
            # The Bot's own method (sendMessage -> Bot.sendMessage): PTB's parameter names are the Bot API's, and
            # do_api_request would warn that a dedicated method exists.
            result = await getattr(self.bot, message.method)(**_with_files(message.payload))
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            self._global_ready_at = self._now() + wait
            report.rate_limited += 1
            report.postponed += 1
            await outbox.postpone(self.db, message.id, self.clock.now() + timedelta(seconds=wait), str(error),
                                  count_attempt=False)
            return
        except Forbidden as error:
            await self._unreachable(message, str(error), report)
            return
        except ChatMigrated as error:
            await self._give_up(message, "failed", f"chat migrated to {error.new_chat_id}", report)
            return
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                await self._unreachable(message, str(error), report)
            else:
                await self._give_up(message, "failed", str(error), report)
            return
        except (NetworkError, TelegramError) as error:
            await self._retry_later(message, str(error), report)
            return
        await outbox.mark_sent(self.db, message.id, self.clock.now(), getattr(result, "message_id", None))
        report.sent += 1

    async def _unreachable(self, message: outbox.OutboxMessage, error: str, report: DrainReport) -> None:
        logger.info("Chat %s cannot receive messages any more (%s of outbox message %s, %s): %s", message.chat_id,
                    message.method, message.id, _kind(message), error)
        async with self.db.transaction() as tx:
            await outbox.drop_pending_for_chat(tx, message.chat_id, error)
            if message.chat_id > 0:
                await members.mark_unreachable(tx, message.chat_id)
        report.dropped += 1

    async def _give_up(self, message: outbox.OutboxMessage, status: str, error: str, report: DrainReport) -> None:
        logger.warning("Outbox message %s (%s, %s) %s: %s", message.id, message.method, _kind(message), status, error)
        await outbox.give_up(self.db, message.id, status, error)
        report.failed += 1

    async def _retry_later(self, message: outbox.OutboxMessage, error: str, report: DrainReport) -> None:
        if message.attempts + 1 >= MAX_ATTEMPTS:
            await self._give_up(message, "failed", error, report)
            return
        backoff = min(2 ** message.attempts, 300)
        await outbox.postpone(self.db, message.id, self.clock.now() + timedelta(seconds=backoff), error,
                              count_attempt=True)
        report.postponed += 1
