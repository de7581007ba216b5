"""The weekly exchange, member side: replies (text, voice, photos, documents), framing nudges, /prompt, /pause."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.delivery import held_replies, kinds
from bot.delivery.prompts import prompt_text
from bot.domain.framing import FramingSuggestion, assess_framing, suggest_practice_angle
from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.services import PasserelleContext
from bot.storage import circles, exchanges, members
from bot.storage.circles import Circle
from bot.storage.exchanges import Reply
from bot.storage.members import Member
from bot.ui import exchanges as ui
from bot.ui import screens
from bot.ui.callbacks import parse, parse_int
from bot.telegram_io import remove_buttons

logger = logging.getLogger(__name__)

REPLY_WINDOW = timedelta(days=7)  # a message that quotes nothing answers the newest prompt of the past week
PAUSE_FOREVER = "9999-12-31T00:00:00+00:00"


def classify(message: Message) -> tuple[str, str | None]:
    """The kind of a reply and its text (the caption for media)."""
    for kind in ("voice", "photo", "document", "audio", "video"):
        if getattr(message, kind):
            return kind, message.caption
    return "text", message.text


async def receive_reply(update: Update, context: PasserelleContext, member: Member) -> None:
    """A member answers the weekly prompt (quoting it, or not): framing check, then relay or digest."""
    services, message = context.services, update.effective_message
    tr = translator(services, member)
    now = services.clock.now()
    round_ = None
    if message.reply_to_message is not None:
        round_ = await exchanges.round_for_message(services.db, message.chat_id, message.reply_to_message.message_id)
    if round_ is None:
        round_ = await exchanges.latest_round_for_member(services.db, member.id, since=now - REPLY_WINDOW)
    circle = None if round_ is None else await circles.get_if_member(services.db, round_.circle_id, member.id)
    if circle is None:
        await message.reply_text(tr.html("No exchange question is open for you right now. The next one comes on "
                                         "Monday morning; /prompt shows the latest one."))
        return
    kind, text = classify(message)
    assessment = assess_framing(text, member.locale) if text else None
    flagged = assessment is not None and assessment.is_equipment_centred
    reply_id = await exchanges.add_reply(
        services.db, round_id=round_.id, member_id=member.id, territory_code=member.territory_code, kind=kind,
        text=text, language=(assessment.language if assessment else None) or member.locale,  # of the text
        source_chat_id=message.chat_id, source_message_id=message.message_id,
        status="held" if flagged else "pending", now=now)
    if flagged and await _suggest_privately(update, context, member, reply_id,
                                            suggest_practice_angle(assessment, circle.theme or "")):
        return
    if flagged:  # the author cannot be written to in private: the reply goes on as it is, never blocked
        await exchanges.set_reply_status(services.db, reply_id, "pending")
    await _dispatch(update, context, member, await exchanges.get_reply(services.db, reply_id), circle)


async def _suggest_privately(update: Update, context: PasserelleContext, member: Member, reply_id: int,
                             suggestion: FramingSuggestion) -> bool:
    """The framing suggestion reaches the author alone: in a group, the other side must not see the correction."""
    tr = translator(context.services, member)
    message = update.effective_message
    if message.chat.type == ChatType.PRIVATE:
        text, markup = ui.framing_suggestion(tr, suggestion, reply_id)
        await message.reply_text(text, reply_markup=markup)
        return True
    text, markup = ui.framing_suggestion(tr, suggestion, reply_id, in_group=message.chat.title or "")
    try:
        await context.bot.send_message(member.telegram_user_id, text, reply_markup=markup)
    except (Forbidden, BadRequest) as error:  # blocked the bot, or never opened a private chat with it
        logger.info("Framing suggestion not sent in private (sendMessage: %s); the reply is relayed as it is", error)
        return False
    return True


async def _dispatch(update: Update, context: PasserelleContext, member: Member, reply: Reply,
                    circle: Circle | None = None) -> None:
    services = context.services
    tr = translator(services, member)
    circle = circle or await held_replies.circle_of(services.db, reply)
    count = await held_replies.pass_on(services, reply, circle)
    if count is not None:
        text = tr.nhtml("Thank you! Your answer is on its way to {count} place across the border.",
                        "Thank you! Your answer is on its way to {count} places across the border.", count)
    else:
        text = tr.html("Thank you! Your answer will reach the other side in the next digest of {circle}.",
                       circle=screens.circle_name(tr, circle))
    await context.bot.send_message(update.effective_chat.id, text)


async def decide_framing(update: Update, context: PasserelleContext) -> None:
    """rf:send:<reply> relays a held reply as it is; rf:redo:<reply> drops it so the member can rephrase."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, "rf", 2)
    reply_id = parse_int(parts[1]) if parts else None
    reply = await exchanges.get_reply(services.db, reply_id) if reply_id is not None else None
    if member is None or reply is None or reply.member_id != member.id or reply.status != "held" \
            or parts[0] not in ("send", "redo"):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    await remove_buttons(update)
    if parts[0] == "redo":
        await exchanges.delete_reply(services.db, reply.id)
        await update.effective_message.reply_text(tr.gettext("Fine: send your new answer when you are ready."))
        return
    await exchanges.set_reply_status(services.db, reply.id, "pending")
    await _dispatch(update, context, member, await exchanges.get_reply(services.db, reply.id))


async def edited_reply(update: Update, context: PasserelleContext) -> None:
    """An edit replaces a reply that has not crossed the border yet (held or waiting for a digest)."""
    message = update.edited_message
    reply = await exchanges.reply_for_message(context.services.db, message.chat_id, message.message_id)
    if reply is not None:
        await exchanges.update_reply_text(context.services.db, reply.id, message.text or message.caption)


async def send_media_on_demand(update: Update, context: PasserelleContext) -> None:
    """md:<reply>: a digest reader asks for a voice note or photo; Telegram copies it, nothing is downloaded."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    reply = await _reply_visible_to(context, member, update.callback_query.data, "md")
    if reply is None or reply.kind == "text":
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    try:
        await context.bot.copy_message(update.effective_user.id, reply.source_chat_id, reply.source_message_id)
    except TelegramError:
        await context.bot.send_message(update.effective_user.id, tr.gettext("This message is no longer available."))


async def show_original(update: Update, context: PasserelleContext) -> None:
    """ro:<reply>: the text as its author wrote it."""
    member = await member_of(context, update.effective_user)
    tr = translator(context.services, member, update.effective_user)
    reply = await _reply_visible_to(context, member, update.callback_query.data, "ro")
    if reply is None or not reply.text:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    await context.bot.send_message(update.effective_user.id, tr.html(
        "Original ({language}):\n{text}", language=ui.language_of(tr, reply.language), text=reply.text))


async def translation_unclear(update: Update, context: PasserelleContext) -> None:
    """ru:<reply>: ask the facilitators for a human reading of both texts."""
    from bot.handlers.onboarding import facilitator_ids
    from bot.storage import facilitator_tools, outbox

    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    reply = await _reply_visible_to(context, member, update.callback_query.data, "ru")
    if reply is None or not reply.text:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    now = services.clock.now()
    admin_ids = await facilitator_ids(context)  # before the transaction: its lock is not re-entrant
    round_ = await exchanges.get_round(services.db, reply.round_id)
    async with services.db.transaction() as tx:
        # Kept until a facilitator of the circle marks it handled (/facilitate lists the open ones).
        await facilitator_tools.add_help_request(tx, reply_id=reply.id, member_id=member.id,
                                                 circle_id=round_.circle_id, now=now)
        for admin_id in admin_ids:
            admin = await members.get_by_telegram_id(tx, admin_id)
            admin_tr = translator(services, admin)
            text = admin_tr.html(
                "{name} asks for help to understand an answer written in {language}:\n{text}",
                name=member.display_name, language=ui.language_of(admin_tr, reply.language), text=reply.text)
            await outbox.enqueue(tx, chat_id=admin_id, method="sendMessage", now=now,
                                 payload={"text": text, "parse_mode": "HTML"},
                                 key=kinds.TRANSLATION_UNCLEAR.key(reply.id, member.id, admin_id))
    await answer_query(update, tr.gettext("A facilitator has been asked to help."), alert=True)


async def _reply_visible_to(context: PasserelleContext, member: Member | None, data: str, prefix: str) -> Reply | None:
    parts = parse(data, prefix, 1)
    reply_id = parse_int(parts[0]) if parts else None
    if member is None or reply_id is None:
        return None
    reply = await exchanges.get_reply(context.services.db, reply_id)
    if reply is None:
        return None
    if reply.status != "relayed":
        # Held for its author's choice, or waiting for a digest: the reply is its author's alone until it crosses
        # the border, whatever data a client sends (reply ids are sequential, so easy to guess).
        return None
    round_ = await exchanges.get_round(context.services.db, reply.round_id)
    return reply if await circles.is_member(context.services.db, member.id, round_.circle_id) else None


async def show_prompt(update: Update, context: PasserelleContext) -> None:
    """/prompt: this week's question of each of the member's circles, again."""
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    rounds = await exchanges.latest_rounds_for_member(services.db, member.id)
    if not rounds:
        await update.effective_message.reply_text(tr.html(
            "No question has been sent to you yet: the next one comes on Monday morning."))
        return
    territories = {t.code: t for t in await circles.territories(services.db)}
    for round_ in rounds:
        circle = await circles.get(services.db, round_.circle_id)
        text = await prompt_text(services.db, tr, round_.prompt_key) or ""
        await update.effective_message.reply_text(
            ui.prompt_message(tr, circle, text, territories[round_.opener_territory], member.territory_code))


async def pause(update: Update, context: PasserelleContext) -> None:
    """/pause [weeks]: no prompts or digests for a while (holidays), without leaving the circles."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    args = context.args or []
    if member is None or not member.is_active or (args and not 0 < (parse_int(args[0]) or 0) <= 52):
        await update.effective_message.reply_text(tr.html(
            "Usage: /pause for a pause until /resume, or /pause followed by a number of weeks (1 to 52)."))
        return
    now = services.clock.now()
    until = (now + timedelta(weeks=int(args[0]))).isoformat() if args else PAUSE_FOREVER
    await members.update(services.db, member.id, now, paused_until=until)
    if args:
        text = tr.html("Paused until {date}. /resume to come back earlier.",
                       date=tr.date(now + timedelta(weeks=int(args[0])), member.time_zone or "UTC"))
    else:
        text = tr.html("Paused: no questions or digests until you send /resume.")
    await update.effective_message.reply_text(text)


async def resume(update: Update, context: PasserelleContext) -> None:
    services = context.services
    member, tr = await active_member(update, context)
    if member is None:
        return
    await members.update(services.db, member.id, services.clock.now(), paused_until=None)
    await update.effective_message.reply_text(tr.html("Welcome back: you will receive the questions again."))


async def group_reply(update: Update, context: PasserelleContext) -> None:
    """In a circle's group, an answer to the bot's prompt post is relayed like a private reply."""
    services, message = context.services, update.effective_message
    if message.reply_to_message is None or await exchanges.round_for_message(
            services.db, message.chat_id, message.reply_to_message.message_id) is None:
        return  # ordinary group conversation: not ours to relay
    member = await member_of(context, update.effective_user)
    if member is None or not member.is_active:
        return
    await receive_reply(update, context, member)
