"""Co-facilitators promoted from among members (facilitators of PASSERELLE_ADMINS need no row)."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Queryable


async def is_promoted(db: Queryable, member_id: int) -> bool:
    return await db.fetch_one("SELECT 1 FROM facilitators WHERE member_id = ?", (member_id,)) is not None


async def promote(db: Queryable, member_id: int, promoted_by: int | None, now: datetime) -> None:
    await db.execute("INSERT OR IGNORE INTO facilitators (member_id, promoted_by, created_at) VALUES (?, ?, ?)",
                     (member_id, promoted_by, now.isoformat()))


async def promoted_telegram_ids(db: Queryable) -> list[int]:
    rows = await db.fetch_all(
        "SELECT m.telegram_user_id FROM facilitators f JOIN members m ON m.id = f.member_id ORDER BY f.created_at")
    return [row["telegram_user_id"] for row in rows]
