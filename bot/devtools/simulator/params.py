"""Reading Bot API parameters the way the server does: query string, form, multipart or JSON body.

Form and multipart values arrive as strings (PTB JSON-encodes anything that is not a string:
``true``, ``123``, ``{"inline_keyboard": ...}``); they are coerced with the types of the Bot API spec.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from bot.devtools.simulator.errors import ApiError, bad_request
from bot.devtools.simulator.spec import METHOD_FIELDS

_INTEGER = re.compile(r"[+-]?\d+")
# Parameters whose absence Telegram words differently from "parameter x is required".
_EMPTY_MESSAGES = {"text": "message text is empty"}
# PTB's ExtBot sends its Defaults to methods that do not define them (parse_mode reaches
# editMessageReplyMarkup); Telegram ignores them, so even strict checking lets these through.
PTB_DEFAULTS_PARAMETERS = frozenset({
    "parse_mode", "disable_notification", "protect_content", "allow_sending_without_reply", "link_preview_options",
})


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    mime_type: str
    data: bytes


def decode_request(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """All parameters of a request; body values win over query-string values, as for Telegram."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params
    if media_type == "application/json":
        decoded = json.loads(body.decode("utf-8"))
        if not isinstance(decoded, dict):
            raise bad_request("request body must be a JSON object")
        params.update(decoded)
    elif media_type == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    else:  # application/x-www-form-urlencoded, PTB's normal encoding
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    # The email package parses MIME multipart; give it the Content-Type header it would find in a mail.
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            params[str(name)] = payload.decode(part.get_content_charset() or "utf-8")
        else:
            params[str(name)] = UploadedFile(filename, part.get_content_type(), payload)
    return params


def check_parameters(method: str, params: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    """Coerce every parameter to its spec type and refuse missing required ones (and unknown ones if strict)."""
    fields = METHOD_FIELDS[method]
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name not in fields and isinstance(value, UploadedFile):
            # A multipart part referenced as "attach://<name>" by another parameter.
            checked.setdefault("_attachments", {})[name] = value
            continue
        if name not in fields:
            if strict and name not in PTB_DEFAULTS_PARAMETERS:
                # Telegram silently ignores unknown parameters; the simulator refuses them to catch typos.
                raise bad_request(f"unknown parameter {name} (the simulator refuses parameters Bot API lacks)")
            continue
        if value == "" or value is None:
            continue  # an empty parameter is an absent parameter for Telegram
        checked[name] = coerce(name, value, fields[name][0])
    for name, (_types, required) in fields.items():
        if required and name not in checked:
            raise missing_parameter(name)
    return checked


def missing_parameter(name: str) -> ApiError:
    """The one wording of a missing parameter (Telegram says "message text is empty" for text)."""
    return bad_request(_EMPTY_MESSAGES.get(name, f"parameter {name} is required"))


def coerce(name: str, value: Any, types: tuple[str, ...]) -> Any:
    """Turn a form string into the Python value of its Bot API type."""
    if isinstance(value, UploadedFile):
        if "InputFile" not in types:
            raise bad_request(f"parameter {name} can't be a file")
        return value
    if not isinstance(value, str):
        return value  # JSON body: already typed
    if "Integer" in types:
        if _INTEGER.fullmatch(value.strip()):
            return int(value)
        if "String" in types:
            return value
        raise bad_request(f"invalid {name} specified")
    if "Float" in types:
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if "Boolean" in types:
        return value.strip().lower() in ("true", "1")
    if "String" in types or "InputFile" in types:
        return value
    return _json_value(name, value, types)


def _json_value(name: str, value: str, types: tuple[str, ...]) -> Any:
    is_array = all(t.startswith("Array of") for t in types)
    what = "reply keyboard markup" if name == "reply_markup" else name
    error = bad_request(f"can't parse {what} JSON {'array' if is_array else 'object'}")
    try:
        decoded = json.loads(value)
    except ValueError:
        raise error from None
    if not isinstance(decoded, list if is_array else dict):
        raise error
    return decoded
