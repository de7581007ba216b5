"""Who sends next under Telegram's quota: the rules of the one pace shared by everything the bot sends.

Telegram allows a bot about 30 messages per second overall, about one per second in a private chat and 20 per
minute in a group (TELEGRAM-NOTES §1). Direct answers and the outbox draw from the same quota, so one schedule
decides, request by request, who takes the next slot:

- slots are spaced evenly (`Limits.per_second`, under Telegram's 30): no burst; and a 31st send never starts less
  than a second after the 30th before it was answered (`confirmed`; still unanswered: now, for at most
  `Limits.unanswered_after` seconds): a send that reached Telegram late (a pause of the process between its slot
  and its request) cannot bunch up with the sends after it;
- the waiting request of the highest priority whose chat may receive goes first, oldest first within a priority;
- a lower priority with a floor (`Limits.floors`, e.g. broadcasts at 10/s) earns that many slots per second while
  it waits, and takes them even when higher priorities are waiting: it slows down while members talk, never stops;
- a 429 pauses the chat it came from; two 429s from different chats within a second mean the global limit was hit,
  and then everything pauses for `retry_after`.

Pure and synchronous: times are plain seconds (any origin) handed in by the caller, so tests need no clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    FIRST = 0       # a direct answer to a member's action; a call reminder (time-bound)
    RELAYED = 1     # a relayed reply, an introduction, a notice about one member or one call
    BROADCAST = 2   # the weekly question, an announcement, a digest: large fan-outs


@dataclass(frozen=True)
class Limits:
    per_second: float = 29.0        # just under the ~30/s global limit
    private_interval: float = 1.0   # one message per second per private chat (outbox messages)
    group_interval: float = 3.0     # 20 messages per minute per group (every message)
    # Slots per second a priority earns while it waits, whatever waits above it.
    floors: tuple[tuple[Priority, float], ...] = ((Priority.RELAYED, 2.0), (Priority.BROADCAST, 10.0))
    global_429_window: float = 1.0  # 429s from two chats this close together: the global limit was hit
    telegram_per_second: int = 30   # Telegram's own limit, in any one second
    unanswered_after: float = 2.0   # a request still unanswered this long after its slot no longer holds others

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second


@dataclass(eq=False)
class Ticket:
    """One request waiting for its slot; `per_chat` requests also wait for their private chat's one second
    (outbox messages do; a direct answer to a member who just wrote does not make them wait)."""

    priority: Priority
    chat_id: int
    per_chat: bool = True
    order: int = 0
    granted_at: float | None = None
    answered_at: float | None = None


@dataclass
class PaceSchedule:
    limits: Limits = field(default_factory=Limits)
    _waiting: list[Ticket] = field(default_factory=list)
    _next_slot: float = float("-inf")
    _recent: deque[Ticket] = field(default_factory=deque)   # the last telegram_per_second requests given a slot
    _chat_ready: dict[int, float] = field(default_factory=dict)   # per-chat pace (private: outbox only)
    _paused: dict[int, float] = field(default_factory=dict)       # chat -> until (after a 429)
    _paused_all_until: float = float("-inf")
    _last_429: tuple[int, float] | None = None
    _credit: dict[Priority, float] = field(default_factory=dict)
    _credit_at: float | None = None
    _granted_at: dict[Priority, float] = field(default_factory=dict)
    _joined: int = 0

    def join(self, ticket: Ticket, now: float) -> None:
        self._accrue(now)
        self._joined += 1
        ticket.order = self._joined
        self._waiting.append(ticket)

    def leave(self, ticket: Ticket, now: float) -> None:
        """A waiting request that gave up (cancelled): it frees nothing, it just stops waiting."""
        self._accrue(now)
        if ticket in self._waiting:
            self._waiting.remove(ticket)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def ready_at(self, chat_id: int, *, per_chat: bool = True) -> float:
        """When a message to that chat may go, as far as the chat is concerned (not the global slot)."""
        ready = max(self._paused_all_until, self._paused.get(chat_id, float("-inf")))
        if per_chat or chat_id < 0:
            ready = max(ready, self._chat_ready.get(chat_id, float("-inf")))
        return ready

    def take(self, now: float) -> Ticket | None:
        """The request that gets the slot now, if the slot has come and someone may use it; records the send."""
        if now < self._slot_time(now):
            return None
        self._accrue(now)
        eligible = [t for t in self._waiting if self.ready_at(t.chat_id, per_chat=t.per_chat) <= now]
        if not eligible:
            return None
        owed = [t for t in eligible if self._credit.get(t.priority, 0.0) >= 1.0]
        ticket = min(owed or eligible, key=lambda t: (t.priority, t.order))
        self._waiting.remove(ticket)
        if ticket.priority in self._credit:
            self._credit[ticket.priority] = max(0.0, self._credit[ticket.priority] - 1.0)
        self._granted_at[ticket.priority] = now
        ticket.granted_at = now
        self._recent.append(ticket)
        if len(self._recent) > self.limits.telegram_per_second:
            self._recent.popleft()
        # Slots keep their cadence when a grant comes a little late (a sleeper's wake-up, a busy loop): the lateness
        # is caught up at the next slot. Later than a quarter of a slot, the pace restarts from now. At 29/s, the
        # 31st send after any send is then at least 30/29 - 1/116 = 1.026 s after it: never 31 in one second, with
        # 26 ms to spare for the network's jitter.
        late = now - self._next_slot
        start = self._next_slot if 0 <= late <= self.limits.interval / 4 else now
        self._next_slot = start + self.limits.interval
        self._sent(ticket.chat_id, now)
        return ticket

    def next_change(self, now: float) -> float | None:
        """The earliest time `take` may return a request (None when nobody waits); sooner if a request is answered."""
        if not self._waiting:
            return None
        chats = min(self.ready_at(t.chat_id, per_chat=t.per_chat) for t in self._waiting)
        return max(self._slot_time(now), chats, now)

    def confirmed(self, ticket: Ticket, now: float) -> None:
        """The request of that slot got its answer (or failed): it reached Telegram by now at the latest."""
        if ticket.granted_at is not None and ticket.answered_at is None:
            ticket.answered_at = max(now, ticket.granted_at)

    def _slot_time(self, now: float) -> float:
        """When the next slot opens: its cadence, a global pause, and Telegram's one-second window allow it."""
        window = float("-inf")
        if len(self._recent) >= self.limits.telegram_per_second:
            window = self._reached_by(self._recent[0], now) + 1.0
        return max(self._next_slot, self._paused_all_until, window)

    def _reached_by(self, ticket: Ticket, now: float) -> float:
        """The latest instant a request given a slot can have reached Telegram: its answer; unanswered, now (it
        may be arriving), but a request stuck that long no longer counts."""
        if ticket.answered_at is not None:
            return ticket.answered_at
        return min(max(ticket.granted_at, now), ticket.granted_at + self.limits.unanswered_after)

    def rate_limited(self, chat_id: int, retry_after: float, now: float) -> None:
        """A 429 for that chat: pause it; a second chat within the window means the global limit: pause all."""
        until = now + retry_after
        self._paused[chat_id] = max(self._paused.get(chat_id, until), until)
        if self._last_429 is not None:
            other_chat, at = self._last_429
            if other_chat != chat_id and now - at <= self.limits.global_429_window:
                self._paused_all_until = max(self._paused_all_until, until)
        self._last_429 = (chat_id, now)

    def _sent(self, chat_id: int, now: float) -> None:
        interval = self.limits.group_interval if chat_id < 0 else self.limits.private_interval
        self._chat_ready[chat_id] = now + interval
        if len(self._chat_ready) > 4096:  # forget chats whose pace is long over (a broadcast touches thousands)
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
            self._paused = {c: t for c, t in self._paused.items() if t > now}

    def _accrue(self, now: float) -> None:
        """Floors earn credit while their priority has work, at most one slot in advance. Having work: a request
        waiting, or one granted less than a second ago (the outbox sender joins again right after each send)."""
        if self._credit_at is not None:
            elapsed = max(0.0, now - self._credit_at)
            waiting = {t.priority for t in self._waiting}
            for priority, per_second in self.limits.floors:
                if priority in waiting or now - self._granted_at.get(priority, float("-inf")) < 1.0:
                    self._credit[priority] = min(1.0, self._credit.get(priority, 0.0) + per_second * elapsed)
        self._credit_at = now
        for priority, _ in self.limits.floors:
            self._credit.setdefault(priority, 0.0)
