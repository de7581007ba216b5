"""Verified group access: join requests are approved only for verified members of the group's circle."""

from __future__ import annotations

import logging

from telegram import ChatJoinRequest, Update
from telegram.error import TelegramError
from telegram.helpers import create_deep_linked_url

from bot.domain.invites import circle_start_payload
from bot.handlers.common import translator
from bot.services import PasserelleContext
from bot.storage import circles, members
from bot.storage.members import Member
from bot.ui.screens import circle_name

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
    if allowed:
        try:
            await request.approve()
        except TelegramError as error:
            logger.warning("Join request in %s not approved: approveChatJoinRequest: %s", request.chat.id, error)
            return
        if link:
            await circles.mark_group_link_used(services.db, link, services.clock.now())
        return
    # Telegram lets the bot write to a requester through user_chat_id only while the request is pending: tell them
    # the way in first, then decline.
    await _tell_the_way_in(context, request, member, groups[0].circle_id)
    try:
        await request.decline()
    except TelegramError as error:
        logger.warning("Join request in %s not declined: declineChatJoinRequest: %s", request.chat.id, error)


async def _tell_the_way_in(context: PasserelleContext, request: ChatJoinRequest, member: Member | None,
                           circle_id: int) -> None:
    services = context.services
    tr = translator(services, member, request.from_user)
    circle = await circles.get(services.db, circle_id)
    if circle is None:
        return
    link = create_deep_linked_url(context.bot.username, circle_start_payload(circle.slug))
    if member is not None and member.is_active:
        text = tr.html("This group is for the members of {circle}. Join the circle first with this link, then "
                       "I will send you your own way into the group: {link}", circle=circle_name(tr, circle), link=link)
    else:
        text = tr.html("To join this group, first verify your number with me; you will then be in {circle} and get "
                       "your own way into the group: {link}", circle=circle_name(tr, circle), link=link)
    try:
        await context.bot.send_message(request.user_chat_id, text)
    except TelegramError as error:
        logger.info("Could not tell a declined requester the way in: sendMessage: %s", error)
