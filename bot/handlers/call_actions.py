"""What members do with a call once proposed: vote, close, cancel, move, answer the follow-up; /sessions, /agenda.

Callback data is untrusted: every handler re-reads the proposal, the member's right to act and the slot from the
database, and a refusal changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InputFile, Update
from telegram.error import BadRequest

from bot import calendar
from bot.delivery import calls as call_delivery
from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.services import PasserelleContext
from bot.storage import calls, circles, members
from bot.storage.calls import Draft
from bot.storage.members import Member
from bot.ui import calls as screens
from bot.ui.callbacks import parse, parse_int
from bot.telegram_io import edit_screen, remove_buttons

PRACTICE_WINDOW = timedelta(minutes=30)
MAX_PRACTICE_LENGTH = 1000
PAST_SHOWN = 5


async def vote(update: Update, context: PasserelleContext) -> None:
    """cv:<call>:<slot> — toggle the member's vote for one slot, then refresh their message and the tally."""
    services, query = context.services, update.callback_query
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(query.data, "cv", 2)
    ids = [parse_int(p) for p in parts] if parts else [None]
    if None in ids:
        await answer_query(update, tr.gettext("This button is not valid."), alert=True)
        return
    proposal_id, slot_id = ids
    proposal = await calls.get_proposal(services.db, proposal_id)
    refusal = None
    if proposal is None:
        refusal = tr.gettext("This call proposal does not exist.")
    elif member is not None and member.id == proposal.proposer_id:
        refusal = tr.gettext("You proposed these slots: the tally shows the others' votes.")
    elif member is None or not member.is_active or member.id not in await calls.invitee_ids(services.db, proposal.id):
        refusal = tr.gettext("Only the members invited to this call can vote.")
    elif not proposal.is_open or services.clock.now() >= proposal.deadline:
        refusal = tr.gettext("Voting on this call is closed.")
    elif slot_id not in {s.slot_id for s in await calls.slots_of(services.db, proposal)}:
        refusal = tr.gettext("This slot is not part of the proposal.")
    if refusal is not None:
        await answer_query(update, refusal, alert=True)
        return
    async with services.db.transaction() as tx:
        # Checked again under the writer lock: the deadline job may have closed the vote meanwhile.
        current = await calls.get_proposal(tx, proposal_id)
        voted = await calls.toggle_vote(tx, slot_id, member.id, services.clock.now()) if current.is_open else None
    if voted is None:
        await answer_query(update, tr.gettext("Voting on this call is closed."), alert=True)
        return
    await answer_query(update, tr.gettext("Vote recorded.") if voted else tr.gettext("Vote withdrawn."))
    await _refresh_invitation(update, context, member, proposal)
    await call_delivery.refresh_tally(services, context.bot, proposal.id)


async def _refresh_invitation(update: Update, context: PasserelleContext, member: Member,
                              proposal: calls.Proposal) -> None:
    services = context.services
    tr = translator(services, member)
    territories = await circles.territories(services.db)
    slots = await calls.slots_of(services.db, proposal)
    mine = {slot for voter, slot in await calls.votes(services.db, proposal.id) if voter == member.id}
    proposer = await members.get(services.db, proposal.proposer_id) if proposal.proposer_id else None
    text, markup = screens.invitation(tr, proposal, proposer, await circles.get(services.db, proposal.circle_id),
                                      slots, mine, screens.reader_place(tr, member, territories), territories)
    try:
        await edit_screen(update, text, markup)
    except BadRequest:
        pass  # the pressed message is gone or unchanged; the vote itself is stored


async def close_vote(update: Update, context: PasserelleContext) -> None:
    """cc:<call> — the proposer closes the vote now."""
    services = context.services
    member, proposal, tr = await _own_proposal(update, context, "cc")
    if proposal is None:
        return
    if not proposal.is_open:
        await answer_query(update, tr.gettext("Voting on this call is closed."), alert=True)
        return
    closed = await call_delivery.close_proposal(services, proposal.id)
    if closed is None:
        await answer_query(update, tr.gettext("Voting on this call is closed."), alert=True)
        return
    await answer_query(update, tr.gettext("Call confirmed: everyone gets the time and the link.")
                       if closed.status == "confirmed" else tr.gettext("No slot received a vote: no call planned."))
    await call_delivery.refresh_tally(services, context.bot, proposal.id)


async def cancel_call(update: Update, context: PasserelleContext) -> None:
    """cx:<call> asks for confirmation; cx:<call>:y cancels for everyone, cx:<call>:n keeps it."""
    services, query = context.services, update.callback_query
    answer = parse(query.data, "cx", 2)
    member, proposal, tr = await _own_proposal(update, context, "cx", arity=2 if answer else 1)
    if proposal is None:
        return
    if proposal.status not in ("open", "confirmed"):
        await answer_query(update, tr.gettext("This call is already over or cancelled."), alert=True)
        return
    await answer_query(update)
    if answer is None:
        text, markup = screens.confirm_cancel(tr, proposal)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
        return
    if answer[1] != "y":
        await edit_screen(update, tr.html("The call is kept."))
        return
    if await call_delivery.cancel_call(services, proposal.id, member.id) is None:
        await edit_screen(update, tr.html("This call is already over or cancelled."))
        return
    await edit_screen(update, tr.html("The call <b>{topic}</b> is cancelled; everyone invited is told.",
                                          topic=proposal.topic))
    await call_delivery.refresh_tally(services, context.bot, proposal.id)


async def start_move(update: Update, context: PasserelleContext) -> None:
    """cr:<call> — the proposer picks a new time for a confirmed call (the slot picker, one slot)."""
    from bot.handlers.calls import _show

    services = context.services
    member, proposal, tr = await _own_proposal(update, context, "cr")
    if proposal is None:
        return
    if proposal.status != "confirmed" or proposal.starts_at <= services.clock.now():
        await answer_query(update, tr.gettext("Only an upcoming confirmed call can be moved."), alert=True)
        return
    await answer_query(update)
    draft = Draft(member.id, "slots", services.clock.now(), circle_id=proposal.circle_id, topic=proposal.topic,
                  duration_minutes=proposal.duration_minutes, reschedule_of=proposal.id)
    await _show(update, context, member, draft, edit=False)


async def finish_move(update: Update, context: PasserelleContext, member: Member, draft: Draft) -> None:
    services, query = context.services, update.callback_query
    tr = translator(services, member)
    moved = await call_delivery.move_call(services, draft.reschedule_of, draft.slots[0], member.id)
    if moved is None:
        await edit_screen(update, tr.html("This call can no longer be moved."))
        return
    await edit_screen(update, tr.html("The call <b>{topic}</b> has moved; everyone gets the new time and "
                                          "calendar file.", topic=moved.topic))


async def _own_proposal(update: Update, context: PasserelleContext, prefix: str, arity: int = 1):
    """(member, proposal, tr) when the member proposed the call named by the button; else answers and gives None."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, prefix, arity)
    proposal_id = parse_int(parts[0]) if parts else None
    proposal = await calls.get_proposal(services.db, proposal_id) if proposal_id is not None else None
    if proposal is None or member is None or member.id != proposal.proposer_id:
        await answer_query(update, tr.gettext("Only the member who proposed this call can do that."), alert=True)
        return member, None, tr
    return member, proposal, tr


async def answer_followup(update: Update, context: PasserelleContext) -> None:
    """cf:<call>:y|n — did the call take place? Yes asks for one practice discovered."""
    services, query = context.services, update.callback_query
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(query.data, "cf", 2)
    proposal_id = parse_int(parts[0]) if parts else None
    followup = (await calls.get_followup(services.db, proposal_id, member.id)
                if member is not None and proposal_id is not None and parts[1] in ("y", "n") else None)
    # Answered already (a second tap, or the other button after the first): the question was asked once.
    if followup is None or followup.took_place is not None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    now = services.clock.now()
    await calls.answer_took_place(services.db, followup.id, parts[1] == "y", now)
    await remove_buttons(update)
    if parts[1] != "y":
        await context.bot.send_message(update.effective_chat.id, tr.html("Thank you, noted. Maybe next time!"))
        return
    text, force_reply = screens.practice_question(tr)
    sent = await context.bot.send_message(update.effective_chat.id, text, reply_markup=force_reply)
    await calls.ask_practice(services.db, followup.id, sent.message_id, now)


async def receive_practice(update: Update, context: PasserelleContext, member: Member) -> bool:
    """A reply to the practice question (or a message just after it) goes into the circle's journal."""
    services, message = context.services, update.effective_message
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    now = services.clock.now()
    followup = await calls.awaiting_practice(services.db, member.id, reply_to, now - PRACTICE_WINDOW)
    if followup is None or (reply_to is not None and reply_to != followup.question_message_id):
        return False
    tr = translator(services, member)
    await calls.save_practice(services.db, followup.id, message.text.strip()[:MAX_PRACTICE_LENGTH], now)
    await message.reply_text(tr.html("Thank you! It is in the circle's journal."))
    return True


async def list_sessions(update: Update, context: PasserelleContext) -> None:
    """/sessions: the member's upcoming calls, proposals being voted on, and past calls."""
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    now = services.clock.now()
    mine = await calls.calls_of(services.db, member.id)
    upcoming = [(p, p.starts_at) for p in mine if p.status == "confirmed" and p.ends_at > now]
    past = [(p, p.starts_at) for p in mine if p.status == "confirmed" and p.ends_at <= now][-PAST_SHOWN:]
    voting = [p for p in mine if p.is_open]
    territories = await circles.territories(services.db)
    text, markup = screens.sessions(tr, upcoming, voting, list(reversed(past)), member.id,
                                    screens.reader_place(tr, member, territories), territories)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def send_agenda(update: Update, context: PasserelleContext) -> None:
    """/agenda: one .ics with every upcoming confirmed call of the member's circles (UTC instants)."""
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    now = services.clock.now()
    upcoming = await calls.upcoming_in_circles(services.db, await circles.circle_ids_of(services.db, member.id), now)
    if not upcoming:
        await update.effective_message.reply_text(tr.html("No upcoming calls in your circles."))
        return
    events = []
    territories = await circles.territories(services.db)
    reader = screens.reader_place(tr, member, territories)
    for proposal in upcoming:
        people = await calls.participants(services.db, proposal)
        proposer = await members.get(services.db, proposal.proposer_id) if proposal.proposer_id else None
        events.append(call_delivery.event_for(tr, proposal, await circles.get(services.db, proposal.circle_id),
                                              [p.display_name for p in people], proposer, reader, territories))
    data = calendar.calls_to_ics(events, dtstamp=now)
    await update.effective_message.reply_document(
        InputFile(data, filename="passerelle-agenda.ics"),
        caption=tr.nhtml("{count} upcoming call in your circles.", "{count} upcoming calls in your circles.",
                         len(events)))
