"""Small helpers shared by handlers: who is speaking, in which language, with which rights."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update, User

from bot.domain.facilitation import Right, may_facilitate
from bot.i18n import Translator, normalise_locale
from bot.services import PasserelleContext, Services
from bot.storage import facilitators, members
from bot.storage.members import Member
from bot.telegram_io import answer_once, edit_screen


async def member_of(context: PasserelleContext, user: User | None) -> Member | None:
    """The member behind a Telegram user, read once per update: the handlers of every group share the reading
    (the call-step handler in group -1, then the command or text handler) unless a member was written since."""
    if user is None:
        return None
    db = context.services.db
    read = context.member_read
    if read is not None and read[0] == user.id and read[1] == db.memory.members_version:
        return read[2]
    version = db.memory.members_version  # before the read: a write meanwhile makes this reading stale
    member = await members.get_by_telegram_id(db, user.id)
    context.member_read = (user.id, version, member)
    return member


def translator(services: Services, member: Member | None, user: User | None = None) -> Translator:
    """The reader's translator: their stored language, else their Telegram app language, else French."""
    if member is not None:
        return services.i18n.for_locale(member.locale, member.phone_region)
    return services.i18n.for_locale(normalise_locale(user.language_code if user else None))


_UNREAD = object()


async def is_facilitator(services: Services, user_id: int, member: Member | None | object = _UNREAD) -> bool:
    """Facilitators: PASSERELLE_ADMINS, plus verified members they promoted (pass `member` when already read)."""
    if services.is_env_admin(user_id):
        return True
    if member is _UNREAD:
        member = await members.get_by_telegram_id(services.db, user_id)
    return member is not None and member.is_active and await facilitators.is_promoted(services.db, member.id)


async def rights_of(services: Services, user_id: int, member: Member | None | object = _UNREAD) -> list[Right]:
    """Every facilitator right of a Telegram user: global (PASSERELLE_ADMINS, /promote) and per circle (pass
    `member` when already read)."""
    if member is _UNREAD:
        member = await members.get_by_telegram_id(services.db, user_id)
    rights = [Right(None, None, member.territory_code if member else None)] if services.is_env_admin(user_id) else []
    if member is not None and member.is_active:
        rights += await facilitators.rights_of(services.db, member.id)
    return rights


async def can_facilitate(services: Services, user_id: int, circle_id: int, territory: str | None = None) -> bool:
    """Whether the user facilitates that circle (and that territory of it, when given)."""
    return may_facilitate(await rights_of(services, user_id), circle_id, territory)


async def show_screen(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """The next screen of a guided flow: in place of the pressed message, or as an answer to a typed command."""
    if update.callback_query is not None:
        await edit_screen(update, text, markup)
    else:
        await update.effective_message.reply_text(text, reply_markup=markup)


async def answer_query(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Every button press gets an answer, or the member's app shows a spinner; exactly one (bot.telegram_io)."""
    await answer_once(update, text, alert=alert)


async def active_member(update: Update, context: PasserelleContext) -> tuple[Member | None, Translator]:
    """The verified member behind an update and their translator; None (and a hint sent) for anyone else."""
    member = await member_of(context, update.effective_user)
    tr = translator(context.services, member, update.effective_user)
    if member is None or not member.is_active:
        await update.effective_message.reply_text(tr.html("Send /start to join first."))
        return None, tr
    return member, tr
