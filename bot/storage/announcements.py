"""Facilitators' announcements to a circle (or one territory of it): a draft, then sent once through the outbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Queryable
from bot.storage.members import Member, _member


@dataclass(frozen=True)
class Announcement:
    id: int
    circle_id: int
    territory_code: str | None
    texts: dict[str, str]
    created_by: int | None
    status: str


def _announcement(row) -> Announcement | None:
    if row is None:
        return None
    return Announcement(row["id"], row["circle_id"], row["territory_code"], json.loads(row["texts"]),
                        row["created_by"], row["status"])


async def create_draft(db: Queryable, *, circle_id: int, territory_code: str | None, texts: dict[str, str],
                       created_by: int | None, now: datetime) -> int:
    return await db.insert(
        """INSERT INTO announcements (circle_id, territory_code, texts, created_by, created_at)
           VALUES (?, ?, ?, ?, ?)""",
        (circle_id, territory_code, json.dumps(texts, ensure_ascii=False), created_by, now.isoformat()))


async def get(db: Queryable, announcement_id: int) -> Announcement | None:
    return _announcement(await db.fetch_one("SELECT * FROM announcements WHERE id = ?", (announcement_id,)))


async def close_draft(db: Queryable, announcement_id: int, status: str, now: datetime) -> bool:
    """Mark a draft sent or cancelled; False when it was no longer a draft (a second tap, another facilitator)."""
    changed = await db.execute(
        "UPDATE announcements SET status = ?, sent_at = ? WHERE id = ? AND status = 'draft'",
        (status, now.isoformat() if status == "sent" else None, announcement_id))
    return changed == 1


async def recipients(db: Queryable, circle_id: int, territory_code: str | None) -> list[Member]:
    """Active, reachable members of the circle (of one territory, when given)."""
    rows = await db.fetch_all(
        """SELECT m.* FROM members m JOIN memberships s ON s.member_id = m.id
           WHERE s.circle_id = ? AND m.status = 'active' AND m.reachable = 1
             AND (? IS NULL OR m.territory_code = ?) ORDER BY m.id""",
        (circle_id, territory_code, territory_code))
    return [m for m in map(_member, rows) if m]
