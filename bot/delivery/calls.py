"""Fan-out of cross-border calls through the outbox, and their due work (deadlines, reminders, follow-ups).

Every message is rendered per recipient (language, zone) and queued with a dedupe key, inside the transaction
that changes the call, so a call is never confirmed without its messages nor announced twice. Keys:
invite:<call>:<member>, confirm|moved|ics:<call>:<sequence>:<member>, cancel:<call>:<member>,
closed:<call>:<member>, reminder:<call>:<sequence>:<member>:<24h|1h>, followup:<call>:<member>.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot import calendar
from bot.delivery.sender import file_payload
from bot.domain.slots import REMINDER_OFFSETS, pick_winner, reminder_due, reminder_times
from bot.i18n import Translator
from bot.services import Services
from bot.storage import calls, circles, members, outbox
from bot.storage.calls import Proposal
from bot.storage.circles import Circle, Territory
from bot.storage.database import Queryable
from bot.storage.members import Member
from bot.ui import calls as screens
from bot.ui.screens import circle_name
from bot.telegram_io import edit_message

logger = logging.getLogger(__name__)

VOTING_DAYS = 3
VOTING_MIN = timedelta(minutes=30)
VOTING_MARGIN = timedelta(hours=6)
# Reminders are time-bound: the outbox sender takes rows with this key prefix before bulk ones (a broadcast).
REMINDER_KEY_PREFIX = "reminder:"


def voting_deadline(now: datetime, earliest_slot: datetime) -> datetime:
    """Three days to vote, but closed six hours before the earliest slot (and never sooner than 30 minutes)."""
    return min(now + timedelta(days=VOTING_DAYS), max(now + VOTING_MIN, earliest_slot - VOTING_MARGIN))


def _tr(services: Services, member: Member) -> Translator:
    return services.i18n.for_locale(member.locale, member.phone_region)


async def _send(tx: Queryable, member: Member, text: str, now: datetime, key: str, markup=None) -> None:
    payload = {"text": text, "parse_mode": "HTML"}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    await outbox.enqueue(tx, chat_id=member.telegram_user_id, method="sendMessage", member_id=member.id,
                         payload=payload, now=now, dedupe_key=key)


async def enqueue_invitations(tx: Queryable, services: Services, proposal_id: int, now: datetime) -> None:
    """The proposal, to every invitee, in their language and zone, with a toggle per slot."""
    proposal = await calls.get_proposal(tx, proposal_id)
    circle = await circles.get(tx, proposal.circle_id)
    territories = await circles.territories(tx)
    slots = await calls.slots_of(tx, proposal)
    proposer = await members.get(tx, proposal.proposer_id) if proposal.proposer_id else None
    for member in await calls.participants(tx, proposal):
        if member.id == proposal.proposer_id:
            continue
        tr = _tr(services, member)
        text, markup = screens.invitation(tr, proposal, proposer, circle, slots, set(),
                                          screens.reader_place(tr, member, territories), territories)
        await _send(tx, member, text, now, f"invite:{proposal.id}:{member.id}", markup)


async def close_proposal(services: Services, proposal_id: int) -> Proposal | None:
    """Close the vote: the slot with most votes (tie: fairest, then earliest) is confirmed and announced.

    Returns the proposal as closed, or None when it was not open (closed meanwhile by the deadline or a tap).
    """
    now = services.clock.now()
    async with services.db.transaction() as tx:
        proposal = await calls.get_proposal(tx, proposal_id)
        if proposal is None or not proposal.is_open:
            return None
        territories = await circles.territories(tx)
        zones = {t.code: t.default_zone for t in territories}
        ahead = [s for s in await calls.slots_of(tx, proposal) if s.start_utc > now]
        winner = pick_winner(ahead, await calls.votes(tx, proposal.id), zones)
        if winner is None:
            await calls.close_without_slot(tx, proposal.id, now)
            for member in await calls.participants(tx, proposal):
                await _send(tx, member, screens.closed_without_slot(_tr(services, member), proposal), now,
                            f"closed:{proposal.id}:{member.id}")
        else:
            video_url = calendar.video_room_url(services.config.video_base_url)
            await calls.confirm(tx, proposal, winner, video_url, now)
            await _announce(tx, services, await calls.get_proposal(tx, proposal.id), now, kind="confirm")
        return await calls.get_proposal(tx, proposal.id)


@dataclass(frozen=True)
class Audience:
    """Everything a message about one call needs: its circle, the territories, who takes part, who proposed."""

    circle: Circle
    territories: list[Territory]
    people: list[Member]
    proposer: Member | None

    @property
    def names(self) -> list[str]:
        return [p.display_name for p in self.people]


async def _audience(tx: Queryable, proposal: Proposal) -> Audience:
    return Audience(
        await circles.get(tx, proposal.circle_id), await circles.territories(tx),
        await calls.participants(tx, proposal),
        await members.get(tx, proposal.proposer_id) if proposal.proposer_id else None)


async def _send_ics(tx: Queryable, member: Member, proposal: Proposal, ics: bytes, now: datetime,
                    caption: str | None = None) -> None:
    payload: dict = {"document": file_payload("call.ics", ics)}
    if caption:
        payload.update(caption=caption, parse_mode="HTML")
    await outbox.enqueue(tx, chat_id=member.telegram_user_id, method="sendDocument", member_id=member.id, now=now,
                         payload=payload, dedupe_key=f"ics:{proposal.id}:{proposal.sequence}:{member.id}")


async def _announce(tx: Queryable, services: Services, proposal: Proposal, now: datetime, *, kind: str) -> None:
    """Confirmation (or move) to every participant: local times, video link, and an .ics (UTC instants)."""
    audience = await _audience(tx, proposal)
    for member in audience.people:
        tr = _tr(services, member)
        reader = screens.reader_place(tr, member, audience.territories)
        text = screens.confirmation(tr, proposal, audience.circle, proposal.starts_at, audience.names, reader,
                                    audience.territories, moved=kind == "moved")
        await _send(tx, member, text, now, f"{kind}:{proposal.id}:{proposal.sequence}:{member.id}")
        event = event_for(tr, proposal, audience.circle, audience.names, audience.proposer, reader,
                          audience.territories)
        await _send_ics(tx, member, proposal, calendar.call_to_ics(event, dtstamp=now), now,
                        caption=screens.ics_caption(tr, proposal))


def event_for(tr: Translator, proposal: Proposal, circle, names: list[str], proposer: Member | None,
              reader: screens.Place, territories: list[Territory], *, cancelled: bool = False) -> calendar.CallEvent:
    """The call as a calendar event for one reader; its description gives the local times on each side (the
    file itself gives UTC instants, which calendar apps show in their owner's zone)."""
    others = screens.other_places(reader, territories)
    local_times = html.unescape(screens.when(tr, proposal.starts_at, reader, others))  # plain text, not HTML
    return calendar.CallEvent(
        uid=f"passerelle-call-{proposal.id}@passerelle.invalid", start_utc=proposal.starts_at,
        duration_minutes=proposal.duration_minutes, title=proposal.topic,
        description=f"{local_times}\n{circle_name(tr, circle)} — {', '.join(names)}",
        video_url=proposal.video_url or "",
        organiser_name=proposer.display_name if proposer else "Passerelle", sequence=proposal.sequence,
        cancelled=cancelled)


async def cancel_call(services: Services, proposal_id: int, by_member_id: int) -> Proposal | None:
    """Cancel an open or confirmed call; everyone else is told (with a cancelling .ics for a confirmed one)."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        before = await calls.get_proposal(tx, proposal_id)
        if before is None or not await calls.cancel(tx, proposal_id, now):
            return None
        await calls.drop_pending_reminders(tx, proposal_id)
        proposal = await calls.get_proposal(tx, proposal_id)
        audience = await _audience(tx, proposal)
        start = proposal.starts_at if before.status == "confirmed" else None
        for member in audience.people:
            if member.id == by_member_id:
                continue
            tr = _tr(services, member)
            reader = screens.reader_place(tr, member, audience.territories)
            await _send(tx, member, screens.cancelled(tr, proposal, start, reader, audience.territories), now,
                        f"cancel:{proposal.id}:{member.id}")
            if start is not None:
                event = event_for(tr, proposal, audience.circle, audience.names, audience.proposer, reader,
                                  audience.territories, cancelled=True)
                await _send_ics(tx, member, proposal, calendar.call_to_ics(event, dtstamp=now), now)
        return proposal


async def move_call(services: Services, proposal_id: int, start: datetime, proposer_id: int) -> Proposal | None:
    """Reschedule a confirmed call: new time to everyone, a new .ics (same UID, higher SEQUENCE), new reminders.

    One transaction ends the proposer's draft of the move and moves the call: a crash cannot leave the call moved
    with the draft still asking for a time, nor the draft gone and the call not moved. None when the call is not
    (or no longer) a confirmed call of this proposer."""
    now = services.clock.now()
    async with services.db.transaction() as tx:
        await calls.delete_draft(tx, proposer_id)
        proposal = await calls.get_proposal(tx, proposal_id)
        if proposal is None or proposal.status != "confirmed" or proposal.proposer_id != proposer_id:
            return None
        await calls.reschedule(tx, proposal, start, now)
        await calls.drop_pending_reminders(tx, proposal_id)
        proposal = await calls.get_proposal(tx, proposal_id)
        await _announce(tx, services, proposal, now, kind="moved")
        return proposal


async def refresh_tally(services: Services, bot: Bot, proposal_id: int) -> None:
    """Edit the proposer's tally message to the current votes (a live view; best effort).

    Read and edit under the proposal's lock: votes handled concurrently each refresh, and the last edit must show
    every committed vote, not the reading of a refresh that started earlier.
    """
    async with services.tally_locks.setdefault(proposal_id, asyncio.Lock()):
        db = services.db
        proposal = await calls.get_proposal(db, proposal_id)
        if proposal is None or proposal.tally_message_id is None or proposal.proposer_id is None:
            return
        proposer = await members.get(db, proposal.proposer_id)
        if proposer is None:
            return
        text, markup = await tally_screen(services, proposal, proposer)
        try:
            await edit_message(bot, proposer.telegram_user_id, proposal.tally_message_id, text, markup)
        except (BadRequest, Forbidden) as error:
            # Deleted by the member, or the proposer blocked the bot: the tally is only a view.
            logger.info("Tally of call %s not edited: editMessageText: %s", proposal_id, error)


async def tally_screen(services: Services, proposal: Proposal, proposer: Member):
    db = services.db
    tr = _tr(services, proposer)
    territories = await circles.territories(db)
    slots = await calls.slots_of(db, proposal)
    votes = await calls.votes(db, proposal.id)
    invited = await calls.invitee_ids(db, proposal.id)
    names = {m.id: m.first_name for m in await calls.participants(db, proposal)}
    voters: dict[int, list[str]] = {}
    for member_id, slot_id in votes:
        voters.setdefault(slot_id, []).append(names.get(member_id, "?"))
    answered = len({member_id for member_id, _ in votes})
    return screens.tally(tr, proposal, await circles.get(db, proposal.circle_id), slots, voters, answered,
                         len(invited), screens.reader_place(tr, proposer, territories), territories)


# Due work, every tick.

async def due_call_work(services: Services, application: Application) -> None:
    """Deadlines that passed close their vote; reminders and follow-ups that are due are queued."""
    now = services.clock.now()
    for proposal in await calls.open_past_deadline(services.db, now):
        if await close_proposal(services, proposal.id) is not None:
            await refresh_tally(services, application.bot, proposal.id)
    await queue_reminders(services, now)
    await queue_followups(services, now)


async def queue_reminders(services: Services, now: datetime) -> None:
    """T-24h and T-1h, computed from confirmed calls: after a restart a missed one goes out if the call is ahead."""
    horizon = now + max(offset for _, offset in REMINDER_OFFSETS)
    for proposal in await calls.confirmed_starting_between(services.db, now, horizon):
        await _queue_call_reminders(services, proposal, now)


async def queue_reminders_falling_due(services: Services, since: datetime, now: datetime) -> None:
    """The reminders whose instant fell in (since, now]: the every-second reminder job, so they leave on time.

    One indexed range read per offset (calls starting in (since + offset, now + offset]), usually empty; the tick's
    queue_reminders stays the catch-up after a restart or a skipped run. Both may see the same reminder: the
    dedupe key queues it once.
    """
    seen: set[int] = set()
    for _, offset in REMINDER_OFFSETS:
        for proposal in await calls.confirmed_starting_between(services.db, since + offset, now + offset):
            if proposal.id not in seen:
                seen.add(proposal.id)
                await _queue_call_reminders(services, proposal, now)


async def _queue_call_reminders(services: Services, proposal: Proposal, now: datetime) -> None:
    start = proposal.starts_at
    people = await calls.participants(services.db, proposal)
    keys = {(m.id, kind): reminder_key(proposal, m.id, kind) for m in people for kind, _ in reminder_times(start)}
    queued = await calls.queued_keys(services.db, list(keys.values()))
    due = [(member, kind) for member in people for kind, at in reminder_times(start)
           # The confirmation (or move) message stands for a reminder whose time had already passed then.
           if (proposal.closed_at is None or at >= proposal.closed_at)
           and reminder_due(kind, at, start, now, keys[(member.id, kind)] in queued)]
    if not due:
        return
    territories = await circles.territories(services.db)
    async with services.db.transaction() as tx:
        current = await calls.get_proposal(tx, proposal.id)
        if current is None or (current.status, current.sequence) != ("confirmed", proposal.sequence):
            return  # cancelled or moved since it was read: its pending reminders were just dropped
        for member, kind in due:
            tr = _tr(services, member)
            text = screens.reminder(tr, kind, proposal, start, screens.reader_place(tr, member, territories),
                                    territories)
            await _send(tx, member, text, now, keys[(member.id, kind)])


def reminder_key(proposal: Proposal, member_id: int, kind: str) -> str:
    return f"{REMINDER_KEY_PREFIX}{proposal.id}:{proposal.sequence}:{member_id}:{kind}"


async def queue_followups(services: Services, now: datetime) -> None:
    """After the call: "did it take place?" to every participant, once."""
    for proposal in await calls.ended_without_followup(services.db, now):
        async with services.db.transaction() as tx:
            people = await calls.participants(tx, proposal)
            await calls.start_followups(tx, proposal, people, now)
            for member in people:
                text, markup = screens.followup_question(_tr(services, member), proposal)
                await _send(tx, member, text, now, f"followup:{proposal.id}:{member.id}", markup)
