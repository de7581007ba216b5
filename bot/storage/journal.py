"""The circle's journal: relayed replies and practices named after calls, kept beyond their authors' /forget."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.domain.journal import practice_tags
from bot.storage import decisions
from bot.storage.database import Queryable, Transaction
from bot.storage.decisions import Decision
from bot.storage.exchanges import Reply


@dataclass(frozen=True)
class JournalEntry:
    id: int
    circle_id: int
    source: str                     # 'reply', 'call' or 'decision'
    author_label: str | None        # None once the author erased their data
    territory_code: str | None
    kind: str
    text: str | None
    language: str | None
    translations: dict[str, str]
    tags: tuple[str, ...]
    created_at: datetime
    decision: Decision | None = None    # for a decision: the question, its options and its result


def _entry(row) -> JournalEntry:
    stored = json.loads(row["practice_tags"]) if row["practice_tags"] is not None else None
    return JournalEntry(row["id"], row["circle_id"], row["source"], row["author_label"], row["territory_code"],
                        row["kind"], row["text"], row["language"], json.loads(row["translations"] or "{}"),
                        tuple(stored) if stored is not None else practice_tags(row["text"], row["language"]),
                        datetime.fromisoformat(row["created_at"]))


async def record_reply(tx: Queryable, *, circle_id: int, reply: Reply, author_label: str | None,
                       translations: dict[str, str]) -> int:
    """Keep a reply in its circle's journal, dated when written (call it in the transaction that relays it)."""
    return await tx.insert(
        """INSERT INTO journal_entries (circle_id, source, member_id, author_label, territory_code, kind, text,
                                        language, translations, practice_tags, created_at)
           VALUES (?, 'reply', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (circle_id, reply.member_id, author_label, reply.territory_code, reply.kind, reply.text, reply.language,
         json.dumps(translations, ensure_ascii=False),
         json.dumps(list(practice_tags(reply.text, reply.language)), ensure_ascii=False), reply.created_at))


async def entries(db: Queryable, circle_id: int) -> list[JournalEntry]:
    """The circle's journal, newest first: replies, practices named after calls, and decisions."""
    rows = await db.fetch_all("SELECT * FROM journal_entries WHERE circle_id = ? ORDER BY created_at DESC, id DESC",
                              (circle_id,))
    found = [_entry(row) for row in rows] + await decision_entries(db, circle_id)
    return sorted(found, key=lambda e: e.created_at, reverse=True)  # stable: same instants keep their order


async def decision_entries(db: Queryable, circle_id: int) -> list[JournalEntry]:
    """The circle's decisions (withdrawn ones left out) as journal entries, dated when they closed (or were put).

    They are read from the decisions themselves, which outlive their proposer's /forget (the proposer is then
    unnamed), so the journal always shows a decision's stored result.
    """
    rows = await db.fetch_all(
        """SELECT d.id, trim(m.first_name || ' ' || ifnull(m.last_name, '')) || ifnull(', ' || m.organisation, '')
                  AS author FROM decisions d LEFT JOIN members m ON m.id = d.proposer_id
           WHERE d.circle_id = ? AND d.status != 'withdrawn' ORDER BY d.id""", (circle_id,))
    found = []
    for row in rows:
        decision = await decisions.get(db, row["id"])
        found.append(JournalEntry(decision.id, circle_id, "decision", row["author"], decision.proposer_territory,
                                  "decision", decision.question, decision.language, {}, (),
                                  decision.closed_at or decision.created_at, decision))
    return found


async def anonymise(tx: Transaction, member_id: int) -> None:
    """Before a member is erased: their entries stay, without their name (member_id goes NULL by cascade)."""
    await tx.execute("UPDATE journal_entries SET author_label = NULL, member_id = NULL WHERE member_id = ?",
                     (member_id,))
