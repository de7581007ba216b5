"""Invite codes made by facilitators: optional circle, territory, phone list, expiry and use count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Queryable


@dataclass(frozen=True)
class Invite:
    code: str
    circle_id: int | None
    territory_code: str | None
    restricted_to_list: bool
    max_uses: int | None
    uses: int
    expires_at: datetime | None


def _invite(row) -> Invite | None:
    if row is None:
        return None
    return Invite(row["code"], row["circle_id"], row["territory_code"], bool(row["restricted_to_list"]),
                  row["max_uses"], row["uses"],
                  datetime.fromisoformat(row["expires_at"]) if row["expires_at"] else None)


async def get(db: Queryable, code: str) -> Invite | None:
    return _invite(await db.fetch_one("SELECT * FROM invite_codes WHERE code = ?", (code,)))


async def create(
    db: Queryable, *, code: str, circle_id: int | None, territory_code: str | None, max_uses: int | None,
    expires_at: datetime | None, created_by: int | None, now: datetime, phones: dict[str, str | None] | None = None,
    on_each_phone: Callable[[], object] = lambda: None,
) -> None:
    """Store an invite; `phones` (E.164 -> organisation) restricts it to those numbers (`on_each_phone` is called as
    each is stored: the admin CLI's progress bar)."""
    await db.execute(
        """INSERT INTO invite_codes (code, circle_id, territory_code, restricted_to_list, max_uses, expires_at,
                                     created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (code, circle_id, territory_code, int(bool(phones)), max_uses,
         expires_at.isoformat() if expires_at else None, created_by, now.isoformat()),
    )
    for phone, organisation in (phones or {}).items():
        await db.execute("INSERT INTO invite_phones (code, phone_e164, organisation) VALUES (?, ?, ?)",
                         (code, phone, organisation))
        on_each_phone()


async def listed_organisation(db: Queryable, code: str, phone_e164: str) -> tuple[bool, str | None]:
    """Whether a number is on an invite's list, and the organisation the list gives for it."""
    row = await db.fetch_one("SELECT organisation FROM invite_phones WHERE code = ? AND phone_e164 = ?",
                             (code, phone_e164))
    return (row is not None, row["organisation"] if row else None)


async def consume(db: Queryable, code: str) -> bool:
    """Count one use, atomically refusing when the invite is exhausted."""
    changed = await db.execute(
        "UPDATE invite_codes SET uses = uses + 1 WHERE code = ? AND (max_uses IS NULL OR uses < max_uses)", (code,)
    )
    return changed == 1
