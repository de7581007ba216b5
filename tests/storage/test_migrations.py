"""The store: numbered migrations applied atomically, idempotent, refusing a newer database; SQLite settings."""

from __future__ import annotations

import asyncio
import sqlite3
import zipfile
import subprocess
import sys
from pathlib import Path

import pytest

from bot import resources
from bot.storage import migrate
from bot.storage.database import Database
from bot.storage.migrate import MigrationError


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "test.sqlite3")
    yield database
    await database.close()


async def test_migrations_apply_once_and_are_recorded(db):
    first = await migrate.migrate(db, resources.migrations_dir())
    second = await migrate.migrate(db, resources.migrations_dir())
    assert [m.version for m in first] == [m.version for m in migrate.discover(resources.migrations_dir())]
    assert second == []
    assert await migrate.applied_versions(db) == [m.version for m in first]


async def test_failing_migration_rolls_back_with_its_ledger_row(db, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE kept (id INTEGER PRIMARY KEY);\n")
    (folder / "0002_broken.sql").write_text(
        "CREATE TABLE half_done (id INTEGER);\nINSERT INTO missing_table VALUES (1);\n")
    with pytest.raises(sqlite3.OperationalError):
        await migrate.migrate(db, folder)
    tables = {row["name"] for row in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "kept" in tables and "half_done" not in tables
    assert await migrate.applied_versions(db) == [1]


async def test_a_database_newer_than_the_code_is_refused(db, tmp_path):
    await migrate.migrate(db, resources.migrations_dir())
    await db.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')")
    with pytest.raises(MigrationError, match="newer than this Passerelle"):
        await migrate.migrate(db, resources.migrations_dir())


async def test_the_writer_uses_wal_foreign_keys_secure_delete_and_a_busy_timeout(db):
    async with db.transaction() as tx:  # statements in a transaction run on the writer's connection
        assert (await tx.fetch_one("PRAGMA journal_mode"))[0] == "wal"
        assert (await tx.fetch_one("PRAGMA foreign_keys"))[0] == 1
        assert (await tx.fetch_one("PRAGMA secure_delete"))[0] == 1
        assert (await tx.fetch_one("PRAGMA busy_timeout"))[0] == 5000
    # Reads outside a transaction run on the inline reader: the same file, query-only, never waiting.
    assert (await db.fetch_one("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetch_one("PRAGMA query_only"))[0] == 1
    assert (await db.fetch_one("PRAGMA busy_timeout"))[0] == 0


async def test_concurrent_transactions_do_not_interleave(db):
    await db.execute("CREATE TABLE counter (n INTEGER)")
    await db.execute("INSERT INTO counter VALUES (0)")

    async def increment():
        async with db.transaction() as tx:
            value = (await tx.fetch_one("SELECT n FROM counter"))["n"]
            await asyncio.sleep(0)  # another task would read the same value if transactions interleaved
            await tx.execute("UPDATE counter SET n = ?", (value + 1,))

    await asyncio.gather(*(increment() for _ in range(20)))
    assert (await db.fetch_one("SELECT n FROM counter"))["n"] == 20


async def test_a_cancelled_transaction_rolls_back(db):
    await db.execute("CREATE TABLE things (name TEXT)")

    async def write_then_wait():
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO things VALUES ('half')")
            await asyncio.Event().wait()

    task = asyncio.create_task(write_then_wait())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await db.fetch_all("SELECT * FROM things") == []


def test_migration_names_must_be_numbered(tmp_path):
    (tmp_path / "create_things.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_name.sql"):
        migrate.discover(tmp_path)


def test_the_wheel_ships_migrations_and_catalogs(tmp_path):
    """`pip install .` (not only editable) must find migrations/ and locales/ inside the package."""
    top = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(top)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("passerelle-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/_data/migrations/0001_initial.sql" in names
    for lang in ("fr", "en", "ee"):
        assert f"bot/_data/locales/{lang}/LC_MESSAGES/messages.po" in names
        assert f"bot/_data/locales/{lang}/LC_MESSAGES/prompts.po" in names


async def test_using_the_database_inside_its_own_transaction_fails_loudly_instead_of_hanging(db):
    await db.execute("CREATE TABLE things (name TEXT)")
    with pytest.raises(RuntimeError, match="inside its own transaction"):
        async with db.transaction():
            await db.fetch_all("SELECT * FROM things")
    assert await db.fetch_all("SELECT * FROM things") == []
