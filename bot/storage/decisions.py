"""Circle decisions: drafts of /decide, decisions, votes (one per member), reminders sent, results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.domain.decisions import Draft, Result, Step, Voter
from bot.domain.reciprocity import DecisionFact
from bot.storage.database import Queryable, Transaction


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Drafts ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StoredDraft:
    draft: Draft
    updated_at: datetime


async def load_memory(db: Queryable) -> None:
    """Who has a decision draft (db.memory.decision_drafters): read once at start."""
    rows = await db.fetch_all("SELECT member_id FROM decision_drafts")
    db.memory.decision_drafters = {row["member_id"] for row in rows}


async def get_draft(db: Queryable, member_id: int) -> StoredDraft | None:
    if db.memory.decision_drafters is not None and member_id not in db.memory.decision_drafters:
        return None  # every private text looks: known without a query for nearly everyone
    row = await db.fetch_one("SELECT * FROM decision_drafts WHERE member_id = ?", (member_id,))
    if row is None:
        return None
    draft = Draft(Step(row["step"]), row["circle_id"], row["question"], tuple(json.loads(row["options"])),
                  row["deadline_days"], bool(row["weigh_families"]))
    return StoredDraft(draft, _dt(row["updated_at"]))


async def save_draft(db: Queryable, member_id: int, draft: Draft, now: datetime) -> None:
    """Insert or replace the member's one draft."""
    if db.memory.decision_drafters is not None:
        db.memory.decision_drafters.add(member_id)  # before the write: a reader never misses it
    await db.execute(
        """INSERT OR REPLACE INTO decision_drafts (member_id, step, circle_id, question, options, deadline_days,
                                                   weigh_families, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (member_id, draft.step.value, draft.circle_id, draft.question,
         json.dumps(list(draft.options), ensure_ascii=False), draft.deadline_days, int(draft.weigh_families),
         now.isoformat()))


async def delete_draft(db: Queryable, member_id: int) -> None:
    await db.execute("DELETE FROM decision_drafts WHERE member_id = ?", (member_id,))
    if db.memory.decision_drafters is not None and not isinstance(db, Transaction):
        # Inside a transaction the row is gone only if it commits: keep the id (at worst one useless query).
        db.memory.decision_drafters.discard(member_id)


# Decisions ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    id: int
    circle_id: int
    proposer_id: int | None
    proposer_territory: str | None
    question: str
    options: tuple[str, ...]
    language: str
    translations: dict[str, dict]       # locale -> {"question": str, "options": [str, …]}
    weigh_families: bool
    status: str
    deadline: datetime
    extended: bool
    result: Result | None
    created_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _decision(row) -> Decision | None:
    if row is None:
        return None
    return Decision(row["id"], row["circle_id"], row["proposer_id"], row["proposer_territory"], row["question"],
                    tuple(json.loads(row["options"])), row["language"], json.loads(row["translations"] or "{}"),
                    bool(row["weigh_families"]), row["status"], _dt(row["deadline"]), bool(row["extended"]),
                    Result.from_json(json.loads(row["result"])) if row["result"] else None,
                    _dt(row["created_at"]), _dt(row["closed_at"]))


async def create(db: Queryable, *, circle_id: int, proposer_id: int, proposer_territory: str | None, question: str,
                 options: tuple[str, ...], language: str, translations: dict[str, dict], weigh_families: bool,
                 deadline: datetime, now: datetime) -> int:
    """Record an open decision; returns its id."""
    return await db.insert(
        """INSERT INTO decisions (circle_id, proposer_id, proposer_territory, question, options, language,
                                  translations, weigh_families, deadline, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (circle_id, proposer_id, proposer_territory, question, json.dumps(list(options), ensure_ascii=False),
         language, json.dumps(translations, ensure_ascii=False), int(weigh_families), deadline.isoformat(),
         now.isoformat()))


async def get(db: Queryable, decision_id: int) -> Decision | None:
    return _decision(await db.fetch_one("SELECT * FROM decisions WHERE id = ?", (decision_id,)))


async def open_decisions(db: Queryable) -> list[Decision]:
    rows = await db.fetch_all("SELECT * FROM decisions WHERE status = 'open' ORDER BY deadline, id")
    return [d for d in map(_decision, rows) if d]


async def of_circles(db: Queryable, circle_ids: set[int], *, status: str | None = None) -> list[Decision]:
    """Decisions of these circles (of one status, when given), newest first."""
    if not circle_ids:
        return []
    marks = ", ".join("?" * len(circle_ids))
    rows = await db.fetch_all(
        f"""SELECT * FROM decisions WHERE circle_id IN ({marks}) AND (? IS NULL OR status = ?)
            ORDER BY created_at DESC, id DESC""",  # noqa: S608 - only placeholders are interpolated
        (*sorted(circle_ids), status, status))
    return [d for d in map(_decision, rows) if d]


async def close(db: Queryable, decision_id: int, result: Result, now: datetime) -> bool:
    """Open -> closed with its result; False when it was no longer open (closed meanwhile)."""
    return await db.execute(
        "UPDATE decisions SET status = 'closed', result = ?, closed_at = ? WHERE id = ? AND status = 'open'",
        (json.dumps(result.to_json()), now.isoformat(), decision_id)) == 1


async def withdraw(db: Queryable, decision_id: int, now: datetime) -> bool:
    """Open and without any vote -> withdrawn; False otherwise."""
    return await db.execute(
        """UPDATE decisions SET status = 'withdrawn', closed_at = ? WHERE id = ? AND status = 'open'
           AND NOT EXISTS (SELECT 1 FROM decision_votes WHERE decision_id = ?)""",
        (now.isoformat(), decision_id, decision_id)) == 1


async def extend(db: Queryable, decision_id: int, deadline: datetime) -> bool:
    """Move an open decision's deadline, once; False when it was closed or already extended."""
    return await db.execute(
        "UPDATE decisions SET deadline = ?, extended = 1 WHERE id = ? AND status = 'open' AND extended = 0",
        (deadline.isoformat(), decision_id)) == 1


# Votes -------------------------------------------------------------------------------------------------------

async def votes(db: Queryable, decision_id: int) -> dict[int, int]:
    """member_id -> choice (0 abstains) of every vote on the decision."""
    rows = await db.fetch_all("SELECT member_id, choice FROM decision_votes WHERE decision_id = ?", (decision_id,))
    return {row["member_id"]: row["choice"] for row in rows}


async def vote_of(db: Queryable, decision_id: int, member_id: int) -> int | None:
    row = await db.fetch_one("SELECT choice FROM decision_votes WHERE decision_id = ? AND member_id = ?",
                             (decision_id, member_id))
    return row["choice"] if row else None


async def set_vote(db: Queryable, decision_id: int, member_id: int, choice: int, now: datetime) -> None:
    """The member's one vote, replacing an earlier choice."""
    await db.execute(
        """INSERT INTO decision_votes (decision_id, member_id, choice, voted_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (decision_id, member_id) DO UPDATE SET choice = excluded.choice, voted_at = excluded.voted_at""",
        (decision_id, member_id, choice, now.isoformat()))


async def has_votes(db: Queryable, decision_id: int) -> bool:
    return await db.fetch_one("SELECT 1 FROM decision_votes WHERE decision_id = ? LIMIT 1", (decision_id,)) is not None


async def voters_of_circle(db: Queryable, circle_id: int) -> list[Voter]:
    """The circle's current verified members as voters (territory and organisation kind)."""
    rows = await db.fetch_all(
        """SELECT m.id, m.territory_code, m.organisation_kind FROM members m JOIN memberships s ON s.member_id = m.id
           WHERE s.circle_id = ? AND m.status = 'active' ORDER BY m.id""", (circle_id,))
    return [Voter(row["id"], row["territory_code"], row["organisation_kind"]) for row in rows]


async def chats_with_ballot(db: Queryable, decision_id: int) -> set[int]:
    """The chats a decision's ballot was queued for."""
    rows = await db.fetch_all("SELECT chat_id FROM decision_ballots WHERE decision_id = ?", (decision_id,))
    return {row["chat_id"] for row in rows}


async def record_ballot(db: Queryable, decision_id: int, chat_id: int, member_id: int | None) -> None:
    await db.execute("INSERT OR IGNORE INTO decision_ballots (decision_id, chat_id, member_id) VALUES (?, ?, ?)",
                     (decision_id, chat_id, member_id))


async def forget_traces(tx: Transaction, member_id: int) -> None:
    """Before a member is erased: the ballots of the questions they put name them; those messages go (sent or
    not). The decisions stay with their circles, unsigned; their votes go by the foreign keys' cascades."""
    rows = await tx.fetch_all("SELECT id FROM decisions WHERE proposer_id = ?", (member_id,))
    for row in rows:
        await tx.execute("DELETE FROM outbox WHERE dedupe_key LIKE ?", (f"decision:{row['id']}:ballot:%",))


# Reminders ---------------------------------------------------------------------------------------------------

async def reminded_sides(db: Queryable, decision_id: int) -> set[str]:
    rows = await db.fetch_all("SELECT territory_code FROM decision_reminders WHERE decision_id = ?", (decision_id,))
    return {row["territory_code"] for row in rows}


async def record_reminder(db: Queryable, decision_id: int, territory: str, now: datetime) -> bool:
    """Note that a side was reminded; False when it already was (the reminder is not sent twice)."""
    return await db.execute(
        "INSERT OR IGNORE INTO decision_reminders (decision_id, territory_code, sent_at) VALUES (?, ?, ?)",
        (decision_id, territory, now.isoformat())) == 1


# The report ----------------------------------------------------------------------------------------------------

async def report_facts(db: Queryable, circle_id: int, since: datetime) -> list[DecisionFact]:
    """Decisions proposed in the circle since a moment (withdrawn ones left out), with their participation."""
    rows = await db.fetch_all(
        """SELECT proposer_territory, result FROM decisions
           WHERE circle_id = ? AND created_at >= ? AND status != 'withdrawn'""", (circle_id, since.isoformat()))
    facts = []
    for row in rows:
        sides = Result.from_json(json.loads(row["result"])).sides if row["result"] else ()
        facts.append(DecisionFact(row["proposer_territory"], {s.territory: s.voters for s in sides},
                                  {s.territory: s.members for s in sides}))
    return facts


async def proposed_by(db: Queryable, member_id: int) -> list[Decision]:
    """The questions a member put to their circles (for /mydata)."""
    rows = await db.fetch_all("SELECT * FROM decisions WHERE proposer_id = ? ORDER BY id", (member_id,))
    return [d for d in map(_decision, rows) if d]


async def votes_of_member(db: Queryable, member_id: int) -> list[tuple[Decision, int, datetime]]:
    """Each (decision, choice, voted_at) of a member's votes (for /mydata); choice 0 is an abstention."""
    rows = await db.fetch_all(
        """SELECT d.*, v.choice AS vote_choice, v.voted_at AS vote_at FROM decision_votes v
           JOIN decisions d ON d.id = v.decision_id WHERE v.member_id = ? ORDER BY d.id""", (member_id,))
    return [(_decision(row), row["vote_choice"], _dt(row["vote_at"])) for row in rows]
