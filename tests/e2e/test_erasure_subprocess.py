"""SIGKILL in the middle of an erasure (issue 10): a child process runs the real erase_member on a real SQLite file
and kills itself between two of its statements; the file then holds the member whole, or nothing of them.

Run as a module, this file is the child: `python -m tests.e2e.test_erasure_subprocess <db> <member id> <writes>`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.erasure import erase_member
from bot.storage import members
from bot.storage.database import Database
from tests.e2e.test_calls import people, press, propose, slot_ids, vote
from tests.e2e.test_weekly_exchange import at
from tests.statement_faults import FaultyDatabase, table_contents
from tests.support import start_harness

pytestmark = pytest.mark.subprocess
ROOT = Path(__file__).resolve().parents[2]


async def _child(db_path: Path, member_id: int, after_writes: int) -> None:
    db = await Database.open(db_path)
    killed = FaultyDatabase(db, after_writes, fault=lambda: os.kill(os.getpid(), signal.SIGKILL))
    await erase_member(killed, member_id)  # type: ignore[arg-type] - the seam stands for the Database
    await db.close()


def _copy(db_path: Path, to: Path) -> Path:
    for suffix in ("", "-wal"):  # the -wal file holds committed pages too until a checkpoint
        if Path(f"{db_path}{suffix}").exists():
            shutil.copy(f"{db_path}{suffix}", f"{to}{suffix}")
    return to


def _run_child(db_path: Path, member_id: int, after_writes: int) -> int:
    process = subprocess.run([sys.executable, "-m", "tests.e2e.test_erasure_subprocess", str(db_path),
                              str(member_id), str(after_writes)], cwd=ROOT, capture_output=True, timeout=60)
    assert process.returncode in (0, -signal.SIGKILL), process.stderr.decode()
    return process.returncode


async def _contents(db_path: Path) -> dict[str, list[tuple]]:
    db = await Database.open(db_path)
    try:
        return await table_contents(db)
    finally:
        await db.close()


async def _a_member_with_a_footprint(sim, clock, db_path: Path) -> int:
    """Ama: replies relayed, a call she proposed and confirmed, votes of others; returns her member id."""
    h = await start_harness(sim, db_path, clock)
    try:
        u = await people(h)
        await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
        await h.text(u["ama"], "Nous partageons les semences entre coopératives.")
        await h.drain()
        proposal = await propose(h, u["ama"], "Seeds", [datetime(2026, 12, 3, 15, 0)])
        await vote(h, u["maël"], proposal, (await slot_ids(h, proposal))[0])
        await press(h, u["ama"], f"cc:{proposal.id}")
        return (await members.get_by_telegram_id(h.db, u["ama"].id)).id
    finally:
        await h.close()


async def test_a_kill_between_two_statements_of_an_erasure_leaves_all_or_nothing(sim, clock, tmp_path):
    original = tmp_path / "original.sqlite3"
    member_id = await _a_member_with_a_footprint(sim, clock, original)
    before = await _contents(original)
    complete = _copy(original, tmp_path / "complete.sqlite3")
    assert _run_child(complete, member_id, after_writes=10_000) == 0
    erased = await _contents(complete)
    assert erased != before and not [r for r in erased["members"] if r[0] == member_id]

    outcomes = []
    for after_writes in (1, 2, 3, 5, 8):
        copy = _copy(original, tmp_path / f"killed-after-{after_writes}.sqlite3")
        assert _run_child(copy, member_id, after_writes) == -signal.SIGKILL
        contents = await _contents(copy)
        assert contents in (before, erased), f"half-erased after a kill following write {after_writes}"
        outcomes.append(contents == before)
    assert all(outcomes)  # killed before COMMIT: the member is whole, and can ask again


if __name__ == "__main__":
    path, member, writes = sys.argv[1:4]
    asyncio.run(_child(Path(path), int(member), int(writes)))
