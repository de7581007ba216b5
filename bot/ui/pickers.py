"""Paged lists of buttons: circles, members, prompts, directory cards — never an id or a slug to type.

A phone shows about eight buttons without scrolling, and Telegram allows 100 per message; long lists (a circle's
members) are paged. Navigation labels are arrows and "2/5", which read the same in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton

PAGE_SIZE = 8


@dataclass(frozen=True)
class Choice:
    label: str
    data: str  # encoded callback data (ButtonData.encode())


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    """A page number a client sent, brought into range (the list may have shrunk since the button was drawn)."""
    return min(max(page, 0), page_count(total, size) - 1)


def paged_rows(choices: Sequence[Choice], page: int, page_data: Callable[[int], str],
               size: int = PAGE_SIZE) -> list[list[InlineKeyboardButton]]:
    """One button a row for the choices of `page`, then ◀ n/N ▶ when there is more than one page.

    `page_data(n)` encodes the button that shows page n. The middle button repeats the current page: pressing it
    re-renders the same screen, which telegram_io.edit_screen treats as a success.
    """
    page = clamp_page(page, len(choices), size)
    rows = [[InlineKeyboardButton(c.label, callback_data=c.data)] for c in choices[page * size:(page + 1) * size]]
    pages = page_count(len(choices), size)
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(InlineKeyboardButton("◀", callback_data=page_data(page - 1)))
        nav.append(InlineKeyboardButton(f"{page + 1}/{pages}", callback_data=page_data(page)))
        if page < pages - 1:
            nav.append(InlineKeyboardButton("▶", callback_data=page_data(page + 1)))
        rows.append(nav)
    return rows
