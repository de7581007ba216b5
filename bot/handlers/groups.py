"""Verified group access: join requests are approved only for verified members of the group's circle."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.helpers import create_deep_linked_url

from bot.handlers.common import translator
from bot.services import PasserelleContext
from bot.storage import circles, members

logger = logging.getLogger(__name__)


async def handle_join_request(update: Update, context: PasserelleContext) -> None:
    """Approve the member a personal link was made for, or any verified member of a circle bound here."""
    services, request = context.services, update.chat_join_request
    groups = await circles.groups_in_chat(services.db, request.chat.id)
    if not groups:
        return  # not a group of ours: leave the decision to its human admins
    member = await members.get_by_telegram_id(services.db, request.from_user.id)
    link = request.invite_link.invite_link if request.invite_link else None
    personal = await circles.group_link(services.db, link) if link else None
    allowed = member is not None and member.is_active and any(
        [await circles.is_member(services.db, member.id, g.circle_id) for g in groups])
    if personal is not None and (member is None or personal[0] != member.id):
        allowed = False  # someone else's personal link
    try:
        if allowed:
            await request.approve()
            if link:
                await circles.mark_group_link_used(services.db, link, services.clock.now())
            return
        await request.decline()
    except TelegramError as error:
        logger.warning("Join request in %s not handled: %s", request.chat.id, error)
        return
    tr = translator(services, member, request.from_user)
    try:
        # Telegram lets the bot write to a requester for 5 minutes through user_chat_id.
        await context.bot.send_message(request.user_chat_id, tr.html(
            "To join this group, first verify your number with me and choose its circle: {link}",
            link=create_deep_linked_url(context.bot.username, "join")))
    except TelegramError:
        pass
