"""Bot API methods that send, edit or delete messages, validated as Telegram validates them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.devtools.simulator.errors import bad_request
from bot.devtools.simulator.html_text import ParsedText, parse_html, utf16_length
from bot.devtools.simulator.markup import normalize_markup, validate_reply_markup
from bot.devtools.simulator.models import SimChat, SimMessage, StoredFile
from bot.devtools.simulator.params import UploadedFile
from bot.devtools.simulator.state import SimState

MAX_TEXT = 4096  # sendMessage.text: "1-4096 characters after entities parsing"
MAX_CAPTION = 1024  # captions: "0-1024 characters after entities parsing"
MAX_CALLBACK_ANSWER = 200  # answerCallbackQuery.text: "0-200 characters"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})

Params = dict[str, Any]


# -- shared steps ---------------------------------------------------------------------------------
def formatted(state: SimState, raw: str, params: Params, *, entities_key: str) -> ParsedText:
    """Visible text and entities after parse_mode, the length Telegram checks."""
    parse_mode = params.get("parse_mode")
    if not parse_mode:
        return ParsedText(raw, list(params.get(entities_key) or []))
    if parse_mode.lower() == "html":
        return parse_html(raw, strict_ampersand=state.strict_ampersand)
    if parse_mode.lower() in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {parse_mode} is not simulated; use HTML")
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def message_text(state: SimState, params: Params) -> ParsedText:
    """The text of sendMessage/editMessageText: 1-4096 UTF-16 units once tags and entities are parsed."""
    parsed = formatted(state, params["text"], params, entities_key="entities")
    if not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_length(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def caption(state: SimState, params: Params) -> ParsedText | None:
    """An optional caption: 0-1024 UTF-16 units after parsing."""
    if "caption" not in params:
        return None
    parsed = formatted(state, params["caption"], params, entities_key="caption_entities")
    if utf16_length(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed


def reply_target(state: SimState, chat: SimChat, params: Params) -> int | None:
    """reply_parameters (or the legacy reply_to_message_id) must name a message of the chat."""
    reply = params.get("reply_parameters") or {}
    message_id = reply.get("message_id", params.get("reply_to_message_id"))
    if message_id is None:
        return None
    if state.find_message(int(reply.get("chat_id", chat.id)), int(message_id)) is not None:
        return int(message_id)
    if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
        return None
    raise bad_request("message to be replied not found")


def prepare_send(state: SimState, params: Params) -> tuple[SimChat, dict[str, Any]]:
    """Checks common to every send: chat, topic, reply, markup. Returns the chat and message fields."""
    chat = state.writable_chat(params["chat_id"])
    markup = params.get("reply_markup")
    validate_reply_markup(markup, private_chat=chat.is_private)
    fields = {
        "thread_id": state.thread_or_400(chat, params.get("message_thread_id")),
        "reply_to": reply_target(state, chat, params),
        "reply_markup": normalize_markup(markup),
    }
    return chat, fields


def caption_fields(parsed: ParsedText | None, params: Params) -> dict[str, Any]:
    if parsed is None:
        return {}
    return {"caption": parsed.text, "raw_caption": params["caption"], "caption_entities": parsed.entities,
            "parse_mode": params.get("parse_mode")}


def bot_message(state: SimState, chat: SimChat, **fields: Any) -> SimMessage:
    return state.add_message(chat, from_bot=True, sender_id=state.bot_user["id"], **fields)


def input_file(state: SimState, params: Params, name: str, kind: str) -> StoredFile:
    """An uploaded part, an ``attach://`` reference, or the file_id of a file Telegram already has."""
    value = params[name]
    if isinstance(value, str) and value.startswith("attach://"):
        value = params.get("_attachments", {}).get(value.removeprefix("attach://"), value)
    if isinstance(value, UploadedFile):
        if not value.data:
            raise bad_request("file must be non-empty")
        mime = None if value.mime_type == "application/octet-stream" else value.mime_type
        return state.store_file(kind, value.data, file_name=value.filename, mime_type=mime)
    if value.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the simulator, like this sandbox, has no internet
    stored = state.files.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


# -- sending ---------------------------------------------------------------------------------------
def send_message(state: SimState, params: Params) -> dict[str, Any]:
    chat, fields = prepare_send(state, params)
    parsed = message_text(state, params)
    state.spend_send_quota(chat)
    message = bot_message(state, chat, text=parsed.text, raw_text=params["text"], entities=parsed.entities,
                          parse_mode=params.get("parse_mode"), **fields)
    return state.message_api(message)


def send_document(state: SimState, params: Params) -> dict[str, Any]:
    chat, fields = prepare_send(state, params)
    parsed = caption(state, params)
    stored = input_file(state, params, "document", "document")
    state.spend_send_quota(chat)
    document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(stored.data)}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    message = bot_message(state, chat, document=document, document_bytes=stored.data,
                          **caption_fields(parsed, params), **fields)
    return state.message_api(message)


def send_photo(state: SimState, params: Params) -> dict[str, Any]:
    chat, fields = prepare_send(state, params)
    parsed = caption(state, params)
    stored = input_file(state, params, "photo", "photo")
    state.spend_send_quota(chat)
    photo = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": 1280, "height": 960,
              "file_size": len(stored.data)}]
    message = bot_message(state, chat, photo=photo, **caption_fields(parsed, params), **fields)
    return state.message_api(message)


def send_voice(state: SimState, params: Params) -> dict[str, Any]:
    chat, fields = prepare_send(state, params)
    parsed = caption(state, params)
    stored = input_file(state, params, "voice", "voice")
    state.spend_send_quota(chat)
    voice = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
             "duration": params.get("duration", 0), "mime_type": stored.mime_type or "audio/ogg",
             "file_size": len(stored.data)}
    message = bot_message(state, chat, voice=voice, **caption_fields(parsed, params), **fields)
    return state.message_api(message)


def source_message(state: SimState, params: Params, what: str) -> SimMessage:
    """The message copyMessage/forwardMessage read, from a chat the bot is in."""
    source_chat = state.chat_or_404(params["from_chat_id"])
    if not source_chat.is_private:
        state.check_bot_is_in(source_chat)  # a private chat stays readable even if its user blocked the bot
    message = state.find_message(source_chat.id, params["message_id"])
    if message is None:
        raise bad_request(f"message to {what} not found")
    if message.service:
        raise bad_request("message can't be copied" if what == "copy" else "message can't be forwarded")
    return message


def copy_message(state: SimState, params: Params) -> dict[str, Any]:
    original = source_message(state, params, "copy")
    chat, fields = prepare_send(state, params)
    content = _copied_content(original)
    if original.text is None and "caption" in params:
        content.update(caption_fields(caption(state, params), params))  # a new caption replaces the old one
    state.spend_send_quota(chat)
    message = bot_message(state, chat, copied_from=(original.chat_id, original.message_id), **content, **fields)
    return {"message_id": message.message_id}


def forward_message(state: SimState, params: Params) -> dict[str, Any]:
    original = source_message(state, params, "forward")
    chat = state.writable_chat(params["chat_id"])
    thread_id = state.thread_or_400(chat, params.get("message_thread_id"))
    state.spend_send_quota(chat)
    sender = state.bot_user if original.from_bot else state.users[original.sender_id].to_api()
    origin = {"type": "user", "sender_user": sender, "date": original.date}
    message = bot_message(state, chat, forward_origin=origin, thread_id=thread_id, **_copied_content(original))
    return state.message_api(message)


def _copied_content(original: SimMessage) -> dict[str, Any]:
    names = ("text", "raw_text", "entities", "caption", "raw_caption", "caption_entities", "parse_mode",
             "document", "document_bytes", "photo", "voice", "contact")
    return {name: getattr(original, name) for name in names}


# -- editing and deleting --------------------------------------------------------------------------
def _editable_message(state: SimState, params: Params) -> tuple[SimChat, SimMessage]:
    if "inline_message_id" in params:
        raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not simulated
    for name in ("chat_id", "message_id"):
        if name not in params:
            raise bad_request(f"parameter {name} is required")
    chat = state.writable_chat(params["chat_id"])
    message = state.find_message(chat.id, params["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = params.get("reply_markup")
    validate_reply_markup(markup, private_chat=chat.is_private, inline_only=True)
    return chat, message


def edit_message_text(state: SimState, params: Params) -> dict[str, Any]:
    if "text" not in params:
        raise bad_request("message text is empty")
    chat, message = _editable_message(state, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    parsed = message_text(state, params)
    # Without reply_markup the edit removes the inline keyboard: Telegram compares against "no markup".
    markup = normalize_markup(params.get("reply_markup"))
    if (parsed.text, parsed.entities, markup) == (message.text, message.entities, message.reply_markup):
        raise bad_request(NOT_MODIFIED)
    state.spend_send_quota(chat)
    message.text, message.raw_text, message.entities = parsed.text, params["text"], parsed.entities
    message.parse_mode, message.reply_markup = params.get("parse_mode"), markup
    return _mark_edited(state, message)


def edit_message_reply_markup(state: SimState, params: Params) -> dict[str, Any]:
    chat, message = _editable_message(state, params)
    markup = normalize_markup(params.get("reply_markup"))
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    state.spend_send_quota(chat)
    message.reply_markup = markup
    return _mark_edited(state, message)


def _mark_edited(state: SimState, message: SimMessage) -> dict[str, Any]:
    message.edited, message.edit_date = True, state.unix_now()
    return state.message_api(message)


def delete_message(state: SimState, params: Params) -> bool:
    chat = state.chat_or_404(params["chat_id"])
    state.check_bot_is_in(chat)
    message = state.find_message(chat.id, params["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    # In groups the bot deletes other people's messages only as an administrator.
    if not message.from_bot and not chat.is_private and not chat.bot_is_admin:
        raise bad_request("message can't be deleted")
    message.deleted = True
    return True


# -- interactions ------------------------------------------------------------------------------------
def answer_callback_query(state: SimState, params: Params) -> bool:
    query_id = params["callback_query_id"]
    if state.callback_queries.get(query_id, True):  # unknown or already answered
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(params.get("text", "")) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    state.callback_queries[query_id] = True
    return True


def send_chat_action(state: SimState, params: Params) -> bool:
    chat = state.writable_chat(params["chat_id"])
    state.thread_or_400(chat, params.get("message_thread_id"))
    if params["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


METHODS: dict[str, Callable[[SimState, Params], Any]] = {
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "sendVoice": send_voice,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
}
