"""Read a typed call slot ("mardi 15h", "tue 3pm", "Braɖa gaƒoƒo 15", "3/12 15h30") as local wall time.

Dates are day first, as written in France and Togo, whatever the member's language. French, English
and Ewe words are all recognised for everyone: members of a cross-border circle mix languages.
Anything not fully understood gives None rather than a guess; the handler asks again.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta

# Ewe letters that Unicode does not decompose into a base letter plus an accent.
_EWE_LETTERS = str.maketrans({"ɖ": "d", "ɔ": "o", "ƒ": "f", "ɛ": "e", "ŋ": "n", "ɣ": "g", "ʋ": "v"})

_WEEKDAYS = {
    **dict.fromkeys(["lundi", "lun", "monday", "mon", "dzoda"], 0),
    **dict.fromkeys(["mardi", "mar", "tuesday", "tue", "tues", "brada", "blada"], 1),
    **dict.fromkeys(["mercredi", "mer", "wednesday", "wed", "kuda"], 2),
    **dict.fromkeys(["jeudi", "jeu", "thursday", "thu", "thur", "thurs", "yawoda"], 3),
    **dict.fromkeys(["vendredi", "ven", "friday", "fri", "fida"], 4),
    **dict.fromkeys(["samedi", "sam", "saturday", "sat", "memleda"], 5),
    **dict.fromkeys(["dimanche", "dim", "sunday", "sun", "kosida"], 6),
}
_RELATIVE_DAYS = {"aujourd'hui": 0, "aujourdhui": 0, "today": 0, "demain": 1, "tomorrow": 1}
_NEXT_WORDS = {"prochain", "prochaine", "next"}
_FILLER_WORDS = {"le", "a", "at", "on", "vers", "ce", "this", "the"}

_TIME_PATTERNS = [  # each yields hour, minute and an optional am/pm; first match wins
    re.compile(r"\bgafofo\s*(?P<h>\d{1,2})(?:\s*[:h]\s*(?P<m>\d{2}))?\b"),
    re.compile(r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)\b"),
    re.compile(r"\b(?P<h>\d{1,2})\s*h\s*(?P<m>\d{2})?\b"),
    re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\b"),
    re.compile(r"\b(?P<word>midi|noon)\b"),
]
_ISO_DATE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})$")
_DAY_FIRST_DATE = re.compile(r"^(?P<d>\d{1,2})[/.](?P<mo>\d{1,2})(?:[/.](?P<y>\d{2}|\d{4}))?$")


def parse_local_slot(text: str, now_local: datetime, language: str) -> datetime | None:
    """Naive local datetime for a typed slot, or None when the text is not understood."""
    # `language` is part of the contract for per-language quirks to come; today every vocabulary is
    # accepted from everyone (a Togolese member may well type "mardi 15h").
    now = now_local.replace(tzinfo=None)
    clean = _normalise(text)
    found = _find_time(clean)
    if found is None:
        return None
    at, rest = found
    words = [w for w in rest.split() if w not in _FILLER_WORDS]
    day = _resolve_day(words, at, now)
    return None if day is None else datetime.combine(day, at)


def _normalise(text: str) -> str:
    """Lower case, without accents, Ewe letters folded to Latin ones, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_EWE_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("’", "'").replace(",", " ")
    plain = re.sub(r"(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", plain)  # ISO "2026-12-03T15:00"
    return " ".join(plain.split())


def _find_time(clean: str) -> tuple[time, str] | None:
    """The time of day in the text and the text without it; None if absent or impossible."""
    for pattern in _TIME_PATTERNS:
        match = pattern.search(clean)
        if match is None:
            continue
        groups = match.groupdict()
        if groups.get("word"):
            hour, minute = 12, 0
        else:
            hour, minute = int(groups["h"]), int(groups["m"] or 0)
        if groups.get("ampm"):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if groups["ampm"] == "pm" else 0)
        if hour > 23 or minute > 59:
            return None
        return time(hour, minute), clean[: match.start()] + " " + clean[match.end() :]
    return None


def _resolve_day(words: list[str], at: time, now: datetime) -> date | None:
    """The date the remaining words name, given the time of day; None unless all are understood."""
    if len(words) == 1 and words[0] in _RELATIVE_DAYS:
        return now.date() + timedelta(days=_RELATIVE_DAYS[words[0]])
    weekday_words = [w for w in words if w not in _NEXT_WORDS]
    if len(weekday_words) == 1 and weekday_words[0] in _WEEKDAYS:
        # "jeudi prochain"/"next thursday" never means today; a bare weekday may, if still ahead.
        return _next_weekday(_WEEKDAYS[weekday_words[0]], at, now, skip_today=len(words) > 1)
    if len(words) == 1:
        return _explicit_date(words[0], at, now)
    return None


def _next_weekday(weekday: int, at: time, now: datetime, skip_today: bool) -> date:
    """The first such weekday whose slot at `at` is strictly after now."""
    ahead = (weekday - now.weekday()) % 7
    if ahead == 0 and (skip_today or datetime.combine(now.date(), at) <= now):
        ahead = 7
    return now.date() + timedelta(days=ahead)


def _explicit_date(word: str, at: time, now: datetime) -> date | None:
    """An ISO or day-first date; without a year, the next such date still ahead."""
    match = _ISO_DATE.match(word) or _DAY_FIRST_DATE.match(word)
    if match is None:
        return None
    day, month, year = int(match["d"]), int(match["mo"]), match["y"]
    try:
        if year is not None:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        candidate = date(now.year, month, day)
        if datetime.combine(candidate, at) <= now:
            candidate = date(now.year + 1, month, day)
        return candidate
    except ValueError:  # 31/02, or 29/02 in a year without it
        return None
