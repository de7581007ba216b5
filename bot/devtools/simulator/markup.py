"""Checks on ``reply_markup`` that Telegram makes and PTB does not (PTB sends whatever it is given)."""

from __future__ import annotations

from typing import Any

from bot.devtools.simulator.errors import bad_request

# PTB constants.InlineKeyboardMarkupLimit: "undocumented and might be changed by Telegram".
MAX_BUTTONS = 100
MAX_BUTTONS_PER_ROW = 8
MAX_CALLBACK_DATA_BYTES = 64  # InlineKeyboardButton.callback_data: "1-64 bytes"

# An inline button must carry exactly one action besides its text.
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_PRIVATE_ONLY_REQUESTS = ("request_contact", "request_location", "request_users", "request_chat", "request_poll")


def normalize_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram drops an empty inline keyboard: the message then simply has no markup."""
    if markup is not None and "inline_keyboard" in markup and not any(markup["inline_keyboard"]):
        return None
    return markup


def validate_reply_markup(markup: dict[str, Any] | None, *, private_chat: bool, inline_only: bool = False) -> None:
    """Raise ApiError 400 as Telegram would for this markup in this kind of chat."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        _validate_inline_keyboard(markup["inline_keyboard"])
    elif inline_only:
        raise bad_request("inline keyboard expected")
    elif "keyboard" in markup:
        _validate_reply_keyboard(markup["keyboard"], private_chat=private_chat)
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(keyboard: Any, field: str) -> list[list[dict[str, Any]]]:
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request(f'can\'t parse reply keyboard markup JSON object: field "{field}" must be an Array of Array')
    for row in keyboard:
        for button in row:
            if field == "keyboard" and isinstance(button, str):
                continue  # a reply keyboard still accepts a bare string as a text button
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    return keyboard


def _validate_inline_keyboard(keyboard: Any) -> None:
    rows = _rows(keyboard, "inline_keyboard")
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        for button in row:
            _validate_inline_button(button)


def _validate_inline_button(button: dict[str, Any]) -> None:
    actions = [name for name in _INLINE_ACTIONS if name in button]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one of the optional fields must be used")
    if "callback_data" in button:
        data = button["callback_data"]
        # The limit is in bytes of UTF-8: 33 accented letters (2 bytes each) are already too many.
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")


def _validate_reply_keyboard(keyboard: Any, *, private_chat: bool) -> None:
    rows = _rows(keyboard, "keyboard")
    for row in rows:
        for button in row:
            for request in _PRIVATE_ONLY_REQUESTS:
                if isinstance(button, dict) and button.get(request) and not private_chat:
                    raise bad_request(f"keyboard button {request} is allowed only in private chats")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every inline button of a markup, row-major."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
