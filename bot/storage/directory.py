"""Directory cards: what a member's organisation can share and would like to learn, with tags and translations."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from bot.domain.directory import Card, Listing, PracticeNote, Side
from bot.storage.database import Queryable

_COLUMNS = {Side.SHARES: ("shares", "shares_language", "shares_tags"),
            Side.LEARNS: ("learns", "learns_language", "learns_tags")}


def _note(row, side: Side) -> PracticeNote | None:
    text, language, tags = _COLUMNS[side]
    if row[text] is None:
        return None
    return PracticeNote(row[text], row[language] or "", frozenset(json.loads(row[tags])))


def _card(row) -> Card:
    return Card(row["member_id"], _note(row, Side.SHARES), _note(row, Side.LEARNS), bool(row["hidden"]),
                json.loads(row["translations"]), Side(row["tagging"]) if row["tagging"] else None)


async def get_card(db: Queryable, member_id: int) -> Card:
    """The member's card; an empty one when they have said nothing yet."""
    row = await db.fetch_one("SELECT * FROM directory_cards WHERE member_id = ?", (member_id,))
    return _card(row) if row is not None else Card(member_id)


async def cards_of(db: Queryable, member_ids: Iterable[int]) -> dict[int, Card]:
    """The cards of these members that exist."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await db.fetch_all(f"SELECT * FROM directory_cards WHERE member_id IN ({marks})", ids)  # noqa: S608
    return {row["member_id"]: _card(row) for row in rows}


async def save_note(db: Queryable, member_id: int, side: Side, text: str, language: str, tags: Iterable[str],
                    now: datetime) -> None:
    """Replace one side of the card and open its tag picker (one statement); the translations of the old text are
    dropped with it."""
    text_column, language_column, tags_column = _COLUMNS[side]
    await db.execute(
        f"""INSERT INTO directory_cards (member_id, {text_column}, {language_column}, {tags_column}, tagging,
                                         updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (member_id) DO UPDATE SET {text_column} = excluded.{text_column},
                {language_column} = excluded.{language_column}, {tags_column} = excluded.{tags_column},
                tagging = excluded.tagging,
                translations = (SELECT json_group_object(key, value) FROM json_each(directory_cards.translations)
                                WHERE key NOT LIKE ?),
                updated_at = excluded.updated_at""",  # noqa: S608 - fixed column names
        (member_id, text, language, json.dumps(sorted(tags)), side.value, now.isoformat(), f"{side.value}:%"))


async def set_tags(db: Queryable, member_id: int, side: Side, tags: Iterable[str], now: datetime) -> None:
    tags_column = _COLUMNS[side][2]
    await db.execute(f"UPDATE directory_cards SET {tags_column} = ?, updated_at = ? WHERE member_id = ?",  # noqa: S608
                     (json.dumps(sorted(tags)), now.isoformat(), member_id))


async def close_tagging(db: Queryable, member_id: int, side: Side, now: datetime) -> bool:
    """Close the side's tag picker; False when it was not open (already closed by an earlier press)."""
    changed = await db.execute(
        "UPDATE directory_cards SET tagging = NULL, updated_at = ? WHERE member_id = ? AND tagging = ?",
        (now.isoformat(), member_id, side.value))
    return changed == 1


async def set_hidden(db: Queryable, member_id: int, hidden: bool, now: datetime) -> None:
    await db.execute(
        """INSERT INTO directory_cards (member_id, hidden, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (member_id) DO UPDATE SET hidden = excluded.hidden, updated_at = excluded.updated_at""",
        (member_id, int(hidden), now.isoformat()))


async def save_translation(db: Queryable, member_id: int, side: Side, locale: str, text: str) -> None:
    """Keep a machine translation a reader got, so the next reader in that language does not wait for it."""
    await db.execute(
        "UPDATE directory_cards SET translations = json_set(translations, ?, ?) WHERE member_id = ?",
        (f'$."{side.value}:{locale}"', text, member_id))


async def listings_for(db: Queryable, reader_id: int) -> list[Listing]:
    """Every other verified member sharing an open circle with the reader, with their card (hidden ones too:
    the domain's filter leaves them out)."""
    rows = await db.fetch_all(
        """SELECT DISTINCT m.id, m.first_name, m.last_name, m.organisation, m.organisation_kind, m.territory_code
           FROM members m JOIN memberships theirs ON theirs.member_id = m.id
           JOIN circles c ON c.id = theirs.circle_id AND c.archived = 0
           JOIN memberships mine ON mine.circle_id = theirs.circle_id AND mine.member_id = ?
           WHERE m.id != ? AND m.status = 'active' AND m.territory_code IS NOT NULL""", (reader_id, reader_id))
    cards = await cards_of(db, [row["id"] for row in rows])
    return [Listing(row["id"], " ".join(p for p in (row["first_name"], row["last_name"]) if p), row["organisation"],
                    row["organisation_kind"], row["territory_code"], cards.get(row["id"], Card(row["id"])))
            for row in rows]


async def shared_open_circle_ids(db: Queryable, member_id: int, peer_id: int) -> list[int]:
    rows = await db.fetch_all(
        """SELECT a.circle_id FROM memberships a JOIN memberships b ON b.circle_id = a.circle_id
           JOIN circles c ON c.id = a.circle_id AND c.archived = 0
           WHERE a.member_id = ? AND b.member_id = ? ORDER BY a.circle_id""", (member_id, peer_id))
    return [row["circle_id"] for row in rows]
