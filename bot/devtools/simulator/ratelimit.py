"""Flood control as the Bot API applies it to a bot's sends (Bot FAQ "My bot is hitting limits").

* all chats together: 30 messages per second (sliding one-second window);
* one private chat: about one message per second, "short bursts" tolerated -> a token bucket of 3
  refilled at 1 token/s;
* one group or supergroup: 20 messages per minute (sliding 60-second window).

A refused send consumes nothing, and the 429 says how long to wait: ``ceil(seconds)``, at least 1.
The clock is injected so tests advance a fake ``monotonic`` instead of sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GLOBAL_PER_SECOND = 30
PRIVATE_BURST = 3
PRIVATE_REFILL_PER_SECOND = 1.0
GROUP_PER_MINUTE = 20


@dataclass
class _Bucket:
    tokens: float
    updated_at: float


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()
        if len(self._events) < self.limit:
            return 0.0
        return self._events[0] + self.window - now

    def record(self, now: float) -> None:
        self._events.append(now)


class FloodControl:
    """Decides whether a send to a chat is allowed now; ``acquire`` records it when it is."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._global = SlidingWindow(GLOBAL_PER_SECOND, 1.0)
        self._groups: dict[int, SlidingWindow] = {}
        self._private: dict[int, _Bucket] = {}

    def acquire(self, chat_id: int, *, private: bool) -> int | None:
        """Record a send and return None, or return ``retry_after`` seconds without recording anything."""
        now = self._monotonic()
        wait = max(self._global.wait_time(now), self._chat_wait(chat_id, private, now))
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.record(now)
        if private:
            self._private[chat_id].tokens -= 1
        else:
            self._groups[chat_id].record(now)
        return None

    def _chat_wait(self, chat_id: int, private: bool, now: float) -> float:
        if not private:
            window = self._groups.setdefault(chat_id, SlidingWindow(GROUP_PER_MINUTE, 60.0))
            return window.wait_time(now)
        bucket = self._private.setdefault(chat_id, _Bucket(PRIVATE_BURST, now))
        refill = (now - bucket.updated_at) * PRIVATE_REFILL_PER_SECOND
        bucket.tokens = min(PRIVATE_BURST, bucket.tokens + refill)
        bucket.updated_at = now
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) / PRIVATE_REFILL_PER_SECOND
