from datetime import UTC, datetime

import pytest

from bot.domain.slot_parsing import parse_local_slot

TUESDAY_10H = datetime(2026, 12, 1, 10, 0)  # Tuesday 1 December 2026, 10:00 local


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03 15:00", datetime(2026, 12, 3, 15, 0)),
        ("2026-12-03T15:00", datetime(2026, 12, 3, 15, 0)),
        ("03/12/2026 15h", datetime(2026, 12, 3, 15, 0)),
        ("3/12 15h30", datetime(2026, 12, 3, 15, 30)),
        ("le 3/12 à 15 h 30", datetime(2026, 12, 3, 15, 30)),
        ("03.12.26 9h", datetime(2026, 12, 3, 9, 0)),
    ],
)
def test_dates_are_read_day_first(text: str, expected: datetime) -> None:
    assert parse_local_slot(text, TUESDAY_10H, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jeudi 15h", datetime(2026, 12, 3, 15, 0)),
        ("Mercredi 15h30", datetime(2026, 12, 2, 15, 30)),
        ("demain 10h", datetime(2026, 12, 2, 10, 0)),
        ("jeudi prochain 9h", datetime(2026, 12, 3, 9, 0)),
        ("aujourd’hui 18h", datetime(2026, 12, 1, 18, 0)),
        ("vendredi midi", datetime(2026, 12, 4, 12, 0)),
    ],
)
def test_french_phrases_are_understood(text: str, expected: datetime) -> None:
    assert parse_local_slot(text, TUESDAY_10H, "fr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thursday 3pm", datetime(2026, 12, 3, 15, 0)),
        ("thu 15:00", datetime(2026, 12, 3, 15, 0)),
        ("tomorrow 10am", datetime(2026, 12, 2, 10, 0)),
        ("Friday 12pm", datetime(2026, 12, 4, 12, 0)),
        ("friday 12am", datetime(2026, 12, 4, 0, 0)),
        ("next thursday 3:30 pm", datetime(2026, 12, 3, 15, 30)),
    ],
)
def test_english_phrases_are_understood(text: str, expected: datetime) -> None:
    assert parse_local_slot(text, TUESDAY_10H, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dzoɖa gaƒoƒo 15", datetime(2026, 12, 7, 15, 0)),
        ("Braɖa 15h", datetime(2026, 12, 1, 15, 0)),
        ("Kuɖa gaƒoƒo 9", datetime(2026, 12, 2, 9, 0)),
        ("Yawoɖa 15h", datetime(2026, 12, 3, 15, 0)),
        ("Fiɖa gaƒoƒo 15:30", datetime(2026, 12, 4, 15, 30)),
        ("Memleɖa 10h", datetime(2026, 12, 5, 10, 0)),
        ("Kɔsiɖa 16h", datetime(2026, 12, 6, 16, 0)),
        ("kosida gafofo 16", datetime(2026, 12, 6, 16, 0)),
        ("YAWODA 15H", datetime(2026, 12, 3, 15, 0)),
    ],
)
def test_ewe_weekdays_are_understood_with_or_without_diacritics(text: str, expected: datetime) -> None:
    assert parse_local_slot(text, TUESDAY_10H, "ee") == expected


def test_vocabulary_does_not_depend_on_the_members_language() -> None:
    for language in ("fr", "en", "ee", "kbp", "br"):
        assert parse_local_slot("mardi 15h", TUESDAY_10H, language) == datetime(2026, 12, 1, 15, 0)


def test_weekday_means_today_while_that_time_is_still_ahead() -> None:
    assert parse_local_slot("mardi 15h", TUESDAY_10H, "fr") == datetime(2026, 12, 1, 15, 0)


def test_weekday_means_next_week_once_that_time_has_passed_today() -> None:
    assert parse_local_slot("mardi 9h", TUESDAY_10H, "fr") == datetime(2026, 12, 8, 9, 0)
    assert parse_local_slot("mardi 10h", TUESDAY_10H, "fr") == datetime(2026, 12, 8, 10, 0)


def test_next_weekday_is_never_today() -> None:
    assert parse_local_slot("mardi prochain 15h", TUESDAY_10H, "fr") == datetime(2026, 12, 8, 15, 0)


def test_date_without_year_means_the_next_such_date_ahead() -> None:
    assert parse_local_slot("1/12 9h", TUESDAY_10H, "fr") == datetime(2027, 12, 1, 9, 0)
    assert parse_local_slot("1/12 11h", TUESDAY_10H, "fr") == datetime(2026, 12, 1, 11, 0)
    assert parse_local_slot("5/1 9h", TUESDAY_10H, "fr") == datetime(2027, 1, 5, 9, 0)


def test_aware_now_is_read_as_its_wall_time_and_result_is_naive() -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    result = parse_local_slot("demain 10h", now, "fr")
    assert result == datetime(2026, 12, 2, 10, 0) and result.tzinfo is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "mardi",  # no time
        "15h",  # no day
        "bientôt",
        "mardi ou jeudi 15h",
        "31/02 10h",
        "29/02/2027 10h",
        "mardi 25h",
        "mardi 15h75",
        "mardi 13pm",
        "13/13 10h",
        "demain mardi 10h",
    ],
)
def test_text_not_understood_gives_none(text: str) -> None:
    assert parse_local_slot(text, TUESDAY_10H, "fr") is None
