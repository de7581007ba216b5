"""/announce: a facilitator's message to a circle (or one territory of it), previewed, then sent through the outbox.

    /announce food togo
    fr: Réunion ouverte jeudi à 18h (heure de Lomé).
    en: Open meeting on Thursday at 18:00 (Lomé time).

Each member reads the text of their language, else the unprefixed text, else French. Nothing is queued before the
facilitator taps Send; a second tap (or another facilitator's) sends nothing twice.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.announcements import announcement_key, parse_announcement, text_for
from bot.domain.facilitation import may_reach
from bot.handlers.common import answer_query, member_of, rights_of, translator
from bot.i18n import SUPPORTED_LOCALES, SafeHtml, Translator, escape
from bot.services import PasserelleContext
from bot.storage import announcements, circles, facilitator_tools, outbox
from bot.storage.facilitator_tools import DeliveryCounts
from bot.ui.facilitation import progress_text
from bot.storage.announcements import Announcement
from bot.storage.circles import Circle
from bot.ui.callbacks import pack, parse, parse_int
from bot.ui.screens import circle_name
from bot.ui.text import split_lines
from bot.telegram_io import remove_buttons


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


USAGE = N_("/announce circle [{territories}]\nfr: …\nen: …\nee: …")


def announcement_message(tr: Translator, circle: Circle, text: str) -> SafeHtml:
    """What a member receives."""
    return SafeHtml(tr.html("📣 <b>Message from the facilitators of {circle}</b>", circle=circle_name(tr, circle))
                    + "\n\n" + escape(text))


async def announce(update: Update, context: PasserelleContext) -> None:
    """/announce <circle> [territory] and the message lines: answers with a preview and Send/Cancel buttons."""
    services, message = context.services, update.effective_message
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    args = (message.text or "").splitlines()[0].split()[1:]
    circle = await circles.get_by_slug(services.db, args[0]) if args else None
    codes = {t.code for t in await circles.territories(services.db)}
    territory = args[1] if len(args) > 1 else None
    texts = parse_announcement((message.text or "").splitlines()[1:], SUPPORTED_LOCALES)
    if circle is None or (territory is not None and territory not in codes) or not texts:
        await message.reply_text(tr.html("{usage}\nCircles: {circles}", usage=tr.gettext(USAGE, 
            territories="|".join(sorted(codes))), circles=", ".join(c.slug for c in await circles.list_open(
                services.db))))
        return
    if not may_reach(await rights_of(services, update.effective_user.id), circle.id, territory):
        await message.reply_text(tr.gettext("This is reserved for facilitators."))
        return
    await send_preview(context, message.chat_id, tr, circle, territory, texts, member.id if member else None)


async def send_preview(context: PasserelleContext, chat_id: int, tr: Translator, circle: Circle,
                       territory: str | None, texts: dict[str, str], created_by: int | None) -> None:
    """Store the draft and show what each language's members will read, with Send and Cancel."""
    services = context.services
    draft_id = await announcements.create_draft(services.db, circle_id=circle.id, territory_code=territory,
                                                texts=texts, created_by=created_by, now=services.clock.now())
    people = await announcements.recipients(services.db, circle.id, territory)
    preview = [tr.nhtml("Preview: this goes to {count} member of {circle}.",
                        "Preview: this goes to {count} members of {circle}.", len(people),
                        circle=circle_name(tr, circle))]
    for locale in sorted({p.locale for p in people} or {tr.locale}):
        reader = services.i18n.for_locale(locale)
        preview.append(f"\n<b>{escape(reader.language_name(locale))}</b>\n"
                       + announcement_message(reader, circle, text_for(texts, locale)))
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(tr.gettext("Send"), callback_data=pack("an", "send", draft_id)),
        InlineKeyboardButton(tr.gettext("Cancel"), callback_data=pack("an", "no", draft_id))]])
    chunks = split_lines(preview)
    for chunk in chunks[:-1]:
        await context.bot.send_message(chat_id, chunk)
    await context.bot.send_message(chat_id, chunks[-1], reply_markup=markup)


async def decide(update: Update, context: PasserelleContext) -> None:
    """an:send:<id> queues the announcement for every recipient; an:no:<id> drops the draft."""
    services = context.services
    tr = translator(services, await member_of(context, update.effective_user), update.effective_user)
    parts = parse(update.callback_query.data, "an", 2)
    draft = await announcements.get(services.db, parse_int(parts[1])) if parts and parse_int(parts[1]) else None
    if draft is None or draft.status != "draft" or parts[0] not in ("send", "no"):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    if not may_reach(await rights_of(services, update.effective_user.id), draft.circle_id, draft.territory_code):
        await answer_query(update, tr.gettext("This is reserved for facilitators."), alert=True)
        return
    await answer_query(update)
    if parts[0] == "no":
        await announcements.close_draft(services.db, draft.id, "cancelled", services.clock.now())
        await remove_buttons(update)
        await update.effective_message.reply_text(tr.gettext("Cancelled: nothing was sent."))
        return
    count = await _queue(context, draft)
    await remove_buttons(update)
    if count is None:
        return  # another tap (or another facilitator) sent it a moment ago: its count is already shown
    if count == 0:
        await update.effective_message.reply_text(tr.gettext("Nobody to send it to: nothing was sent."))
        return
    # One message, edited as the outbox drains (bot.delivery.announcement_progress), instead of "sent" at queueing.
    shown = progress_text(tr, DeliveryCounts(count, 0, 0))
    progress = await update.effective_message.reply_text(shown)
    await facilitator_tools.watch_progress(services.db, draft.id, progress.chat_id, progress.message_id,
                                         tr.locale, shown)


async def _queue(context: PasserelleContext, draft: Announcement) -> int | None:
    """Close the draft and queue one message per recipient, in one transaction (never twice: None then)."""
    services, now = context.services, context.services.clock.now()
    circle = await circles.get(services.db, draft.circle_id)
    people = await announcements.recipients(services.db, draft.circle_id, draft.territory_code)
    async with services.db.transaction() as tx:
        if not await announcements.close_draft(tx, draft.id, "sent", now):
            return None
        for person in people:
            reader = services.i18n.for_locale(person.locale, person.phone_region)
            text = announcement_message(reader, circle, text_for(draft.texts, reader.locale))
            await outbox.enqueue(tx, chat_id=person.telegram_user_id, member_id=person.id, method="sendMessage",
                                 payload={"text": text, "parse_mode": "HTML"}, now=now,
                                 dedupe_key=f"{announcement_key(draft.id)}{person.id}")
    return len(people)
