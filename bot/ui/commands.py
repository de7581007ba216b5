"""The command menu, published for every language so members see it in their own."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats

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
    ("me", N_("Your profile, language and time zone")),
    ("mydata", N_("Everything stored about you")),
    ("pause", N_("Pause the questions (holidays)")),
    ("resume", N_("Receive the questions again")),
    ("forget", N_("Erase your data")),
    ("help", N_("What this bot does")),
)


# Shown in /help to facilitators only (they are not in the public command menu).
FACILITATOR_COMMANDS = (
    "invite", "newcircle", "members", "held", "promote", "bindgroup", "sendprompt", "prompts", "addprompt",
    "editprompt", "retireprompt", "relaymode", "report", "journal", "announce",
)


def command_list(i18n: I18n, locale: str) -> list[BotCommand]:
    tr = i18n.for_locale(locale)
    return [BotCommand(name, tr.gettext(description)) for name, description in MEMBER_COMMANDS]


async def publish(bot: Bot, i18n: I18n) -> None:
    """setMyCommands per language; the default (no language) list is French, the bot's default language."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(command_list(i18n, "fr"), scope=scope)
    for locale in SUPPORTED_LOCALES:
        await bot.set_my_commands(command_list(i18n, locale), scope=scope, language_code=locale)
