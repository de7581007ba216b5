"""/propose: a call proposal built step by step (circle, peers, topic, duration, slots), stored as a draft.

The draft lives in the database (call_drafts), not in a ConversationHandler: it survives restarts, and the
steps are plain callback and message handlers. Buttons carry everything a step needs (the picked day and
hour), so an old picker message still works.

```mermaid
stateDiagram-v2
    [*] --> circle: /propose
    [*] --> topic: "Propose a call" under a peer introduction or on a directory card
    circle --> peers: cp:c
    peers --> topic: cp:all / cp:pd
    topic --> duration: text
    duration --> slots: cp:d
    slots --> slots: cp:day → cp:h → cp:m, typed slot, cp:rm
    slots --> [*]: cp:ok (proposal sent, or call moved)
    circle --> [*]: cp:x
    peers --> [*]: cp:x
    topic --> [*]: cp:x
    duration --> [*]: cp:x
    slots --> [*]: cp:x
```
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop

from bot.delivery import calls as call_delivery
from bot.domain.slot_parsing import parse_local_slot
from bot.domain.slots import NonexistentLocalTime, SlotProblem, local_slot_to_utc, validate_slot
from bot.handlers import call_actions
from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.i18n import Translator
from bot.services import PasserelleContext, Services
from bot.storage import calls, circles
from bot.storage.calls import Draft
from bot.storage.members import Member
from bot.ui import calls as screens
from bot.ui.callbacks import parse, parse_int
from bot.telegram_io import edit_screen

# A typed message counts as the answer to a step only this soon after the draft last moved: a draft left
# half-way must not swallow the member's later messages (replies to the weekly prompt, for instance).
TEXT_WINDOW = timedelta(minutes=30)
MAX_TOPIC_LENGTH = 200

# cp:<action>:<parts…> — how many parts each action carries.
ACTIONS = {"c": 1, "p": 1, "all": 0, "pd": 0, "d": 1, "day": 1, "h": 2, "m": 3, "rm": 1, "ok": 0, "s": 0,
           "x": 0, "g": 1}
STEP_OF_ACTION = {"c": "circle", "p": "peers", "all": "peers", "pd": "peers", "d": "duration", "day": "slots",
                  "h": "slots", "m": "slots", "rm": "slots", "ok": "slots", "s": "slots"}


async def propose(update: Update, context: PasserelleContext) -> None:
    """/propose: start a new draft (replacing an unfinished one) with the choice of circle."""
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    joined = await _joined_circles(services, member)
    if not joined:
        await update.effective_message.reply_text(tr.html("Join a circle first with /circles."))
        return
    draft = Draft(member.id, "circle", services.clock.now())
    if len(joined) == 1:
        draft.circle_id, draft.step = joined[0].id, "peers"
    await _show(update, context, member, draft, edit=False)


async def propose_step(update: Update, context: PasserelleContext) -> None:
    """cp:… — one step of the draft; anything not matching the draft's current step is refused."""
    services, query = context.services, update.callback_query
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    head = (query.data or "").split(":")[1] if ":" in (query.data or "") else ""
    parts = parse(query.data, "cp", ACTIONS[head] + 1) if head in ACTIONS else None
    draft = await calls.get_draft(services.db, member.id) if member is not None else None
    if (member is None or not member.is_active or parts is None
            or (head != "g" and (draft is None or STEP_OF_ACTION.get(head, draft.step) != draft.step))):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    args = parts[1:]
    if head == "x":
        await calls.delete_draft(services.db, member.id)
        await answer_query(update)
        await edit_screen(update, tr.html("No call proposed."))
        return
    if head == "g":
        await _start_for_pair(update, context, member, args)
        return
    note = await _apply(services, tr, member, draft, head, args)
    if note is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    if head == "day":
        day = _day(args[0])
        text, markup = screens.hour_picker(tr, day)
    elif head == "h":
        text, markup = screens.minute_picker(tr, _day(args[0]), int(args[1]))
    elif head == "ok" and draft.step == "done":
        await _finish(update, context, member, draft)
        return
    else:
        draft.updated_at = services.clock.now()
        await calls.save_draft(services.db, draft)
        text, markup = await _screen(services, tr, member, draft, note=note)
    await edit_screen(update, text, markup)


async def _apply(services: Services, tr: Translator, member: Member, draft: Draft, head: str,
                 args: list[str]) -> str | None:
    """Change the draft for one button; returns a note to show (maybe empty), or None when the data is wrong."""
    if head == "c":
        circle_id = parse_int(args[0])
        if circle_id not in {c.id for c in await _joined_circles(services, member)}:
            return None
        draft.circle_id, draft.step, draft.invitee_ids = circle_id, "peers", []
    elif head in ("p", "all", "pd"):
        peer_ids = {p.id for p in await _peers(services, member, draft.circle_id)}
        if head == "p":
            peer = parse_int(args[0])
            if peer not in peer_ids:
                return None
            draft.invitee_ids = sorted(set(draft.invitee_ids) ^ {peer})
        elif head == "all":
            if not peer_ids:
                return None
            draft.invitee_ids, draft.step = sorted(peer_ids), "topic"
        elif draft.invitee_ids:
            draft.step = "topic"
    elif head == "d":
        minutes = parse_int(args[0])
        if minutes not in screens.DURATIONS:
            return None
        draft.duration_minutes, draft.step = minutes, "slots"
    elif head in ("day", "h"):
        if not _picker_day_ok(services, member, args[0]) or (head == "h" and parse_int(args[1]) not in
                                                             screens.PICKER_HOURS):
            return None
    elif head == "m":
        hour, minute = parse_int(args[1]), parse_int(args[2])
        if (not _picker_day_ok(services, member, args[0]) or hour not in screens.PICKER_HOURS
                or minute not in screens.PICKER_MINUTES):
            return None
        return add_slot(services, tr, member, draft, datetime.combine(_day(args[0]), time(hour, minute)))
    elif head == "rm":
        index = parse_int(args[0])
        if index is None or index >= len(draft.slots):
            return None
        draft.slots.pop(index)
    elif head == "ok":
        if not draft.slots:
            return None
        draft.step = "done"
    return ""


def add_slot(services: Services, tr: Translator, member: Member, draft: Draft, local: datetime) -> str:
    """Add a local wall time to the draft, or explain why not; the note confirms it back either way."""
    zone = member.time_zone or "UTC"
    shown = local.strftime("%Y-%m-%d %H:%M")
    try:
        start = local_slot_to_utc(local, zone)
    except NonexistentLocalTime:
        return tr.html("⚠️ {time} does not exist in {zone}: the clocks go forward that night. Choose another time.",
                       time=shown, zone=tr.zone_name(zone))
    problems = validate_slot(start, services.clock.now(), draft.duration_minutes or 60)
    if SlotProblem.IN_PAST in problems:
        return tr.html("⚠️ {time} has already passed. Choose a time ahead.", time=shown)
    if SlotProblem.TOO_SOON in problems:
        return tr.html("⚠️ {time} is too soon: leave at least an hour for the others to answer.", time=shown)
    if SlotProblem.TOO_FAR in problems:
        return tr.html("⚠️ {time} is more than six months ahead. Choose a nearer time.", time=shown)
    limit = 1 if draft.reschedule_of is not None else screens.MAX_SLOTS
    if start in draft.slots:
        return tr.html("⚠️ This slot is already in the list.")
    if len(draft.slots) >= limit:
        return tr.nhtml("⚠️ At most {count} slot.", "⚠️ At most {count} slots.", limit)
    draft.slots = sorted([*draft.slots, start])
    return tr.html("Added: {when}", when=tr.datetime(start, zone))


async def receive_text(update: Update, context: PasserelleContext) -> None:
    """Free text that answers a call step (a follow-up's practice, a draft's topic or typed slot).

    Runs in an earlier handler group than the generic free-text handler; it stops the update only when it used it.
    """
    services, message = context.services, update.effective_message
    member = await member_of(context, update.effective_user)
    if member is None or not member.is_active or not message.text:
        return
    if await call_actions.receive_practice(update, context, member):
        raise ApplicationHandlerStop
    draft = await calls.get_draft(services.db, member.id)
    now = services.clock.now()
    if draft is None or draft.step not in ("topic", "slots") or now - draft.updated_at > TEXT_WINDOW:
        return
    replied = message.reply_to_message
    if replied is not None and not _is_draft_screen(replied):
        return  # an answer to something else (the weekly question, say) is not a step of the draft
    tr = translator(services, member)
    if draft.step == "topic":
        topic = " ".join(message.text.split())
        if not topic or len(topic) > MAX_TOPIC_LENGTH:
            await message.reply_text(tr.html("Please send the topic in one message of at most {limit} characters.",
                                             limit=MAX_TOPIC_LENGTH))
            raise ApplicationHandlerStop
        draft.topic, draft.step = topic, "duration"
        note = ""
    else:
        zone = member.time_zone or "UTC"
        local = parse_local_slot(message.text, now.astimezone(ZoneInfo(zone)), member.locale)
        if local is None:
            note = tr.html("⚠️ I did not understand “{text}”. Type a day and a time such as <i>mardi 15h</i> or "
                           "<i>2026-12-03 15:00</i>, or use the buttons.", text=message.text[:60])
        else:
            note = add_slot(services, tr, member, draft, local)
    draft.updated_at = now
    await calls.save_draft(services.db, draft)
    text, markup = await _screen(services, tr, member, draft, note=note)
    await message.reply_text(text, reply_markup=markup)
    raise ApplicationHandlerStop


async def _finish(update: Update, context: PasserelleContext, member: Member, draft: Draft) -> None:
    """cp:ok — send the proposal to the invitees (or move the call), and show the proposer the live tally."""
    services, query = context.services, update.callback_query
    tr = translator(services, member)
    now = services.clock.now()
    ahead = [s for s in draft.slots if not validate_slot(s, now, draft.duration_minutes or 60)]
    if len(ahead) != len(draft.slots):  # time went by while the member chose
        draft.slots, draft.step = ahead, "slots"
        await calls.save_draft(services.db, draft)
        text, markup = await _screen(services, tr, member, draft,
                                     note=tr.html("⚠️ Some slots are now too close or past and were removed."))
        await edit_screen(update, text, markup)
        return
    if draft.reschedule_of is not None:
        await call_actions.finish_move(update, context, member, draft)
        return
    invitees = {p.id for p in await _peers(services, member, draft.circle_id)} & set(draft.invitee_ids)
    if not invitees:
        await calls.delete_draft(services.db, member.id)
        await edit_screen(update, tr.html("Nobody you chose is in the circle any more: no call proposed."))
        return
    async with services.db.transaction() as tx:
        proposal_id = await calls.create_proposal(
            tx, circle_id=draft.circle_id, proposer_id=member.id, topic=draft.topic,
            duration_minutes=draft.duration_minutes, deadline=call_delivery.voting_deadline(now, min(draft.slots)),
            slots=draft.slots, invitee_ids=sorted(invitees), now=now)
        await calls.delete_draft(tx, member.id)
        await call_delivery.enqueue_invitations(tx, services, proposal_id, now)
    await edit_screen(update, tr.nhtml("Proposal sent to {count} person. Their votes appear below.",
                                           "Proposal sent to {count} people. Their votes appear below.",
                                           len(invitees)))
    proposal = await calls.get_proposal(services.db, proposal_id)
    text, markup = await call_delivery.tally_screen(services, proposal, member)
    sent = await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    await calls.set_tally_message(services.db, proposal_id, sent.message_id)


async def _start_for_pair(update: Update, context: PasserelleContext, member: Member, args: list[str]) -> None:
    """cp:g:<group> under a peer introduction: a draft for that circle and those peers, asking the topic."""
    services = context.services
    tr = translator(services, member)
    group_id = parse_int(args[0])
    group = await calls.group_member_ids(services.db, group_id) if group_id is not None else []
    circle_id = await calls.circle_of_group(services.db, group_id) if member.id in group else None
    if circle_id is None or circle_id not in {c.id for c in await _joined_circles(services, member)}:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    await start_draft_with_peers(update, context, member, circle_id, [m for m in group if m != member.id])


async def start_draft_with_peers(update: Update, context: PasserelleContext, member: Member, circle_id: int,
                                 invitee_ids: list[int]) -> None:
    """A new draft for these peers of a circle, asking the topic (a peer introduction, a directory card).

    The caller has checked that the member and the peers share that circle; the draft re-checks at sending."""
    draft = Draft(member.id, "topic", context.services.clock.now(), circle_id=circle_id, invitee_ids=invitee_ids)
    await _show(update, context, member, draft, edit=False)


async def _show(update: Update, context: PasserelleContext, member: Member, draft: Draft, *, edit: bool) -> None:
    services = context.services
    tr = translator(services, member)
    await calls.save_draft(services.db, draft)
    text, markup = await _screen(services, tr, member, draft)
    if edit and update.callback_query is not None:
        try:
            await edit_screen(update, text, markup)
            return
        except BadRequest:
            pass
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _screen(services: Services, tr: Translator, member: Member, draft: Draft, *, note: str = ""):
    """The screen of the draft's current step."""
    db = services.db
    if draft.step == "circle":
        return screens.circle_choice(tr, await _joined_circles(services, member))
    if draft.step == "peers":
        circle = await circles.get(db, draft.circle_id)
        cities = {t.code: t.city for t in await circles.territories(db)}
        return screens.peer_choice(tr, circle, await _peers(services, member, draft.circle_id),
                                   set(draft.invitee_ids), cities)
    if draft.step == "topic":
        return screens.ask_topic(tr)
    if draft.step == "duration":
        return screens.duration_choice(tr, draft.topic or "")
    territories = await circles.territories(db)
    return screens.slot_builder(tr, draft, screens.reader_place(tr, member, territories), territories,
                                _today(services, member), note=note)


def _is_draft_screen(message) -> bool:
    markup = message.reply_markup
    return markup is not None and any(
        (button.callback_data or "").startswith("cp:") for row in markup.inline_keyboard for button in row)


def _today(services: Services, member: Member) -> date:
    return services.clock.now().astimezone(ZoneInfo(member.time_zone or "UTC")).date()


def _day(value: str) -> date:
    return datetime.strptime(value, "%Y%m%d").date()


def _picker_day_ok(services: Services, member: Member, value: str) -> bool:
    """A day the picker offers: today or one of the next days, in the member's zone."""
    try:
        offset = (_day(value) - _today(services, member)).days
    except ValueError:
        return False
    return 0 <= offset < screens.PICKER_DAYS


async def _joined_circles(services: Services, member: Member):
    ids = await circles.circle_ids_of(services.db, member.id)
    return [c for c in await circles.list_open(services.db) if c.id in ids]


async def _peers(services: Services, member: Member, circle_id: int | None) -> list[Member]:
    if circle_id is None:
        return []
    return [m for m in await circles.members_of(services.db, circle_id) if m.id != member.id]
