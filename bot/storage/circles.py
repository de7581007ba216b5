"""Circles (themes shared by territories), memberships and the groups bound to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Queryable
from bot.storage.members import Member, _member


@dataclass(frozen=True)
class Circle:
    id: int
    slug: str
    name: str
    builtin: bool
    theme: str | None
    names: dict[str, str]  # facilitator-given names per locale
    prompt_weekday: int = 0
    prompt_hour: int = 9
    prompt_minute: int = 0
    relay_mode: str = "auto"
    digest_minutes: int = 60


@dataclass(frozen=True)
class CircleGroup:
    id: int
    circle_id: int
    chat_id: int
    thread_id: int | None
    territory_code: str | None
    title: str


@dataclass(frozen=True)
class Territory:
    code: str
    name: str
    country: str
    default_zone: str
    default_locale: str
    city: str


async def _names(db: Queryable, circle_id: int) -> dict[str, str]:
    rows = await db.fetch_all("SELECT locale, name FROM circle_names WHERE circle_id = ?", (circle_id,))
    return {row["locale"]: row["name"] for row in rows}


async def _circle(db: Queryable, row) -> Circle | None:
    if row is None:
        return None
    # Built-in circles are named by the catalogs: no need to look up facilitator-given names.
    names = {} if row["builtin"] else await _names(db, row["id"])
    return Circle(row["id"], row["slug"], row["name"], bool(row["builtin"]), row["theme"], names,
                  row["prompt_weekday"], row["prompt_hour"], row["prompt_minute"], row["relay_mode"],
                  row["digest_minutes"])


async def list_open(db: Queryable) -> list[Circle]:
    rows = await db.fetch_all("SELECT * FROM circles WHERE archived = 0 ORDER BY builtin DESC, id")
    return [c for c in [await _circle(db, row) for row in rows] if c]


async def get(db: Queryable, circle_id: int) -> Circle | None:
    return await _circle(db, await db.fetch_one("SELECT * FROM circles WHERE id = ?", (circle_id,)))


async def get_by_slug(db: Queryable, slug: str) -> Circle | None:
    return await _circle(db, await db.fetch_one("SELECT * FROM circles WHERE slug = ?", (slug,)))


async def create(db: Queryable, *, slug: str, name: str, names: dict[str, str], now: datetime) -> int:
    circle_id = await db.insert(
        "INSERT INTO circles (slug, name, builtin, created_at) VALUES (?, ?, 0, ?)", (slug, name, now.isoformat())
    )
    for locale, localized in names.items():
        await db.execute("INSERT INTO circle_names (circle_id, locale, name) VALUES (?, ?, ?)",
                         (circle_id, locale, localized))
    return circle_id


async def circle_ids_of(db: Queryable, member_id: int) -> set[int]:
    rows = await db.fetch_all("SELECT circle_id FROM memberships WHERE member_id = ?", (member_id,))
    return {row["circle_id"] for row in rows}


async def join(db: Queryable, member_id: int, circle_id: int, now: datetime) -> None:
    await db.execute("INSERT OR IGNORE INTO memberships (member_id, circle_id, joined_at) VALUES (?, ?, ?)",
                     (member_id, circle_id, now.isoformat()))


async def leave(db: Queryable, member_id: int, circle_id: int) -> None:
    """Leave a circle; a vote on one of its open decisions goes too (issue 12: only members decide)."""
    await db.execute("DELETE FROM memberships WHERE member_id = ? AND circle_id = ?", (member_id, circle_id))
    await db.execute(
        """DELETE FROM decision_votes WHERE member_id = ? AND decision_id IN
               (SELECT id FROM decisions WHERE circle_id = ? AND status = 'open')""", (member_id, circle_id))


async def is_member(db: Queryable, member_id: int, circle_id: int) -> bool:
    row = await db.fetch_one("SELECT 1 FROM memberships WHERE member_id = ? AND circle_id = ?", (member_id, circle_id))
    return row is not None


async def members_of(db: Queryable, circle_id: int) -> list[Member]:
    rows = await db.fetch_all(
        """SELECT m.* FROM members m JOIN memberships s ON s.member_id = m.id
           WHERE s.circle_id = ? AND m.status = 'active' ORDER BY m.territory_code, m.first_name""",
        (circle_id,),
    )
    return [m for m in map(_member, rows) if m]


async def territories(db: Queryable) -> list[Territory]:
    rows = await db.fetch_all("SELECT * FROM territories ORDER BY code")
    return [Territory(r["code"], r["name"], r["country"], r["default_zone"], r["default_locale"], r["city"])
            for r in rows]


def _group(row) -> CircleGroup | None:
    if row is None:
        return None
    return CircleGroup(row["id"], row["circle_id"], row["chat_id"], row["thread_id"], row["territory_code"],
                       row["title"])


async def bind_group(
    db: Queryable, *, circle_id: int, chat_id: int, thread_id: int | None, territory_code: str | None, title: str,
    now: datetime,
) -> None:
    """Bind a group (or forum topic) to a circle for one territory or for all (replacing an earlier binding)."""
    await db.execute("DELETE FROM circle_groups WHERE circle_id = ? AND ifnull(territory_code, '') = ifnull(?, '')",
                     (circle_id, territory_code))
    await db.execute(
        """INSERT INTO circle_groups (circle_id, chat_id, thread_id, territory_code, title, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (circle_id, chat_id, thread_id, territory_code, title, now.isoformat()),
    )


async def group_for(db: Queryable, circle_id: int, territory_code: str | None) -> CircleGroup | None:
    """The group a member of that territory should join: their territory's, else the shared one."""
    row = await db.fetch_one(
        """SELECT * FROM circle_groups WHERE circle_id = ? AND (territory_code = ? OR territory_code IS NULL)
           ORDER BY territory_code IS NULL LIMIT 1""",
        (circle_id, territory_code),
    )
    return _group(row)


async def groups_in_chat(db: Queryable, chat_id: int) -> list[CircleGroup]:
    rows = await db.fetch_all("SELECT * FROM circle_groups WHERE chat_id = ?", (chat_id,))
    return [g for g in map(_group, rows) if g]


async def save_group_link(db: Queryable, member_id: int, circle_group_id: int, invite_link: str,
                          now: datetime) -> None:
    await db.execute(
        """INSERT INTO group_links (member_id, circle_group_id, invite_link, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (member_id, circle_group_id) DO UPDATE SET invite_link = excluded.invite_link,
           created_at = excluded.created_at, used_at = NULL""",
        (member_id, circle_group_id, invite_link, now.isoformat()),
    )


async def group_link(db: Queryable, invite_link: str) -> tuple[int, int] | None:
    """(member_id, circle_group_id) of a personal link, if it is ours and unused."""
    row = await db.fetch_one("SELECT member_id, circle_group_id FROM group_links WHERE invite_link = ? AND used_at IS NULL",
                             (invite_link,))
    return (row["member_id"], row["circle_group_id"]) if row else None


async def existing_group_link(db: Queryable, member_id: int, circle_group_id: int) -> tuple[str, bool] | None:
    """The member's personal link to a group and whether they already joined with it."""
    row = await db.fetch_one(
        "SELECT invite_link, used_at FROM group_links WHERE member_id = ? AND circle_group_id = ?",
        (member_id, circle_group_id))
    return (row["invite_link"], row["used_at"] is not None) if row else None


async def mark_group_link_used(db: Queryable, invite_link: str, now: datetime) -> None:
    await db.execute("UPDATE group_links SET used_at = ? WHERE invite_link = ?", (now.isoformat(), invite_link))


async def groups_of(db: Queryable, circle_id: int) -> list[CircleGroup]:
    rows = await db.fetch_all("SELECT * FROM circle_groups WHERE circle_id = ? ORDER BY id", (circle_id,))
    return [g for g in map(_group, rows) if g]


async def set_relay_mode(db: Queryable, circle_id: int, mode: str) -> None:
    await db.execute("UPDATE circles SET relay_mode = ? WHERE id = ?", (mode, circle_id))


async def count_members(db: Queryable, circle_id: int) -> int:
    row = await db.fetch_one(
        """SELECT count(*) AS n FROM memberships s JOIN members m ON m.id = s.member_id
           WHERE s.circle_id = ? AND m.status = 'active'""", (circle_id,))
    return int(row["n"]) if row else 0
