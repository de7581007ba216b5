"""Storage of the facilitators' guided tools: published role menus, drafts awaiting text, announcement progress,
and the facts the facilitation home shows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.storage.database import Queryable, Transaction


# -- role menus -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RoleMenu:
    chat_id: int
    locale: str
    every_circle: bool


async def role_menu(db: Queryable, chat_id: int) -> RoleMenu | None:
    row = await db.fetch_one("SELECT * FROM role_menus WHERE chat_id = ?", (chat_id,))
    return RoleMenu(row["chat_id"], row["locale"], bool(row["every_circle"])) if row else None


async def role_menus(db: Queryable) -> list[RoleMenu]:
    rows = await db.fetch_all("SELECT * FROM role_menus ORDER BY chat_id")
    return [RoleMenu(row["chat_id"], row["locale"], bool(row["every_circle"])) for row in rows]


async def save_role_menu(db: Queryable, menu: RoleMenu, now: datetime) -> None:
    await db.execute(
        """INSERT INTO role_menus (chat_id, locale, every_circle, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (chat_id) DO UPDATE SET locale = excluded.locale, every_circle = excluded.every_circle,
                                               updated_at = excluded.updated_at""",
        (menu.chat_id, menu.locale, int(menu.every_circle), now.isoformat()))


async def drop_role_menu(db: Queryable, chat_id: int) -> None:
    await db.execute("DELETE FROM role_menus WHERE chat_id = ?", (chat_id,))


async def facilitator_chat_ids(db: Queryable) -> list[int]:
    """Telegram ids of active members holding any facilitator right (global or on a circle)."""
    rows = await db.fetch_all(
        """SELECT m.telegram_user_id FROM members m WHERE m.status = 'active'
             AND (m.id IN (SELECT member_id FROM facilitators) OR m.id IN (SELECT member_id FROM circle_facilitators))
           ORDER BY m.id""")
    return [row["telegram_user_id"] for row in rows]


# -- drafts awaiting a facilitator's text ------------------------------------------------------------------------

@dataclass
class FacilitatorDraft:
    telegram_user_id: int
    kind: str                    # 'announce', 'question', 'circle'
    step: str
    updated_at: datetime
    circle_id: int | None = None
    territory_code: str | None = None
    prompt_id: int | None = None
    texts: dict[str, str] = field(default_factory=dict)


async def load_memory(db: Queryable) -> None:
    """Who has a draft awaiting text (db.memory.facilitator_drafters): read once at start."""
    rows = await db.fetch_all("SELECT telegram_user_id FROM facilitator_drafts")
    db.memory.facilitator_drafters = {row["telegram_user_id"] for row in rows}


async def get_draft(db: Queryable, telegram_user_id: int) -> FacilitatorDraft | None:
    drafters = db.memory.facilitator_drafters
    if drafters is not None and telegram_user_id not in drafters:
        return None  # every command and private text looks: known without a query for nearly everyone
    row = await db.fetch_one("SELECT * FROM facilitator_drafts WHERE telegram_user_id = ?", (telegram_user_id,))
    if row is None:
        return None
    return FacilitatorDraft(row["telegram_user_id"], row["kind"], row["step"],
                            datetime.fromisoformat(row["updated_at"]), row["circle_id"], row["territory_code"],
                            row["prompt_id"], json.loads(row["texts"]))


async def save_draft(db: Queryable, draft: FacilitatorDraft) -> None:
    if db.memory.facilitator_drafters is not None:
        db.memory.facilitator_drafters.add(draft.telegram_user_id)  # before the write: a reader never misses it
    await db.execute(
        """INSERT OR REPLACE INTO facilitator_drafts
               (telegram_user_id, kind, circle_id, territory_code, prompt_id, step, texts, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (draft.telegram_user_id, draft.kind, draft.circle_id, draft.territory_code, draft.prompt_id, draft.step,
         json.dumps(draft.texts, ensure_ascii=False), draft.updated_at.isoformat()))


async def delete_draft(db: Queryable, telegram_user_id: int) -> None:
    await db.execute("DELETE FROM facilitator_drafts WHERE telegram_user_id = ?", (telegram_user_id,))
    if db.memory.facilitator_drafters is not None and not isinstance(db, Transaction):
        # Inside a transaction the row is gone only if it commits: keep the id (at worst one useless query).
        db.memory.facilitator_drafters.discard(telegram_user_id)


# -- announcement delivery progress ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    announcement_id: int
    chat_id: int
    message_id: int
    locale: str
    shown: str | None


@dataclass(frozen=True)
class DeliveryCounts:
    total: int
    delivered: int
    unreachable: int

    @property
    def finished(self) -> bool:
        return self.delivered + self.unreachable >= self.total


async def watch_progress(db: Queryable, announcement_id: int, chat_id: int, message_id: int, locale: str,
                         shown: str) -> None:
    await db.execute(
        """UPDATE announcements SET progress_chat_id = ?, progress_message_id = ?, progress_locale = ?,
                  progress_text = ?, progress_done = 0 WHERE id = ?""",
        (chat_id, message_id, locale, shown, announcement_id))


async def progress_to_show(db: Queryable) -> list[Progress]:
    rows = await db.fetch_all(
        """SELECT id, progress_chat_id, progress_message_id, progress_locale, progress_text FROM announcements
           WHERE progress_done = 0 AND status = 'sent' AND progress_message_id IS NOT NULL ORDER BY id""")
    return [Progress(r["id"], r["progress_chat_id"], r["progress_message_id"], r["progress_locale"] or "fr",
                     r["progress_text"]) for r in rows]


async def record_progress(db: Queryable, announcement_id: int, shown: str, done: bool) -> None:
    await db.execute("UPDATE announcements SET progress_text = ?, progress_done = ? WHERE id = ?",
                     (shown, int(done), announcement_id))


async def delivery_counts(db: Queryable, key_prefix: str) -> DeliveryCounts:
    """Outbox rows whose dedupe key starts with the prefix, by fate: sent, given up (failed/dropped), pending.

    A range on the key (prefix <= key < prefix's successor) rather than LIKE: it uses the key's unique index, so
    the count read every 2 s costs the announcement's rows, not the whole outbox's."""
    upper = key_prefix[:-1] + chr(ord(key_prefix[-1]) + 1)
    row = await db.fetch_one(
        """SELECT count(*) AS total, sum(status = 'sent') AS delivered,
                  sum(status IN ('failed', 'dropped')) AS unreachable
           FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ?""", (key_prefix, upper))
    return DeliveryCounts(row["total"] or 0, row["delivered"] or 0, row["unreachable"] or 0)


# -- what the facilitation home shows -----------------------------------------------------------------------------

async def replies_by_side(db: Queryable, round_id: int) -> dict[str, int]:
    rows = await db.fetch_all(
        "SELECT territory_code, count(*) AS n FROM replies WHERE round_id = ? GROUP BY territory_code", (round_id,))
    return {row["territory_code"]: row["n"] for row in rows}


async def open_call_count(db: Queryable, circle_id: int) -> int:
    row = await db.fetch_one("SELECT count(*) AS n FROM call_proposals WHERE circle_id = ? AND status = 'open'",
                             (circle_id,))
    return row["n"]


@dataclass(frozen=True)
class HelpRequest:
    """A reply someone could not understand in translation, waiting for a facilitator."""

    id: int
    circle_id: int
    reply_text: str
    reply_language: str
    author: str       # who wrote the reply
    asked_by: str     # who asked for help


async def add_help_request(db: Queryable, *, reply_id: int, member_id: int, circle_id: int, now: datetime) -> bool:
    """Record a request (once per reply and member); False when it was already there."""
    changed = await db.execute(
        """INSERT OR IGNORE INTO help_requests (reply_id, member_id, circle_id, created_at) VALUES (?, ?, ?, ?)""",
        (reply_id, member_id, circle_id, now.isoformat()))
    return changed == 1


async def open_help_requests(db: Queryable, circle_id: int) -> list[HelpRequest]:
    rows = await db.fetch_all(
        """SELECT h.id, h.circle_id, p.text, p.language,
                  trim(a.first_name || ' ' || ifnull(a.last_name, '')) AS author,
                  trim(m.first_name || ' ' || ifnull(m.last_name, '')) AS asked_by
             FROM help_requests h JOIN replies p ON p.id = h.reply_id JOIN members a ON a.id = p.member_id
             JOIN members m ON m.id = h.member_id
            WHERE h.circle_id = ? AND h.handled_at IS NULL ORDER BY h.id""", (circle_id,))
    return [HelpRequest(r["id"], r["circle_id"], r["text"] or "", r["language"], r["author"], r["asked_by"])
            for r in rows]


async def mark_helped(db: Queryable, request_id: int, circle_id: int, handled_by: int | None, now: datetime) -> bool:
    """Close an open request of that circle; False when it was closed already (another facilitator, a double tap)."""
    changed = await db.execute(
        """UPDATE help_requests SET handled_at = ?, handled_by = ?
           WHERE id = ? AND circle_id = ? AND handled_at IS NULL""",
        (now.isoformat(), handled_by, request_id, circle_id))
    return changed == 1


async def forget_chat(db: Queryable, chat_id: int) -> None:
    """/forget: no draft, no delivery count message id left pointing at the member's chat.

    The role_menus row stays until the menu is taken away (role_menus.refresh_menu, right after the erasure):
    it is what says Telegram still shows that chat a facilitators' menu."""
    await db.execute("DELETE FROM facilitator_drafts WHERE telegram_user_id = ?", (chat_id,))
    await db.execute(
        """UPDATE announcements SET progress_chat_id = NULL, progress_message_id = NULL, progress_done = 1
           WHERE progress_chat_id = ?""", (chat_id,))
