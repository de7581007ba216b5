"""Peer pairs across the border, cycle after cycle: pairing, introductions, and "did you meet?" at the end.

A circle's first cycle starts a week after it has members on both sides (newcomers first meet the circle
through its weekly exchanges); each cycle lasts four weeks. Introductions are queued with a dedupe key per
group and member, and a cycle is recorded once (UNIQUE circle, index), so a repeated tick sends nothing twice.
Pairs whose directory cards meet in both directions are preferred (bot.domain.pairing), and the introduction says
what each can bring the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram.ext import Application

from bot.domain.directory import Card, two_way_pairs
from bot.domain.pairing import Participant, pair_up
from bot.services import Services
from bot.storage import calls, circles, directory, members, outbox
from bot.storage.circles import Circle
from bot.storage.database import Queryable
from bot.ui import calls as screens

CYCLE = timedelta(days=28)
FIRST_CYCLE_AFTER = timedelta(days=7)


async def due_pair_work(services: Services, application: Application) -> None:
    """Ask about the cycles that ended, then start the cycles that are due."""
    now = services.clock.now()
    for cycle in await calls.cycles_ended_unchecked(services.db, now):
        await _ask_whether_met(services, cycle, now)
    for circle in await circles.list_open(services.db):
        index = await _due_cycle_index(services, circle, now)
        if index is not None:
            await start_cycle(services, circle, index, now)


async def _due_cycle_index(services: Services, circle: Circle, now: datetime) -> int | None:
    last = await calls.last_cycle(services.db, circle.id)
    if last is not None:
        return last.cycle_index + 1 if now >= last.ends_at else None
    since = await calls.both_sides_since(services.db, circle.id)
    return 0 if since is not None and now >= since + FIRST_CYCLE_AFTER else None


async def start_cycle(services: Services, circle: Circle, index: int, now: datetime) -> None:
    """Pair the circle's active, unpaused members and introduce each group to itself."""
    db = services.db
    people = [m for m in await circles.members_of(db, circle.id) if m.territory_code]
    paused = await calls.paused_ids(db, [m.id for m in people])
    participants = [Participant(m.id, m.territory_code, m.id in paused) for m in people]
    # Issue 12: pairs whose directory cards meet in both directions are preferred (hidden cards never match).
    cards = await directory.cards_of(db, [m.id for m in people])
    preferred = two_way_pairs(cards, {m.id: m.territory_code for m in people})
    pairing = pair_up(participants, await calls.pair_history(db, circle.id), index, preferred)
    notes = await calls.practice_notes(db, circle.id, [m.id for m in people])
    cities = {t.code: t.city for t in await circles.territories(db)}
    async with db.transaction() as tx:
        cycle_id = await calls.create_cycle(tx, circle.id, index, now, now + CYCLE, pairing.groups)
        if cycle_id is None:
            return
        for group_id, member_ids in (await calls.groups_of_cycle(tx, cycle_id)).items():
            await _introduce(tx, services, circle, group_id, member_ids, notes, cities, cards, now)


async def _introduce(tx: Queryable, services: Services, circle: Circle, group_id: int, member_ids: list[int],
                     notes: dict[int, str], cities: dict[str, str], cards: dict[int, Card], now: datetime) -> None:
    group = [m for m in [await members.get(tx, i) for i in member_ids] if m is not None]
    for member in group:
        tr = services.i18n.for_locale(member.locale, member.phone_region)
        text, markup = screens.introduction(tr, circle, group_id, [p for p in group if p.id != member.id],
                                            notes, cities, cards, member.id)
        await outbox.enqueue(tx, chat_id=member.telegram_user_id, method="sendMessage", member_id=member.id,
                             payload={"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()},
                             now=now, dedupe_key=f"pair-intro:{group_id}:{member.id}")


async def _ask_whether_met(services: Services, cycle: calls.PairCycle, now: datetime) -> None:
    db = services.db
    circle = await circles.get(db, cycle.circle_id)
    async with db.transaction() as tx:
        for group_id, member_ids in (await calls.groups_of_cycle(tx, cycle.id)).items():
            group = [m for m in [await members.get(tx, i) for i in member_ids] if m is not None and m.is_active]
            for member in group:
                tr = services.i18n.for_locale(member.locale, member.phone_region)
                text, markup = screens.pair_check(tr, circle, group_id, [p for p in group if p.id != member.id])
                await outbox.enqueue(tx, chat_id=member.telegram_user_id, method="sendMessage", member_id=member.id,
                                     payload={"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()},
                                     now=now, dedupe_key=f"pair-check:{group_id}:{member.id}")
        await calls.mark_cycle_checked(tx, cycle.id, now)
