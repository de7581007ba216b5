"""Faults around `passerelle run` as a real process: another poller (409), an API outage while polling, SIGKILL in
the middle of a broadcast. Each test counts what the simulator received and what the database holds."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import resources
from bot.devtools.seeding import Seeded, seed_members
from bot.devtools.simulator import BotApiSimulator
from bot.storage import migrate
from bot.storage.database import Database
from tests.e2e.test_run_subprocess import TOKEN, _env, _start

pytestmark = pytest.mark.subprocess
CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


@pytest.fixture
def live_sim():
    with BotApiSimulator(token=TOKEN, strict_params=False) as simulator:
        yield simulator


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> tuple[str, str]:
    if process.poll() is None:
        process.send_signal(sig)
    return process.communicate(timeout=30)


def _poll_once_from_another_process(api_root: str) -> None:
    """What a second instance does: a getUpdates of its own, which ends the first instance's long poll with 409."""
    request = urllib.request.Request(f"{api_root}/bot{TOKEN}/getUpdates", data=b"timeout=0",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["ok"]


def test_another_instance_polling_stops_the_bot_with_one_clear_line(live_sim, tmp_path):
    process = _start(_env(live_sim.api_root, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        live_sim.wait_for(lambda s: s.waiting_polls == 1, timeout=30)
        started = time.monotonic()
        _poll_once_from_another_process(live_sim.api_root)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGKILL)
    assert process.returncode == 4
    assert time.monotonic() - started < 15  # not PTB's endless retry
    assert stderr.count("\n") == 1 and "another instance is polling with this token" in stderr
    assert "Traceback" not in stderr + stdout and TOKEN.split(":")[1] not in stdout + stderr
    assert sum(1 for r in live_sim.requests if r.method == "getUpdates" and r.status == 409) >= 1


def test_a_409_from_getupdates_at_start_also_stops_the_bot(live_sim, tmp_path):
    live_sim.fail_next("getUpdates", error_code=409, description=CONFLICT, count=1000)
    process = _start(_env(live_sim.api_root, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGKILL)
    assert process.returncode == 4 and "another instance is polling" in stderr
    # Stopped at the first 409 (the final offset-confirming call at shutdown may add one more), not retried.
    assert sum(1 for r in live_sim.requests if r.method == "getUpdates") <= 3


def test_an_api_outage_while_polling_loses_no_update_and_answers_each_once(live_sim, tmp_path):
    """502s and dropped connections on getUpdates: PTB backs off and resumes; updates sent meanwhile arrive once."""
    process = _start(_env(live_sim.api_root, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        live_sim.wait_for(lambda s: s.waiting_polls == 1, timeout=30)
        live_sim.fail_next("getUpdates", error_code=502, description="Bad Gateway", count=2)
        live_sim.drop_connections("getUpdates", count=1)
        before, during = live_sim.add_user("Before"), live_sim.add_user("During")
        live_sim.send_command(before.id, "start")  # ends the waiting poll; the next three polls fail
        live_sim.wait_for(lambda s: bool(s.sent_messages(before.id)), timeout=30)
        live_sim.send_command(during.id, "start")
        live_sim.wait_for(lambda s: bool(s.sent_messages(during.id)), timeout=30)
        time.sleep(0.5)  # a duplicate answer would have arrived by now
        assert process.poll() is None  # still running
        # (Read before stopping: at shutdown PTB's last getUpdates ends its own abandoned long poll with a 409.)
        failed = [r.status for r in live_sim.requests if r.method == "getUpdates" and not r.ok]
    finally:
        stdout, stderr = _stop(process)
    assert process.returncode == 0, stderr
    assert failed == [502, 502, 0]
    assert len(live_sim.sent_messages(before.id)) == len(live_sim.sent_messages(during.id)) == 1
    assert "Traceback" not in stdout + stderr


async def _seed(db_path: Path, sim: BotApiSimulator, count: int) -> list[Seeded]:
    db = await Database.open(db_path)
    try:
        await migrate.migrate(db, resources.migrations_dir())
        return await seed_members(db, sim, count, datetime.now(UTC))
    finally:
        await db.close()


def test_sigkill_during_a_broadcast_then_restart_loses_nothing_and_duplicates_at_most_one(live_sim, tmp_path):
    """The weekly question to 60 members (about 2 s at Telegram's 30/s); the process is killed after 20."""
    db = tmp_path / "bot.sqlite3"
    seeded = asyncio.run(_seed(db, live_sim, 60))
    chats = {s.telegram_user_id for s in seeded}
    facilitator = live_sim.add_user("Claire")

    def received(sim: BotApiSimulator) -> Counter:
        return Counter(m.chat_id for m in sim.sent_messages() if m.chat_id in chats)

    env = _env(live_sim.api_root, db, PASSERELLE_ADMINS=str(facilitator.id))
    first = _start(env, tmp_path)
    try:
        live_sim.wait_for(lambda s: s.waiting_polls == 1, timeout=30)
        live_sim.send_command(facilitator.id, "sendprompt", args="food")
        live_sim.wait_for(lambda s: sum(received(s).values()) >= 20, timeout=30)
    finally:
        _stop(first, signal.SIGKILL)
    assert first.returncode == -signal.SIGKILL
    killed_at = sum(received(live_sim).values())
    assert killed_at < len(chats)  # really in the middle

    second = _start(env, tmp_path)
    try:
        live_sim.wait_for(lambda s: len(received(s)) == len(chats), timeout=60)
        time.sleep(1.0)  # anything sent twice after the restart would show by now
    finally:
        _, stderr = _stop(second)
    assert second.returncode == 0, stderr

    counts = received(live_sim)
    assert set(counts) == chats                                    # nothing lost
    assert sum(n - 1 for n in counts.values()) <= 1                # at most the message in flight, again
    with closing(sqlite3.connect(db)) as connection:
        statuses = dict(connection.execute(
            "SELECT status, count(*) FROM outbox WHERE chat_id != ? GROUP BY status", (facilitator.id,)).fetchall())
    assert statuses == {"sent": len(chats)}


def test_sigterm_during_a_broadcast_stops_promptly_and_keeps_the_rest_for_the_next_start(live_sim, tmp_path):
    """PTB waits for running jobs at shutdown; a drain of 300 messages (10 s at 30/s) must not hold it."""
    db = tmp_path / "bot.sqlite3"
    seeded = asyncio.run(_seed(db, live_sim, 300))
    chats = {s.telegram_user_id for s in seeded}
    facilitator = live_sim.add_user("Claire")
    process = _start(_env(live_sim.api_root, db, PASSERELLE_ADMINS=str(facilitator.id)), tmp_path)
    try:
        live_sim.wait_for(lambda s: s.waiting_polls == 1, timeout=30)
        live_sim.send_command(facilitator.id, "sendprompt", args="food")
        live_sim.wait_for(lambda s: sum(1 for m in s.sent_messages() if m.chat_id in chats) >= 20, timeout=30)
        stopping = time.monotonic()
        _, stderr = _stop(process)
        stopped_in = time.monotonic() - stopping
    finally:
        if process.poll() is None:
            _stop(process, signal.SIGKILL)
    assert process.returncode == 0, stderr
    assert stopped_in < 5
    with closing(sqlite3.connect(db)) as connection:
        pending = connection.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    assert pending > 0 and pending + sum(1 for m in live_sim.sent_messages() if m.chat_id in chats) == len(chats)
