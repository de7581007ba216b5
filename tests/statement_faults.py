"""A seam for all-or-nothing tests: a Database whose transactions break between two write statements.

It wraps the real Database (same file, same connection): every write of a transaction is counted, and once
`after_writes` of them have run, `fault()` is called before the next one (in-process tests raise; the
subprocess test SIGKILLs its own process). Reads pass through uncounted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.storage.database import Database, Params, Transaction


class StatementFailed(RuntimeError):
    """Raised in place of a write statement by the fault seam."""


def raise_statement_failed() -> None:
    raise StatementFailed("the next statement failed (test seam)")


class FaultyDatabase:
    """The real Database, except that the write after the first `after_writes` ones calls `fault` instead."""

    def __init__(self, db: Database, after_writes: int, fault: Callable[[], None] = raise_statement_failed) -> None:
        self._db = db
        self.after_writes = after_writes
        self.fault = fault
        self.writes = 0

    def __getattr__(self, name: str) -> Any:  # fetch_one, checkpoint_wal, path… as the real one
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        async with self._db.transaction() as tx:
            yield _CountingTransaction(tx, self)

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return await tx.execute(sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as tx:
            return await tx.insert(sql, params)

    def before_write(self) -> None:
        if self.writes >= self.after_writes:
            self.fault()
        self.writes += 1


class _CountingTransaction:
    def __init__(self, tx: Transaction, owner: FaultyDatabase) -> None:
        self._tx, self._owner = tx, owner

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._owner.before_write()
        return await self._tx.execute(sql, params)

    async def executemany(self, sql: str, rows) -> None:  # noqa: ANN001 - as Transaction.executemany
        self._owner.before_write()
        await self._tx.executemany(sql, rows)

    async def insert(self, sql: str, params: Params = ()) -> int:
        self._owner.before_write()
        return await self._tx.insert(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()):  # noqa: ANN201 - sqlite3.Row | None
        return await self._tx.fetch_one(sql, params)

    async def fetch_all(self, sql: str, params: Params = ()):  # noqa: ANN201 - list[sqlite3.Row]
        return await self._tx.fetch_all(sql, params)


async def table_contents(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table, for comparing the whole database before and after."""
    names = [r["name"] for r in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: [tuple(r) for r in await db.fetch_all(f"SELECT * FROM {name} ORDER BY rowid")]  # noqa: S608
            for name in names}
