"""callback_data codec: a short prefix and ':'-separated parts, at most 64 bytes (Telegram's limit).

Anything a client sends back is untrusted: parse() returns None for forged or malformed data, and handlers
re-check every permission against the database.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import ClassVar, Self, get_type_hints

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


class ButtonData:
    """Typed callback data: subclass as a frozen dataclass with a `PREFIX` and int/str fields, in order.

        @dataclass(frozen=True)
        class PickMember(ButtonData):
            PREFIX: ClassVar[str] = "pm"
            circle_id: int
            page: int

        PickMember(3, 0).encode() == "pm:3:0";  PickMember.decode("pm:3:0") == PickMember(3, 0)

    decode() returns None for anything malformed (wrong prefix, arity, a non-number where an int is expected):
    a client may send any data. It says nothing of permissions: handlers still check that the presser may see and
    act on what the data names.
    """

    PREFIX: ClassVar[str]

    def encode(self) -> str:
        return pack(self.PREFIX, *(getattr(self, f.name) for f in fields(self)))  # type: ignore[arg-type]

    @classmethod
    def decode(cls, data: str | None) -> Self | None:
        names = fields(cls)  # type: ignore[arg-type]
        parts = parse(data, cls.PREFIX, len(names))
        if parts is None:
            return None
        values: list[object] = []
        hints = get_type_hints(cls)
        for field_, raw in zip(names, parts):
            if hints[field_.name] is int:
                number = parse_int(raw)
                if number is None:
                    return None
                values.append(number)
            else:
                values.append(raw)
        return cls(*values)

    @classmethod
    def pattern(cls) -> str:
        return pattern(cls.PREFIX)
