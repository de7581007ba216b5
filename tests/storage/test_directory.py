"""Storage of directory cards: one row per member, a new text drops only its own translations, listings stay
within the reader's open circles, and the row goes with the member."""

from __future__ import annotations

from bot.domain.directory import Side
from bot.storage import directory, members
from bot.storage.database import Database
from tests.storage.test_calls import NOW, db, member  # noqa: F401 - the db fixture


async def test_a_new_text_drops_its_own_translations_and_keeps_the_other_sides(db: Database):
    ama = await member(db, 1, "togo")
    await directory.save_note(db, ama.id, Side.SHARES, "Nous décidons ensemble", "fr", {"governance"}, NOW)
    await directory.save_note(db, ama.id, Side.LEARNS, "La formation des jeunes", "fr", {"youth"}, NOW)
    await directory.save_translation(db, ama.id, Side.SHARES, "en", "We decide together")
    await directory.save_translation(db, ama.id, Side.LEARNS, "en", "Training young people")
    await directory.save_note(db, ama.id, Side.SHARES, "Nous votons", "fr", {"governance", "participation"}, NOW)
    card = await directory.get_card(db, ama.id)
    assert card.translations == {"l:en": "Training young people"}
    assert (card.shares.text, card.shares.tags) == ("Nous votons", {"governance", "participation"})
    assert card.learns.text == "La formation des jeunes" and not card.hidden


async def test_hiding_before_writing_creates_an_empty_hidden_card(db: Database):
    ama = await member(db, 1, "togo")
    await directory.set_hidden(db, ama.id, True, NOW)
    card = await directory.get_card(db, ama.id)
    assert card.hidden and card.is_empty
    await directory.set_hidden(db, ama.id, False, NOW)
    assert not (await directory.get_card(db, ama.id)).hidden


async def test_listings_hold_the_members_of_the_readers_open_circles_only(db: Database):
    reader, peer = await member(db, 1, "bretagne"), await member(db, 2, "togo")
    elsewhere = await member(db, 3, "togo")
    await db.execute("DELETE FROM memberships WHERE member_id = ?", (elsewhere.id,))
    await db.execute("INSERT INTO memberships (member_id, circle_id, joined_at) VALUES (?, 2, ?)",
                     (elsewhere.id, NOW.isoformat()))
    assert [entry.member_id for entry in await directory.listings_for(db, reader.id)] == [peer.id]
    await db.execute("UPDATE circles SET archived = 1 WHERE id = 1")
    assert await directory.listings_for(db, reader.id) == []


async def test_the_card_goes_with_the_member(db: Database):
    ama = await member(db, 1, "togo")
    await directory.save_note(db, ama.id, Side.SHARES, "Nous décidons ensemble", "fr", {"governance"}, NOW)
    await members.forget(db, ama)
    assert await db.fetch_one("SELECT 1 FROM directory_cards") is None


async def test_a_tag_picker_closes_once(db: Database):
    ama = await member(db, 1, "togo")
    await directory.save_note(db, ama.id, Side.SHARES, "Nous décidons ensemble", "fr", {"governance"}, NOW)
    assert (await directory.get_card(db, ama.id)).tagging is Side.SHARES
    assert not await directory.close_tagging(db, ama.id, Side.LEARNS, NOW)
    assert await directory.close_tagging(db, ama.id, Side.SHARES, NOW)
    assert not await directory.close_tagging(db, ama.id, Side.SHARES, NOW)
