"""Writes that must be all or nothing (issue 10): erasing a member, placing or refusing a held member, closing a
call's vote, moving a call. Each use case is run again and again with a statement failing after 0, 1, 2… of its
writes; every broken run must leave every table exactly as it was, and the complete run must change it."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot import joining
from bot.delivery import calls as call_delivery
from bot.erasure import erase_member
from bot.services import Services
from bot.storage import calls, circles, members
from bot.storage.calls import Draft
from tests.e2e.test_calls import people, press, propose, slot_ids, vote
from tests.e2e.test_onboarding import begin, member_row
from tests.e2e.test_weekly_exchange import at
from tests.statement_faults import FaultyDatabase, StatementFailed, table_contents
from tests.support import Harness

UseCase = Callable[[Services], Awaitable[object]]


async def breaks_leave_nothing_behind(h: Harness, use_case: UseCase) -> int:
    """Break the use case after 0, 1, 2… writes until it runs through; returns how many writes it made."""
    before = await table_contents(h.db)
    for after in itertools.count():
        faulty = FaultyDatabase(h.db, after)
        try:
            await use_case(dataclasses.replace(h.services, _db=faulty))
        except StatementFailed:
            assert await table_contents(h.db) == before, f"a failure after {after} writes left a partial change"
            continue
        assert await table_contents(h.db) != before
        return faulty.writes
    raise AssertionError("unreachable")


async def held_member(h: Harness, facilitator) -> int:
    """Someone with a German number, held for a facilitator's decision; returns their member id."""
    await h.command(facilitator, "help")  # so that the bot may write to the facilitator about it
    hansi = h.sim.add_user("Hansi", "Quaxmeier", language_code="en")
    await begin(h, hansi)
    await h.contact(hansi, "+4915123456789")
    await h.drain()
    return (await member_row(h, hansi))["id"]


async def test_placing_a_held_member_is_all_or_nothing(harness: Harness, facilitator):
    h = harness
    member_id = await held_member(h, facilitator)
    bretagne = next(t for t in await circles.territories(h.db) if t.code == "bretagne")
    writes = await breaks_leave_nothing_behind(h, lambda s: joining.decide_held(s, member_id, bretagne))
    assert writes == 3  # status, the member's note, their next onboarding question
    placed = await members.get(h.db, member_id)
    assert (placed.status, placed.territory_code, placed.onboarding_step) == ("active", "bretagne", "organisation")


async def test_refusing_a_held_member_is_all_or_nothing(harness: Harness, facilitator):
    h = harness
    member_id = await held_member(h, facilitator)
    writes = await breaks_leave_nothing_behind(h, lambda s: joining.decide_held(s, member_id, None))
    assert writes == 2  # status, the member's note
    assert (await members.get(h.db, member_id)).status == "refused"


async def test_a_held_member_is_decided_once(harness: Harness, facilitator):
    h = harness
    member_id = await held_member(h, facilitator)
    assert await joining.decide_held(h.services, member_id, None) is not None
    assert await joining.decide_held(h.services, member_id, None) is None


async def test_closing_a_vote_is_all_or_nothing(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Pricing", [datetime(2026, 12, 3, 15, 0), datetime(2026, 12, 4, 11, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[1])
    writes = await breaks_leave_nothing_behind(h, lambda s: call_delivery.close_proposal(s, proposal.id))
    assert writes > 2
    assert (await calls.get_proposal(h.db, proposal.id)).status == "confirmed"


async def test_closing_a_vote_without_votes_is_all_or_nothing(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Pricing", [datetime(2026, 12, 3, 15, 0)])
    writes = await breaks_leave_nothing_behind(h, lambda s: call_delivery.close_proposal(s, proposal.id))
    assert writes > 2
    assert (await calls.get_proposal(h.db, proposal.id)).status == "closed"


async def test_moving_a_call_is_all_or_nothing(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Pricing", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    proposer = await members.get_by_telegram_id(h.db, u["maël"].id)
    new_start = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    await calls.save_draft(h.db, Draft(proposer.id, "slots", h.clock.now(), circle_id=proposal.circle_id,
                                       topic=proposal.topic, duration_minutes=60, slots=[new_start],
                                       reschedule_of=proposal.id))
    writes = await breaks_leave_nothing_behind(
        h, lambda s: call_delivery.move_call(s, proposal.id, new_start, proposer.id))
    assert writes > 3
    moved = await calls.get_proposal(h.db, proposal.id)
    assert (moved.starts_at, moved.sequence) == (new_start, proposal.sequence + 1)
    assert await calls.get_draft(h.db, proposer.id) is None


async def test_erasing_a_member_is_all_or_nothing(harness: Harness):
    h = harness
    u = await people(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(u["ama"], "Nous partageons les semences entre coopératives.")
    await h.drain()
    proposal = await propose(h, u["ama"], "Seeds", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["maël"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["ama"], f"cc:{proposal.id}")
    ama = await members.get_by_telegram_id(h.db, u["ama"].id)
    writes = await breaks_leave_nothing_behind(h, lambda s: erase_member(s.db, ama.id))
    assert writes > 5
    assert await members.get(h.db, ama.id) is None
