"""Telegram's HTML parse mode: what the server accepts, what it refuses and what text remains.

Written after tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp), which is what the Bot API runs:
the input is walked as UTF-8 bytes, so error messages carry *byte* offsets, and entity offsets are counted
in UTF-16 code units. Quirks kept on purpose because the real server has them:

* only ``&lt; &gt; &amp; &quot;`` and numeric references are decoded; any other ``&`` stays literally
  (``"Tom & Jerry"`` is accepted) unless the simulator runs with ``strict_ampersand=True``;
* a ``<`` that does not open a supported tag is an error (``a < b`` -> ``Unsupported start tag ""``);
* ``</>`` closes whatever tag is open; end tags must otherwise match the innermost open tag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.devtools.simulator.errors import ApiError, bad_request

# tag -> entity type; "span" becomes a spoiler only with class="tg-spoiler" (checked below).
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "tg-emoji", "tg-time"}
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACES = b" \t\n\r\f\v"


@dataclass
class ParsedText:
    """Visible text of a message and its entities (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def parse_error(detail: str) -> ApiError:
    """400 ``Bad Request: can't parse entities: ...`` (PTB lower-cases everything after the first letter)."""
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    utf16_start: int
    byte_start: int  # offset in the *output*, to read the link text of <a> without href


class _HtmlParser:
    """One pass over the UTF-8 bytes, like tdlib; ``self.i`` is the byte position in the input."""

    def __init__(self, raw: str, *, strict_ampersand: bool) -> None:
        self.src = raw.encode("utf-8") + b"\0"  # sentinel, as tdlib relies on the C string terminator
        self.end = len(self.src) - 1
        self.strict_ampersand = strict_ampersand
        self.i = 0
        self.out = bytearray()
        self.utf16 = 0
        self.open: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def parse(self) -> ParsedText:
        while self.i < self.end:
            byte = self.src[self.i]
            if byte == ord("&"):
                self._text_ampersand()
            elif byte == ord("<"):
                self._tag()
            else:
                self._append_raw_byte(byte)
        if self.open:
            raise parse_error(f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(self.out.decode("utf-8"), self.entities)

    # -- text ---------------------------------------------------------------------------------
    def _append_raw_byte(self, byte: int) -> None:
        # Count UTF-16 units on the first byte of each UTF-8 sequence; 4-byte sequences are surrogate pairs.
        if byte & 0xC0 != 0x80:
            self.utf16 += 2 if byte >= 0xF0 else 1
        self.out.append(byte)
        self.i += 1

    def _append_char(self, char: str) -> None:
        self.out += char.encode("utf-8")
        self.utf16 += utf16_length(char)

    def _text_ampersand(self) -> None:
        start = self.i
        char = self._decode_entity()
        if char is not None:
            self._append_char(char)
            return
        if self.strict_ampersand:
            raise parse_error(f'Unescaped "&" at byte offset {start}; escape it as "&amp;"')
        self._append_raw_byte(self.src[self.i])

    def _decode_entity(self) -> str | None:
        """Decode ``&...;`` at ``self.i`` and move past it, or return None and leave ``self.i`` alone."""
        src, pos = self.src, self.i + 1
        if src[pos] == ord("#"):
            pos += 1
            hexadecimal = src[pos] == ord("x")
            pos += hexadecimal
            digits_start = pos
            allowed = b"0123456789abcdefABCDEF" if hexadecimal else b"0123456789"
            while src[pos] in allowed and src[pos] != 0:
                pos += 1
            digits = src[digits_start:pos]
            code = int(digits, 16 if hexadecimal else 10) if digits else 0
            if code == 0 or code >= 0x10FFFF or pos - self.i >= 10 or 0xD800 <= code <= 0xDFFF:
                return None
            char = chr(code)
        else:
            while chr(src[pos]).isascii() and chr(src[pos]).isalpha():
                pos += 1
            name = bytes(src[self.i + 1 : pos])
            if name not in _NAMED_ENTITIES:
                return None
            char = _NAMED_ENTITIES[name]
        # The closing ";" is optional for Telegram, as it is for tdlib.
        self.i = pos + 1 if src[pos] == ord(";") else pos
        return char

    # -- tags ---------------------------------------------------------------------------------
    def _tag(self) -> None:
        begin = self.i
        self.i += 1
        if self.src[self.i] == ord("/"):
            self._end_tag(begin)
        else:
            self._start_tag(begin)

    def _skip_spaces(self) -> None:
        while self.src[self.i] != 0 and self.src[self.i] in _SPACES:
            self.i += 1

    def _read_until_space_or(self, stops: bytes) -> bytes:
        start = self.i
        while self.src[self.i] != 0 and self.src[self.i] not in _SPACES and self.src[self.i] not in stops:
            self.i += 1
        return bytes(self.src[start : self.i])

    def _start_tag(self, begin: int) -> None:
        name = self._read_until_space_or(b">").decode("utf-8", "replace").lower()
        if self.src[self.i] == 0:
            raise parse_error(f"Unclosed start tag at byte offset {begin}")
        if name not in _SUPPORTED_TAGS:
            raise parse_error(f'Unsupported start tag "{name}" at byte offset {begin}')
        attributes = self._attributes(name, begin)
        self.i += 1  # the ">"
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise parse_error(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise parse_error(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}')
        if name == "blockquote" and any(tag.name == "blockquote" for tag in self.open):
            raise parse_error(f"Blockquote entities can't be nested at byte offset {begin}")
        self.open.append(_OpenTag(name, attributes, self.utf16, len(self.out)))

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        attributes: dict[str, str] = {}
        while self.src[self.i] != ord(">"):
            self._skip_spaces()
            if self.src[self.i] == ord(">"):
                break
            if self.src[self.i] == 0:
                raise parse_error(f"Unclosed start tag at byte offset {begin}")
            attr = self._read_until_space_or(b"=>").decode("utf-8", "replace")
            if not attr:
                raise parse_error(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
            self._skip_spaces()
            if self.src[self.i] != ord("="):
                attributes[attr] = ""  # valueless attribute, e.g. <blockquote expandable>
                continue
            self.i += 1
            self._skip_spaces()
            if self.src[self.i] == 0:
                raise parse_error(f'Unclosed start tag "{tag}" at byte offset {begin}')
            attributes[attr] = self._attribute_value()
            if self.src[self.i] == 0:
                raise parse_error(f"Unclosed start tag at byte offset {begin}")
        return attributes

    def _attribute_value(self) -> str:
        quote = self.src[self.i]
        if quote not in b"'\"":
            # An unquoted value is an HTML name token: letters, digits, "." and "-", case-insensitive.
            start = self.i
            while chr(self.src[self.i]).isascii() and (chr(self.src[self.i]).isalnum() or self.src[self.i] in b".-"):
                self.i += 1
            if self.src[self.i] not in _SPACES and self.src[self.i] != ord(">"):
                raise parse_error(f"Unexpected end of name token at byte offset {start}")
            return self.src[start : self.i].decode("utf-8").lower()
        self.i += 1
        value = bytearray()
        while self.src[self.i] not in (quote, 0):
            if self.src[self.i] == ord("&"):
                char = self._decode_entity()
                if char is not None:
                    value += char.encode("utf-8")
                    continue
            value.append(self.src[self.i])
            self.i += 1
        if self.src[self.i] == quote:
            self.i += 1
        return value.decode("utf-8", "replace")

    def _end_tag(self, begin: int) -> None:
        if not self.open:
            raise parse_error(f"Unexpected end tag at byte offset {begin}")
        self.i += 1  # the "/"
        name = self._read_until_space_or(b">").decode("utf-8", "replace")
        self._skip_spaces()
        if self.src[self.i] != ord(">"):
            raise parse_error(f"Unclosed end tag at byte offset {begin}")
        self.i += 1
        tag = self.open[-1]
        if name and name != tag.name:
            raise parse_error(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", found "</{name}>"'
            )
        self.open.pop()
        if self.utf16 > tag.utf16_start:  # empty entities are dropped, as Telegram does
            self._add_entity(tag)

    def _add_entity(self, tag: _OpenTag) -> None:
        entity: dict[str, Any] = {"offset": tag.utf16_start, "length": self.utf16 - tag.utf16_start}
        if tag.name == "a":
            url = tag.attributes.get("href") or self.out[tag.byte_start :].decode("utf-8")
            entity.update(type="text_link", url=url)
        elif tag.name == "tg-emoji":
            entity.update(type="custom_emoji", custom_emoji_id=tag.attributes["emoji-id"])
        elif tag.name == "tg-time":
            entity.update(type="date_time", unix_time=int(tag.attributes.get("unix", "0") or 0))
            if tag.attributes.get("format"):
                entity["date_time_format"] = tag.attributes["format"]
        elif tag.name == "blockquote" and "expandable" in tag.attributes:
            entity["type"] = "expandable_blockquote"
        elif tag.name == "code" and self._merge_into_pre(tag, entity):
            return
        else:
            entity["type"] = _SIMPLE_TAGS[tag.name]
            if tag.name == "pre" and tag.attributes.get("language"):
                entity["language"] = tag.attributes["language"]
        self.entities.append(entity)

    def _merge_into_pre(self, tag: _OpenTag, entity: dict[str, Any]) -> bool:
        """``<pre><code class="language-x">`` is one pre entity with a language, not two entities."""
        language = tag.attributes.get("class", "")
        parent = self.open[-1] if self.open else None
        if parent is None or parent.name != "pre" or not language.startswith("language-"):
            entity["type"] = "code"
            return False
        parent.attributes["language"] = language.removeprefix("language-")
        return True


def parse_html(raw: str, *, strict_ampersand: bool = False) -> ParsedText:
    """Parse Telegram's HTML subset; raise ApiError 400 ``can't parse entities: ...`` like the server."""
    return _HtmlParser(raw, strict_ampersand=strict_ampersand).parse()
