"""Weekly rounds, prompt deliveries, custom prompts and replies (all SQL of the exchanges feature)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Queryable, Transaction


@dataclass(frozen=True)
class Round:
    id: int
    circle_id: int
    week_key: str
    prompt_key: str
    opener_territory: str


@dataclass(frozen=True)
class Reply:
    id: int
    round_id: int
    member_id: int
    territory_code: str
    kind: str
    text: str | None
    language: str
    source_chat_id: int
    source_message_id: int
    status: str
    created_at: str


def _round(row) -> Round | None:
    return Round(row["id"], row["circle_id"], row["week_key"], row["prompt_key"], row["opener_territory"]) if row else None


def _reply(row) -> Reply | None:
    if row is None:
        return None
    return Reply(row["id"], row["round_id"], row["member_id"], row["territory_code"], row["kind"], row["text"],
                 row["language"], row["source_chat_id"], row["source_message_id"], row["status"], row["created_at"])


async def get_round(db: Queryable, round_id: int) -> Round | None:
    return _round(await db.fetch_one("SELECT * FROM rounds WHERE id = ?", (round_id,)))


async def round_of_week(db: Queryable, circle_id: int, week_key: str) -> Round | None:
    return _round(await db.fetch_one("SELECT * FROM rounds WHERE circle_id = ? AND week_key = ?",
                                     (circle_id, week_key)))


async def rounds_of(db: Queryable, circle_id: int) -> list[Round]:
    """Every round of a circle, oldest first (rotation and reciprocity history)."""
    rows = await db.fetch_all("SELECT * FROM rounds WHERE circle_id = ? ORDER BY week_key", (circle_id,))
    return [r for r in map(_round, rows) if r]


async def create_round(db: Queryable, *, circle_id: int, week_key: str, prompt_key: str, opener: str,
                       now: datetime) -> Round:
    await db.execute(
        """INSERT OR IGNORE INTO rounds (circle_id, week_key, prompt_key, opener_territory, created_at)
           VALUES (?, ?, ?, ?, ?)""", (circle_id, week_key, prompt_key, opener, now.isoformat()))
    created = await round_of_week(db, circle_id, week_key)
    assert created is not None
    return created


async def last_weeks_delivered(db: Queryable, circle_id: int) -> dict[int, str]:
    """For each member of a circle, the latest week whose prompt they were sent."""
    rows = await db.fetch_all(
        """SELECT d.member_id, max(r.week_key) AS week FROM prompt_deliveries d JOIN rounds r ON r.id = d.round_id
           WHERE r.circle_id = ? AND d.member_id IS NOT NULL GROUP BY d.member_id""", (circle_id,))
    return {row["member_id"]: row["week"] for row in rows}


async def record_delivery(db: Queryable, *, round_id: int, chat_id: int, member_id: int | None, outbox_key: str,
                          now: datetime) -> bool:
    """Remember that a round's prompt is queued for a chat; False if it already was (never twice)."""
    changed = await db.execute(
        """INSERT OR IGNORE INTO prompt_deliveries (round_id, chat_id, member_id, outbox_key, created_at)
           VALUES (?, ?, ?, ?, ?)""", (round_id, chat_id, member_id, outbox_key, now.isoformat()))
    return changed == 1


async def delivered_chats(db: Queryable, round_id: int) -> set[int]:
    rows = await db.fetch_all("SELECT chat_id FROM prompt_deliveries WHERE round_id = ?", (round_id,))
    return {row["chat_id"] for row in rows}


async def round_for_message(db: Queryable, chat_id: int, message_id: int) -> Round | None:
    """The round whose prompt is the given message of a chat (the member replied to it)."""
    return _round(await db.fetch_one(
        """SELECT r.* FROM prompt_deliveries d JOIN outbox o ON o.dedupe_key = d.outbox_key
           JOIN rounds r ON r.id = d.round_id WHERE d.chat_id = ? AND o.telegram_message_id = ?""",
        (chat_id, message_id)))


async def latest_round_for_member(db: Queryable, member_id: int, since: datetime) -> Round | None:
    """The newest round whose prompt the member was sent since a moment (for replies that quote nothing)."""
    return _round(await db.fetch_one(
        """SELECT r.* FROM prompt_deliveries d JOIN rounds r ON r.id = d.round_id
           WHERE d.member_id = ? AND d.created_at >= ? ORDER BY d.created_at DESC, r.id DESC LIMIT 1""",
        (member_id, since.isoformat())))


async def latest_rounds_for_member(db: Queryable, member_id: int) -> list[Round]:
    """The newest round of each circle the member was sent a prompt of."""
    rows = await db.fetch_all(
        """SELECT r.* FROM rounds r JOIN prompt_deliveries d ON d.round_id = r.id WHERE d.member_id = ?
           AND r.week_key = (SELECT max(r2.week_key) FROM rounds r2 JOIN prompt_deliveries d2 ON d2.round_id = r2.id
                             WHERE r2.circle_id = r.circle_id AND d2.member_id = ?)
           ORDER BY r.circle_id""", (member_id, member_id))
    return [r for r in map(_round, rows) if r]


# Custom prompts -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomPrompt:
    id: int
    circle_id: int
    texts: dict[str, str]
    retired: bool

    @property
    def key(self) -> str:
        return f"custom-{self.id}"


async def custom_prompts(db: Queryable, circle_id: int, *, include_retired: bool = False) -> list[CustomPrompt]:
    rows = await db.fetch_all("SELECT * FROM custom_prompts WHERE circle_id = ? ORDER BY id", (circle_id,))
    prompts = []
    for row in rows:
        if row["retired"] and not include_retired:
            continue
        texts = await db.fetch_all("SELECT locale, text FROM custom_prompt_texts WHERE prompt_id = ?", (row["id"],))
        prompts.append(CustomPrompt(row["id"], row["circle_id"], {t["locale"]: t["text"] for t in texts},
                                    bool(row["retired"])))
    return prompts


async def custom_prompt(db: Queryable, prompt_id: int) -> CustomPrompt | None:
    row = await db.fetch_one("SELECT circle_id FROM custom_prompts WHERE id = ?", (prompt_id,))
    if row is None:
        return None
    return next(p for p in await custom_prompts(db, row["circle_id"], include_retired=True) if p.id == prompt_id)


async def save_custom_prompt(db: Queryable, *, circle_id: int, texts: dict[str, str], created_by: int | None,
                             now: datetime, prompt_id: int | None = None) -> int:
    """Create a prompt, or replace the texts of an existing one."""
    if prompt_id is None:
        prompt_id = await db.insert("INSERT INTO custom_prompts (circle_id, created_by, created_at) VALUES (?, ?, ?)",
                                    (circle_id, created_by, now.isoformat()))
    await db.execute("DELETE FROM custom_prompt_texts WHERE prompt_id = ?", (prompt_id,))
    for locale, text in texts.items():
        await db.execute("INSERT INTO custom_prompt_texts (prompt_id, locale, text) VALUES (?, ?, ?)",
                         (prompt_id, locale, text))
    return prompt_id


async def retire_custom_prompt(db: Queryable, prompt_id: int) -> None:
    await db.execute("UPDATE custom_prompts SET retired = 1 WHERE id = ?", (prompt_id,))


async def retire_builtin(db: Queryable, circle_id: int, key: str) -> None:
    await db.execute("INSERT OR IGNORE INTO retired_prompts (circle_id, prompt_key) VALUES (?, ?)", (circle_id, key))


async def retired_builtin_keys(db: Queryable, circle_id: int) -> set[str]:
    rows = await db.fetch_all("SELECT prompt_key FROM retired_prompts WHERE circle_id = ?", (circle_id,))
    return {row["prompt_key"] for row in rows}


# Replies --------------------------------------------------------------------------------------------------

async def add_reply(db: Queryable, *, round_id: int, member_id: int, territory_code: str, kind: str,
                    text: str | None, language: str, source_chat_id: int, source_message_id: int, status: str,
                    now: datetime) -> int:
    return await db.insert(
        """INSERT INTO replies (round_id, member_id, territory_code, kind, text, language, source_chat_id,
                                source_message_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (round_id, member_id, territory_code, kind, text, language, source_chat_id, source_message_id, status,
         now.isoformat()))


async def get_reply(db: Queryable, reply_id: int) -> Reply | None:
    return _reply(await db.fetch_one("SELECT * FROM replies WHERE id = ?", (reply_id,)))


async def reply_for_message(db: Queryable, chat_id: int, message_id: int) -> Reply | None:
    return _reply(await db.fetch_one("SELECT * FROM replies WHERE source_chat_id = ? AND source_message_id = ?",
                                     (chat_id, message_id)))


async def update_reply_text(db: Queryable, reply_id: int, text: str | None) -> bool:
    """Replace the text of a reply not relayed yet (an edit); False if it was already relayed."""
    changed = await db.execute("UPDATE replies SET text = ? WHERE id = ? AND status != 'relayed'", (text, reply_id))
    return changed == 1


async def set_reply_status(db: Queryable, reply_id: int, status: str, now: datetime | None = None) -> None:
    await db.execute("UPDATE replies SET status = ?, relayed_at = ? WHERE id = ?",
                     (status, now.isoformat() if now and status == "relayed" else None, reply_id))


async def delete_reply(db: Queryable, reply_id: int) -> None:
    await db.execute("DELETE FROM replies WHERE id = ?", (reply_id,))


async def pending_replies(db: Queryable, circle_id: int, before: datetime) -> list[Reply]:
    """Replies of a circle waiting for a digest, written before a moment, oldest first."""
    rows = await db.fetch_all(
        """SELECT p.* FROM replies p JOIN rounds r ON r.id = p.round_id
           WHERE r.circle_id = ? AND p.status = 'pending' AND p.created_at < ? ORDER BY p.created_at, p.id""",
        (circle_id, before.isoformat()))
    return [r for r in map(_reply, rows) if r]


async def record_digest(db: Queryable, recipient_chat_id: int, window_start: datetime, now: datetime) -> bool:
    changed = await db.execute(
        "INSERT OR IGNORE INTO digests (recipient_chat_id, window_start, created_at) VALUES (?, ?, ?)",
        (recipient_chat_id, window_start.isoformat(), now.isoformat()))
    return changed == 1


async def forget_relays(tx: Transaction, member_id: int) -> None:
    """Before a member is erased: the relayed copies of their replies sent or queued to others carry their name,
    and a reader's "translation unclear" notice to a facilitator carries the reply."""
    for row in await tx.fetch_all("SELECT id FROM replies WHERE member_id = ?", (member_id,)):
        await tx.execute("DELETE FROM outbox WHERE dedupe_key LIKE ? OR dedupe_key LIKE ?",
                         (f"relay:{row['id']}:%", f"unclear:{row['id']}:%"))


async def held_replies_written_before(db: Queryable, before: datetime, *, unreminded_only: bool = False) -> list[Reply]:
    """Replies still waiting for their author's choice (relay as it is / rephrase), written before a moment."""
    condition = " AND reminded_at IS NULL" if unreminded_only else ""
    rows = await db.fetch_all(
        f"SELECT * FROM replies WHERE status = 'held' AND created_at < ?{condition} ORDER BY created_at, id",
        (before.isoformat(),))
    return [r for r in map(_reply, rows) if r]


async def mark_reminded(db: Queryable, reply_id: int, now: datetime) -> bool:
    """Record the one reminder of a held reply; False when it was no longer held or already reminded."""
    changed = await db.execute(
        "UPDATE replies SET reminded_at = ? WHERE id = ? AND status = 'held' AND reminded_at IS NULL",
        (now.isoformat(), reply_id))
    return changed == 1


async def release_held(db: Queryable, reply_id: int) -> bool:
    """A held reply becomes pending (to relay); False when its author decided meanwhile."""
    changed = await db.execute("UPDATE replies SET status = 'pending' WHERE id = ? AND status = 'held'", (reply_id,))
    return changed == 1
