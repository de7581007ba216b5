"""The command menus: the members' one, published for every language so members see it in their own, and the
facilitators' one, published for each facilitator's own chat (BotCommandScopeChat) in the language they chose.

Telegram resolves a private chat's menu from the most specific scope: chat + language, then chat, then
all-private-chats + language. A chat-scoped menu (no language) therefore overrides the members' menu for that
facilitator only, whatever their app's language, and members never see facilitators' commands.
"""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.i18n import SUPPORTED_LOCALES, I18n


def N_(message: str) -> str:
    return message


MEMBER_COMMANDS = (
    ("start", N_("Join or come back to the circles")),
    ("circles", N_("Choose your circles")),
    ("prompt", N_("This week's question again")),
    ("propose", N_("Propose a call to peers of a circle")),
    ("sessions", N_("Your upcoming and past calls")),
    ("agenda", N_("Calendar file of your circles' calls")),
    ("pairing", N_("Peer pairs: pause or resume")),
    ("directory", N_("Who shares what, across the border")),
    ("decide", N_("Put a question to a circle (a vote)")),
    ("decisions", N_("Open questions of your circles")),
    ("me", N_("Your profile, language and time zone")),
    ("mydata", N_("Everything stored about you")),
    ("pause", N_("Pause the questions (holidays)")),
    ("resume", N_("Receive the questions again")),
    ("forget", N_("Erase your data")),
    ("help", N_("What this bot does")),
)


# Shown in /help to facilitators only (they are not in the public command menu).
FACILITATOR_COMMANDS = (
    "facilitate", "invite", "newcircle", "members", "held", "promote", "demote", "bindgroup", "sendprompt",
    "prompts", "addprompt", "editprompt", "retireprompt", "relaymode", "report", "journal", "announce",
)

# The facilitators' menu, the guided entry points first. Every command works without arguments (pickers).
FACILITATOR_MENU = (
    ("facilitate", N_("Facilitation: what needs attention now")),
    ("report", N_("A circle's report of the last weeks")),
    ("journal", N_("A circle's journal, as a file")),
    ("announce", N_("Write to a circle's members")),
    ("sendprompt", N_("Send this week's question now")),
    ("addprompt", N_("Write a question in three languages")),
    ("prompts", N_("A circle's questions: edit or retire")),
    ("held", N_("Numbers waiting for a decision")),
    ("promote", N_("Name a co-facilitator")),
    ("demote", N_("Withdraw a facilitator's rights")),
    ("members", N_("Members and their numbers")),
    ("invite", N_("Create an invitation link")),
    ("newcircle", N_("Create a circle")),
    ("relaymode", N_("How a circle's replies are relayed")),
)
# What facilitators of some circles only (not of every circle) can do from the menu.
CIRCLE_FACILITATOR_MENU = frozenset({"facilitate", "report", "journal", "announce", "sendprompt", "addprompt",
                                     "prompts", "promote", "demote", "relaymode"})


def command_list(i18n: I18n, locale: str) -> list[BotCommand]:
    tr = i18n.for_locale(locale)
    return [BotCommand(name, tr.gettext(description)) for name, description in MEMBER_COMMANDS]


def facilitator_command_list(i18n: I18n, locale: str, *, every_circle: bool) -> list[BotCommand]:
    """A facilitator's menu: their commands first (those of their reach), then the members' ones."""
    tr = i18n.for_locale(locale)
    own = [BotCommand(name, tr.gettext(description)) for name, description in FACILITATOR_MENU
           if every_circle or name in CIRCLE_FACILITATOR_MENU]
    taken = {command.command for command in own}
    return own + [command for command in command_list(i18n, locale) if command.command not in taken]


async def show_facilitator_menu(bot: Bot, i18n: I18n, chat_id: int, locale: str, *, every_circle: bool) -> None:
    """Give one facilitator's private chat the facilitators' menu, in their language."""
    await bot.set_my_commands(facilitator_command_list(i18n, locale, every_circle=every_circle),
                              scope=BotCommandScopeChat(chat_id))


async def hide_facilitator_menu(bot: Bot, chat_id: int) -> None:
    """Back to the members' menu for a chat that lost every facilitator right."""
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))


async def publish(bot: Bot, i18n: I18n) -> None:
    """setMyCommands per language; the default (no language) list is French, the bot's default language."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(command_list(i18n, "fr"), scope=scope)
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(command_list(i18n, locale), scope=scope, language_code=locale)
