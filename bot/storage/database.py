"""One writer connection with explicit transactions, and one reader answering outside them.

aiosqlite serialises statements, not transactions: two coroutines awaiting inside BEGIN…COMMIT on one connection
would interleave (one task's COMMIT committing the other's half-done writes). So every transaction holds an
asyncio.Lock from BEGIN to COMMIT. Never await the network inside a transaction.

Reads outside a transaction (`Database.fetch_one` / `fetch_all`: the member behind an update, their rights, a
round…) run on a second, query-only connection, inline on the event loop's thread. Most are indexed lookups of
some microseconds, while a hop to aiosqlite's thread and back costs a thread wake-up each way and a hand-over of
the GIL: measured at 0.3 to 0.8 ms of CPU per update under load, a quarter of the bot's time per update
(BENCHMARKS.md, "Third pass"). A long read (a report's rows) holds the loop about as long as before: building the
rows into Python objects needed the GIL on aiosqlite's thread too.

Being another connection, the reader never sees a transaction's uncommitted rows, without taking the writer's
lock. In WAL mode it is almost never refused; when it is (SQLITE_BUSY: recovery of the WAL, a foreign process
holding the file exclusively), the read waits its turn on the writer's connection as before. Statements inside a
transaction always go to the writer's connection, where they see its own writes.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

Params = Sequence[Any] | dict[str, Any]


@dataclass
class Memory:
    """What storage keeps in memory beside the rows it mirrors; the bot's process is the only writer while it runs.

    - `members_version` changes at every write to a member, so a member read earlier in an update can be reused
      until then (bot/handlers/common.py `member_of`);
    - `draft_owners` / `practice_askees`: members who have a call draft / a call follow-up still without its
      practice. None until loaded (`bot.storage.calls.load_memory`, at start); then any text from a member in
      neither set skips both lookups. A set may hold a member who no longer has one (one useless query), never
      lack one who has.
    - `facilitator_drafters` (Telegram user ids) / `decision_drafters` (member ids): who has a facilitator's
      guided-text draft / a decision draft; same rules, loaded at start too (`load_memory` of
      bot.storage.facilitator_tools and bot.storage.decisions). Every command and every private text looks for
      both drafts, and almost nobody has one.
    """

    members_version: int = 0
    draft_owners: set[int] | None = None
    practice_askees: set[int] | None = None
    facilitator_drafters: set[int] | None = None
    decision_drafters: set[int] | None = None


class Queryable(Protocol):
    """What storage functions need: either the Database (one statement, own transaction) or a Transaction."""

    memory: Memory

    async def execute(self, sql: str, params: Params = ()) -> int: ...
    async def insert(self, sql: str, params: Params = ()) -> int: ...
    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None: ...
    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]: ...


class Transaction:
    """Statements run inside an open BEGIN IMMEDIATE held by the current task.

    Each call is one hop to aiosqlite's thread (execute_fetchall, or execute and read the cursor's attributes):
    `async with connection.execute(...) as cursor` would cost three (execute, fetch, close) on every query.
    """

    def __init__(self, connection: aiosqlite.Connection, memory: Memory) -> None:
        self._connection = connection
        self.memory = memory

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement and return the number of rows it changed."""
        cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._connection.executemany(sql, rows)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row id."""
        cursor = await self._connection.execute(sql, params)
        return int(cursor.lastrowid or 0)

    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._connection.execute_fetchall(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._connection.execute_fetchall(sql, params))


class Database:
    """The bot's store: open() configures WAL, foreign keys, secure_delete and a busy timeout on the writer's
    connection, and opens the query-only reader beside it."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, reader: sqlite3.Connection) -> None:
        self._connection = connection
        self._reader = reader
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None
        self.path = path
        self.memory = Memory()

    @classmethod
    async def open(cls, path: Path | str, *, busy_timeout_s: float = 5.0) -> Database:
        """Open (creating if needed) the SQLite file; raises sqlite3.Error when the path is unusable."""
        path = Path(path)
        # aiosqlite answers a failed connect (missing folder, unreadable file) from its worker thread, which may
        # then outlive the event loop ("RuntimeError: Event loop is closed" at exit): fail here, synchronously.
        sqlite3.connect(path, timeout=busy_timeout_s).close()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves instead of sqlite3's implicit transactions.
        connection = await aiosqlite.connect(path, timeout=busy_timeout_s, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            # Per connection and off by default in SQLite; a no-op inside a transaction, so set it first.
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            # Per connection: deleted or rewritten content is overwritten with zeros in the file, not left in freed
            # space where a copy of the file would still show an erased member's phone and name (issue 10).
            await connection.execute("PRAGMA secure_delete=ON")
            # Fail now, not at the first write, when the file or its folder is not writable.
            await connection.execute("BEGIN IMMEDIATE")
            await connection.execute("COMMIT")
            reader = _open_reader(path)
        except BaseException:
            await connection.close()
            raise
        return cls(connection, path, reader)

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()
            self._reader.close()

    def stop_now(self) -> None:
        """Close without an event loop: the process is leaving after a start that failed half-way.

        aiosqlite's worker thread is not a daemon; left running, it would keep the process alive forever.
        """
        self._connection.stop()
        self._reader.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Hold the writer lock from BEGIN IMMEDIATE to COMMIT; roll back on any exception or cancellation."""
        self._refuse_reentry()
        async with self._lock:
            self._owner = asyncio.current_task()
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
                yield Transaction(self._connection, self.memory)
                await self._connection.execute("COMMIT")
            except BaseException:
                await asyncio.shield(self._rollback_if_open())
                raise
            finally:
                self._owner = None

    def _refuse_reentry(self) -> None:
        # The lock is not re-entrant: a task that uses the Database inside its own transaction would wait for
        # itself forever. Fail loudly instead (use the Transaction object you were given).
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("Database used inside its own transaction: use the Transaction object instead")

    async def _rollback_if_open(self) -> None:
        # A cancellation (shutdown, a crashing task) can land while BEGIN or COMMIT still runs in aiosqlite's
        # thread. Statements run in order there, so a no-op first waits for it; then the real state is known.
        await self._connection.execute("SELECT 1")
        if self._connection.in_transaction:
            await self._connection.execute("ROLLBACK")

    async def checkpoint_wal(self) -> bool:
        """Copy the WAL into the database file and truncate it to zero bytes; False if a reader kept it busy.

        Pages a transaction changed stay in the -wal file, old versions included, until a checkpoint: after an
        erasure this is what removes the member's values from it.
        """
        self._refuse_reentry()
        async with self._lock:
            rows = await self._connection.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        busy = rows[0][0] if rows else 1
        return busy == 0

    # One statement outside a transaction is its own transaction (the connection is in autocommit mode): as atomic
    # as BEGIN IMMEDIATE ... COMMIT around it, in one hop to aiosqlite's thread instead of three. A cancellation
    # cannot leave anything open: the statement completes or not in the thread, before anything queued after it.
    async def execute(self, sql: str, params: Params = ()) -> int:
        self._refuse_reentry()
        async with self._lock:
            return await Transaction(self._connection, self.memory).execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        self._refuse_reentry()
        async with self._lock:
            return await Transaction(self._connection, self.memory).insert(sql, params)

    # Reads: inline on the reader (see the module's docstring); on the writer's connection, in turn, only when the
    # reader is refused. Still refused inside the task's own transaction: there the read belongs on the Transaction,
    # which sees the rows written so far.
    async def fetch_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    async def fetch_all(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        self._refuse_reentry()
        try:
            return self._reader.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
        async with self._lock:
            return await Transaction(self._connection, self.memory).fetch_all(sql, params)


def _open_reader(path: Path) -> sqlite3.Connection:
    """The inline reader: query-only, and refused at once rather than waiting (the event loop must never wait)."""
    # check_same_thread=False: the bot uses it from its event loop's thread only, which need not be the thread
    # that opened it (a test's or the demo's loop).
    reader = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    try:
        reader.row_factory = sqlite3.Row
        reader.execute("PRAGMA query_only=ON")
    except BaseException:
        reader.close()
        raise
    return reader


def _is_busy(error: sqlite3.OperationalError) -> bool:
    # SQLITE_BUSY and its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT) share the low byte.
    return error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
