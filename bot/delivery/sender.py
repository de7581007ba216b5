"""Drain the outbox within Telegram's limits, taking each message's turn in the bot's one pace (bot/delivery/pace.py).

Limits (TELEGRAM-NOTES §1): about 30 messages/s in total, 1/s per private chat, 20/min per group; the PaceKeeper
shared with direct answers spaces the sends and orders them by priority (a reminder before a relayed reply before
a broadcast), so a broadcast only uses what members' answers leave. 429 answers carry retry_after: the chat (or,
when several chats get one, everything) waits that long. 403 means the member blocked the bot (or left): stop
sending to them. Messages go one at a time and a row is marked sent right after Telegram confirms it, so a crash
re-sends at most the one message in flight.
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
from bot.delivery.pace import PACED, PacedRateLimiter, PaceKeeper, retry_after_seconds
from bot.domain.pace import Ticket
from bot.storage import members, outbox
from bot.storage.database import Database

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# While a long drain runs (a broadcast), the outbox is read again this often, so that a message queued meanwhile
# with a higher priority (a call reminder) waits about this long, not behind the whole broadcast.
REREAD_SECONDS = 0.25
# Rows read at a time: about 3 s of sending; reading more would only be read again after REREAD_SECONDS.
BATCH = 100


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


@dataclass
class Sender:
    bot: Bot
    db: Database
    clock: Clock
    # The pace shared with direct answers (the Bot's PacedRateLimiter's); a sender of its own without one.
    keeper: PaceKeeper | None = None
    # False once the application stops: PTB's shutdown waits for running jobs, and a broadcast takes minutes at
    # Telegram's pace. What is left stays in the outbox for the next start.
    keep_going: Callable[[], bool] = lambda: True
    _rate_limit_args: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.keeper is None:
            self.keeper = PaceKeeper(self.clock)
        if isinstance(getattr(self.bot, "rate_limiter", None), PacedRateLimiter):
            self._rate_limit_args = {"rate_limit_args": PACED}  # the turn is taken here, not again in the limiter

    async def drain(self, *, max_rounds: int = 10_000) -> DrainReport:
        """Send every message due now, by priority, waiting (through the clock) only for the pace."""
        report = DrainReport()
        keeper = self.keeper
        for _ in range(max_rounds):
            if not self.keep_going():
                break
            due = await outbox.due(self.db, self.clock.now(), limit=BATCH)
            if not due:
                break
            if not any(keeper.ready_at(m.chat_id) <= keeper.now() for m in due):
                await keeper.sleep_until(min(keeper.ready_at(m.chat_id) for m in due))
                continue
            reread_at = keeper.now() + REREAD_SECONDS
            while self.keep_going() and keeper.now() < reread_at:
                # A second message to a chat that just got one waits for the next round.
                ready = [m for m in due if keeper.ready_at(m.chat_id) <= keeper.now()]
                if not ready:
                    break
                message, ticket = await self._next_turn(ready)
                due.remove(message)
                try:
                    await self._send(message, report)
                finally:
                    keeper.confirmed(ticket)
        return report

    async def _next_turn(self, ready: list[outbox.OutboxMessage]) -> tuple[outbox.OutboxMessage, Ticket]:
        """The oldest ready message of each priority waits for a slot; the one the pace gives it to goes.

        Rows come ordered by priority, so without floors the first one would always win; with them, a broadcast
        keeps its share even while relayed replies keep coming (bot/domain/pace.py)."""
        candidates: dict[int, outbox.OutboxMessage] = {}
        for message in ready:
            candidates.setdefault(message.priority, message)
        offered = list(candidates.values())
        chosen, ticket = await self.keeper.first_turn([(m.priority, m.chat_id) for m in offered])
        return offered[chosen], ticket

    async def _send(self, message: outbox.OutboxMessage, report: DrainReport) -> None:
        try:
            # The Bot's own method (sendMessage -> Bot.sendMessage): PTB's parameter names are the Bot API's, and
            # do_api_request would warn that a dedicated method exists.
            result = await getattr(self.bot, message.method)(**_with_files(message.payload), **self._rate_limit_args)
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            self.keeper.rate_limited(message.chat_id, wait)
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
