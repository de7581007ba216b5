"""Fixtures: a fake clock, the Bot API simulator on that clock, and the in-process bot harness."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bot.clock import FakeClock
from bot.devtools.simulator import BotApiSimulator, SimUser
from tests.support import TOKEN, Harness, start_harness

# RetryAfter.retry_after as a timedelta, without PTB's deprecation warning (which filterwarnings=error raises).
os.environ.setdefault("PTB_TIMEDELTA", "true")

@pytest.fixture
def clock() -> FakeClock:
    # A Thursday in late November: Paris is at UTC+1, Lomé at UTC+0.
    return FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))


@pytest.fixture
def sim(clock: FakeClock):
    # strict_params=False: Telegram ignores parameters a method does not define, and PTB adds Defaults (parse_mode)
    # to some methods that lack them (editMessageReplyMarkup).
    simulator = BotApiSimulator(token=TOKEN, monotonic=clock.monotonic, clock=clock.monotonic, strict_params=False)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def facilitator(sim: BotApiSimulator) -> SimUser:
    """A facilitator of PASSERELLE_ADMINS (created first, so the configuration can name them)."""
    return sim.add_user("Claire", "Le Goff", language_code="fr")


@pytest_asyncio.fixture
async def harness(sim: BotApiSimulator, clock: FakeClock, facilitator: SimUser, tmp_path) -> Harness:
    h = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock, admins=frozenset({facilitator.id}))
    yield h
    await h.close()
    if not h.refusals_expected:
        h.assert_no_refused_call()
