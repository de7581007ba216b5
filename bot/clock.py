"""The clock seam: every 'now' in the bot comes from a Clock, so tests can move time without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant as an aware UTC datetime."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait; pacing code sleeps through the clock so that tests can pass time instantly."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        # Yield to the loop like a real sleep would, then jump.
        await asyncio.sleep(0)
        self._now += timedelta(seconds=max(seconds, 0))

    def monotonic(self) -> float:
        """Seconds since the epoch as a float, usable as a monotonic source for the simulator's rate limits."""
        return self._now.timestamp()

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)
