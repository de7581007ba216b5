"""Reads for circle reports and the server's statistics (every SQL statement of the report feature)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.reciprocity import CallFact, ReplyFact, call_held
from bot.storage.database import Queryable


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


async def reply_facts(db: Queryable, circle_id: int, weeks: Sequence[str]) -> list[ReplyFact]:
    """Replies of a circle's rounds of those weeks (held ones, still awaiting their author's choice, left out)."""
    rows = await db.fetch_all(
        f"""SELECT r.week_key, p.territory_code, p.member_id FROM replies p JOIN rounds r ON r.id = p.round_id
            WHERE r.circle_id = ? AND p.status != 'held' AND r.week_key IN ({_marks(weeks)})""",  # noqa: S608
        (circle_id, *weeks))
    return [ReplyFact(row["week_key"], row["territory_code"], row["member_id"]) for row in rows]


async def openers(db: Queryable, circle_id: int, weeks: Sequence[str]) -> dict[str, str]:
    """The territory that opened each of those weeks (weeks without a round are absent)."""
    rows = await db.fetch_all(
        f"""SELECT week_key, opener_territory FROM rounds
            WHERE circle_id = ? AND week_key IN ({_marks(weeks)})""",  # noqa: S608
        (circle_id, *weeks))
    return {row["week_key"]: row["opener_territory"] for row in rows}


async def call_facts(db: Queryable, circle_id: int, since: datetime, now: datetime) -> list[CallFact]:
    """Calls proposed in the circle since a moment, by the proposer's side, and whether each took place."""
    rows = await db.fetch_all(
        """SELECT m.territory_code AS side, p.status, p.ends_at,
                  EXISTS (SELECT 1 FROM call_followups f WHERE f.proposal_id = p.id AND f.took_place = 1) AS yes,
                  EXISTS (SELECT 1 FROM call_followups f WHERE f.proposal_id = p.id AND f.took_place = 0) AS no
           FROM call_proposals p LEFT JOIN members m ON m.id = p.proposer_id
           WHERE p.circle_id = ? AND p.created_at >= ?""", (circle_id, since.isoformat()))
    return [CallFact(row["side"], call_held(row["status"], _dt(row["ends_at"]), now, bool(row["yes"]),
                                            bool(row["no"]))) for row in rows]


async def members_by_territory(db: Queryable, circle_id: int) -> dict[str, int]:
    rows = await db.fetch_all(
        """SELECT m.territory_code, count(*) AS n FROM memberships s JOIN members m ON m.id = s.member_id
           WHERE s.circle_id = ? AND m.status = 'active' GROUP BY m.territory_code""", (circle_id,))
    return {row["territory_code"]: row["n"] for row in rows if row["territory_code"]}


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Server statistics (passerelle stats) -------------------------------------------------------------------

STATS_QUERIES = {
    "members by status": "SELECT status AS k, count(*) AS n FROM members GROUP BY status ORDER BY status",
    "active members by territory": """SELECT ifnull(territory_code, '—') AS k, count(*) AS n FROM members
                                      WHERE status = 'active' GROUP BY territory_code ORDER BY territory_code""",
    "members per circle": """SELECT c.slug AS k, count(s.member_id) AS n FROM circles c
                             LEFT JOIN memberships s ON s.circle_id = c.id WHERE c.archived = 0
                             GROUP BY c.id ORDER BY c.id""",
    "replies by status": "SELECT status AS k, count(*) AS n FROM replies GROUP BY status ORDER BY status",
    "calls by status": "SELECT status AS k, count(*) AS n FROM call_proposals GROUP BY status ORDER BY status",
    "journal entries by source": "SELECT source AS k, count(*) AS n FROM journal_entries GROUP BY source",
    "outbox by status": "SELECT status AS k, count(*) AS n FROM outbox GROUP BY status ORDER BY status",
}


async def server_stats(db: Queryable) -> dict[str, dict[str, int]]:
    """Counts an operator looks at: members, circles, replies, calls, journal, outbox."""
    return {title: {str(row["k"]): row["n"] for row in await db.fetch_all(sql)}
            for title, sql in STATS_QUERIES.items()}


# Listings for the admin CLI -------------------------------------------------------------------------------

async def member_rows(db: Queryable, circle_id: int | None = None) -> list:
    """Every member (of one circle, when given), as raw rows for the operator's listing."""
    return await db.fetch_all(
        """SELECT m.* FROM members m WHERE ? IS NULL OR m.id IN (SELECT member_id FROM memberships
           WHERE circle_id = ?) ORDER BY m.territory_code, m.first_name""", (circle_id, circle_id))


async def invite_rows(db: Queryable) -> list:
    """Every invitation with its circle's slug and the size of its number list."""
    return await db.fetch_all(
        """SELECT i.*, c.slug, (SELECT count(*) FROM invite_phones p WHERE p.code = i.code) AS listed
           FROM invite_codes i LEFT JOIN circles c ON c.id = i.circle_id ORDER BY i.created_at""")
