"""Storage of calls and peer pairs: one vote per person per slot, cycles recorded once, nothing left on /forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import resources
from bot.erasure import erase_member
from bot.storage import calls, members, migrate
from bot.storage.database import Database

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "test.sqlite3")
    await migrate.migrate(database, resources.migrations_dir())
    yield database
    await database.close()


async def member(db: Database, telegram_id: int, territory: str) -> members.Member:
    created = await members.create(db, telegram_user_id=telegram_id, first_name=f"M{telegram_id}", last_name=None,
                                   locale="fr", locale_source="default", now=NOW)
    zone = "Europe/Paris" if territory == "bretagne" else "Africa/Lome"
    await members.update(db, created.id, NOW, status="active", territory_code=territory, time_zone=zone)
    await db.execute("INSERT INTO memberships (member_id, circle_id, joined_at) VALUES (?, 1, ?)",
                     (created.id, NOW.isoformat()))
    return await members.get(db, created.id)


async def proposal_with_votes(db: Database):
    proposer, voter = await member(db, 1, "bretagne"), await member(db, 2, "togo")
    proposal_id = await calls.create_proposal(
        db, circle_id=1, proposer_id=proposer.id, topic="Prices", duration_minutes=60,
        deadline=NOW + timedelta(days=1), slots=[NOW + timedelta(days=3)], invitee_ids=[voter.id], now=NOW)
    proposal = await calls.get_proposal(db, proposal_id)
    return proposal, proposer, voter


async def test_a_second_vote_for_the_same_slot_is_refused_by_the_schema(db):
    import sqlite3

    proposal, _, voter = await proposal_with_votes(db)
    slot = (await calls.slots_of(db, proposal))[0]
    await db.execute("INSERT INTO call_votes (slot_id, member_id, voted_at) VALUES (?, ?, ?)",
                     (slot.slot_id, voter.id, NOW.isoformat()))
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO call_votes (slot_id, member_id, voted_at) VALUES (?, ?, ?)",
                         (slot.slot_id, voter.id, NOW.isoformat()))


async def test_toggling_twice_takes_the_vote_back(db):
    proposal, _, voter = await proposal_with_votes(db)
    slot = (await calls.slots_of(db, proposal))[0]
    assert await calls.toggle_vote(db, slot.slot_id, voter.id, NOW) is True
    assert await calls.toggle_vote(db, slot.slot_id, voter.id, NOW) is False
    assert await calls.votes(db, proposal.id) == []


async def test_a_closed_proposal_cannot_be_confirmed_again(db):
    proposal, _, _ = await proposal_with_votes(db)
    slot = (await calls.slots_of(db, proposal))[0]
    assert await calls.confirm(db, proposal, slot, "https://meet.example/x", NOW)
    assert not await calls.confirm(db, proposal, slot, "https://meet.example/y", NOW)
    assert (await calls.get_proposal(db, proposal.id)).video_url == "https://meet.example/x"


async def test_a_cycle_is_recorded_once_with_its_groups_in_history(db):
    a, b = await member(db, 1, "bretagne"), await member(db, 2, "togo")
    assert await calls.create_cycle(db, 1, 0, NOW, NOW + timedelta(days=28), [frozenset({a.id, b.id})])
    assert await calls.create_cycle(db, 1, 0, NOW, NOW + timedelta(days=28), [frozenset({a.id, b.id})]) is None
    assert await calls.pair_history(db, 1) == [frozenset({a.id, b.id})]
    assert await calls.both_sides_since(db, 1) == NOW


async def test_forgetting_a_member_removes_their_votes_pairs_followups_and_keeps_the_call(db):
    proposal, proposer, voter = await proposal_with_votes(db)
    slot = (await calls.slots_of(db, proposal))[0]
    await calls.toggle_vote(db, slot.slot_id, voter.id, NOW)
    await calls.create_cycle(db, 1, 0, NOW, NOW + timedelta(days=28), [frozenset({proposer.id, voter.id})])
    await calls.set_paused(db, voter.id, True, NOW)
    await calls.start_followups(db, proposal, [proposer, voter], NOW)
    await erase_member(db, voter.id)
    for table in ("call_votes", "call_invitees", "pair_group_members", "pairing_preferences", "call_followups"):
        rows = await db.fetch_all(f"SELECT * FROM {table} WHERE member_id = ?", (voter.id,))  # noqa: S608
        assert rows == [], table
    await erase_member(db, proposer.id)
    assert (await calls.get_proposal(db, proposal.id)).proposer_id is None
