"""The one place that registers handlers, in order.

Order matters: PTB gives an update to the first matching handler of a group. Commands come before the free-text
handler (which would otherwise swallow them), and the contact handler before any generic message handler.
"""

from __future__ import annotations

from telegram.ext import (
    Application, CallbackQueryHandler, ChatJoinRequestHandler, ChatMemberHandler, CommandHandler, MessageHandler,
    TypeHandler, filters,
)
from telegram import Update

from bot import role_menus
from bot.handlers import (announcements, call_actions, calls, decisions, directory, errors, exchanges, facilitate,
                          facilitation, groups, guided_text, onboarding, pairs, profile, prompt_authoring, reports)
from bot.handlers.facilitate import guided
from bot.telegram_io import begin_update
from bot.ui.callbacks import pattern
from bot.ui.decisions import DraftButton, ExtendButton, OriginalButton, VoteButton, WithdrawButton

PRIVATE = filters.ChatType.PRIVATE
MEDIA = filters.VOICE | filters.PHOTO | filters.Document.ALL | filters.AUDIO | filters.VIDEO


def register(application: Application) -> None:
    """Attach every handler of the bot."""
    # First of all, in its own group (so it never stops the update): a fresh trace of what this update's Bot API
    # calls answered, which the error handler reads to answer a button once and apologise only when nothing arrived;
    # then a PASSERELLE_ADMINS facilitator writing in private gets their command menu the first time (the bot cannot
    # give a menu to a chat that does not exist yet). One handler for both: PTB walks every group for every update.
    application.add_handler(TypeHandler(Update, _trace_then_admin_menu), group=-1000)
    member_commands = {
        "start": onboarding.start,
        "circles": onboarding.choose_circles,
        "me": profile.show_profile,
        "mydata": profile.send_my_data,
        "forget": profile.forget,
        "help": profile.help_command,
        "prompt": exchanges.show_prompt,
        "pause": exchanges.pause,
        "resume": exchanges.resume,
        "propose": calls.propose,
        "sessions": call_actions.list_sessions,
        "agenda": call_actions.send_agenda,
        "pairing": pairs.show_pairing,
        "directory": directory.show_directory,
        "decide": decisions.decide,
        "decisions": decisions.list_open,
        # Members see their own circles' report and journal; facilitators those of the circles they facilitate.
        # Without an argument, a picker of those circles (none when there is one).
        "report": guided("report", reports.send_report),
        "journal": guided("journal", reports.send_journal),
    }
    for name, callback in member_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))

    # Sent without arguments, a facilitator command opens its guided screens (bot.handlers.facilitate: pickers of
    # circle, side, member, question); with arguments it keeps its typed form.
    facilitator_commands = {
        "facilitate": facilitate.home_command,
        # Bare, the same picker as the home's invitation button (circle, then side); typed, any invitation.
        "invite": guided("invite", facilitation.create_invite),
        "newcircle": guided("newcircle", facilitation.create_circle),
        "members": facilitation.list_members,
        "held": facilitation.list_held,
        "promote": guided("promote", facilitation.promote),
        "demote": guided("demote", None),
        "addprompt": guided("write", prompt_authoring.add_prompt),
        "editprompt": guided("prompts", prompt_authoring.edit_prompt),
        "prompts": guided("prompts", prompt_authoring.list_prompts),
        "retireprompt": guided("prompts", prompt_authoring.retire_prompt),
        "sendprompt": guided("send", prompt_authoring.send_prompt_now),
        "relaymode": guided("relay", prompt_authoring.set_relay_mode),
        "announce": guided("announce", announcements.announce),
    }
    for name, callback in facilitator_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    # Sent inside the group to bind, so no PRIVATE filter.
    application.add_handler(CommandHandler("bindgroup", guided("bind", facilitation.bind_group),
                                           filters=filters.ChatType.GROUPS))

    callbacks = {
        "lang": onboarding.choose_language,
        "consent": onboarding.consent,
        "circ": onboarding.toggle_circle,
        "kind": onboarding.choose_kind,
        "mekind": onboarding.choose_kind,
        "me": profile.edit_profile,
        "tz": profile.edit_profile,
        "forget": profile.confirm_forget,
        "held": facilitation.decide_held,
        "rf": exchanges.decide_framing,
        "md": exchanges.send_media_on_demand,
        "ro": exchanges.show_original,
        "ru": exchanges.translation_unclear,
        "cp": calls.propose_step,
        "cv": call_actions.vote,
        "cc": call_actions.close_vote,
        "cx": call_actions.cancel_call,
        "cr": call_actions.start_move,
        "cf": call_actions.answer_followup,
        "pp": pairs.toggle_pairing,
        "pm": pairs.answer_met,
        "an": announcements.decide,
        "fx": facilitate.on_step,
        # The directory of practices (bot.ui.directory's ButtonData prefixes).
        "dl": directory.browse,
        "dm": directory.browse,
        "do": directory.browse,
        "dc": directory.propose_call,
        "dq": directory.write_note,
        "dk": directory.skip_note,
        "dt": directory.toggle_tag,
        "dd": directory.tags_done,
        "dh": directory.hide_card,
    }
    for prefix, callback in callbacks.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern(prefix)))
    # Circle decisions' buttons are typed (bot.ui.decisions); votes also come from territories' groups.
    for data_type, callback in ((DraftButton, decisions.draft_step), (VoteButton, decisions.vote),
                                (OriginalButton, decisions.show_original), (WithdrawButton, decisions.withdraw),
                                (ExtendButton, decisions.extend)):
        application.add_handler(CallbackQueryHandler(callback, pattern=data_type.pattern()))
    # Last of the buttons: data no prefix above takes (forged, or a button of an older version of the bot) still
    # gets an answer, or the member's app shows a spinner.
    application.add_handler(CallbackQueryHandler(errors.answer_unknown_button))

    application.add_handler(MessageHandler(PRIVATE & filters.CONTACT, onboarding.receive_contact))
    # Groups -3, -2 and -1 run before the free-text handler below, each taking the text only when it waits for it
    # (and then stopping the update there): a facilitator's guided screen (an announcement, a question in three
    # languages, a circle's name); then a /decide draft's question or option (unless a /propose draft moved more
    # recently); then a call step. An answer to the weekly question goes on to group 0.
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                                           guided_text.receive_text), group=-3)
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                                           decisions.receive_text), group=-2)
    # Any command first leaves a guided screen (a command that opens a new one, like /announce, then starts afresh).
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, guided_text.leave_on_command), group=-4)
    # Group -1 runs before the free-text handler below: a call step awaiting text (a draft's topic or typed slot,
    # a follow-up's practice) takes the message and stops it there; any other text goes on to group 0.
    application.add_handler(MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND,
                                           calls.receive_text), group=-1)
    # Edits first: an edited message also matches the TEXT filter below.
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, exchanges.edited_reply))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, profile.private_text))
    application.add_handler(MessageHandler(PRIVATE & MEDIA, profile.private_media))
    # In a circle's group, only answers to the bot's prompt post are replies to relay.
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.REPLY & (MEDIA | (filters.TEXT & ~filters.COMMAND)),
                                           exchanges.group_reply))
    application.add_handler(ChatJoinRequestHandler(groups.handle_join_request))
    application.add_handler(ChatMemberHandler(profile.track_private_block, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(errors.on_error)


async def _trace_then_admin_menu(update: Update, context) -> None:
    begin_update()
    user, chat = update.effective_user, update.effective_chat
    if user is not None and chat is not None and chat.type == "private" \
            and context.services.is_env_admin(user.id):
        await role_menus.ensure_admin_menu(context.bot, context.services, user.id, user.language_code)
