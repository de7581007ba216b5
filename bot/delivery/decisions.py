"""Circle decisions, use cases: put a question, vote, close with the result, remind, withdraw, extend.

Each use case that writes several rows owns its one transaction (a decision and its ballots; a result and its
messages; a reminder's record and its messages). Messages go through the outbox, rendered for each place: a
member's private chat, or their territory's group of the circle when there is one (as relayed replies do).
Machine translation (network) happens before the transaction, never inside it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from telegram.ext import Application

from bot.domain import decisions as rules
from bot.domain.decisions import Draft, Result
from bot.i18n import Translator
from bot.services import Services
from bot.storage import circles, decisions, members, outbox
from bot.storage.circles import Circle, Territory
from bot.storage.database import Queryable
from bot.storage.decisions import Decision
from bot.storage.members import Member
from bot.ui import decisions as screens
from bot.ui.calls import Place, other_places, person, reader_place
from bot.ui.screens import territory_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Where one member (or one territory's group) reads a decision's messages."""

    chat_id: int
    thread_id: int | None
    locale: str
    region: str | None
    member_id: int | None      # None for a group
    territory: str | None
    zone: str
    city: str | None           # None: the reader's zone is named, not a territory's city

    @property
    def in_group(self) -> bool:
        return self.member_id is None


def outbox_key(decision_id: int, kind: str, recipient: Recipient) -> str:
    """The one place that spells this feature's outbox keys (decision:<id>:<kind>:<chat>)."""
    return f"decision:{decision_id}:{kind}:{recipient.chat_id}"


async def recipients(db: Queryable, circle_id: int, *, territory: str | None = None) -> list[Recipient]:
    """Every place of the circle (of one territory, when given): its territory's group, else private chats."""
    territories = {t.code: t for t in await circles.territories(db)}
    groups = {g.territory_code: g for g in await circles.groups_of(db, circle_id) if g.territory_code}
    places, grouped = [], set()
    for member in await circles.members_of(db, circle_id):
        side = territories.get(member.territory_code or "")
        if territory is not None and member.territory_code != territory:
            continue
        group = groups.get(member.territory_code)
        if group is not None and side is not None:
            if group.chat_id not in grouped:
                grouped.add(group.chat_id)
                places.append(Recipient(group.chat_id, group.thread_id, side.default_locale, side.country, None,
                                        side.code, side.default_zone, side.city))
            continue
        if not member.reachable:
            continue
        zone = member.time_zone or (side.default_zone if side else "UTC")
        city = side.city if side is not None and side.default_zone == zone else None
        places.append(Recipient(member.telegram_user_id, None, member.locale, member.phone_region, member.id,
                                member.territory_code, zone, city))
    return places


def _tr(services: Services, recipient: Recipient) -> Translator:
    return services.i18n.for_locale(recipient.locale, recipient.region)


def _place(tr: Translator, recipient: Recipient) -> Place:
    return Place(recipient.zone, recipient.city or tr.zone_name(recipient.zone))


async def _enqueue(tx: Queryable, recipient: Recipient, text: str, now: datetime, key: str, markup=None) -> None:
    payload: dict = {"text": text, "parse_mode": "HTML"}
    if recipient.thread_id:
        payload["message_thread_id"] = recipient.thread_id
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    await outbox.enqueue(tx, chat_id=recipient.chat_id, method="sendMessage", member_id=recipient.member_id,
                         payload=payload, now=now, dedupe_key=key)


@dataclass(frozen=True)
class Context:
    """What every message about one decision needs: its circle, the territories, its proposer."""

    circle: Circle
    territories: list[Territory]
    proposer: Member | None

    def proposer_label(self, tr: Translator, decision: Decision):
        side = next((t for t in self.territories if t.code == decision.proposer_territory), None)
        return tr.html("{person}, {territory}", person=person(tr, self.proposer), territory=territory_name(tr, side))


async def _context(db: Queryable, decision: Decision) -> Context:
    return Context(await circles.get(db, decision.circle_id), await circles.territories(db),
                   await members.get(db, decision.proposer_id) if decision.proposer_id else None)


def ballot_for(tr: Translator, decision: Decision, context: Context, place: Place, *, mine: int | None,
               in_group: bool):
    return screens.ballot(tr, decision, context.circle, context.proposer_label(tr, decision), place,
                          other_places(place, context.territories), mine=mine, in_group=in_group)


async def member_ballot(services: Services, decision: Decision, member: Member):
    """A member's own ballot, with their current choice ticked (to refresh the message they pressed)."""
    db = services.db
    tr = services.i18n.for_locale(member.locale, member.phone_region)
    context = await _context(db, decision)
    place = reader_place(tr, member, context.territories)
    return ballot_for(tr, decision, context, place, mine=await decisions.vote_of(db, decision.id, member.id),
                      in_group=False)


# Putting a question ------------------------------------------------------------------------------------------

async def _translations(services: Services, draft: Draft, source: str, targets: set[str]) -> dict[str, dict]:
    """Machine translations of the question and options into the readers' languages, where the service gives one."""
    found: dict[str, dict] = {}
    for target in sorted(targets - {source}):
        question = await services.translator.translate(draft.question or "", source, target)
        if not question.translated:
            continue
        options = [await services.translator.translate(option, source, target) for option in draft.options]
        if all(o.translated for o in options):
            found[target] = {"question": question.text, "options": [o.text for o in options]}
    return found


async def put_question(services: Services, member: Member, draft: Draft) -> tuple[Decision, int]:
    """Record the decision from a finished draft and queue its ballot to every place of the circle, in one
    transaction; returns the decision and the number of places."""
    db, now = services.db, services.clock.now()
    locales = {r.locale for r in await recipients(db, draft.circle_id)}
    translations = await _translations(services, draft, member.locale, locales)
    async with db.transaction() as tx:
        decision_id = await decisions.create(
            tx, circle_id=draft.circle_id, proposer_id=member.id, proposer_territory=member.territory_code,
            question=draft.question or "", options=draft.options, language=member.locale,
            translations=translations, weigh_families=draft.weigh_families,
            deadline=rules.deadline_after(now, draft.deadline_days), now=now)
        await decisions.delete_draft(tx, member.id)
        decision = await decisions.get(tx, decision_id)
        places = await recipients(tx, decision.circle_id)
        await _enqueue_ballots(tx, services, decision, places, now)
    return decision, len(places)


async def _enqueue_ballots(tx: Queryable, services: Services, decision: Decision, places: list[Recipient],
                           now: datetime) -> None:
    context = await _context(tx, decision)
    for recipient in places:
        tr = _tr(services, recipient)
        text, markup = ballot_for(tr, decision, context, _place(tr, recipient), mine=None,
                                  in_group=recipient.in_group)
        await _enqueue(tx, recipient, text, now, outbox_key(decision.id, "ballot", recipient), markup)
        await decisions.record_ballot(tx, decision.id, recipient.chat_id, recipient.member_id)


async def send_ballots_to_newcomers(services: Services, decision: Decision, now: datetime) -> None:
    """Members who joined the circle after the question was put get its ballot too: they count among the
    members of their side, so they must be able to vote. Machine translations are those stored with it."""
    db = services.db
    queued = await decisions.chats_with_ballot(db, decision.id)
    missing = [r for r in await recipients(db, decision.circle_id) if r.chat_id not in queued]
    if not missing:
        return
    async with db.transaction() as tx:
        current = await decisions.get(tx, decision.id)
        if current is not None and current.is_open:
            await _enqueue_ballots(tx, services, current, missing, now)


# Voting ------------------------------------------------------------------------------------------------------

class Vote(StrEnum):
    RECORDED = "recorded"
    CHANGED = "changed"
    SAME = "same"                # the option already chosen: nothing changes
    CLOSED = "closed"
    NOT_MEMBER = "not_member"
    NO_SUCH_OPTION = "no_such_option"


@dataclass(frozen=True)
class VoteOutcome:
    vote: Vote
    decision: Decision | None = None
    everyone_voted: bool = False


async def cast_vote(services: Services, decision_id: int, member: Member, choice: int) -> VoteOutcome:
    """One person, one vote: record or change the member's choice, checked under the writer lock."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        decision = await decisions.get(tx, decision_id)
        if decision is None or not await circles.is_member(tx, member.id, decision.circle_id) or not member.is_active:
            return VoteOutcome(Vote.NOT_MEMBER, decision)
        if not decision.is_open or now >= decision.deadline:
            return VoteOutcome(Vote.CLOSED, decision)
        if not 0 <= choice <= len(decision.options):
            return VoteOutcome(Vote.NO_SUCH_OPTION, decision)
        change = rules.change_vote(await decisions.vote_of(tx, decision.id, member.id), choice)
        if not change.recorded:
            return VoteOutcome(Vote.SAME, decision)
        await decisions.set_vote(tx, decision.id, member.id, choice, now)
        complete = rules.everyone_voted(await decisions.voters_of_circle(tx, decision.circle_id),
                                        await decisions.votes(tx, decision.id))
    return VoteOutcome(Vote.CHANGED if change.changed else Vote.RECORDED, decision, complete)


# Closing -----------------------------------------------------------------------------------------------------

async def close_decision(services: Services, decision_id: int) -> Result | None:
    """Count the votes, store the result and queue it to every place, in one transaction.

    Returns the result, or None when the decision was not open (closed meanwhile by the deadline or a last vote).
    """
    now = services.clock.now()
    async with services.db.transaction() as tx:
        decision = await decisions.get(tx, decision_id)
        if decision is None or not decision.is_open:
            return None
        territories = await circles.territories(tx)
        result = rules.count_votes(await decisions.voters_of_circle(tx, decision.circle_id),
                                   await decisions.votes(tx, decision.id), len(decision.options),
                                   [t.code for t in territories], weigh_families=decision.weigh_families)
        await decisions.close(tx, decision.id, result, now)
        circle = await circles.get(tx, decision.circle_id)
        for recipient in await recipients(tx, decision.circle_id):
            tr = _tr(services, recipient)
            await _enqueue(tx, recipient, screens.result_message(tr, decision, circle, result, territories), now,
                           outbox_key(decision.id, "result", recipient))
    logger.info("Decision %s closed: %s", decision_id, result.outcome.value)
    return result


# Withdrawing and extending -----------------------------------------------------------------------------------

class Withdrawal(StrEnum):
    DONE = "done"
    NOT_PROPOSER = "not_proposer"
    TOO_LATE = "too_late"        # someone voted already, or the vote is over


async def withdraw(services: Services, decision_id: int, member: Member) -> Withdrawal:
    """The proposer withdraws their question before the first vote; everyone who got it is told."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        decision = await decisions.get(tx, decision_id)
        if decision is None or decision.proposer_id != member.id:
            return Withdrawal.NOT_PROPOSER
        if not await decisions.withdraw(tx, decision.id, now):
            return Withdrawal.TOO_LATE
        circle = await circles.get(tx, decision.circle_id)
        for recipient in await recipients(tx, decision.circle_id):
            if recipient.member_id == member.id:
                continue
            tr = _tr(services, recipient)
            await _enqueue(tx, recipient, screens.withdrawn_notice(tr, decision, circle), now,
                           outbox_key(decision.id, "withdrawn", recipient))
    return Withdrawal.DONE


async def extend(services: Services, decision_id: int) -> Decision | None:
    """Move an open decision's deadline EXTENSION_DAYS later, once; everyone is told the new deadline."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        decision = await decisions.get(tx, decision_id)
        if decision is None or not decision.is_open or decision.extended or now >= decision.deadline:
            return None
        await decisions.extend(tx, decision.id, decision.deadline + timedelta(days=rules.EXTENSION_DAYS))
        decision = await decisions.get(tx, decision.id)
        context = await _context(tx, decision)
        for recipient in await recipients(tx, decision.circle_id):
            tr = _tr(services, recipient)
            place = _place(tr, recipient)
            text = screens.extended_notice(tr, decision, context.circle, place,
                                           other_places(place, context.territories))
            await _enqueue(tx, recipient, text, now, outbox_key(decision.id, "extended", recipient))
    return decision


# Due work, every tick ----------------------------------------------------------------------------------------

async def due_decision_work(services: Services, application: Application | None = None) -> None:
    """Open decisions whose deadline passed, or on which every member has now voted (someone who had not voted
    left the circle), close; sides below quorum are reminded once, at their local hour."""
    now = services.clock.now()
    db = services.db
    territories = await circles.territories(db)
    codes = [t.code for t in territories]
    zones = {t.code: t.default_zone for t in territories}
    for decision in await decisions.open_decisions(db):
        voters = await decisions.voters_of_circle(db, decision.circle_id)
        votes = await decisions.votes(db, decision.id)
        if decision.deadline <= now or rules.everyone_voted(voters, votes):
            await close_decision(services, decision.id)
            continue
        await send_ballots_to_newcomers(services, decision, now)
        reminded = await decisions.reminded_sides(db, decision.id)
        for side in rules.sides_below_quorum(voters, votes, codes):
            if rules.reminder_due(now, decision.deadline, zones[side], already_sent=side in reminded):
                await _remind_side(services, decision, side, now)


async def _remind_side(services: Services, decision: Decision, side: str, now: datetime) -> None:
    """One side's reminder: recorded and queued in one transaction, so it goes once."""
    async with services.db.transaction() as tx:
        current = await decisions.get(tx, decision.id)
        if current is None or not current.is_open or not await decisions.record_reminder(tx, decision.id, side, now):
            return
        votes = await decisions.votes(tx, decision.id)
        members_here = [v for v in await decisions.voters_of_circle(tx, decision.circle_id) if v.territory == side]
        voted = sum(1 for v in members_here if v.member_id in votes)
        context = await _context(tx, current)
        territory = next((t for t in context.territories if t.code == side), None)
        for recipient in await recipients(tx, decision.circle_id, territory=side):
            if recipient.member_id is not None and recipient.member_id in votes:
                continue  # they voted already; a group is reminded as a whole
            tr = _tr(services, recipient)
            text = screens.quorum_reminder(tr, current, context.circle, territory, voted,
                                           rules.quorum_for(len(members_here)), _place(tr, recipient))
            await _enqueue(tx, recipient, text, now, outbox_key(decision.id, f"remind-{side}", recipient))
