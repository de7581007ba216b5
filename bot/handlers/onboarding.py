"""Joining by phone: /start, language, consent, own contact, organisation, circles, group access."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import ReplyKeyboardRemove, Update
from telegram.error import TelegramError

from bot import role_menus
from bot.domain import invites as invite_rules
from bot.domain.phones import format_international
from bot.domain.directory import MAX_NOTE_LENGTH, Side
from bot.domain.profile import (EDIT_STEPS, MAX_ORGANISATION_LENGTH, ORGANISATION_KINDS, RESUMABLE, edit_lapsed,
                                next_step)
from bot.erasure import erase_member
from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.i18n import SUPPORTED_LOCALES, normalise_locale
from bot.joining import PhoneRefusal, verify_and_place
from bot.services import PasserelleContext
from bot.delivery import kinds
from bot.storage import circles, directory, invites, members, outbox
from bot.storage.members import Member
from bot.ui import directory as directory_ui
from bot.ui import screens
from bot.ui.callbacks import parse, parse_int
from bot.telegram_io import edit_screen, remove_buttons

logger = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


async def start(update: Update, context: PasserelleContext) -> None:
    """/start [invite code | c_<circle>]: greet, explain, ask consent; an invalid link is refused, nothing stored."""
    user, services = update.effective_user, context.services
    member = await member_of(context, user)
    tr = translator(services, member, user)
    code = context.args[0] if context.args else None
    circle = None
    if (slug := invite_rules.circle_slug_of(code)) is not None:
        # The link sent to someone whose request to join a circle's group was declined: the way into that circle.
        circle, code = next((c for c in await circles.list_open(services.db) if c.slug == slug), None), None
        if circle is None:
            await update.effective_message.reply_text(screens.invite_refusal(tr, invite_rules.InviteRefusal.UNKNOWN))
            return
    if code is not None:
        invite = await invites.get(services.db, code)
        refusal = invite_rules.refusal_at_start(
            exists=invite is not None, expires_at=invite.expires_at if invite else None,
            max_uses=invite.max_uses if invite else None, uses=invite.uses if invite else 0,
            now=services.clock.now())
        if refusal is not None:
            await update.effective_message.reply_text(screens.invite_refusal(tr, refusal))
            return
    now = services.clock.now()
    if member is None:
        supported = (user.language_code or "").split("-")[0].lower() in SUPPORTED_LOCALES
        member = await members.create(
            services.db, telegram_user_id=user.id, first_name=user.first_name, last_name=user.last_name,
            locale=normalise_locale(user.language_code), locale_source="telegram" if supported else "default",
            now=now, pending_invite_code=code)
    elif code is not None and not member.is_active:
        await members.update(services.db, member.id, now, pending_invite_code=code)
    elif member.is_active:
        if circle is not None:
            await circles.join(services.db, member.id, circle.id, now)
        if member.onboarding_step in RESUMABLE:  # left onboarding half-way: back to the question they left
            await _join_invited_circle(context, member, code)
            await update.effective_message.reply_text(
                tr.html("Welcome back, {name}! Let us go on where you left off.", name=member.first_name))
            await ask_next_profile_step(update, context, member)
            return
        if member.onboarding_step in EDIT_STEPS:  # a question asked from /me, left unanswered: dropped
            await members.update(services.db, member.id, now, onboarding_step="done")
        await _welcome_back(update, context, member, code)
        return
    if circle is not None:
        await members.update(services.db, member.id, now, pending_circle_id=circle.id)
    if member.status == "held":
        await update.effective_message.reply_text(tr.html("A facilitator is still reviewing your number. "
                                                          "You will get a message here."))
        return
    await members.update(services.db, member.id, now, onboarding_step="consent")
    text, markup = screens.welcome(tr, user.first_name)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def _join_invited_circle(context: PasserelleContext, member: Member, code: str | None) -> None:
    """A verified member opening another invitation joins its circle (one use of the invitation)."""
    services = context.services
    if code is None:
        return
    invite = await invites.get(services.db, code)
    if invite and invite.circle_id and not await circles.is_member(services.db, member.id, invite.circle_id):
        async with services.db.transaction() as tx:
            if await invites.consume(tx, code):
                await circles.join(tx, member.id, invite.circle_id, services.clock.now())


async def _welcome_back(update: Update, context: PasserelleContext, member: Member, code: str | None) -> None:
    services = context.services
    tr = translator(services, member)
    await _join_invited_circle(context, member, code)
    joined = [c for c in await circles.list_open(services.db)
              if c.id in await circles.circle_ids_of(services.db, member.id)]
    await update.effective_message.reply_text(
        tr.html("Welcome back, {name}!", name=member.first_name) + "\n" + screens.joined_summary(tr, joined))
    await send_group_links(update, context, member)


async def choose_language(update: Update, context: PasserelleContext) -> None:
    """lang:<code> — re-render the current screen in the chosen language."""
    services = context.services
    member = await member_of(context, update.effective_user)
    parts = parse(update.callback_query.data, "lang", 1)
    if member is None or parts is None or parts[0] not in SUPPORTED_LOCALES:
        await answer_query(update, translator(services, member, update.effective_user).gettext(
            "This button is no longer valid."))
        return
    await members.update(services.db, member.id, services.clock.now(), locale=parts[0], locale_source="choice")
    member = await members.get(services.db, member.id)
    tr = translator(services, member)
    await answer_query(update, tr.gettext("Language: {language}", language=tr.language_name(parts[0])))
    await role_menus.refresh_menu(context.bot, services, member.telegram_user_id)  # a facilitator's menu follows
    if member.onboarding_step == "consent":
        text, markup = screens.welcome(tr, member.first_name)
    else:
        text, markup = await profile_screen(context, member)
    await edit_screen(update, text, markup)


async def profile_screen(context: PasserelleContext, member: Member) -> screens.Screen:
    """/me: the profile and the member's card in the directory of practices (re-read: it may just have changed)."""
    services = context.services
    member = await members.get(services.db, member.id)
    tr = translator(services, member)
    card = await directory.get_card(services.db, member.id)
    return screens.profile(tr, member, await _territory(context, member.territory_code),
                           await _circles_of(context, member), directory_ui.own_card_lines(tr, card),
                           directory_ui.own_card_buttons(tr, card))


async def consent(update: Update, context: PasserelleContext) -> None:
    """consent:yes|no — yes asks for the phone; no erases the started profile (nothing kept)."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, "consent", 1)
    if member is None or parts is None or member.onboarding_step != "consent":
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    await remove_buttons(update)
    if parts[0] != "yes":
        await erase_member(services.db, member.id)
        await update.effective_message.reply_text(tr.html(
            "Understood: nothing about you is kept. Send /start if you change your mind."))
        return
    await members.update(services.db, member.id, services.clock.now(), consent_at=services.clock.now().isoformat(),
                         onboarding_step="phone")
    text, keyboard = screens.phone_request(tr)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


PHONE_REFUSALS = {
    PhoneRefusal.NOT_OWN: N_("This is not your own number. Please use the button below to share <b>your</b> number."),
    PhoneRefusal.INVALID: N_("This number could not be verified. Please share the number of your Telegram account "
                             "with the button below."),
    PhoneRefusal.TAKEN: N_("This number is already used by another member. Ask a facilitator if you changed "
                           "accounts."),
}


async def receive_contact(update: Update, context: PasserelleContext) -> None:
    """A shared contact: only the sender's own verified number is accepted."""
    services, message = context.services, update.effective_message
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    if member is None or member.onboarding_step != "phone":
        await message.reply_text(tr.html("Send /start to begin."), reply_markup=ReplyKeyboardRemove())
        return
    now = services.clock.now()
    outcome = await verify_and_place(services.db, member, contact_owner=message.contact.user_id,
                                     sender=update.effective_user.id, raw_phone=message.contact.phone_number, now=now)
    if isinstance(outcome.refusal, PhoneRefusal):
        keyboard = screens.phone_request(tr)[1] if outcome.refusal is PhoneRefusal.NOT_OWN else None
        await message.reply_text(tr.html(PHONE_REFUSALS[outcome.refusal]), reply_markup=keyboard)
        return
    if outcome.refusal is not None:
        await message.reply_text(screens.invite_refusal(tr, outcome.refusal), reply_markup=ReplyKeyboardRemove())
        return
    member = await members.get(services.db, member.id)
    tr = translator(services, member)
    if outcome.placement.held:
        await message.reply_text(tr.html(
            "Thank you. Your number is not from one of the exchange's territories, so a facilitator will review "
            "your request. You will get a message here."), reply_markup=ReplyKeyboardRemove())
        await notify_facilitators_of_held(context, member)
        return
    await message.reply_text(screens.placed(tr, outcome.territory, outcome.placement.time_zone,
                                            format_international(outcome.phone.e164), now),
                             reply_markup=ReplyKeyboardRemove())
    await ask_next_profile_step(update, context, member)


async def member_for_text(context: PasserelleContext, update: Update) -> Member | None:
    """The member behind a private text or media, once a question asked from /me too long ago has lapsed."""
    services = context.services
    member = await member_of(context, update.effective_user)
    if member is None or member.onboarding_step not in EDIT_STEPS:  # nearly every text: nothing to parse
        return member
    now = services.clock.now()
    if edit_lapsed(member.onboarding_step, datetime.fromisoformat(member.updated_at), now):
        await members.update(services.db, member.id, now, onboarding_step="done")
        member = await member_of(context, update.effective_user)
    return member


async def ask_next_profile_step(update: Update, context: PasserelleContext, member: Member) -> None:
    """Continue onboarding from the member's stored step (organisation, kind, shares, learns, circles)."""
    tr = translator(context.services, member)
    chat = update.effective_chat
    if member.onboarding_step == "organisation" and member.organisation:
        await members.update(context.services.db, member.id, context.services.clock.now(), onboarding_step="kind")
        member = await members.get(context.services.db, member.id)
    if member.onboarding_step == "organisation":
        await context.bot.send_message(chat.id, screens.ask_organisation(tr))
    elif member.onboarding_step == "kind":
        text, markup = screens.ask_kind(tr, member.organisation or "")
        await context.bot.send_message(chat.id, text, reply_markup=markup)
    elif member.onboarding_step in ("shares", "learns"):
        side = Side.SHARES if member.onboarding_step == "shares" else Side.LEARNS
        text, markup = directory_ui.ask_note(tr, side, onboarding=True, limit=MAX_NOTE_LENGTH)
        await context.bot.send_message(chat.id, text, reply_markup=markup)
    elif member.onboarding_step in ("shares-tags", "learns-tags"):
        side = Side.SHARES if member.onboarding_step == "shares-tags" else Side.LEARNS
        card = await directory.get_card(context.services.db, member.id)
        text, markup = directory_ui.tag_picker(tr, side, card.tags(side))
        await context.bot.send_message(chat.id, text, reply_markup=markup)
    elif member.onboarding_step == "circles":
        await send_circle_picker(context, chat.id, member, onboarding=True)


async def receive_organisation(update: Update, context: PasserelleContext) -> None:
    """Free text while the member is asked for their organisation's name."""
    services, message = context.services, update.effective_message
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    name = " ".join((message.text or "").split())
    if not name or len(name) > MAX_ORGANISATION_LENGTH or name.startswith("/"):
        await message.reply_text(tr.html("Please send the name of your organisation (at most {limit} characters).",
                                         limit=MAX_ORGANISATION_LENGTH))
        return
    next_step = "kind" if member.onboarding_step == "organisation" else "done"
    await members.update(services.db, member.id, services.clock.now(), organisation=name, onboarding_step=next_step)
    member = await members.get(services.db, member.id)
    if next_step == "kind":
        await ask_next_profile_step(update, context, member)
    else:
        await message.reply_text(tr.html("Organisation saved: <b>{organisation}</b>", organisation=name))


async def choose_kind(update: Update, context: PasserelleContext) -> None:
    """kind:<key> during onboarding, me-kind:<key> from /me."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    prefix = update.callback_query.data.split(":")[0]
    parts = parse(update.callback_query.data, prefix, 1)
    onboarding = prefix == "kind"
    if (member is None or not member.is_active or parts is None or parts[0] not in ORGANISATION_KINDS
            or (onboarding and member.onboarding_step != "kind")):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    changes = {"organisation_kind": parts[0]}
    if onboarding:
        changes["onboarding_step"] = next_step("kind")
    await members.update(services.db, member.id, services.clock.now(), **changes)
    await answer_query(update, tr.gettext(ORGANISATION_KINDS[parts[0]]))
    await remove_buttons(update)
    member = await members.get(services.db, member.id)
    if onboarding:
        await ask_next_profile_step(update, context, member)


async def send_circle_picker(context: PasserelleContext, chat_id: int, member: Member, *, onboarding: bool) -> None:
    tr = translator(context.services, member)
    open_circles = await circles.list_open(context.services.db)
    chosen = await circles.circle_ids_of(context.services.db, member.id)
    text, markup = screens.circle_picker(tr, open_circles, chosen, onboarding=onboarding)
    await context.bot.send_message(chat_id, text, reply_markup=markup)


async def choose_circles(update: Update, context: PasserelleContext) -> None:
    """/circles: the multi-select picker, for verified members."""
    member, tr = await active_member(update, context)
    if member is None:
        return
    await send_circle_picker(context, update.effective_chat.id, member, onboarding=member.onboarding_step == "circles")


async def toggle_circle(update: Update, context: PasserelleContext) -> None:
    """circ:t:<id> toggles a membership; circ:done closes the picker."""
    services, query = context.services, update.callback_query
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    toggle, done = parse(query.data, "circ", 2), parse(query.data, "circ", 1)
    if member is None or not member.is_active or (toggle is None and done != ["done"]):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    onboarding = member.onboarding_step == "circles"
    if toggle is not None:
        circle_id = parse_int(toggle[1]) if toggle[0] == "t" else None
        circle = await circles.get(services.db, circle_id) if circle_id is not None else None
        if circle is None:
            await answer_query(update, tr.gettext("This circle does not exist."))
            return
        if await circles.is_member(services.db, member.id, circle.id):
            await circles.leave(services.db, member.id, circle.id)
            await answer_query(update, tr.gettext("You left {circle}.", circle=screens.circle_name(tr, circle)))
        else:
            await circles.join(services.db, member.id, circle.id, services.clock.now())
            await answer_query(update, tr.gettext("You joined {circle}.", circle=screens.circle_name(tr, circle)))
        chosen = await circles.circle_ids_of(services.db, member.id)
        text, markup = screens.circle_picker(tr, await circles.list_open(services.db), chosen, onboarding=onboarding)
        await edit_screen(update, text, markup)
        return
    joined = await _circles_of(context, member)
    if onboarding and not joined:
        await answer_query(update, tr.gettext("Choose at least one circle."), alert=True)
        return
    await answer_query(update)
    if onboarding:
        await members.update(services.db, member.id, services.clock.now(), onboarding_step="done")
    await remove_buttons(update)
    await update.effective_message.reply_text(screens.joined_summary(tr, joined))
    await send_group_links(update, context, member)


async def send_group_links(update: Update, context: PasserelleContext, member: Member) -> None:
    """A personal join-request link for each joined circle that has a group for the member's territory."""
    services = context.services
    tr = translator(services, member)
    for circle in await _circles_of(context, member):
        group = await circles.group_for(services.db, circle.id, member.territory_code)
        if group is None:
            continue
        existing = await circles.existing_group_link(services.db, member.id, group.id)
        if existing is not None and existing[1]:
            continue  # already in the group
        link = existing[0] if existing else None
        if link is None:
            try:
                created = await context.bot.create_chat_invite_link(
                    group.chat_id, name=f"Passerelle m{member.id}", creates_join_request=True)
            except TelegramError as error:
                logger.warning("Cannot create an invite link for group %s: %s", group.chat_id, error)
                continue
            link = created.invite_link
            await circles.save_group_link(services.db, member.id, group.id, link, services.clock.now())
        text, markup = screens.group_invitation(tr, circle, link)
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def notify_facilitators_of_held(context: PasserelleContext, member: Member) -> None:
    """Queue, for every facilitator, a message with approve/refuse buttons."""
    from bot.handlers.facilitation import held_member_screen

    services = context.services
    now = services.clock.now()
    # Read outside the transaction: facilitator_ids() queries through services.db, whose lock the transaction holds.
    admin_ids = await facilitator_ids(context)
    async with services.db.transaction() as tx:
        for admin_id in admin_ids:
            admin = await members.get_by_telegram_id(tx, admin_id)
            tr = translator(services, admin)
            text, markup = held_member_screen(tr, member, [])
            await outbox.enqueue(tx, chat_id=admin_id, method="sendMessage", member_id=admin.id if admin else None,
                                 payload={"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()},
                                 now=now, key=kinds.HELD_MEMBER.key(member.id, admin_id))


async def facilitator_ids(context: PasserelleContext) -> list[int]:
    from bot.storage import facilitators

    ids = list(context.services.config.admin_ids)
    return ids + [i for i in await facilitators.promoted_telegram_ids(context.services.db) if i not in ids]


async def _territory(context: PasserelleContext, code: str | None):
    return next((t for t in await circles.territories(context.services.db) if t.code == code), None)


async def _circles_of(context: PasserelleContext, member: Member):
    ids = await circles.circle_ids_of(context.services.db, member.id)
    return [c for c in await circles.list_open(context.services.db) if c.id in ids]
