"""Bot API methods about chats: information, members, invite links and join requests."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from bot.devtools.simulator.errors import bad_request
from bot.devtools.simulator.models import InviteLink, SimChat
from bot.devtools.simulator.state import SimState

Params = dict[str, Any]

INVITE_RIGHTS = "not enough rights to manage chat invite links"
RESTRICT_RIGHTS = "not enough rights to restrict/unrestrict chat member"
MAX_LINK_NAME = 32
MAX_MEMBER_LIMIT = 99_999
# Every right false except the ones a bot administrator typically gets for this project.
ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
    "can_manage_video_chats": False, "can_restrict_members": True, "can_promote_members": False,
    "can_change_info": False, "can_invite_users": True, "can_post_stories": False, "can_edit_stories": False,
    "can_delete_stories": False, "can_pin_messages": True, "can_manage_topics": True,
}
_NO_GIFTS = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
             "premium_subscription": False, "gifts_from_channels": False}


def get_chat(state: SimState, params: Params) -> dict[str, Any]:
    chat_id = params["chat_id"]
    if isinstance(chat_id, int) and chat_id in state.users and chat_id not in state.chats:
        base = state.private_chat_api(state.users[chat_id])  # the bot knows users it has seen, chat or not
    else:
        chat = state.chat_or_404(chat_id)
        state.check_bot_is_in(chat)
        base = chat.to_api()
    # ChatFullInfo fields that PTB requires.
    return {**base, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": _NO_GIFTS}


def member_status(state: SimState, chat: SimChat, user_id: int) -> str:
    """Status of a user (or the bot) in a chat: administrator, member, kicked or left."""
    if user_id == state.bot_user["id"]:
        return "administrator" if chat.bot_is_admin else "member"
    if chat.is_private:
        return "member" if user_id == chat.id else "left"
    if user_id in chat.banned:
        return "kicked"
    if user_id in chat.admins:
        return "administrator"
    return "member" if user_id in chat.members else "left"


def get_chat_member(state: SimState, params: Params) -> dict[str, Any]:
    chat = state.chat_or_404(params["chat_id"])
    state.check_bot_is_in(chat)
    user_id = params["user_id"]
    user = state.bot_user if user_id == state.bot_user["id"] else state.user_or_400(user_id).to_api()
    status = member_status(state, chat, user_id)
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(ADMIN_RIGHTS)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def ban_chat_member(state: SimState, params: Params) -> bool:
    chat = state.group_or_400(params["chat_id"])
    state.require_admin(chat, RESTRICT_RIGHTS)
    user_id = state.user_or_400(params["user_id"]).id
    chat.members.discard(user_id)
    chat.admins.discard(user_id)
    chat.banned.add(user_id)
    return True


def unban_chat_member(state: SimState, params: Params) -> bool:
    chat = state.group_or_400(params["chat_id"])
    state.require_admin(chat, RESTRICT_RIGHTS)
    user_id = state.user_or_400(params["user_id"]).id
    if user_id in chat.banned:
        chat.banned.discard(user_id)
    elif not params.get("only_if_banned"):
        # Bot API: "if the user is a member of the chat they will also be removed from the chat".
        chat.members.discard(user_id)
        chat.admins.discard(user_id)
    return True


def create_chat_invite_link(state: SimState, params: Params) -> dict[str, Any]:
    chat = state.group_or_400(params["chat_id"])
    state.require_admin(chat, INVITE_RIGHTS)
    name = params.get("name")
    if name is not None and len(name) > MAX_LINK_NAME:
        raise bad_request("invite link name is too long")
    member_limit = params.get("member_limit")
    creates_join_request = bool(params.get("creates_join_request", False))
    if member_limit is not None:
        if not 1 <= member_limit <= MAX_MEMBER_LIMIT:
            raise bad_request("member limit is invalid")
        if creates_join_request:
            raise bad_request("member limit can't be specified for links requiring administrator approval")
    link = InviteLink(chat.id, f"https://t.me/+{secrets.token_urlsafe(12)}", creates_join_request, name,
                      params.get("expire_date"), member_limit)
    state.invite_links[link.invite_link] = link
    return link.to_api(state.bot_user)


def revoke_chat_invite_link(state: SimState, params: Params) -> dict[str, Any]:
    chat = state.group_or_400(params["chat_id"])
    state.require_admin(chat, INVITE_RIGHTS)
    link = state.invite_links.get(params["invite_link"])
    if link is None or link.chat_id != chat.id:
        raise bad_request("INVITE_HASH_EXPIRED")
    link.is_revoked = True
    return link.to_api(state.bot_user)


def _pending_request(state: SimState, params: Params) -> tuple[SimChat, int]:
    chat = state.group_or_400(params["chat_id"])
    state.require_admin(chat, "not enough rights to approve join requests")
    user_id = params["user_id"]
    if user_id not in chat.pending_join_requests:
        raise bad_request("HIDE_REQUESTER_MISSING")  # what Telegram answers for a request already handled
    del chat.pending_join_requests[user_id]
    return chat, user_id


def approve_chat_join_request(state: SimState, params: Params) -> bool:
    chat, user_id = _pending_request(state, params)
    chat.members.add(user_id)
    # The group sees "X joined": a new_chat_members service message, which the bot receives too.
    user = state.users[user_id]
    message = state.add_message(chat, from_bot=False, sender_id=user_id,
                                service={"new_chat_members": [user.to_api()]})
    state.queue_update("message", state.message_api(message))
    return True


def decline_chat_join_request(state: SimState, params: Params) -> bool:
    _pending_request(state, params)
    return True


METHODS: dict[str, Callable[[SimState, Params], Any]] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "banChatMember": ban_chat_member,
    "unbanChatMember": unban_chat_member,
    "createChatInviteLink": create_chat_invite_link,
    "revokeChatInviteLink": revoke_chat_invite_link,
    "approveChatJoinRequest": approve_chat_join_request,
    "declineChatJoinRequest": decline_chat_join_request,
}
