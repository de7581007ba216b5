"""``BotApiSimulator``: a local Bot API server for tests and demos, plus the people who talk to the bot."""

from __future__ import annotations

import asyncio
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any

from bot.devtools.simulator import api_bot, api_chats, api_messages
from bot.devtools.simulator.errors import NOT_FOUND, UNAUTHORIZED, ApiError, SimulatorError
from bot.devtools.simulator.markup import inline_buttons
from bot.devtools.simulator.models import InviteLink, RequestRecord, SimChat, SimMessage, SimUser
from bot.devtools.simulator.params import check_parameters, decode_request
from bot.devtools.simulator.ratelimit import FloodControl
from bot.devtools.simulator.server import SimulatorHTTPServer
from bot.devtools.simulator.state import SimState

Handler = Callable[[SimState, dict[str, Any]], Any]
# Telegram method names are case-insensitive.
_METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for table in (api_bot.METHODS, api_messages.METHODS, api_chats.METHODS)
    for name, handler in table.items()
}
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_OWN_CONTACT: Any = object()
_FAKE_VOICE = b"OggS\x00\x02simulated voice"
_FAKE_JPEG = b"\xff\xd8\xff\xe0simulated photo\xff\xd9"


@dataclass
class _Fault:
    method: str | None  # lower-case method name, None for every method
    remaining: int
    error: ApiError | None  # None: drop the connection (unless malformed_result is set)
    # The call is carried out (the message is delivered) but answered with this result instead: what a client
    # reading the answer must survive (an independent Bot API server, a proxy rewriting JSON).
    malformed_result: Any = None


class BotApiSimulator:
    """A Bot API server on 127.0.0.1 that answers like Telegram and lets tests play the users."""

    def __init__(
        self,
        token: str = "123456:ABC-test",
        bot_username: str = "passerelle_test_bot",
        *,
        bot_first_name: str = "Passerelle",
        rate_limits: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        strict_params: bool = True,
        strict_ampersand: bool = False,
        port: int = 0,
    ) -> None:
        """``monotonic`` drives flood control, ``clock`` the unix ``date`` of messages.

        ``strict_params`` refuses parameters the Bot API does not define (Telegram ignores them);
        ``strict_ampersand`` refuses a bare ``&`` in HTML (Telegram keeps it as text);
        ``port`` 0 picks a free port.
        """
        self._state = SimState(
            token=token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            flood=FloodControl(monotonic) if rate_limits else None,
            clock=clock,
            strict_ampersand=strict_ampersand,
        )
        self._cond = self._state.cond
        self._monotonic = monotonic
        self._strict_params = strict_params
        self._faults: list[_Fault] = []
        self._requests: list[RequestRecord] = []
        self._server: SimulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._port = port
        self.internal_errors: list[Exception] = []  # simulator bugs, answered with HTTP 500

    # -- lifetime ---------------------------------------------------------------------------------
    def start(self) -> BotApiSimulator:
        """Listen on 127.0.0.1 (a free port) in a daemon thread."""
        if self._server is not None:
            raise SimulatorError("the simulator is already running")
        self._state.stopping = False
        self._server = SimulatorHTTPServer(("127.0.0.1", self._port), self)
        # A short poll interval keeps stop() quick: serve_forever only notices shutdown between polls.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="bot-api-simulator",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end waiting long polls and close every connection."""
        if self._server is None:
            return
        with self._cond:
            self._state.stopping = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> BotApiSimulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def api_root(self) -> str:
        """``http://127.0.0.1:PORT``: PTB's base_url is ``f"{api_root}/bot"``."""
        if self._server is None:
            raise SimulatorError("start() the simulator first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token(self) -> str:
        return self._state.token

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` object."""
        return dict(self._state.bot_user)

    # -- HTTP backend (called from server threads) ------------------------------------------------
    def handle_api(self, token: str, method: str, content_type: str, body: bytes,
                   query: str) -> tuple[int, dict[str, Any]] | None:
        """Answer one Bot API call; None means "drop the connection"."""
        canonical, handler = _METHODS.get(method.lower(), (method, None))
        with self._cond:
            params: dict[str, Any] = {}
            try:
                params = decode_request(content_type, body, query)
                fault = self._take_fault(canonical.lower())
                if fault is not None and fault.malformed_result is not None:
                    if token != self._state.token or handler is None:
                        raise UNAUTHORIZED if token != self._state.token else NOT_FOUND
                    handler(self._state, check_parameters(canonical, params, strict=self._strict_params))
                    status, payload = 200, {"ok": True, "result": fault.malformed_result}
                    self._record(canonical, params, status, payload)
                    return status, payload
                if fault is not None and fault.error is None:
                    self._record(canonical, params, 0, {})
                    return None
                if token != self._state.token:
                    raise UNAUTHORIZED
                if handler is None:
                    raise NOT_FOUND
                if fault is not None and fault.error is not None:
                    raise fault.error
                params = check_parameters(canonical, params, strict=self._strict_params)
                status, payload = 200, {"ok": True, "result": handler(self._state, params)}
            except ApiError as error:
                status, payload = error.error_code, error.payload()
                self._state.rate_limited_count += status == 429
            except ValueError:  # undecodable body
                status, payload = 400, ApiError(400, "Bad Request: can't parse the request body").payload()
            except Exception as exc:  # a simulator bug: answer it rather than dropping the connection
                description = f"Internal Server Error: simulator bug: {exc!r}"
                status, payload = 500, ApiError(500, description).payload()
                self.internal_errors.append(exc)
            self._record(canonical, params, status, payload)
            return status, payload

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.method in (None, method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _record(self, method: str, params: dict[str, Any], status: int, payload: dict[str, Any]) -> None:
        self._requests.append(RequestRecord(method, params, status, payload, self._monotonic()))
        self._cond.notify_all()  # wait_for predicates are re-evaluated on every request

    def handle_file(self, token: str, file_path: str) -> bytes | None:
        """Bytes behind ``/file/bot<token>/<file_path>``."""
        with self._cond:
            stored = self._state.file_by_path(file_path)
            return stored.data if stored is not None and token == self._state.token else None

    # -- fault injection ------------------------------------------------------------------------
    def fail_next(self, method: str, *, error_code: int, description: str, count: int = 1,
                  retry_after: int | None = None) -> None:
        """Answer the next ``count`` calls of ``method`` with this error instead of running them."""
        with self._cond:
            error = ApiError(error_code, description, retry_after=retry_after)
            self._faults.append(_Fault(method.lower(), count, error))

    def answer_malformed(self, method: str, result: Any = True, count: int = 1) -> None:
        """Carry out the next ``count`` calls of ``method`` but answer ``{"ok": true, "result": result}``."""
        with self._cond:
            self._faults.append(_Fault(method.lower(), count, None, malformed_result=result))

    def drop_connections(self, method: str, count: int = 1) -> None:
        """Close the socket without answering the next ``count`` calls of ``method``."""
        with self._cond:
            self._faults.append(_Fault(method.lower(), count, None))

    def set_status(self, status: int, count: int = 1) -> None:
        """Answer the next ``count`` calls of any method with this HTTP status (e.g. 502)."""
        with self._cond:
            error = ApiError(status, HTTPStatus(status).phrase)
            self._faults.append(_Fault(None, count, error))

    # -- building the world ---------------------------------------------------------------------
    def add_user(self, first_name: str, last_name: str | None = None, username: str | None = None,
                 language_code: str | None = "fr") -> SimUser:
        """A new Telegram user (ids from 1000001). They must write to the bot before it can write to them."""
        with self._cond:
            user = SimUser(self._state.new_user_id(), first_name, last_name, username, language_code)
            self._state.users[user.id] = user
            return user

    def add_group(self, title: str, kind: str = "supergroup", is_forum: bool = False, bot_is_admin: bool = True,
                  username: str | None = None) -> SimChat:
        """A group or supergroup the bot is already in."""
        if kind not in ("group", "supergroup") or (is_forum and kind != "supergroup"):
            raise SimulatorError("kind is 'group' or 'supergroup'; only supergroups can be forums")
        with self._cond:
            chat = SimChat(self._state.new_group_id(kind), kind, title=title, username=username,
                           is_forum=is_forum, bot_is_admin=bot_is_admin)
            self._state.chats[chat.id] = chat
            return chat

    def add_forum_topic(self, chat_id: int, name: str) -> int:
        """Create a topic; its id is the id of its forum_topic_created service message, as on Telegram."""
        with self._cond:
            chat = self._group(chat_id)
            if not chat.is_forum:
                raise SimulatorError(f"chat {chat_id} is not a forum")
            creation = self._state.add_message(chat, from_bot=True, sender_id=self._state.bot_user["id"],
                                               service={"forum_topic_created": {"name": name, "icon_color": 7322096}})
            self._state.sent.remove(creation)  # set-up, not something the bot sent
            chat.topics[creation.message_id] = name
            return creation.message_id

    def add_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Make a user a member (or "administrator") of a group, silently (set-up, no update)."""
        with self._cond:
            chat, user = self._group(chat_id), self._user(user_id)
            chat.members.add(user.id)
            if status == "administrator":
                chat.admins.add(user.id)

    def kick_bot(self, chat_id: int, by_user_id: int) -> dict[str, Any]:
        """A group administrator removes the bot: my_chat_member update, then 403 on every send."""
        with self._cond:
            chat, user = self._group(chat_id), self._user(by_user_id)
            old = "administrator" if chat.bot_is_admin else "member"
            chat.bot_is_member = chat.bot_is_admin = False
            return self._my_chat_member(chat.to_api(), user, old, "kicked")

    # -- people acting -------------------------------------------------------------------------
    def send_text(self, user_id: int, text: str, chat_id: int | None = None, reply_to: int | None = None,
                  thread_id: int | None = None) -> dict[str, Any]:
        """The user writes ``text``; a leading /command gets its bot_command entity. Returns the Update."""
        with self._cond:
            entities = []
            if match := _COMMAND.match(text):
                entities.append({"type": "bot_command", "offset": 0, "length": len(match.group(0))})
            return self._user_message(user_id, chat_id, reply_to, thread_id, text=text, raw_text=text,
                                      entities=entities)

    def send_command(self, user_id: int, command: str, args: str | None = None, chat_id: int | None = None,
                     reply_to: int | None = None, thread_id: int | None = None) -> dict[str, Any]:
        """``/command args``, e.g. ``send_command(u.id, "start", args="ref_abc")`` for a deep link."""
        text = f"/{command.removeprefix('/')}" + (f" {args}" if args else "")
        return self.send_text(user_id, text, chat_id=chat_id, reply_to=reply_to, thread_id=thread_id)

    def send_contact(self, user_id: int, phone_number: str, contact_user_id: int | None = _OWN_CONTACT,
                     first_name: str | None = None, last_name: str | None = None) -> dict[str, Any]:
        """The user shares a contact in private; by default their own (user_id set by Telegram, trustable)."""
        with self._cond:
            user = self._user(user_id)
            owner_id = user.id if contact_user_id is _OWN_CONTACT else contact_user_id
            owner = self._state.users.get(owner_id) if owner_id is not None else None
            if first_name is None:  # the name saved in the sharer's address book defaults to the owner's
                first_name = owner.first_name if owner else "Contact"
                last_name = last_name or (owner.last_name if owner else None)
            contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
            if last_name:
                contact["last_name"] = last_name
            if owner_id is not None:
                contact["user_id"] = owner_id
            return self._user_message(user_id, None, None, None, contact=contact)

    def send_voice(self, user_id: int, duration: int = 12, caption: str | None = None, chat_id: int | None = None,
                   reply_to: int | None = None, thread_id: int | None = None) -> dict[str, Any]:
        """A voice note with a fake OGG file behind its file_id."""
        with self._cond:
            stored = self._state.store_file("voice", _FAKE_VOICE, mime_type="audio/ogg")
            voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "duration": duration,
                     "mime_type": "audio/ogg", "file_size": len(stored.data)}
            return self._user_message(user_id, chat_id, reply_to, thread_id, voice=voice, caption=caption,
                                      raw_caption=caption)

    def send_photo(self, user_id: int, caption: str | None = None, chat_id: int | None = None,
                   reply_to: int | None = None, thread_id: int | None = None) -> dict[str, Any]:
        """A photo (two sizes, as Telegram sends a thumbnail and the full picture)."""
        with self._cond:
            sizes = []
            for width, height in ((90, 68), (1280, 960)):
                stored = self._state.store_file("photo", _FAKE_JPEG, mime_type="image/jpeg")
                sizes.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                              "width": width, "height": height, "file_size": len(stored.data)})
            return self._user_message(user_id, chat_id, reply_to, thread_id, photo=sizes, caption=caption,
                                      raw_caption=caption)

    def send_document(self, user_id: int, file_name: str = "document.pdf", caption: str | None = None,
                      chat_id: int | None = None, reply_to: int | None = None, thread_id: int | None = None,
                      data: bytes = b"%PDF-1.4\n% simulated document\n", mime_type: str | None = None
                      ) -> dict[str, Any]:
        """A document whose bytes the bot can download through getFile."""
        with self._cond:
            mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            stored = self._state.store_file("document", data, file_name=file_name, mime_type=mime_type)
            document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                        "file_name": file_name, "mime_type": mime_type, "file_size": len(data)}
            return self._user_message(user_id, chat_id, reply_to, thread_id, document=document,
                                      document_bytes=data, caption=caption, raw_caption=caption)

    def edit_text(self, user_id: int, message_id: int, new_text: str, chat_id: int | None = None) -> dict[str, Any]:
        """The user edits one of their text messages: an edited_message update."""
        with self._cond:
            chat = self._chat_for(self._user(user_id), chat_id)
            message = self._state.find_message(chat.id, message_id)
            if message is None or message.from_bot or message.sender_id != user_id or message.text is None:
                raise SimulatorError(f"user {user_id} has no text message {message_id} in chat {chat.id}")
            message.text = message.raw_text = new_text
            message.edited, message.edit_date = True, self._state.unix_now()
            return self._state.queue_update("edited_message", self._state.message_api(message))

    def press_button(self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None,
                     forge: bool = False) -> dict[str, Any]:
        """The user presses an inline button: a callback_query update the bot must answer.

        The bot message must exist and carry a button with this data, unless ``forge=True`` (a client
        sending arbitrary data, or a button of a deleted message).
        """
        with self._cond:
            user = self._user(user_id)
            chat = self._chat_for(user, chat_id)
            message = self._state.find_message(chat.id, message_id)
            has_button = message is not None and message.from_bot and any(
                button.get("callback_data") == callback_data for button in inline_buttons(message.reply_markup))
            if not has_button and not forge:
                raise SimulatorError(f"no bot message {message_id} with a {callback_data!r} button in chat {chat.id}")
            query_id = self._state.new_callback_query_id()
            self._state.callback_queries[query_id] = False
            query = {"id": query_id, "from": user.to_api(), "chat_instance": str(abs(chat.id) * 31 + 7),
                     "data": callback_data,
                     "message": self._state.message_api(message) if message is not None
                     # Bot API InaccessibleMessage: date 0.
                     else {"chat": chat.to_api(), "message_id": message_id, "date": 0}}
            return self._state.queue_update("callback_query", query)

    def block_bot(self, user_id: int) -> dict[str, Any]:
        """The user blocks the bot: my_chat_member (member -> kicked), then 403 on every send."""
        with self._cond:
            user = self._user(user_id)
            self._state.blocked.add(user.id)
            return self._my_chat_member(self._state.private_chat_api(user), user, "member", "kicked")

    def unblock_bot(self, user_id: int) -> dict[str, Any]:
        """The user unblocks the bot: my_chat_member (kicked -> member)."""
        with self._cond:
            user = self._user(user_id)
            self._state.blocked.discard(user.id)
            return self._my_chat_member(self._state.private_chat_api(user), user, "kicked", "member")

    def request_join(self, user_id: int, chat_id: int, invite_link: str) -> dict[str, Any]:
        """The user opens a join-request link: a chat_join_request update for the bot to approve or decline."""
        with self._cond:
            user, chat = self._user(user_id), self._group(chat_id)
            link = self._state.invite_links.get(invite_link)
            if link is None or link.chat_id != chat.id or link.is_revoked or not link.creates_join_request:
                raise SimulatorError(f"{invite_link!r} is not a live join-request link of chat {chat_id}")
            if user.id in chat.members:
                raise SimulatorError(f"user {user_id} is already a member of {chat_id}")
            chat.pending_join_requests[user.id] = invite_link
            request = {"chat": chat.to_api(), "from": user.to_api(), "user_chat_id": user.id,
                       "date": self._state.unix_now(), "invite_link": link.to_api(self._state.bot_user)}
            return self._state.queue_update("chat_join_request", request)

    def leave_group(self, user_id: int, chat_id: int) -> dict[str, Any]:
        """The user leaves: a left_chat_member service message update."""
        with self._cond:
            user, chat = self._user(user_id), self._group(chat_id)
            if user.id not in chat.members:
                raise SimulatorError(f"user {user_id} is not a member of {chat_id}")
            chat.members.discard(user.id)
            chat.admins.discard(user.id)
            message = self._state.add_message(chat, from_bot=False, sender_id=user.id,
                                              service={"left_chat_member": user.to_api()})
            return self._state.queue_update("message", self._state.message_api(message))

    def _user_message(self, user_id: int, chat_id: int | None, reply_to: int | None, thread_id: int | None,
                      **content: Any) -> dict[str, Any]:
        user = self._user(user_id)
        chat = self._chat_for(user, chat_id)
        if reply_to is not None and self._state.find_message(chat.id, reply_to) is None:
            raise SimulatorError(f"no message {reply_to} to reply to in chat {chat.id}")
        if thread_id is not None and thread_id not in chat.topics:
            raise SimulatorError(f"no topic {thread_id} in chat {chat.id}")
        message = self._state.add_message(chat, from_bot=False, sender_id=user.id, reply_to=reply_to,
                                          thread_id=thread_id, **content)
        return self._state.queue_update("message", self._state.message_api(message))

    def _chat_for(self, user: SimUser, chat_id: int | None) -> SimChat:
        """The chat a user acts in: their private chat with the bot (started on first use) or a group."""
        if chat_id is None or chat_id == user.id:
            if user.id in self._state.blocked:
                raise SimulatorError(f"user {user.id} blocked the bot: unblock_bot() first")
            self._state.join_request_only.discard(user.id)  # writing to the bot opens the chat for good
            return self._state.private_chat(user)
        chat = self._group(chat_id)
        if user.id not in chat.members:
            raise SimulatorError(f"user {user.id} is not a member of {chat_id}: add_member() first")
        if not chat.bot_is_member:
            raise SimulatorError(f"the bot is not in {chat_id}: nobody would receive this")
        return chat

    def _my_chat_member(self, chat: dict[str, Any], user: SimUser, old: str, new: str) -> dict[str, Any]:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self._state.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            elif status == "administrator":
                data.update(api_chats.ADMIN_RIGHTS)
            return data

        payload = {"chat": chat, "from": user.to_api(), "date": self._state.unix_now(),
                   "old_chat_member": member(old), "new_chat_member": member(new)}
        return self._state.queue_update("my_chat_member", payload)

    def _user(self, user_id: int) -> SimUser:
        user = self._state.users.get(user_id)
        if user is None:
            raise SimulatorError(f"no user {user_id}: add_user() first")
        return user

    def _group(self, chat_id: int) -> SimChat:
        chat = self._state.chats.get(chat_id)
        if chat is None or chat.is_private:
            raise SimulatorError(f"no group {chat_id}: add_group() first")
        return chat

    # -- delivering updates ------------------------------------------------------------------------
    def take_updates(self) -> list[dict[str, Any]]:
        """Pop every undelivered update, in order (in-process tests feed them to ``app.process_update``)."""
        with self._cond:
            updates, self._state.updates = self._state.updates, []
            return updates

    # -- reading what the bot did ---------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Every HTTP call the bot made, failed ones included."""
        with self._cond:
            return list(self._requests)

    @property
    def rate_limited_count(self) -> int:
        """How many 429 answers were given."""
        return self._state.rate_limited_count

    def calls(self, method: str | None = None) -> list[RequestRecord]:
        """Successful calls, optionally of one method (case-insensitive)."""
        with self._cond:
            return [r for r in self._requests
                    if r.ok and (method is None or r.method.lower() == method.lower())]

    def sent_messages(self, chat_id: int | None = None) -> list[SimMessage]:
        """Messages the bot sent (send*, copyMessage, forwardMessage), in order, edits applied.

        Messages deleted later stay in this list with ``deleted=True``; ``chat_history`` leaves them out.
        """
        with self._cond:
            return [m for m in self._state.sent if chat_id is None or m.chat_id == chat_id]

    def chat_history(self, chat_id: int) -> list[SimMessage]:
        """Current messages of a chat, the users' and the bot's, deleted ones left out."""
        with self._cond:
            messages = self._state.messages.get(chat_id, {})
            return [m for _, m in sorted(messages.items()) if not m.deleted]

    def message(self, chat_id: int, message_id: int) -> SimMessage:
        """One stored message (SimulatorError if it does not exist)."""
        with self._cond:
            message = self._state.messages.get(chat_id, {}).get(message_id)
            if message is None:
                raise SimulatorError(f"no message {message_id} in chat {chat_id}")
            return message

    def commands(self, scope_type: str = "default", language_code: str = "", **scope_fields: Any
                 ) -> list[dict[str, str]]:
        """What setMyCommands stored for a scope (e.g. ``commands("chat", chat_id=-100...)``) and language."""
        with self._cond:
            key = self._state.commands_key({"type": scope_type, **scope_fields}, language_code)
            return list(self._state.commands.get(key, []))

    def invite_links(self, chat_id: int) -> list[InviteLink]:
        """Links createChatInviteLink made for a chat."""
        with self._cond:
            return [link for link in self._state.invite_links.values() if link.chat_id == chat_id]

    def chat_members(self, chat_id: int) -> set[int]:
        """User ids currently members of a group."""
        with self._cond:
            return set(self._group(chat_id).members)

    @property
    def waiting_polls(self) -> int:
        """How many getUpdates calls are waiting right now (the bot is polling when this is 1)."""
        return self._state.waiting_polls

    def is_blocked(self, user_id: int) -> bool:
        """Whether the user currently blocks the bot."""
        with self._cond:
            return user_id in self._state.blocked

    def wait_for(self, predicate: Callable[[BotApiSimulator], bool], timeout: float = 10.0) -> None:
        """Block until ``predicate(sim)`` is true, re-checked on every request; TimeoutError otherwise.

        For subprocess tests. Never call it from the event loop that runs an in-process bot: use
        ``wait_for_async`` there.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout=timeout):
                raise TimeoutError(f"simulator condition not met within {timeout} s")

    async def wait_for_async(self, predicate: Callable[[BotApiSimulator], bool], timeout: float = 10.0) -> None:
        """``wait_for`` in a worker thread, so an in-process bot keeps running meanwhile."""
        await asyncio.to_thread(self.wait_for, predicate, timeout)
