"""What the simulator remembers: people, chats, messages, files, invite links, requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.devtools.simulator.markup import inline_buttons


@dataclass
class SimUser:
    """A Telegram user played by a test."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name) is not None:
                user[name] = getattr(self, name)
        return user


@dataclass
class SimChat:
    """A chat: the private chat of a user with the bot, a group or a supergroup."""

    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    bot_is_admin: bool = False
    bot_is_member: bool = True  # False once the bot was removed from the group
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    banned: set[int] = field(default_factory=set)
    topics: dict[int, str] = field(default_factory=dict)
    pending_join_requests: dict[int, str] = field(default_factory=dict)  # user id -> invite link

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object."""
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        for name in ("title", "first_name", "last_name", "username"):
            if getattr(self, name) is not None:
                chat[name] = getattr(self, name)
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class SimMessage:
    """A message as stored in a chat, edits applied. ``text`` is the visible text after HTML parsing."""

    chat_id: int
    message_id: int
    from_bot: bool
    date: int
    sender_id: int
    text: str | None = None
    raw_text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    document_bytes: bytes | None = None
    photo: list[dict[str, Any]] | None = None  # PhotoSize list: truthy when the message is a photo
    voice: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    service: dict[str, Any] | None = None  # e.g. {"new_chat_members": [...]}; such messages can't be copied
    copied_from: tuple[int, int] | None = None
    forward_origin: dict[str, Any] | None = None
    reply_to: int | None = None
    thread_id: int | None = None
    edited: bool = False
    edit_date: int | None = None
    deleted: bool = False

    def buttons(self) -> list[tuple[str, str]]:
        """``(text, callback_data)`` of the inline buttons that carry callback data, row-major."""
        return [(b["text"], b["callback_data"]) for b in inline_buttons(self.reply_markup) if "callback_data" in b]

    def content_fields(self) -> dict[str, Any]:
        """The content part of the Bot API ``Message`` (what copyMessage copies)."""
        content: dict[str, Any] = {}
        if self.text is not None:
            content["text"] = self.text
            if self.entities:
                content["entities"] = self.entities
        for name in ("document", "photo", "voice", "contact"):
            if getattr(self, name) is not None:
                content[name] = getattr(self, name)
        if self.caption:
            content["caption"] = self.caption
            if self.caption_entities:
                content["caption_entities"] = self.caption_entities
        return content


@dataclass
class StoredFile:
    """A file the simulator can serve through getFile and ``/file/bot<token>/<path>``."""

    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None = None
    file_name: str | None = None

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``File`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class InviteLink:
    """A link made by createChatInviteLink."""

    chat_id: int
    invite_link: str
    creates_join_request: bool
    name: str | None = None
    expire_date: int | None = None
    member_limit: int | None = None
    is_revoked: bool = False

    def to_api(self, creator: dict[str, Any]) -> dict[str, Any]:
        """The Bot API ``ChatInviteLink`` object."""
        link: dict[str, Any] = {
            "invite_link": self.invite_link,
            "creator": creator,
            "creates_join_request": self.creates_join_request,
            "is_primary": False,
            "is_revoked": self.is_revoked,
        }
        for name in ("name", "expire_date", "member_limit"):
            if getattr(self, name) is not None:
                link[name] = getattr(self, name)
        return link


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP call the bot made; ``status`` 0 means the simulator dropped the connection."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200
