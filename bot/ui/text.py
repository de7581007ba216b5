"""Helpers for Telegram message sizes: split rendered HTML on line boundaries, never inside a tag."""

from __future__ import annotations

import html
from collections.abc import Sequence

MAX_TEXT = 4096
MAX_CAPTION = 1024


def split_lines(lines: Sequence[str], limit: int = MAX_TEXT - 96) -> list[str]:
    """Join rendered lines into messages under Telegram's limit; each line must be a balanced HTML fragment.

    Telegram counts UTF-16 units after parsing: an emoji or a rare CJK character outside the BMP counts 2, so
    lengths are measured in UTF-16 units of the rendered HTML, which is never shorter than what Telegram counts.
    """
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _fit(line, limit):
            if current and utf16_length(current) + 1 + utf16_length(piece) > limit:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    return chunks + ([current] if current else [])


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _fit(line: str, limit: int) -> list[str]:
    """A single line longer than the limit is a user's long text: cut it as plain escaped text.

    Each piece holds at most limit/2 UTF-16 units of plain text (what Telegram counts once the HTML is parsed),
    whatever escaping does to its rendered length.
    """
    if utf16_length(line) <= limit:
        return [line]
    plain = html.unescape(_strip_tags(line))
    pieces, current, units = [], [], 0
    for char in plain:
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit // 2:
            pieces.append(html.escape("".join(current), quote=False))
            current, units = [], 0
        current.append(char)
        units += width
    if current:
        pieces.append(html.escape("".join(current), quote=False))
    return pieces


def _strip_tags(fragment: str) -> str:
    out, inside = [], False
    for char in fragment:
        if char == "<":
            inside = True
        elif char == ">" and inside:
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


def truncate_plain(text: str, limit: int) -> str:
    """Cut a user's plain text to at most `limit` characters, with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
