"""Co-facilitators promoted from among members (facilitators of PASSERELLE_ADMINS need no row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.facilitation import Right
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


# Rights per circle and territory (issue 6); a row of `facilitators` above is a right over every circle.

async def promote_in_circle(db: Queryable, member_id: int, circle_id: int, territory_code: str | None,
                            promoted_by: int | None, now: datetime) -> bool:
    """Give a member facilitator rights on a circle (one territory of it, or all); False if they had them."""
    changed = await db.execute(
        """INSERT OR IGNORE INTO circle_facilitators (member_id, circle_id, territory_code, promoted_by, created_at)
           VALUES (?, ?, ?, ?, ?)""", (member_id, circle_id, territory_code, promoted_by, now.isoformat()))
    return changed == 1


async def rights_of(db: Queryable, member_id: int) -> list[Right]:
    """Every right an (active) member holds: a global one from `facilitators`, and circle ones."""
    rows = await db.fetch_all(
        """SELECT NULL AS circle_id, NULL AS territory_code, m.territory_code AS side
             FROM facilitators f JOIN members m ON m.id = f.member_id WHERE f.member_id = ? AND m.status = 'active'
           UNION ALL
           SELECT c.circle_id, c.territory_code, m.territory_code AS side
             FROM circle_facilitators c JOIN members m ON m.id = c.member_id
            WHERE c.member_id = ? AND m.status = 'active'""", (member_id, member_id))
    return [Right(row["circle_id"], row["territory_code"], row["side"]) for row in rows]


async def rights_in_circle(db: Queryable, circle_id: int,
                           admin_telegram_ids: frozenset[int] = frozenset()) -> list[Right]:
    """The rights of everyone who facilitates a circle (global facilitators included), with their own side."""
    admins = sorted(admin_telegram_ids)
    marks = ", ".join("?" for _ in admins) or "NULL"
    rows = await db.fetch_all(
        f"""SELECT NULL AS circle_id, NULL AS territory_code, m.territory_code AS side
              FROM members m WHERE m.status = 'active'
               AND (m.id IN (SELECT member_id FROM facilitators) OR m.telegram_user_id IN ({marks}))
            UNION ALL
            SELECT c.circle_id, c.territory_code, m.territory_code AS side
              FROM circle_facilitators c JOIN members m ON m.id = c.member_id
             WHERE c.circle_id = ? AND m.status = 'active'""",  # noqa: S608 - only placeholders are formatted in
        (*admins, circle_id))
    return [Right(row["circle_id"], row["territory_code"], row["side"]) for row in rows]


@dataclass(frozen=True)
class CircleRight:
    """One co-facilitator's right on a circle, as the demotion picker lists it."""

    member_id: int
    display_name: str
    organisation: str | None
    territory_code: str | None


async def circle_rights(db: Queryable, circle_id: int) -> list[CircleRight]:
    """The rights given on one circle (not the global ones), by name."""
    rows = await db.fetch_all(
        """SELECT m.id, trim(m.first_name || ' ' || ifnull(m.last_name, '')) AS name, m.organisation,
                  c.territory_code
             FROM circle_facilitators c JOIN members m ON m.id = c.member_id
            WHERE c.circle_id = ? ORDER BY name, m.id""", (circle_id,))
    return [CircleRight(row["id"], row["name"], row["organisation"], row["territory_code"]) for row in rows]


async def demote_in_circle(db: Queryable, member_id: int, circle_id: int) -> bool:
    """Take away a member's rights on a circle (every territory of it); False when they had none."""
    changed = await db.execute("DELETE FROM circle_facilitators WHERE member_id = ? AND circle_id = ?",
                               (member_id, circle_id))
    return changed > 0


@dataclass(frozen=True)
class GlobalFacilitator:
    """A member promoted over every circle (a typed `/promote <telegram id>`), as the guided /demote lists them."""

    member_id: int
    telegram_user_id: int
    display_name: str
    organisation: str | None


async def promoted_everywhere(db: Queryable) -> list[GlobalFacilitator]:
    """The verified members holding a right over every circle through a row of `facilitators`, by name."""
    rows = await db.fetch_all(
        """SELECT m.id, m.telegram_user_id, trim(m.first_name || ' ' || ifnull(m.last_name, '')) AS name,
                  m.organisation
             FROM facilitators f JOIN members m ON m.id = f.member_id
            WHERE m.status = 'active' ORDER BY name, m.id""")
    return [GlobalFacilitator(row["id"], row["telegram_user_id"], row["name"], row["organisation"]) for row in rows]


async def demote(db: Queryable, member_id: int) -> bool:
    """Take away a member's right over every circle (their circle rights stay); False when they had none."""
    return await db.execute("DELETE FROM facilitators WHERE member_id = ?", (member_id,)) > 0
