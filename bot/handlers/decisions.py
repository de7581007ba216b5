"""/decide and /decisions: a question put to a circle, step by step, then votes, withdrawal and extension.

The draft's steps are the pure state machine of bot/domain/decisions.py (stored in decision_drafts, so they
survive restarts); handlers only translate buttons and messages into its events. Button data is untrusted:
every press is checked again against the database (membership, facilitation, the decision's state).

```mermaid
stateDiagram-v2
    [*] --> circle: /decide (several circles)
    [*] --> question: /decide (one circle)
    circle --> question: dcd:c
    question --> options: text
    options --> options: text, dcd:rm
    options --> deadline: dcd:done, fifth option
    deadline --> confirm: dcd:dl
    confirm --> confirm: dcd:dl, dcd:fam
    confirm --> [*]: dcd:ok (question put to the circle)
    circle --> [*]: dcd:x
    question --> [*]: dcd:x
    options --> [*]: dcd:x
    deadline --> [*]: dcd:x
    confirm --> [*]: dcd:x
```
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.delivery import decisions as use_cases
from bot.delivery.decisions import Vote, Withdrawal
from bot.domain import decisions as rules
from bot.domain.decisions import Step
from bot.domain.facilitation import may_facilitate
from bot.handlers.common import active_member, answer_query, can_facilitate, member_of, rights_of, translator
from bot.services import PasserelleContext, Services
from bot.storage import calls, circles, decisions
from bot.storage.circles import Circle
from bot.storage.members import Member
from bot.telegram_io import edit_screen
from bot.ui import decisions as screens
from bot.ui.calls import Place, reader_place
from bot.ui.decisions import DraftButton, ExtendButton, OriginalButton, VoteButton, WithdrawButton

# A typed message counts as a step of the draft only this soon after the draft last moved (as for /propose).
TEXT_WINDOW = timedelta(minutes=30)

EVENTS = {
    "c": rules.PickCircle, "rm": rules.RemoveOption, "dl": rules.PickDeadline,
    "done": lambda _: rules.FinishOptions(), "fam": lambda _: rules.ToggleFamilies(), "ok": lambda _: rules.Send(),
}


async def circles_for(services: Services, member: Member) -> list[Circle]:
    """The circles a member may put a question to: theirs, and those they facilitate."""
    joined = await circles.circle_ids_of(services.db, member.id)
    rights = await rights_of(services, member.telegram_user_id)
    return [c for c in await circles.list_open(services.db) if c.id in joined or may_facilitate(rights, c.id)]


async def _screen(services: Services, member: Member, draft: rules.Draft, note: str = ""):
    tr = translator(services, member)
    reader = reader_place(tr, member, await circles.territories(services.db))
    deadline = rules.deadline_after(services.clock.now(), draft.deadline_days)
    return screens.draft_screen(tr, draft, await circles_for(services, member), reader, deadline, note=note)


async def decide(update: Update, context: PasserelleContext) -> None:
    """/decide: start a new draft (replacing an unfinished one)."""
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    allowed = await circles_for(services, member)
    if not allowed:
        await update.effective_message.reply_text(tr.html("Join a circle first with /circles."))
        return
    draft = rules.start([c.id for c in allowed])
    await decisions.save_draft(services.db, member.id, draft, services.clock.now())
    text, markup = await _screen(services, member, draft)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def draft_step(update: Update, context: PasserelleContext) -> None:
    """dcd:<action>:<value> — one step of the draft; a button of another step changes nothing."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    data = DraftButton.decode(update.callback_query.data)
    stored = await decisions.get_draft(services.db, member.id) if member is not None and member.is_active else None
    if data is None or stored is None or (data.action not in EVENTS and data.action != "x"):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    if data.action == "x":
        await decisions.delete_draft(services.db, member.id)
        await answer_query(update)
        await edit_screen(update, tr.html("No question put to the circle."))
        return
    allowed = [c.id for c in await circles_for(services, member)]
    applied = rules.apply(stored.draft, EVENTS[data.action](data.value), allowed)
    if applied.problem is not None:
        note = screens.draft_problem(tr, applied.problem, stored.draft.step)
        await answer_query(update, tr.gettext("This button is no longer valid.") if not note else None)
        if note:
            text, markup = await _screen(services, member, stored.draft, note)
            await edit_screen(update, text, markup)
        return
    await answer_query(update)
    if applied.draft.step == Step.SENT:
        await _send(update, context, member, applied.draft, allowed)
        return
    await decisions.save_draft(services.db, member.id, applied.draft, services.clock.now())
    text, markup = await _screen(services, member, applied.draft)
    await edit_screen(update, text, markup)


async def _send(update: Update, context: PasserelleContext, member: Member, draft: rules.Draft,
                allowed: list[int]) -> None:
    services = context.services
    tr = translator(services, member)
    if draft.circle_id not in allowed:  # left the circle while writing
        await decisions.delete_draft(services.db, member.id)
        await edit_screen(update, tr.html("You are no longer in this circle: no question put."))
        return
    decision, places = await use_cases.put_question(services, member, draft)
    text, markup = screens.sent_screen(tr, decision, places)
    await edit_screen(update, text, markup)


async def receive_text(update: Update, context: PasserelleContext) -> None:
    """Free text that answers a draft's question or option step; the update stops here only when it was used.

    Runs before /propose's own text step: when both drafts wait for text, the one that moved last takes it.
    """
    services, message = context.services, update.effective_message
    member = await member_of(context, update.effective_user)
    if member is None or not member.is_active or not message.text or member.onboarding_step != "done":
        return  # not done: the text answers a profile question (/me, onboarding), not the draft
    stored = await decisions.get_draft(services.db, member.id)
    now = services.clock.now()
    if stored is None or stored.draft.step not in rules.TEXT_STEPS or now - stored.updated_at > TEXT_WINDOW:
        return
    call_draft = await calls.get_draft(services.db, member.id)
    if (call_draft is not None and call_draft.step in ("topic", "slots")
            and call_draft.updated_at > stored.updated_at):
        return  # the /propose draft moved last: the text is its topic or a typed slot
    replied = message.reply_to_message
    if replied is not None and not _is_draft_screen(replied):
        return  # an answer to something else (the weekly question, say) is not a step of the draft
    tr = translator(services, member)
    applied = rules.apply(stored.draft, rules.WriteText(message.text))
    note = screens.draft_problem(tr, applied.problem, stored.draft.step) if applied.problem else ""
    await decisions.save_draft(services.db, member.id, applied.draft, now)
    text, markup = await _screen(services, member, applied.draft, note)
    await message.reply_text(text, reply_markup=markup)
    raise ApplicationHandlerStop


def _is_draft_screen(message) -> bool:
    markup = message.reply_markup
    return markup is not None and any((button.callback_data or "").startswith(f"{DraftButton.PREFIX}:")
                                      for row in markup.inline_keyboard for button in row)


async def vote(update: Update, context: PasserelleContext) -> None:
    """dcv:<decision>:<choice> — record, change or keep the presser's vote (from a private chat or a group)."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    data = VoteButton.decode(update.callback_query.data)
    if data is None or member is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    outcome = await use_cases.cast_vote(services, data.decision_id, member, data.choice)
    if outcome.vote == Vote.NOT_MEMBER:
        await answer_query(update, tr.gettext("Only the members of this circle vote on its questions."), alert=True)
        return
    if outcome.vote == Vote.CLOSED:
        await answer_query(update, tr.gettext("Voting on this question is closed."), alert=True)
        return
    if outcome.vote == Vote.NO_SUCH_OPTION:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update, screens.vote_answer(tr, outcome.decision, data.choice,
                                                   changed=outcome.vote == Vote.CHANGED,
                                                   same=outcome.vote == Vote.SAME))
    if update.effective_chat.type == "private" and outcome.vote != Vote.SAME:
        text, markup = await use_cases.member_ballot(services, outcome.decision, member)
        await edit_screen(update, text, markup)
    if outcome.everyone_voted:
        await use_cases.close_decision(services, data.decision_id)


async def show_original(update: Update, context: PasserelleContext) -> None:
    """dco:<decision> — the question and options as written, sent to the presser's private chat."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    data = OriginalButton.decode(update.callback_query.data)
    decision = await decisions.get(services.db, data.decision_id) if data is not None else None
    if (decision is None or member is None or not member.is_active
            or not await circles.is_member(services.db, member.id, decision.circle_id)):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    await context.bot.send_message(member.telegram_user_id, screens.original(tr, decision))


async def withdraw(update: Update, context: PasserelleContext) -> None:
    """dcw:<decision> — the proposer withdraws their question, until the first vote."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    data = WithdrawButton.decode(update.callback_query.data)
    if data is None or member is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    outcome = await use_cases.withdraw(services, data.decision_id, member)
    if outcome == Withdrawal.NOT_PROPOSER:
        await answer_query(update, tr.gettext("Only the member who put this question can withdraw it."), alert=True)
    elif outcome == Withdrawal.TOO_LATE:
        await answer_query(update, tr.gettext("Someone has voted already (or the vote is over): the question can "
                                              "no longer be withdrawn."), alert=True)
    else:
        await answer_query(update)
        await edit_screen(update, tr.html("Your question was withdrawn; everyone who got it is told."))


async def extend(update: Update, context: PasserelleContext) -> None:
    """dce:<decision> — a facilitator of the circle extends the deadline, once."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    data = ExtendButton.decode(update.callback_query.data)
    decision = await decisions.get(services.db, data.decision_id) if data is not None else None
    if decision is None or not await can_facilitate(services, update.effective_user.id, decision.circle_id):
        await answer_query(update, tr.gettext("Only a facilitator of this circle can extend its votes."),
                           alert=True)
        return
    extended = await use_cases.extend(services, decision.id)
    if extended is None:
        await answer_query(update, tr.gettext("This vote is over or was extended already."), alert=True)
        return
    zone = member.time_zone if member and member.time_zone else "UTC"
    await answer_query(update, tr.gettext("Extended until {deadline}; everyone is told.",
                                          deadline=tr.datetime(extended.deadline, zone)))
    await _show_open(update, context, member, edit=True)


async def list_open(update: Update, context: PasserelleContext) -> None:
    """/decisions: the open questions of the member's circles (extend them as a facilitator, withdraw your own).

    A facilitator of PASSERELLE_ADMINS who never joined as a member sees the circles they facilitate.
    """
    services = context.services
    member = await member_of(context, update.effective_user)
    rights = await rights_of(services, update.effective_user.id)
    if (member is None or not member.is_active) and not rights:
        await active_member(update, context)  # sends the hint to join
        return
    await _show_open(update, context, member, edit=False)


async def _show_open(update: Update, context: PasserelleContext, member: Member | None, *, edit: bool) -> None:
    services = context.services
    tr = translator(services, member, update.effective_user)
    rights = await rights_of(services, update.effective_user.id)
    territories = await circles.territories(services.db)
    if member is not None and member.is_active:
        visible = {c.id: c for c in await circles_for(services, member)}
        reader = reader_place(tr, member, territories)
    else:
        visible = {c.id: c for c in await circles.list_open(services.db) if may_facilitate(rights, c.id)}
        reader = Place("UTC", tr.zone_name("UTC"))
    items = []
    for decision in reversed(await decisions.of_circles(services.db, set(visible), status="open")):
        votes = await decisions.votes(services.db, decision.id)
        items.append((decision, visible[decision.circle_id], len(votes),
                      may_facilitate(rights, decision.circle_id) and not decision.extended,
                      member is not None and decision.proposer_id == member.id and not votes))
    text, markup = screens.open_list(tr, items, reader)
    if edit:
        await edit_screen(update, text, markup)
    else:
        await update.effective_message.reply_text(text, reply_markup=markup)
