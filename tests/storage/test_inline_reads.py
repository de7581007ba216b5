"""Reads outside a transaction: inline on a query-only connection, never seeing uncommitted rows, and in turn on
the writer's connection when SQLite refuses the reader (bot/storage/database.py)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.storage.database import Database


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "test.sqlite3")
    await database.execute("CREATE TABLE things (name TEXT)")
    yield database
    await database.close()


async def _names(db: Database) -> list[str]:
    return [row["name"] for row in await db.fetch_all("SELECT name FROM things ORDER BY rowid")]


async def test_a_read_during_another_tasks_transaction_sees_the_last_commit_without_waiting_for_it(db):
    await db.execute("INSERT INTO things VALUES ('before')")
    inside, release = asyncio.Event(), asyncio.Event()

    async def write_and_wait() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO things VALUES ('half')")
            inside.set()
            await release.wait()

    task = asyncio.create_task(write_and_wait())
    await inside.wait()
    # The transaction holds the writer's lock and is not committed: the read neither waits nor sees its row.
    assert await asyncio.wait_for(_names(db), timeout=1) == ["before"]
    release.set()
    await task
    assert await _names(db) == ["before", "half"]


async def test_a_write_is_visible_to_the_next_read_as_soon_as_it_returns(db):
    for n in range(20):
        await db.execute("INSERT INTO things VALUES (?)", (f"n{n}",))
        assert (await db.fetch_one("SELECT count(*) FROM things"))[0] == n + 1
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM things WHERE name = 'n0'")
    assert "n0" not in await _names(db)


async def test_the_reader_refuses_to_write(db):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.fetch_all("INSERT INTO things VALUES ('sneaked')")
    assert await _names(db) == []


async def test_a_broken_query_fails_as_itself(db):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.fetch_one("SELECT * FROM nothing_here")


def _real_busy_error(path) -> sqlite3.OperationalError:
    """SQLite's own SQLITE_BUSY: a second writer refused at once while the first holds the write lock."""
    first = sqlite3.connect(path, isolation_level=None)
    second = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        first.execute("BEGIN IMMEDIATE")
        try:
            second.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return error
        raise AssertionError("SQLite did not refuse the second writer")
    finally:
        first.execute("ROLLBACK")
        first.close()
        second.close()


class _RefusedReader:
    """Stands in for the reader when SQLite refuses it (recovery of the WAL, a process holding the file)."""

    def __init__(self, error: sqlite3.OperationalError) -> None:
        self.error = error
        self.refusals = 0

    def execute(self, sql, params=()):
        self.refusals += 1
        raise self.error

    def close(self) -> None:
        return None


async def test_a_refused_read_waits_its_turn_on_the_writers_connection(db, tmp_path):
    await db.execute("INSERT INTO things VALUES ('kept')")
    busy = _real_busy_error(tmp_path / "test.sqlite3")
    assert busy.sqlite_errorcode == sqlite3.SQLITE_BUSY
    reader, db._reader = db._reader, _RefusedReader(busy)
    try:
        assert await _names(db) == ["kept"]
        assert (await db.fetch_one("SELECT name FROM things"))["name"] == "kept"
        assert db._reader.refusals == 2
    finally:
        db._reader = reader


async def test_other_refusals_of_the_reader_are_not_retried(db):
    refusal = sqlite3.OperationalError("disk I/O error")
    refusal.sqlite_errorcode = 10  # SQLITE_IOERR
    reader, db._reader = db._reader, _RefusedReader(refusal)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
            await _names(db)
    finally:
        db._reader = reader
