"""Helpers for Telegram message sizes: split rendered HTML on line boundaries, never inside a tag."""

from __future__ import annotations

import html
from collections.abc import Sequence

MAX_TEXT = 4096
MAX_CAPTION = 1024


def split_lines(lines: Sequence[str], limit: int = MAX_TEXT - 96) -> list[str]:
    """Join rendered lines into messages under Telegram's limit; each line must be a balanced HTML fragment.

    The margin under 4096 leaves room for entities counted differently (Telegram counts UTF-16 units after
    parsing; a rendered line is never shorter than what Telegram counts).
    """
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _fit(line, limit):
            if current and len(current) + 1 + len(piece) > limit:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    return chunks + ([current] if current else [])


def _fit(line: str, limit: int) -> list[str]:
    """A single line longer than the limit is a user's long text: cut it as plain escaped text."""
    if len(line) <= limit:
        return [line]
    plain = html.unescape(_strip_tags(line))
    pieces, size = [], limit // 2  # escaping may grow a piece up to ~2x for texts full of < > &
    for start in range(0, len(plain), size):
        pieces.append(html.escape(plain[start:start + size], quote=False))
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
