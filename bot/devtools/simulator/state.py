"""The simulated Telegram world and the rules of who may write where.

Not thread-safe by itself: every caller holds ``state.cond`` (one RLock shared by the HTTP threads and
the test's thread).
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import threading
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from bot.devtools.simulator.errors import bad_request, forbidden, too_many_requests
from bot.devtools.simulator.models import InviteLink, SimChat, SimMessage, SimUser, StoredFile
from bot.devtools.simulator.ratelimit import FloodControl

# getUpdates "allowed_updates" default: everything except these (Bot API getUpdates).
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_FILE_FOLDERS = {"document": "documents", "photo": "photos", "voice": "voice"}
_DEFAULT_SUFFIX = {"document": "", "photo": ".jpg", "voice": ".oga"}


class SimState:
    """Users, chats, messages, files and the update queue of one simulated bot."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_first_name: str,
        flood: FloodControl | None,
        clock: Callable[[], float],
        strict_ampersand: bool,
    ) -> None:
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.flood = flood
        self.clock = clock
        self.strict_ampersand = strict_ampersand
        self.stopping = False
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.blocked: set[int] = set()
        # Private chats that exist only because the bot wrote to a join requester (user_chat_id): they do not let
        # the bot write once the request is processed, unlike a chat the user opened by writing to the bot.
        self.join_request_only: set[int] = set()
        self.messages: dict[int, dict[int, SimMessage]] = {}
        self.sent: list[SimMessage] = []
        self._last_message_id: dict[int, int] = {}
        self.files: dict[str, StoredFile] = {}
        self.invite_links: dict[str, InviteLink] = {}
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.updates: list[dict[str, Any]] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: dict[str, Any] | None = None  # setWebhook's url, secret_token…; getUpdates is refused meanwhile
        self.poll_generation = 0
        self.waiting_polls = 0
        self.rate_limited_count = 0
        self._next_update_id = itertools.count(1)
        self._next_user_id = itertools.count(1_000_001)
        self._next_supergroup = itertools.count(1)
        self._next_group = itertools.count(4_000_001)
        self._next_file = itertools.count(1)
        self._next_query = itertools.count(1)

    # -- ids and time ---------------------------------------------------------------------------
    def unix_now(self) -> int:
        return int(self.clock())

    def new_user_id(self) -> int:
        return next(self._next_user_id)

    def new_group_id(self, kind: str) -> int:
        # Supergroup ids look like -100XXXXXXXXXX, basic group ids are small negatives, as on Telegram.
        if kind == "supergroup":
            return -1_001_000_000_000 - next(self._next_supergroup)
        return -next(self._next_group)

    def new_callback_query_id(self) -> str:
        return str(4_000_000_000_000_000_000 + next(self._next_query))

    # -- chats and the rules of access -----------------------------------------------------------
    def chat_or_404(self, chat_id: int | str) -> SimChat:
        """The chat the bot knows under this id or @username, else 400 chat not found."""
        if isinstance(chat_id, str):
            wanted = chat_id.removeprefix("@").lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == wanted:
                    return chat
            raise bad_request("chat not found")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def writable_chat(self, chat_id: int | str) -> SimChat:
        """A chat the bot may send to now, or the 400/403 Telegram answers."""
        if isinstance(chat_id, int) and chat_id in self.users and (
                chat_id not in self.chats or chat_id in self.join_request_only):
            if not self._has_pending_join_request(chat_id):
                # Telegram: a user must write to the bot first (or the bot answers their join request, until the
                # request is approved or declined).
                raise forbidden("bot can't initiate conversation with a user")
            if chat_id not in self.chats:
                self.join_request_only.add(chat_id)
            self.private_chat(self.users[chat_id])
        chat = self.chat_or_404(chat_id)
        self.check_bot_is_in(chat)
        return chat

    def check_bot_is_in(self, chat: SimChat) -> None:
        """403 when the user blocked the bot or the group removed it."""
        if chat.is_private and chat.id in self.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.is_private and not chat.bot_is_member:
            raise forbidden(f"bot was kicked from the {chat.type} chat")

    def _has_pending_join_request(self, user_id: int) -> bool:
        # A join request lets the bot write to the requester until it is processed (ChatJoinRequest.user_chat_id).
        return any(user_id in chat.pending_join_requests for chat in self.chats.values())

    def private_chat(self, user: SimUser) -> SimChat:
        """The private chat of a user with the bot, created when the user first writes."""
        chat = self.chats.get(user.id)
        if chat is None:
            chat = SimChat(user.id, "private", first_name=user.first_name, last_name=user.last_name,
                           username=user.username)
            self.chats[user.id] = chat
        return chat

    def private_chat_api(self, user: SimUser) -> dict[str, Any]:
        """The private Chat object, even before the chat exists (my_chat_member of a never-started user)."""
        return SimChat(user.id, "private", first_name=user.first_name, last_name=user.last_name,
                       username=user.username).to_api()

    def group_or_400(self, chat_id: int | str) -> SimChat:
        chat = self.chat_or_404(chat_id)
        if chat.is_private:
            raise bad_request("method is available only for supergroups and groups")
        self.check_bot_is_in(chat)
        return chat

    def require_admin(self, chat: SimChat, detail: str) -> None:
        if not chat.bot_is_admin:
            raise bad_request(detail)

    def user_or_400(self, user_id: int) -> SimUser:
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    def thread_or_400(self, chat: SimChat, thread_id: int | None) -> int | None:
        """message_thread_id must name a topic of a forum supergroup."""
        if thread_id is None:
            return None
        if not chat.is_forum or thread_id not in chat.topics:
            raise bad_request("message thread not found")
        return thread_id

    def spend_send_quota(self, chat: SimChat) -> None:
        """Flood control of a send-like call; raises 429 without consuming anything when over the limit."""
        if self.flood is None:
            return
        retry_after = self.flood.acquire(chat.id, private=chat.is_private)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    # -- messages --------------------------------------------------------------------------------
    def add_message(self, chat: SimChat, *, from_bot: bool, sender_id: int, **fields: Any) -> SimMessage:
        """Store a new message with the next message_id of its chat."""
        chat_messages = self.messages.setdefault(chat.id, {})
        message_id = self._last_message_id.get(chat.id, 0) + 1
        self._last_message_id[chat.id] = message_id
        message = SimMessage(chat.id, message_id, from_bot, self.unix_now(), sender_id, **fields)
        chat_messages[message_id] = message
        if from_bot:
            self.sent.append(message)
        return message

    def find_message(self, chat_id: int, message_id: int) -> SimMessage | None:
        message = self.messages.get(chat_id, {}).get(message_id)
        return None if message is None or message.deleted else message

    def message_api(self, message: SimMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Bot API ``Message`` object; a replied-to message is embedded one level deep, as Telegram does."""
        sender = self.bot_user if message.from_bot else self.users[message.sender_id].to_api()
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chats[message.chat_id].to_api(),
            "from": sender,
        }
        if message.thread_id is not None:
            data.update(message_thread_id=message.thread_id, is_topic_message=True)
        if message.reply_to is not None and not nested:
            target = self.messages[message.chat_id].get(message.reply_to)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_api(target, nested=True)
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        data.update(message.content_fields())
        if message.service:
            data.update(message.service)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # only inline keyboards are part of a Message
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data

    # -- updates ---------------------------------------------------------------------------------
    def queue_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Append an Update and wake long polls and ``wait_for``."""
        update = {"update_id": next(self._next_update_id), kind: payload}
        self.updates.append(update)
        self.cond.notify_all()
        return update

    def confirm_updates(self, offset: int) -> None:
        """getUpdates offset semantics: ids below offset are forgotten; a negative offset keeps the last -offset."""
        if offset < 0:
            del self.updates[: max(0, len(self.updates) + offset)]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable_updates(self) -> list[dict[str, Any]]:
        """Queued updates the bot asked for; others are dropped, as Telegram never creates them."""
        self.updates = [u for u in self.updates if self._is_allowed(u)]
        return self.updates

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_DELIVERED_BY_DEFAULT

    # -- files and commands ----------------------------------------------------------------------
    def store_file(self, kind: str, data: bytes, *, file_name: str | None = None,
                   mime_type: str | None = None) -> StoredFile:
        """Keep a file so getFile and the file download URL can serve it."""
        number = next(self._next_file)
        suffix = PurePosixPath(file_name).suffix if file_name else _DEFAULT_SUFFIX[kind]
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        stored = StoredFile(
            file_id=f"SIM{kind.upper()}{number:08d}",
            file_unique_id=f"simu{number:06d}",
            file_path=f"{_FILE_FOLDERS[kind]}/file_{number}{suffix}",
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == file_path), None)

    @staticmethod
    def commands_key(scope: dict[str, Any] | None, language_code: str | None) -> tuple[str, str]:
        """Commands are stored per (scope, language), scope compared as canonical JSON."""
        return json.dumps(scope or {"type": "default"}, sort_keys=True), language_code or ""

