"""callback_data codec: a short prefix and ':'-separated parts, at most 64 bytes (Telegram's limit).

Anything a client sends back is untrusted: parse() returns None for forged or malformed data, and handlers
re-check every permission against the database.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
_PART = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


def pack(prefix: str, *parts: object) -> str:
    """Encode a button's data, refusing anything Telegram would reject."""
    data = ":".join((prefix, *(str(part) for part in parts)))
    if len(data.encode("utf-8")) > MAX_BYTES or not all(_PART.match(str(p)) for p in (prefix, *parts)):
        raise ValueError(f"callback data {data!r} is not encodable")
    return data


def parse(data: str | None, prefix: str, arity: int) -> list[str] | None:
    """Split data of the given prefix into exactly `arity` parts, or None if it is not well formed."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    head, *parts = data.split(":")
    if head != prefix or len(parts) != arity or not all(_PART.match(part) for part in parts):
        return None
    return parts


def parse_int(value: str) -> int | None:
    """A non-negative integer typed or sent by a client, small enough for SQLite; None otherwise.

    ASCII only: "²".isdigit() is True but int("²") raises.
    """
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def pattern(prefix: str) -> str:
    """The regex a CallbackQueryHandler uses to route this prefix."""
    return rf"^{re.escape(prefix)}(:|$)"
