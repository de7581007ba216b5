"""Facilitators' commands: invitations, circles, member lists, held members, co-facilitators, group binding."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.helpers import create_deep_linked_url

from bot import joining, role_menus
from bot.domain.invites import new_code
from bot.domain.phones import format_international
from bot.domain.facilitation import missing_territories
from bot.handlers.common import answer_query, can_facilitate, is_facilitator, member_of, translator
from bot.i18n import Translator
from bot.services import PasserelleContext
from bot.storage import circles, facilitators, invites, members
from bot.storage.circles import Territory
from bot.storage.members import Member
from bot.ui import screens
from bot.ui.callbacks import pack, parse, parse_int
from bot.telegram_io import edit_screen

logger = logging.getLogger(__name__)
MAX_INVITE_DAYS = 3650
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,23}$")


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


async def refuse_unless_facilitator(update: Update, context: PasserelleContext) -> bool:
    """True (and a clear answer sent) when the caller is not a facilitator."""
    if await is_facilitator(context.services, update.effective_user.id):
        return False
    member = await member_of(context, update.effective_user)
    tr = translator(context.services, member, update.effective_user)
    text = tr.gettext("This is reserved for facilitators.")
    if update.callback_query is not None:
        await answer_query(update, text, alert=True)
    else:
        await update.effective_message.reply_text(text)
    return True


def _options(args: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Split 'food uses=30 days=14' into positional words and key=value options."""
    positional = [a for a in args if "=" not in a]
    options = dict(a.split("=", 1) for a in args if "=" in a)
    return positional, options


async def create_invite(update: Update, context: PasserelleContext) -> None:
    """/invite [circle] [uses=N] [days=N] [territory=code], typed: a deep link to join, optionally limited (bare
    /invite opens the guided picker, bot.handlers.facilitate)."""
    if await refuse_unless_facilitator(update, context):
        return
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    positional, options = _options(context.args or [])
    circle = await circles.get_by_slug(services.db, positional[0]) if positional else None
    territory_codes = {t.code for t in await circles.territories(services.db)}
    uses, days, territory = options.get("uses", ""), parse_int(options.get("days", "30")), options.get("territory")
    # Bounded: a number too large for SQLite or for a date is a typo, answered with the usage.
    if ((positional and circle is None) or (uses and parse_int(uses) is None)
            or days is None or days > MAX_INVITE_DAYS
            or (territory is not None and territory not in territory_codes)):
        await update.effective_message.reply_text(tr.html(
            "Usage: /invite [circle] [uses=N] [days=N] [territory=code]\nCircles: {circles}\nTerritories: {territories}",
            circles=", ".join(c.slug for c in await circles.list_open(services.db)),
            territories=", ".join(sorted(territory_codes))))
        return
    await update.effective_message.reply_text(await make_invite(
        context, tr, circle, territory, int(uses) if uses else None, days, member))


async def make_invite(context: PasserelleContext, tr: Translator, circle, territory: str | None, uses: int | None,
                      days: int, creator: Member | None) -> str:
    """Store an invitation and say its deep link, validity and uses (HTML)."""
    services = context.services
    code, now = new_code(), services.clock.now()
    expires = now + timedelta(days=days)
    await invites.create(services.db, code=code, circle_id=circle.id if circle else None, territory_code=territory,
                         max_uses=uses, expires_at=expires, created_by=creator.id if creator else None, now=now)
    link = create_deep_linked_url(context.bot.username, code)
    return tr.html("Invitation created: {link}\nValid until {date}, {uses}.", link=link, date=tr.date(expires, "UTC"),
                   uses=tr.ngettext("{count} use", "{count} uses", uses) if uses else tr.gettext("unlimited uses"))


async def create_circle(update: Update, context: PasserelleContext) -> None:
    """/newcircle <slug> <name>: a new thematic circle (name in the facilitator's language)."""
    if await refuse_unless_facilitator(update, context):
        return
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    args = context.args or []
    slug = args[0].lower() if args else ""
    name = " ".join(args[1:]).strip()
    if not SLUG.match(slug) or not name or len(name) > 80:
        await update.effective_message.reply_text(tr.html(
            "Usage: /newcircle slug name, e.g. /newcircle water Water management"))
        return
    if await circles.get_by_slug(services.db, slug) is not None:
        await update.effective_message.reply_text(tr.html("A circle named {slug} already exists.", slug=slug))
        return
    await circles.create(services.db, slug=slug, name=name, names={tr.locale: name}, now=services.clock.now())
    await update.effective_message.reply_text(tr.html("Circle <b>{name}</b> created ({slug}).", name=name, slug=slug))


async def list_members(update: Update, context: PasserelleContext) -> None:
    """/members [circle]: members per circle and territory, with phone numbers (facilitators only)."""
    if await refuse_unless_facilitator(update, context):
        return
    tr = translator(context.services, await member_of(context, update.effective_user), update.effective_user)
    for chunk in await member_listing(context.services, tr, (context.args or [None])[0]):
        await update.effective_message.reply_text(chunk)


async def member_listing(services, tr: Translator, wanted: str | None) -> list[str]:
    """The members of one circle (or of every circle) per territory, with numbers, in messages under the limit."""
    territories = {t.code: t for t in await circles.territories(services.db)}
    lines: list[str] = []
    for circle in await circles.list_open(services.db):
        if wanted and circle.slug != wanted:
            continue
        people = await circles.members_of(services.db, circle.id)
        lines.append(tr.html("<b>{circle}</b> ({count})", circle=screens.circle_name(tr, circle), count=len(people)))
        for code, territory in territories.items():
            side = [m for m in people if m.territory_code == code]
            lines.append(tr.html("  {territory}: {count}", territory=screens.territory_name(tr, territory),
                                 count=len(side)))
            lines.extend(_member_line(tr, m) for m in side)
    return _chunks(lines or [tr.gettext("No circle matches.")])


def _member_line(tr: Translator, member: Member) -> str:
    return tr.html("    • {name}, {organisation}, {phone}", name=member.display_name,
                   organisation=member.organisation or "—",
                   phone=format_international(member.phone_e164) if member.phone_e164 else "—")


def _chunks(lines: Sequence[str], limit: int = 4000) -> list[str]:
    """Split on line boundaries under Telegram's 4096-character limit (never inside a tag)."""
    chunks, current = [], ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:limit]
    return chunks + ([current] if current else [])


def held_member_screen(tr: Translator, member: Member, territories: Sequence[Territory]) -> tuple[str, InlineKeyboardMarkup]:
    """What a facilitator sees about a member waiting for approval, with a button per territory."""
    text = tr.html(
        "<b>{name}</b> has a number from outside the territories ({phone}). Which side do they belong to?",
        name=member.display_name, phone=format_international(member.phone_e164) if member.phone_e164 else "—")
    codes = [(t.code, screens.territory_name(tr, t)) for t in territories] or [("bretagne", tr.gettext("Brittany")),
                                                                               ("togo", tr.gettext("Togo"))]
    buttons = [InlineKeyboardButton(name, callback_data=pack("held", "ok", member.id, code)) for code, name in codes]
    buttons.append(InlineKeyboardButton(tr.gettext("Refuse"), callback_data=pack("held", "no", member.id)))
    return text, InlineKeyboardMarkup([buttons])


async def list_held(update: Update, context: PasserelleContext) -> None:
    """/held: members waiting for a facilitator's decision."""
    if await refuse_unless_facilitator(update, context):
        return
    services = context.services
    tr = translator(services, await member_of(context, update.effective_user), update.effective_user)
    held = await members.list_by_status(services.db, "held")
    if not held:
        await update.effective_message.reply_text(tr.gettext("Nobody is waiting for approval."))
        return
    territories = await circles.territories(services.db)
    for member in held:
        text, markup = held_member_screen(tr, member, territories)
        await update.effective_message.reply_text(text, reply_markup=markup)


async def decide_held(update: Update, context: PasserelleContext) -> None:
    """held:ok:<member>:<territory> or held:no:<member>."""
    if await refuse_unless_facilitator(update, context):
        return
    services, data = context.services, update.callback_query.data
    tr = translator(services, await member_of(context, update.effective_user), update.effective_user)
    approve, refuse = parse(data, "held", 3), parse(data, "held", 2)
    parts = approve or refuse
    member_id = parse_int(parts[1]) if parts else None
    target = await members.get(services.db, member_id) if member_id is not None else None
    territories = {t.code: t for t in await circles.territories(services.db)}
    valid = (approve and approve[0] == "ok" and approve[2] in territories) or (refuse and refuse[0] == "no")
    if target is None or target.status != "held" or not valid:
        await answer_query(update, tr.gettext("This request was already handled."))
        return
    territory = territories[approve[2]] if approve else None
    if await joining.decide_held(services, target.id, territory) is None:
        await answer_query(update, tr.gettext("This request was already handled."))
        return
    verdict = (tr.html("{name} approved ({territory}).", name=target.display_name,
                       territory=screens.territory_name(tr, territory)) if territory is not None
               else tr.html("{name} refused.", name=target.display_name))
    await answer_query(update)
    await edit_screen(update, verdict)


async def promote(update: Update, context: PasserelleContext) -> None:
    """/promote <telegram user id> [circle] [territory]: a co-facilitator of every circle, or of one (one side)."""
    if len(context.args or []) > 1:
        await promote_in_circle(update, context)
        return
    if await refuse_unless_facilitator(update, context):
        return
    services = context.services
    caller = await member_of(context, update.effective_user)
    tr = translator(services, caller, update.effective_user)
    raw = (context.args or [""])[0]
    target = await members.get_by_telegram_id(services.db, parse_int(raw)) if parse_int(raw) is not None else None
    if target is None or not target.is_active:
        await update.effective_message.reply_text(tr.html(
            "Usage: /promote followed by the Telegram id of a verified member (see /members)."))
        return
    await facilitators.promote(services.db, target.id, caller.id if caller else None, services.clock.now())
    await role_menus.refresh_menu(context.bot, services, target.telegram_user_id)
    await update.effective_message.reply_text(tr.html("{name} is now a facilitator.", name=target.display_name))


async def promote_in_circle(update: Update, context: PasserelleContext) -> None:
    """/promote <telegram user id> <circle> [territory]: rights on one circle, for any facilitator of that circle."""
    services = context.services
    caller = await member_of(context, update.effective_user)
    tr = translator(services, caller, update.effective_user)
    raw, slug, *rest = context.args
    circle = await circles.get_by_slug(services.db, slug)
    territories = {t.code: t for t in await circles.territories(services.db)}
    territory = rest[0] if rest else None
    target = await members.get_by_telegram_id(services.db, parse_int(raw)) if parse_int(raw) is not None else None
    if circle is None or (territory is not None and territory not in territories) or target is None \
            or not target.is_active:
        await update.effective_message.reply_text(tr.html(
            "{usage}\nCircles: {circles}", usage=tr.gettext(N_("/promote telegram-id [circle] [{territories}]"),
                                                              territories="|".join(sorted(territories))),
            circles=", ".join(c.slug for c in await circles.list_open(services.db))))
        return
    if not await can_facilitate(services, update.effective_user.id, circle.id):
        await update.effective_message.reply_text(tr.gettext("This is reserved for facilitators."))
        return
    await facilitators.promote_in_circle(services.db, target.id, circle.id, territory, caller.id if caller else None,
                                         services.clock.now())
    await role_menus.refresh_menu(context.bot, services, target.telegram_user_id)
    side = screens.territory_name(tr, territories[territory]) if territory else tr.gettext("every territory")
    lines = [tr.html("{name} now facilitates {circle} ({side}).", name=target.display_name,
                     circle=screens.circle_name(tr, circle), side=side)]
    rights = await facilitators.rights_in_circle(services.db, circle.id, services.config.admin_ids)
    for code in missing_territories(rights, sorted(territories)):
        lines.append(tr.html("The {territory} side of this circle has no facilitator: name one with /promote (you "
                             "choose the circle, the side and the member on buttons).",
                             territory=screens.territory_name(tr, territories[code])))
    await update.effective_message.reply_text("\n".join(lines))


async def bind_group(update: Update, context: PasserelleContext) -> None:
    """/bindgroup <circle> [territory|shared], sent in the group (or forum topic) to bind."""
    if await refuse_unless_facilitator(update, context):
        return
    services, message = context.services, update.effective_message
    tr = translator(services, await member_of(context, update.effective_user), update.effective_user)
    args = context.args or []
    circle = await circles.get_by_slug(services.db, args[0]) if args else None
    territory_codes = {t.code for t in await circles.territories(services.db)}
    side = args[1] if len(args) > 1 else "shared"
    if circle is None or (side != "shared" and side not in territory_codes):
        await message.reply_text(tr.html("Usage, in the group: /bindgroup circle [territory|shared]"))
        return
    await message.reply_text(await bind_here(update, context, tr, circle, side))


async def bind_here(update: Update, context: PasserelleContext, tr: Translator, circle, side: str) -> str:
    """Bind the group (or forum topic) the update comes from to a circle; the answer to show, in HTML."""
    services, message = context.services, update.effective_message
    try:
        me = await context.bot.get_chat_member(message.chat_id, context.bot.id)
    except TelegramError as error:
        # Telegram did not answer the question (an outage, a timeout): that says nothing of the bot's rights, and
        # "make me an administrator" would send the facilitator to fix what may not be broken.
        logger.warning("Could not check the bot's rights in chat %s: getChatMember: %s: %s", message.chat_id,
                       type(error).__name__, error)
        return tr.html("I could not check my rights in this group this time. Please send the command again in a "
                       "moment.")
    if me.status != ChatMemberStatus.ADMINISTRATOR or not getattr(me, "can_invite_users", False):
        return tr.html("Make me an administrator of this group with the right to invite users, "
                       "then send the command again.")
    thread_id = message.message_thread_id if message.is_topic_message else None
    await circles.bind_group(services.db, circle_id=circle.id, chat_id=message.chat_id, thread_id=thread_id,
                             territory_code=None if side == "shared" else side, title=message.chat.title or "",
                             now=services.clock.now())
    territories = {t.code: t for t in await circles.territories(services.db)}
    return tr.html("This group is now the place of the circle <b>{circle}</b> ({side}).",
                   circle=screens.circle_name(tr, circle),
                   side=tr.gettext("shared") if side == "shared" else screens.territory_name(tr, territories[side]))
