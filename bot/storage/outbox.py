"""The durable outbox: every fan-out message is a row before it is a request to Telegram."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.database import Database, Queryable, Transaction


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    chat_id: int
    member_id: int | None
    method: str
    payload: dict[str, Any]
    attempts: int
    dedupe_key: str | None = None


def _row(row) -> OutboxMessage:
    return OutboxMessage(row["id"], row["chat_id"], row["member_id"], row["method"], json.loads(row["payload"]),
                         row["attempts"], row["dedupe_key"])


async def enqueue(
    db: Queryable,
    *,
    chat_id: int,
    method: str,
    payload: dict[str, Any],
    now: datetime,
    member_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue one message; returns False when a message with the same dedupe key was already queued.

    The stored payload is the method's complete parameters, chat_id included (the sender passes it as is).
    """
    payload = {"chat_id": chat_id, **payload}
    changed = await db.execute(
        """INSERT OR IGNORE INTO outbox (chat_id, member_id, method, payload, dedupe_key, not_before, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        (chat_id, member_id, method, json.dumps(payload, ensure_ascii=False), dedupe_key,
         (not_before or now).isoformat(), now.isoformat()),
    )
    return changed == 1


async def due(db: Database, now: datetime, limit: int = 500, *, first: str | None = None) -> list[OutboxMessage]:
    """Pending messages whose time has come, oldest first; those whose dedupe key starts with `first` before all."""
    urgent = [] if first is None else await db.fetch_all(
        """SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ? AND dedupe_key LIKE ? ESCAPE '\\'
           ORDER BY id LIMIT ?""",
        (now.isoformat(), _like_prefix(first), limit),
    )
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ? ORDER BY id LIMIT ?",
        (now.isoformat(), limit),
    )
    taken = {row["id"] for row in urgent}
    return [_row(row) for row in [*urgent, *(row for row in rows if row["id"] not in taken)][:limit]]


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


async def mark_sent(db: Database, message_id: int, now: datetime, telegram_message_id: int | None) -> None:
    await db.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, telegram_message_id = ? WHERE id = ?",
        (now.isoformat(), telegram_message_id, message_id),
    )


async def postpone(db: Database, message_id: int, not_before: datetime, error: str, *, count_attempt: bool) -> None:
    await db.execute(
        "UPDATE outbox SET not_before = ?, last_error = ?, attempts = attempts + ? WHERE id = ?",
        (not_before.isoformat(), error[:500], int(count_attempt), message_id),
    )


async def give_up(db: Database, message_id: int, status: str, error: str) -> None:
    await db.execute(
        "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (status, error[:500], message_id),
    )


async def drop_pending_for_chat(db: Queryable, chat_id: int, reason: str) -> int:
    """Stop sending to a chat that can no longer receive (blocked bot, kicked from group)."""
    return await db.execute(
        "UPDATE outbox SET status = 'dropped', last_error = ? WHERE chat_id = ? AND status = 'pending'",
        (reason, chat_id),
    )


async def delete_mentioning(tx: Transaction, fragments: list[str]) -> int:
    """Delete every message, sent or not, whose parameters contain one of these fragments of rendered text.

    For erasure: a digest mixes several authors' replies under no key naming any of them, and a sent message's
    row still holds its text. Fragments are matched as stored (JSON without ASCII escaping, as enqueue writes)."""
    deleted = 0
    for fragment in fragments:
        stored = json.dumps(fragment, ensure_ascii=False)[1:-1]
        deleted += await tx.execute("DELETE FROM outbox WHERE instr(payload, ?) > 0", (stored,))
    return deleted


async def counts(db: Database) -> dict[str, int]:
    rows = await db.fetch_all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
    return {row["status"]: row["n"] for row in rows}
