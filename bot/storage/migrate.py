"""Numbered SQL migrations, each applied atomically together with its ledger row."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage.database import Database

MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


class MigrationError(RuntimeError):
    """The database cannot be brought to the code's schema (message is user-facing)."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        """Split the script into statements ourselves: executescript() would COMMIT and escape our transaction."""
        statements, pending = [], ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            pending += line
            if sqlite3.complete_statement(pending):
                if pending.strip():
                    statements.append(pending.strip())
                pending = ""
        if pending.strip() and not _only_comments(pending):
            raise MigrationError(f"{self.path.name}: unterminated SQL statement at the end of the file.")
        return statements


def _only_comments(sql: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in sql.splitlines())


def discover(folder: Path) -> list[Migration]:
    """List the migrations in a folder, ordered by version, refusing duplicates or strange names."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"Migration file {path.name!r} is not named NNNN_name.sql.")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"Two migrations share version {version}.")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


async def applied_versions(db: Database) -> list[int]:
    await db.execute(LEDGER_DDL)
    rows = await db.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    return [row["version"] for row in rows]


async def migrate(db: Database, folder: Path) -> list[Migration]:
    """Apply pending migrations in order; return those applied. Refuses a database newer than the code."""
    migrations = discover(folder)
    applied = set(await applied_versions(db))
    known = {m.version for m in migrations}
    if applied and max(applied) > max(known, default=0):
        raise MigrationError(
            f"The database is at schema version {max(applied)}, newer than this Passerelle "
            f"(which knows up to {max(known, default=0)}): upgrade Passerelle instead of running an old one on it."
        )
    newly_applied = []
    for migration in migrations:
        if migration.version in applied:
            continue
        async with db.transaction() as tx:
            for statement in migration.statements():
                await tx.execute(statement)
            await tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (migration.version, migration.name)
            )
        newly_applied.append(migration)
    return newly_applied
