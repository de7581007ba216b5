"""The one pace owner: every message the bot sends waits here for its slot, by priority (bot/domain/pace.py).

Direct answers reach it through PTB's request path (`PacedRateLimiter`, installed on the Bot); the outbox sender
asks for its turn itself before each message (`PaceKeeper.turn`) and then sends with `rate_limit_args=PACED`, so
that the limiter does not make it wait twice. Both share one `PaceKeeper`, so a broadcast only uses what
members' answers and reminders leave of Telegram's quota.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.clock import Clock
from bot.domain.pace import Limits, PaceSchedule, Priority, Ticket

logger = logging.getLogger(__name__)

# rate_limit_args of a request whose slot was already taken (by the outbox sender). PTB ignores falsy values.
PACED = "paced"


def retry_after_seconds(error: RetryAfter) -> float:
    """retry_after is an int or, with PTB_TIMEDELTA=true, a timedelta."""
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PaceKeeper:
    """Hands out send slots by priority; one dispatcher task runs while requests wait, sleeping through the clock."""

    def __init__(self, clock: Clock, limits: Limits | None = None) -> None:
        self.clock = clock
        self.schedule = PaceSchedule(limits or Limits())
        # A waiting request -> (the future its caller awaits, every offer of that caller)
        self._slots: dict[Ticket, tuple[asyncio.Future[Ticket], list[Ticket]]] = {}
        self._arrival = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self.clock.now().timestamp()

    async def sleep_until(self, instant: float) -> None:
        """Sleep through the clock, rounded up to the microsecond: datetimes hold no less, and a wait rounded down
        would wake just short of the instant (nothing due yet, and a zero wait next, forever)."""
        await self.clock.sleep(math.ceil(max(instant - self.now(), 0.0) * 1e6) / 1e6)

    def ready_at(self, chat_id: int) -> float:
        """When an outbox message to that chat may go (its one second, or its 429 pause, is over)."""
        return self.schedule.ready_at(chat_id)

    async def turn(self, priority: Priority, chat_id: int, *, per_chat: bool = True) -> Ticket:
        """Wait for this request's slot; on return the slot is counted as used. Call `confirmed` once answered."""
        return (await self.first_turn([(priority, chat_id)], per_chat=per_chat))[1]

    def confirmed(self, ticket: Ticket) -> None:
        """The request sent in that slot was answered (or failed): Telegram has seen it by now."""
        self.schedule.confirmed(ticket, self.now())
        if self.schedule.waiting:
            self._wake()  # a send held back by Telegram's one-second window may go now

    async def first_turn(self, requests: list[tuple[Priority, int]], *, per_chat: bool = True
                         ) -> tuple[int, Ticket]:
        """Several requests wait together; returns the index of the one given the slot (and its ticket, for
        `confirmed`); the others leave.

        The outbox sender offers its oldest ready message of each priority this way, so that the pace's floors
        apply between them too (a broadcast keeps its share while relayed replies keep coming)."""
        now = self.now()
        tickets = [Ticket(priority, chat_id, per_chat) for priority, chat_id in requests]
        for ticket in tickets:
            self.schedule.join(ticket, now)
        if self._dispatcher is None or self._dispatcher.done():
            # Nobody else waits (the dispatcher runs while anyone does): when the slot is free, no task is needed.
            taken = self.schedule.take(now)
            if taken is not None:
                self._leave([t for t in tickets if t is not taken])
                return tickets.index(taken), taken
        slot: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        for ticket in tickets:
            self._slots[ticket] = (slot, tickets)
        self._wake()
        try:
            given = await slot
            return tickets.index(given), given
        except asyncio.CancelledError:
            self._leave(tickets)
            raise

    def _give(self, ticket: Ticket) -> None:
        """The slot goes to this request; the other offers of the same caller leave at once (synchronously, so
        that no one sleeps on their behalf while the caller sends)."""
        entry = self._slots.pop(ticket, None)
        if entry is None:
            return
        slot, offers = entry
        self._leave([t for t in offers if t is not ticket])
        if not slot.done():
            slot.set_result(ticket)

    def _leave(self, tickets: list[Ticket]) -> None:
        now = self.now()
        for ticket in tickets:
            self._slots.pop(ticket, None)
            self.schedule.leave(ticket, now)

    def rate_limited(self, chat_id: int, retry_after: float) -> None:
        self.schedule.rate_limited(chat_id, retry_after, self.now())
        self._wake()

    async def close(self) -> None:
        if self._dispatcher is not None and not self._dispatcher.done():
            self._dispatcher.cancel()
            try:
                await self._dispatcher
            except asyncio.CancelledError:
                pass

    def _wake(self) -> None:
        self._arrival.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch(), name="pace-keeper")

    async def _dispatch(self) -> None:
        while self.schedule.waiting:
            now = self.now()
            ticket = self.schedule.take(now)
            if ticket is not None:
                self._give(ticket)
                continue
            self._arrival.clear()
            until = self.schedule.next_change(now)
            if until is not None:
                await self._pause(until)

    async def _pause(self, until: float) -> None:
        """Sleep (through the clock) until the next possible slot, or until a new request arrives."""
        sleeper = asyncio.ensure_future(self.sleep_until(until))
        arrival = asyncio.ensure_future(self._arrival.wait())
        try:
            await asyncio.wait({sleeper, arrival}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, arrival):
                task.cancel()


class PacedRateLimiter(BaseRateLimiter[str]):
    """PTB's hook on every request: requests to a chat take a slot of the shared pace first (direct answers at
    the first priority, no per-private-chat wait); others (answerCallbackQuery, getMe…) go at once.

    On a 429, the chat (or, for two chats at once, everything) is paused and the request tried again after it,
    up to `max_retries` times; then the RetryAfter reaches the handler, as without a limiter.
    """

    def __init__(self, keeper_factory: Callable[[], PaceKeeper], max_retries: int = 2) -> None:
        self._keeper_factory = keeper_factory
        self._keeper: PaceKeeper | None = None
        self.max_retries = max_retries

    @property
    def keeper(self) -> PaceKeeper:
        """Built on first use, inside the running loop (the keeper's Event belongs to it)."""
        if self._keeper is None:
            self._keeper = self._keeper_factory()
        return self._keeper

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._keeper is not None:
            await self._keeper.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = _chat_id(data)
        if chat_id is None or rate_limit_args == PACED:
            return await callback(*args, **kwargs)
        for attempt in range(self.max_retries + 1):
            ticket = await self.keeper.turn(Priority.FIRST, chat_id, per_chat=False)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                self.keeper.rate_limited(chat_id, retry_after_seconds(error))
                logger.warning("Rate limited on %s for chat %s (attempt %d): %s", endpoint, chat_id, attempt + 1,
                               error)
                if attempt == self.max_retries:
                    raise
            finally:
                self.keeper.confirmed(ticket)
        raise AssertionError("unreachable")


def _chat_id(data: dict[str, Any]) -> int | None:
    value = data.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        # A numeric id passed as text; an @channel name counts as a group (PTB's limiter does the same).
        return int(value) if value.lstrip("-").isdigit() else -abs(hash(value)) - 1
    return None
