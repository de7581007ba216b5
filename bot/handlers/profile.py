"""A member's own data: /me, time zone, /mydata, /forget, /help, and free text routing by onboarding step."""

from __future__ import annotations

import json

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatAction

from bot.domain.directory import Card, PracticeNote
from bot.erasure import erase_member
from bot.handlers import exchanges
from bot import role_menus
from bot.handlers.common import active_member, answer_query, is_facilitator, member_of, rights_of, translator
from bot.handlers import directory as directory_handlers
from bot.handlers.onboarding import (member_for_text, receive_organisation, send_circle_picker, _circles_of,
                                     _territory, profile_screen)
from bot.services import PasserelleContext
from bot.storage import circles, directory, members
from bot.storage import decisions as decisions_store
from bot.i18n import escape
from bot.ui import screens
from bot.ui.commands import CIRCLE_FACILITATOR_MENU, FACILITATOR_COMMANDS, command_list
from bot.ui.callbacks import pack, parse
from bot.telegram_io import edit_screen

# Zones a member may pick: the territories' own, plus the one phonenumbers gave for their number.
async def _zone_choices(context: PasserelleContext, member) -> list[str]:
    zones = [t.default_zone for t in await circles.territories(context.services.db)]
    if member.time_zone and member.time_zone not in zones:
        zones.append(member.time_zone)
    return zones


async def show_profile(update: Update, context: PasserelleContext) -> None:
    """/me: profile with buttons to change language, organisation, kind and time zone."""
    member, tr = await active_member(update, context)
    if member is None:
        return
    text, markup = await profile_screen(context, member)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def edit_profile(update: Update, context: PasserelleContext) -> None:
    """me:org | me:kind | me:tz buttons of /me, and tz:<index> to pick a zone."""
    services, query = context.services, update.callback_query
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    action, zone_pick = parse(query.data, "me", 1), parse(query.data, "tz", 1)
    if member is None or not member.is_active or (action is None and zone_pick is None):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    zones = await _zone_choices(context, member)
    if action == ["org"]:
        await members.update(services.db, member.id, services.clock.now(), onboarding_step="edit-organisation")
        await update.effective_message.reply_text(screens.ask_organisation(tr))
    elif action == ["kind"]:
        await update.effective_message.reply_text(tr.gettext("What kind of organisation?"),
                                                  reply_markup=screens.kind_keyboard(tr, prefix="mekind"))
    elif action == ["tz"]:
        now = services.clock.now()
        buttons = [[InlineKeyboardButton(f"{tr.zone_name(zone)} ({tr.time(now, zone)})",
                                         callback_data=pack("tz", index))] for index, zone in enumerate(zones)]
        await update.effective_message.reply_text(tr.gettext("Choose your time zone:"),
                                                  reply_markup=InlineKeyboardMarkup(buttons))
    elif zone_pick and zone_pick[0].isdigit() and int(zone_pick[0]) < len(zones):
        zone = zones[int(zone_pick[0])]
        await members.update(services.db, member.id, services.clock.now(), time_zone=zone)
        await edit_screen(update, tr.html("Time zone: {zone}", zone=tr.zone_name(zone)))


async def send_my_data(update: Update, context: PasserelleContext) -> None:
    """/mydata: everything stored about the member, as a readable JSON file."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    if member is None:
        await update.effective_message.reply_text(tr.gettext("Nothing is stored about you."))
        return
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    joined = await _circles_of(context, member)
    territory = await _territory(context, member.territory_code)
    data = {
        "telegram_user_id": member.telegram_user_id, "first_name": member.first_name, "last_name": member.last_name,
        "phone": member.phone_e164, "territory": territory.name if territory else None,
        "time_zone": member.time_zone, "language": member.locale, "organisation": member.organisation,
        "organisation_kind": member.organisation_kind, "status": member.status, "consent_at": member.consent_at,
        "joined_at": member.created_at, "circles": [c.slug for c in joined],
        "facilitator": await is_facilitator(services, member.telegram_user_id),
        "directory_card": card_data(await directory.get_card(services.db, member.id)),
        "circle_decisions": await decisions_data(services.db, member.id),
    }
    payload = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    await update.effective_message.reply_document(
        InputFile(payload, filename="passerelle-my-data.json"),
        caption=tr.gettext("Everything Passerelle stores about you. /forget erases it."))


async def decisions_data(db, member_id: int) -> dict[str, object]:
    """The questions the member put to their circles and their votes, as /mydata shows them."""
    proposed = [{"question": d.question, "options": list(d.options), "status": d.status,
                 "created_at": d.created_at.isoformat()} for d in await decisions_store.proposed_by(db, member_id)]
    votes = [{"question": d.question, "choice": d.options[choice - 1] if 0 < choice <= len(d.options) else "abstain",
              "voted_at": voted_at.isoformat()} for d, choice, voted_at in await decisions_store.votes_of_member(db, member_id)]
    return {"questions_put": proposed, "votes": votes}


def card_data(card: Card) -> dict[str, object]:
    """The directory card as /mydata shows it: both sides, their language and tags, translations kept, hidden."""
    def side(note: PracticeNote | None) -> dict[str, object] | None:
        return None if note is None else {"text": note.text, "language": note.language, "tags": sorted(note.tags)}
    return {"can_share": side(card.shares), "would_like_to_learn": side(card.learns), "hidden": card.hidden,
            "machine_translations": dict(card.translations)}


async def forget(update: Update, context: PasserelleContext) -> None:
    """/forget: ask for confirmation before erasing everything."""
    member = await member_of(context, update.effective_user)
    tr = translator(context.services, member, update.effective_user)
    if member is None:
        await update.effective_message.reply_text(tr.gettext("Nothing is stored about you."))
        return
    markup = InlineKeyboardMarkup([[
        InlineKeyboardButton(tr.gettext("Yes, erase everything"), callback_data=pack("forget", "yes")),
        InlineKeyboardButton(tr.gettext("Cancel"), callback_data=pack("forget", "no"))]])
    await update.effective_message.reply_text(tr.html(
        "This erases your profile, phone number, circles, votes and proposals, and removes your name from the "
        "answers kept in your circles' journal (they stay there anonymously, with your territory). "
        "It cannot be undone. Continue?"), reply_markup=markup)


async def confirm_forget(update: Update, context: PasserelleContext) -> None:
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, "forget", 1)
    if member is None or parts is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update)
    if parts[0] != "yes":
        await edit_screen(update, tr.gettext("Nothing was erased."))
        return
    await erase_member(services.db, member.id)
    await role_menus.refresh_menu(context.bot, services, member.telegram_user_id)  # rights went with the member
    await edit_screen(update, tr.gettext(
        "Everything about you has been erased. Send /start if you want to come back one day."))


async def help_command(update: Update, context: PasserelleContext) -> None:
    member = await member_of(context, update.effective_user)
    tr = translator(context.services, member, update.effective_user)
    lines = [tr.html("<b>Passerelle</b>: exchanges of practice between Brittany and Togo, as equals.")]
    lines += [escape(f"/{command.command}: {command.description}")
              for command in command_list(context.services.i18n, tr.locale)]
    if await is_facilitator(context.services, update.effective_user.id, member):
        lines += ["", tr.html("Facilitators: {commands}", commands=", ".join(f"/{c}" for c in FACILITATOR_COMMANDS))]
    elif await rights_of(context.services, update.effective_user.id, member):  # facilitators of some circles
        lines += ["", tr.html("Facilitators: {commands}", commands=", ".join(
            f"/{c}" for c in FACILITATOR_COMMANDS if c in CIRCLE_FACILITATOR_MENU))]
    await update.effective_message.reply_text("\n".join(lines))


async def private_text(update: Update, context: PasserelleContext) -> None:
    """Plain text in private: an answer to the current onboarding question, else a hint."""
    member = await member_for_text(context, update)
    tr = translator(context.services, member, update.effective_user)
    if member is not None and member.is_active and member.onboarding_step in ("organisation", "edit-organisation"):
        await receive_organisation(update, context)
        return
    if member is not None and member.is_active and member.onboarding_step in directory_handlers.NOTE_STEPS:
        await directory_handlers.receive_note(update, context, member)
        return
    if member is not None and member.is_active and member.onboarding_step == "done":
        await exchanges.receive_reply(update, context, member)
        return
    if member is None:
        hint = tr.gettext("Send /start to join the circles.")
    elif member.onboarding_step == "phone":
        hint = tr.gettext("Please use the button to share your phone number.")
    elif member.onboarding_step == "circles":
        await send_circle_picker(context, update.effective_chat.id, member, onboarding=True)
        return
    else:
        hint = tr.gettext("Thank you! See /help for what you can do here.")
    await update.effective_message.reply_text(hint)


async def private_media(update: Update, context: PasserelleContext) -> None:
    """A voice note, photo or document in private: a reply to the weekly question once onboarding is done."""
    member = await member_for_text(context, update)
    if member is not None and member.is_active and member.onboarding_step == "done":
        await exchanges.receive_reply(update, context, member)
        return
    tr = translator(context.services, member, update.effective_user)
    if member is not None and member.is_active:  # a question of onboarding or of /me is waiting for its text
        await update.effective_message.reply_text(tr.gettext(
            "Please answer the question above first, in writing or with its buttons."))
        return
    await update.effective_message.reply_text(tr.gettext("Send /start to join the circles."))


async def track_private_block(update: Update, context: PasserelleContext) -> None:
    """my_chat_member in a private chat: a member who blocks the bot stops receiving, one who unblocks it gets
    prompts and digests again (the sender only ever learns of blocks, through 403 answers)."""
    change = update.my_chat_member
    if change.chat.type != "private":
        return
    if change.new_chat_member.status == "kicked":
        await members.mark_unreachable(context.services.db, change.chat.id)
    elif change.new_chat_member.status == "member":
        await members.mark_reachable(context.services.db, change.chat.id)
