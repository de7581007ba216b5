"""Typed button data and paged pickers: what a client may send back is parsed strictly, pages stay in range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from bot.ui.callbacks import ButtonData
from bot.ui.pickers import Choice, clamp_page, paged_rows


@dataclass(frozen=True)
class PickMember(ButtonData):
    PREFIX: ClassVar[str] = "tpm"
    circle_id: int
    action: str


def test_button_data_round_trips():
    assert PickMember.decode(PickMember(12, "promote").encode()) == PickMember(12, "promote")


@pytest.mark.parametrize("data", [None, "", "tpm:12", "tpm:x:promote", "other:12:promote", "tpm:12:promote:1",
                                  "tpm:-1:promote", "tpm:²:a", "tpm:12:" + "a" * 70])
def test_button_data_refuses_what_it_did_not_encode(data):
    assert PickMember.decode(data) is None


def test_button_data_refuses_to_encode_what_telegram_would_refuse():
    with pytest.raises(ValueError):
        PickMember(1, "x" * 64).encode()


def _choices(count: int) -> list[Choice]:
    return [Choice(f"Member {n}", f"tpm:{n}:show") for n in range(count)]


def test_a_short_list_has_no_navigation():
    rows = paged_rows(_choices(3), 0, lambda page: f"nav:{page}")
    assert [row[0].text for row in rows] == ["Member 0", "Member 1", "Member 2"]


def test_a_long_list_is_paged_with_arrows_and_the_page_number():
    rows = paged_rows(_choices(20), 1, lambda page: f"nav:{page}")
    assert [row[0].text for row in rows[:-1]] == [f"Member {n}" for n in range(8, 16)]
    assert [(b.text, b.callback_data) for b in rows[-1]] == [("◀", "nav:0"), ("2/3", "nav:1"), ("▶", "nav:2")]


@pytest.mark.parametrize(("page", "expected"), [(-3, 0), (0, 0), (2, 2), (99, 2)])
def test_a_page_sent_by_a_client_is_brought_into_range(page, expected):
    assert clamp_page(page, 20) == expected


def test_a_directory_page_of_long_cards_fits_in_one_telegram_message():
    from bot.domain.directory import PRACTICE_TAGS, Card, Listing, PracticeNote
    from bot.i18n import I18n
    from bot import resources
    from bot.storage.circles import Territory
    from bot.ui import directory as ui
    from bot.ui.text import MAX_TEXT

    tr = I18n.load(resources.locales_dir()).for_locale("ee")
    every_tag = frozenset(tag.key for tag in PRACTICE_TAGS)
    note = PracticeNote("ɖ" * 400, "fr", every_tag)
    entries = [Listing(i, "N" * 64 + " " + "L" * 64, "O" * 120, "association", "togo", Card(i, note, note))
               for i in range(ui.PAGE_SIZE + 1)]
    views = {e.member_id: {side: ui.NoteView(note.text, "fr", translated=True) for side in ui.Side} for e in entries}
    territories = {"togo": Territory("togo", "Togo", "TG", "Africa/Lome", "fr", "Lomé")}
    text, markup = ui.directory_list(tr, entries, views, ui.Filters(None, "youth"), territories)
    assert len(text) <= MAX_TEXT
    assert len(markup.inline_keyboard) == ui.PAGE_SIZE + 3  # the page's cards, ◀ 1/2 ▶, territories, practices
