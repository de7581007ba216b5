"""Cross-border calls: drafts of /propose, proposals with slots, invitees and votes, follow-ups, peer pairs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.slots import Slot
from bot.storage.database import Queryable, Transaction
from bot.storage.members import Member, _member


def _iso(instant: datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Drafts: /propose step by step, durable across restarts.

@dataclass
class Draft:
    member_id: int
    step: str
    updated_at: datetime
    circle_id: int | None = None
    invitee_ids: list[int] = field(default_factory=list)
    topic: str | None = None
    duration_minutes: int | None = None
    slots: list[datetime] = field(default_factory=list)
    reschedule_of: int | None = None


async def load_memory(db: Queryable) -> None:
    """Who has a call draft, or a follow-up still waiting for its practice (db.memory): read once at start."""
    drafts = await db.fetch_all("SELECT member_id FROM call_drafts")
    waiting = await db.fetch_all("SELECT DISTINCT member_id FROM call_followups WHERE practice IS NULL")
    db.memory.draft_owners = {row["member_id"] for row in drafts}
    db.memory.practice_askees = {row["member_id"] for row in waiting}


async def get_draft(db: Queryable, member_id: int) -> Draft | None:
    if db.memory.draft_owners is not None and member_id not in db.memory.draft_owners:
        return None  # most texts come from members with no draft: known without a query
    row = await db.fetch_one("SELECT * FROM call_drafts WHERE member_id = ?", (member_id,))
    if row is None:
        return None
    return Draft(member_id=row["member_id"], step=row["step"], updated_at=_dt(row["updated_at"]),
                 circle_id=row["circle_id"], invitee_ids=json.loads(row["invitee_ids"]), topic=row["topic"],
                 duration_minutes=row["duration_minutes"], slots=[_dt(s) for s in json.loads(row["slots"])],
                 reschedule_of=row["reschedule_of"])


async def save_draft(db: Queryable, draft: Draft) -> None:
    """Insert or replace the member's one draft."""
    if db.memory.draft_owners is not None:
        db.memory.draft_owners.add(draft.member_id)  # before the write: a reader never misses it
    await db.execute(
        """INSERT OR REPLACE INTO call_drafts (member_id, step, circle_id, invitee_ids, topic, duration_minutes,
                                               slots, reschedule_of, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (draft.member_id, draft.step, draft.circle_id, json.dumps(sorted(draft.invitee_ids)), draft.topic,
         draft.duration_minutes, json.dumps([s.isoformat() for s in sorted(draft.slots)]), draft.reschedule_of,
         draft.updated_at.isoformat()),
    )


async def delete_draft(db: Queryable, member_id: int) -> None:
    await db.execute("DELETE FROM call_drafts WHERE member_id = ?", (member_id,))
    if db.memory.draft_owners is not None and not isinstance(db, Transaction):
        # Inside a transaction the row is gone only if it commits: keep the id (at worst one useless query).
        db.memory.draft_owners.discard(member_id)


# Proposals, slots, invitees, votes.

@dataclass(frozen=True)
class Proposal:
    id: int
    circle_id: int
    proposer_id: int | None
    topic: str
    duration_minutes: int
    status: str
    deadline: datetime
    chosen_slot_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    video_url: str | None
    sequence: int
    tally_message_id: int | None
    created_at: datetime
    closed_at: datetime | None  # when voting closed, or when the call last moved

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _proposal(row) -> Proposal | None:
    if row is None:
        return None
    return Proposal(row["id"], row["circle_id"], row["proposer_id"], row["topic"], row["duration_minutes"],
                    row["status"], _dt(row["deadline"]), row["chosen_slot_id"], _dt(row["starts_at"]),
                    _dt(row["ends_at"]), row["video_url"], row["sequence"], row["tally_message_id"],
                    _dt(row["created_at"]), _dt(row["closed_at"]))


async def create_proposal(
    db: Queryable, *, circle_id: int, proposer_id: int, topic: str, duration_minutes: int, deadline: datetime,
    slots: list[datetime], invitee_ids: list[int], now: datetime,
) -> int:
    """Record an open proposal with its candidate slots and invitees; returns its id."""
    proposal_id = await db.insert(
        """INSERT INTO call_proposals (circle_id, proposer_id, topic, duration_minutes, deadline, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (circle_id, proposer_id, topic, duration_minutes, deadline.isoformat(), now.isoformat()),
    )
    for start in sorted(slots):
        await db.execute("INSERT INTO call_slots (proposal_id, start_utc) VALUES (?, ?)",
                         (proposal_id, start.isoformat()))
    for member_id in invitee_ids:
        await db.execute("INSERT OR IGNORE INTO call_invitees (proposal_id, member_id) VALUES (?, ?)",
                         (proposal_id, member_id))
    return proposal_id


async def get_proposal(db: Queryable, proposal_id: int) -> Proposal | None:
    return _proposal(await db.fetch_one("SELECT * FROM call_proposals WHERE id = ?", (proposal_id,)))


async def slots_of(db: Queryable, proposal: Proposal) -> list[Slot]:
    """The candidate slots of a proposal, earliest first (a reschedule adds one)."""
    rows = await db.fetch_all("SELECT id, start_utc FROM call_slots WHERE proposal_id = ? ORDER BY start_utc, id",
                              (proposal.id,))
    return [Slot(row["id"], _dt(row["start_utc"]), proposal.duration_minutes) for row in rows]


async def chosen_slot(db: Queryable, proposal: Proposal) -> Slot | None:
    return next((s for s in await slots_of(db, proposal) if s.slot_id == proposal.chosen_slot_id), None)


async def invitee_ids(db: Queryable, proposal_id: int) -> set[int]:
    rows = await db.fetch_all("SELECT member_id FROM call_invitees WHERE proposal_id = ?", (proposal_id,))
    return {row["member_id"] for row in rows}


async def participants(db: Queryable, proposal: Proposal) -> list[Member]:
    """Proposer and invitees still active, proposer first."""
    rows = await db.fetch_all(
        """SELECT m.* FROM members m WHERE m.status = 'active' AND (m.id = ? OR m.id IN
               (SELECT member_id FROM call_invitees WHERE proposal_id = ?))
           ORDER BY m.id = ? DESC, m.territory_code, m.first_name""",
        (proposal.proposer_id, proposal.id, proposal.proposer_id),
    )
    return [m for m in map(_member, rows) if m]


async def votes(db: Queryable, proposal_id: int) -> list[tuple[int, int]]:
    """(member_id, slot_id) of every vote on the proposal."""
    rows = await db.fetch_all(
        """SELECT v.member_id, v.slot_id FROM call_votes v JOIN call_slots s ON s.id = v.slot_id
           WHERE s.proposal_id = ? ORDER BY v.voted_at""", (proposal_id,))
    return [(row["member_id"], row["slot_id"]) for row in rows]


async def toggle_vote(db: Queryable, slot_id: int, member_id: int, now: datetime) -> bool:
    """Add the vote, or take it back if it was there; returns whether the member now votes for the slot."""
    if await db.execute("DELETE FROM call_votes WHERE slot_id = ? AND member_id = ?", (slot_id, member_id)):
        return False
    await db.execute("INSERT INTO call_votes (slot_id, member_id, voted_at) VALUES (?, ?, ?)",
                     (slot_id, member_id, now.isoformat()))
    return True


async def set_tally_message(db: Queryable, proposal_id: int, message_id: int) -> None:
    await db.execute("UPDATE call_proposals SET tally_message_id = ? WHERE id = ?", (message_id, proposal_id))


async def open_past_deadline(db: Queryable, now: datetime) -> list[Proposal]:
    rows = await db.fetch_all(
        "SELECT * FROM call_proposals WHERE status = 'open' AND deadline <= ? ORDER BY id", (now.isoformat(),))
    return [p for p in map(_proposal, rows) if p]


async def confirm(db: Queryable, proposal: Proposal, slot: Slot, video_url: str, now: datetime) -> bool:
    """Open -> confirmed on a slot; False if someone else closed it first."""
    return await db.execute(
        """UPDATE call_proposals SET status = 'confirmed', chosen_slot_id = ?, starts_at = ?, ends_at = ?,
               video_url = ?, closed_at = ? WHERE id = ? AND status = 'open'""",
        (slot.slot_id, slot.start_utc.isoformat(),
         (slot.start_utc + timedelta(minutes=slot.duration_minutes)).isoformat(), video_url, now.isoformat(),
         proposal.id),
    ) == 1


async def close_without_slot(db: Queryable, proposal_id: int, now: datetime) -> bool:
    return await db.execute(
        "UPDATE call_proposals SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        (now.isoformat(), proposal_id)) == 1


async def cancel(db: Queryable, proposal_id: int, now: datetime) -> bool:
    """Open or confirmed -> cancelled (with a new sequence for the calendars); False if already over."""
    return await db.execute(
        """UPDATE call_proposals SET status = 'cancelled', closed_at = ?, sequence = sequence + 1
           WHERE id = ? AND status IN ('open', 'confirmed')""", (now.isoformat(), proposal_id)) == 1


async def reschedule(tx: Transaction, proposal: Proposal, start: datetime, now: datetime) -> int:
    """Move a confirmed call to a new start (a new slot row), in the caller's transaction; returns the new sequence."""
    row = await tx.fetch_one("SELECT id FROM call_slots WHERE proposal_id = ? AND start_utc = ?",
                             (proposal.id, start.isoformat()))
    slot_id = row["id"] if row else await tx.insert(
        "INSERT INTO call_slots (proposal_id, start_utc) VALUES (?, ?)", (proposal.id, start.isoformat()))
    await tx.execute(
        """UPDATE call_proposals SET chosen_slot_id = ?, starts_at = ?, ends_at = ?, sequence = sequence + 1,
               followup_at = NULL, closed_at = ? WHERE id = ?""",
        (slot_id, start.isoformat(), (start + timedelta(minutes=proposal.duration_minutes)).isoformat(),
         now.isoformat(), proposal.id))
    return proposal.sequence + 1


async def confirmed_starting_between(db: Queryable, start: datetime, end: datetime) -> list[Proposal]:
    rows = await db.fetch_all(
        """SELECT * FROM call_proposals WHERE status = 'confirmed' AND starts_at > ? AND starts_at <= ?
           ORDER BY starts_at""", (start.isoformat(), end.isoformat()))
    return [p for p in map(_proposal, rows) if p]


async def ended_without_followup(db: Queryable, now: datetime) -> list[Proposal]:
    rows = await db.fetch_all(
        """SELECT * FROM call_proposals WHERE status = 'confirmed' AND ends_at <= ? AND followup_at IS NULL
           ORDER BY ends_at""", (now.isoformat(),))
    return [p for p in map(_proposal, rows) if p]


async def calls_of(db: Queryable, member_id: int) -> list[Proposal]:
    """Every proposal the member made or was invited to, soonest first."""
    rows = await db.fetch_all(
        """SELECT * FROM call_proposals WHERE proposer_id = ? OR id IN
               (SELECT proposal_id FROM call_invitees WHERE member_id = ?)
           ORDER BY coalesce(starts_at, deadline), id""", (member_id, member_id))
    return [p for p in map(_proposal, rows) if p]


async def upcoming_in_circles(db: Queryable, circle_ids: set[int], now: datetime) -> list[Proposal]:
    if not circle_ids:
        return []
    marks = ", ".join("?" * len(circle_ids))
    rows = await db.fetch_all(
        f"""SELECT * FROM call_proposals WHERE status = 'confirmed' AND ends_at > ?
            AND circle_id IN ({marks}) ORDER BY starts_at""",  # noqa: S608 - only placeholders are interpolated
        (now.isoformat(), *sorted(circle_ids)))
    return [p for p in map(_proposal, rows) if p]


async def drop_pending_reminders(db: Queryable, proposal_id: int) -> int:
    """Reminders queued but not sent for a call that moved or was cancelled."""
    return await db.execute(
        "UPDATE outbox SET status = 'dropped', last_error = 'call changed' WHERE status = 'pending' "
        "AND dedupe_key LIKE ?", (f"reminder:{proposal_id}:%",))


async def queued_keys(db: Queryable, keys: list[str]) -> set[str]:
    """Which of these outbox dedupe keys were already queued (sent or not)."""
    if not keys:
        return set()
    marks = ", ".join("?" * len(keys))
    rows = await db.fetch_all(f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({marks})",  # noqa: S608
                              tuple(keys))
    return {row["dedupe_key"] for row in rows}


# Follow-ups after the call: the circle's journal reads call_followups.

@dataclass(frozen=True)
class Followup:
    id: int
    proposal_id: int
    circle_id: int
    member_id: int
    took_place: bool | None
    practice: str | None
    question_message_id: int | None
    asked_at: datetime | None


def _followup(row) -> Followup | None:
    if row is None:
        return None
    took = row["took_place"]
    return Followup(row["id"], row["proposal_id"], row["circle_id"], row["member_id"],
                    None if took is None else bool(took), row["practice"], row["question_message_id"],
                    _dt(row["asked_at"]))


async def start_followups(db: Queryable, proposal: Proposal, people: list[Member], now: datetime) -> None:
    if db.memory.practice_askees is not None:
        db.memory.practice_askees.update(member.id for member in people)
    for member in people:
        await db.execute(
            """INSERT OR IGNORE INTO call_followups (proposal_id, circle_id, member_id, territory_code)
               VALUES (?, ?, ?, ?)""", (proposal.id, proposal.circle_id, member.id, member.territory_code))
    await db.execute("UPDATE call_proposals SET followup_at = ? WHERE id = ?", (now.isoformat(), proposal.id))


async def get_followup(db: Queryable, proposal_id: int, member_id: int) -> Followup | None:
    return _followup(await db.fetch_one(
        "SELECT * FROM call_followups WHERE proposal_id = ? AND member_id = ?", (proposal_id, member_id)))


async def answer_took_place(db: Queryable, followup_id: int, took_place: bool, now: datetime) -> None:
    await db.execute("UPDATE call_followups SET took_place = ?, answered_at = ? WHERE id = ?",
                     (int(took_place), now.isoformat(), followup_id))


async def ask_practice(db: Queryable, followup_id: int, message_id: int | None, now: datetime) -> None:
    await db.execute("UPDATE call_followups SET question_message_id = ?, asked_at = ? WHERE id = ?",
                     (message_id, now.isoformat(), followup_id))


async def awaiting_practice(db: Queryable, member_id: int, reply_to: int | None, since: datetime) -> Followup | None:
    """The follow-up whose practice question this text answers: a reply to it, or a message soon after it."""
    if db.memory.practice_askees is not None and member_id not in db.memory.practice_askees:
        return None
    row = await db.fetch_one(
        """SELECT * FROM call_followups WHERE member_id = ? AND took_place = 1 AND practice IS NULL
               AND asked_at IS NOT NULL AND (question_message_id = ? OR asked_at >= ?)
           ORDER BY asked_at DESC LIMIT 1""", (member_id, reply_to, since.isoformat()))
    return _followup(row)


async def save_practice(db: Queryable, followup_id: int, text: str, now: datetime) -> None:
    await db.execute("UPDATE call_followups SET practice = ?, answered_at = ? WHERE id = ?",
                     (text, now.isoformat(), followup_id))


@dataclass(frozen=True)
class JournalEntry:
    circle_id: int
    member_id: int
    territory_code: str | None
    text: str
    answered_at: datetime


async def journal_entries(db: Queryable, circle_id: int) -> list[JournalEntry]:
    """Practices discovered in the circle's calls, oldest first (what the journal feature reads)."""
    rows = await db.fetch_all(
        """SELECT circle_id, member_id, territory_code, practice, answered_at FROM call_followups
           WHERE circle_id = ? AND practice IS NOT NULL ORDER BY answered_at""", (circle_id,))
    return [JournalEntry(r["circle_id"], r["member_id"], r["territory_code"], r["practice"], _dt(r["answered_at"]))
            for r in rows]


# Peer pairs.

async def is_paused(db: Queryable, member_id: int) -> bool:
    row = await db.fetch_one("SELECT paused FROM pairing_preferences WHERE member_id = ?", (member_id,))
    return bool(row and row["paused"])


async def set_paused(db: Queryable, member_id: int, paused: bool, now: datetime) -> None:
    await db.execute(
        """INSERT INTO pairing_preferences (member_id, paused, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (member_id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at""",
        (member_id, int(paused), now.isoformat()))


async def paused_ids(db: Queryable, member_ids: list[int]) -> set[int]:
    rows = await db.fetch_all("SELECT member_id FROM pairing_preferences WHERE paused = 1")
    return {row["member_id"] for row in rows} & set(member_ids)


@dataclass(frozen=True)
class PairCycle:
    id: int
    circle_id: int
    cycle_index: int
    started_at: datetime
    ends_at: datetime
    checked_at: datetime | None


def _cycle(row) -> PairCycle | None:
    if row is None:
        return None
    return PairCycle(row["id"], row["circle_id"], row["cycle_index"], _dt(row["started_at"]), _dt(row["ends_at"]),
                     _dt(row["checked_at"]))


async def last_cycle(db: Queryable, circle_id: int) -> PairCycle | None:
    return _cycle(await db.fetch_one(
        "SELECT * FROM pair_cycles WHERE circle_id = ? ORDER BY cycle_index DESC LIMIT 1", (circle_id,)))


async def create_cycle(
    db: Queryable, circle_id: int, cycle_index: int, started_at: datetime, ends_at: datetime,
    groups: list[frozenset[int]],
) -> int | None:
    """Record a cycle and its groups; None when that cycle already exists (a concurrent or repeated tick)."""
    exists = await db.fetch_one("SELECT 1 FROM pair_cycles WHERE circle_id = ? AND cycle_index = ?",
                                (circle_id, cycle_index))
    if exists:
        return None
    cycle_id = await db.insert(
        "INSERT INTO pair_cycles (circle_id, cycle_index, started_at, ends_at) VALUES (?, ?, ?, ?)",
        (circle_id, cycle_index, started_at.isoformat(), ends_at.isoformat()))
    for group in groups:
        group_id = await db.insert("INSERT INTO pair_groups (cycle_id) VALUES (?)", (cycle_id,))
        for member_id in sorted(group):
            await db.execute("INSERT INTO pair_group_members (group_id, member_id) VALUES (?, ?)",
                             (group_id, member_id))
    return cycle_id


async def groups_of_cycle(db: Queryable, cycle_id: int) -> dict[int, list[int]]:
    """group id -> member ids of one cycle."""
    rows = await db.fetch_all(
        """SELECT g.id, gm.member_id FROM pair_groups g JOIN pair_group_members gm ON gm.group_id = g.id
           WHERE g.cycle_id = ? ORDER BY g.id, gm.member_id""", (cycle_id,))
    groups: dict[int, list[int]] = {}
    for row in rows:
        groups.setdefault(row["id"], []).append(row["member_id"])
    return groups


async def pair_history(db: Queryable, circle_id: int) -> list[frozenset[int]]:
    """Every past group of the circle, oldest cycle first (the pairing rules' input)."""
    rows = await db.fetch_all(
        """SELECT g.id, gm.member_id FROM pair_cycles c JOIN pair_groups g ON g.cycle_id = c.id
           JOIN pair_group_members gm ON gm.group_id = g.id WHERE c.circle_id = ?
           ORDER BY c.cycle_index, g.id""", (circle_id,))
    groups: dict[int, set[int]] = {}
    for row in rows:
        groups.setdefault(row["id"], set()).add(row["member_id"])
    return [frozenset(members) for members in groups.values()]


async def cycles_ended_unchecked(db: Queryable, now: datetime) -> list[PairCycle]:
    rows = await db.fetch_all("SELECT * FROM pair_cycles WHERE ends_at <= ? AND checked_at IS NULL ORDER BY id",
                              (now.isoformat(),))
    return [c for c in map(_cycle, rows) if c]


async def mark_cycle_checked(db: Queryable, cycle_id: int, now: datetime) -> None:
    await db.execute("UPDATE pair_cycles SET checked_at = ? WHERE id = ?", (now.isoformat(), cycle_id))


async def group_member_ids(db: Queryable, group_id: int) -> list[int]:
    rows = await db.fetch_all("SELECT member_id FROM pair_group_members WHERE group_id = ? ORDER BY member_id",
                              (group_id,))
    return [row["member_id"] for row in rows]


async def set_met(db: Queryable, group_id: int, member_id: int, met: bool) -> bool:
    return await db.execute("UPDATE pair_group_members SET met = ? WHERE group_id = ? AND member_id = ?",
                            (int(met), group_id, member_id)) == 1


async def circle_of_group(db: Queryable, group_id: int) -> int | None:
    row = await db.fetch_one(
        "SELECT c.circle_id FROM pair_groups g JOIN pair_cycles c ON c.id = g.cycle_id WHERE g.id = ?", (group_id,))
    return row["circle_id"] if row else None


async def both_sides_since(db: Queryable, circle_id: int) -> datetime | None:
    """Since when the circle has active members in at least two territories (None if it has not)."""
    rows = await db.fetch_all(
        """SELECT m.territory_code, min(s.joined_at) AS first FROM memberships s JOIN members m ON m.id = s.member_id
           WHERE s.circle_id = ? AND m.status = 'active' AND m.territory_code IS NOT NULL
           GROUP BY m.territory_code ORDER BY first""", (circle_id,))
    return _dt(rows[1]["first"]) if len(rows) >= 2 else None


async def practice_notes(db: Queryable, circle_id: int, member_ids: list[int]) -> dict[int, str]:
    """The latest text each member wrote in the circle's weekly exchanges (their own words about a practice).

    Only replies already relayed to the other side: one held for the member's decision is not shared yet."""
    notes: dict[int, str] = {}
    for member_id in member_ids:
        row = await db.fetch_one(
            """SELECT r.text FROM replies r JOIN rounds o ON o.id = r.round_id
               WHERE o.circle_id = ? AND r.member_id = ? AND r.status = 'relayed'
                 AND r.text IS NOT NULL AND r.text != ''
               ORDER BY r.created_at DESC, r.id DESC LIMIT 1""", (circle_id, member_id))
        if row is not None:
            notes[member_id] = row["text"]
    return notes


async def forget_traces(tx: Transaction, member_id: int) -> None:
    """Before a member is erased: queued messages to others that name them (their proposals, the confirmations
    listing them, peer introductions). Their own rows go by the foreign keys' cascades."""
    rows = await tx.fetch_all(
        """SELECT id, proposer_id = ? AS own FROM call_proposals WHERE proposer_id = ?
               OR id IN (SELECT proposal_id FROM call_invitees WHERE member_id = ?)""",
        (member_id, member_id, member_id))
    for row in rows:
        for kind in ("invite", "confirm", "moved", "ics") if row["own"] else ("confirm", "moved", "ics"):
            await tx.execute("DELETE FROM outbox WHERE dedupe_key LIKE ?", (f"{kind}:{row['id']}:%",))
    groups = await tx.fetch_all("SELECT group_id FROM pair_group_members WHERE member_id = ?", (member_id,))
    for row in groups:
        await tx.execute("DELETE FROM outbox WHERE dedupe_key LIKE ? OR dedupe_key LIKE ?",
                         (f"pair-intro:{row['group_id']}:%", f"pair-check:{row['group_id']}:%"))
