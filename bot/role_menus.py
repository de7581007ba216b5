"""Keeps each facilitator's command menu in step with their rights and language (issue 11).

The menu a chat was given is recorded (storage.facilitator_tools.role_menus), so that a restart restores every
facilitator's menu and takes it away from anyone who lost their rights meanwhile, and so that an unchanged menu is
not sent again. Menus are a convenience: a failure is logged and never stops the action that triggered it.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.i18n import normalise_locale
from bot.services import Services
from bot.storage import facilitator_tools, facilitators, members
from bot.storage.facilitator_tools import RoleMenu
from bot.telegram_io import describe_failure
from bot.ui import commands

logger = logging.getLogger(__name__)


async def wanted_menu(services: Services, telegram_user_id: int, app_language: str | None = None) -> RoleMenu | None:
    """The facilitators' menu this person should have (None: the members' menu), in their language."""
    member = await members.get_by_telegram_id(services.db, telegram_user_id)
    active = member is not None and member.is_active
    every_circle = services.is_env_admin(telegram_user_id) or (
        active and await facilitators.is_promoted(services.db, member.id))
    some_circle = active and bool(await facilitators.rights_of(services.db, member.id))
    if not (every_circle or some_circle):
        return None
    locale = member.locale if member is not None else normalise_locale(app_language)
    return RoleMenu(telegram_user_id, locale, every_circle)


async def refresh_menu(bot: Bot, services: Services, telegram_user_id: int, app_language: str | None = None,
                       *, force: bool = False) -> None:
    """Publish, change or take away one person's facilitators' menu so that it matches their rights now."""
    wanted = await wanted_menu(services, telegram_user_id, app_language)
    shown = await facilitator_tools.role_menu(services.db, telegram_user_id)
    if wanted == shown and not (force and wanted is not None):
        return
    try:
        if wanted is None:
            await commands.hide_facilitator_menu(bot, telegram_user_id)
            await facilitator_tools.drop_role_menu(services.db, telegram_user_id)
        else:
            await commands.show_facilitator_menu(bot, services.i18n, telegram_user_id, wanted.locale,
                                                 every_circle=wanted.every_circle)
            await facilitator_tools.save_role_menu(services.db, wanted, services.clock.now())
    except TelegramError as error:
        logger.warning("Could not update the command menu of chat %s: %s", telegram_user_id, describe_failure(error))


async def restore_menus(bot: Bot, services: Services) -> None:
    """At start: every facilitator who is a member gets their menu again; those who lost their rights lose it.

    PASSERELLE_ADMINS who never wrote to the bot have no chat yet: theirs is published when they first write.
    """
    published = {menu.chat_id: menu for menu in await facilitator_tools.role_menus(services.db)}
    candidates = set(published) | set(await facilitator_tools.facilitator_chat_ids(services.db))
    for admin_id in services.config.admin_ids:
        if await members.get_by_telegram_id(services.db, admin_id) is not None:
            candidates.add(admin_id)
    for chat_id in sorted(candidates):
        # Published again even when recorded: a new version of the bot may describe the commands differently.
        # A PASSERELLE_ADMINS facilitator who is no member keeps the language their app had when it was published.
        known = published.get(chat_id)
        await refresh_menu(bot, services, chat_id, known.locale if known else None, force=True)


async def ensure_admin_menu(bot: Bot, services: Services, telegram_user_id: int, app_language: str | None) -> None:
    """A PASSERELLE_ADMINS facilitator writing in private gets their menu the first time (before, no chat existed)."""
    if not services.is_env_admin(telegram_user_id):
        return
    if await facilitator_tools.role_menu(services.db, telegram_user_id) is None:
        await refresh_menu(bot, services, telegram_user_id, app_language)
