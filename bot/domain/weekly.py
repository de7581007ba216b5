"""When the weekly prompt is due, which prompt comes next, and which territory answers first.

Pure rules: callers pass `now` (aware UTC) and get values back. A member's week is the ISO week of their own
time zone, so a Rennes member and a Lomé member each get the prompt at 09:00 on their own clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int  # 0=Monday (Python's convention)
    hour: int = 9
    minute: int = 0


def iso_week_key(dt_local: datetime | date) -> str:
    """The ISO week of a local date or datetime, e.g. "2026-W48" (ISO year, which differs near 1 January)."""
    year, week, _ = dt_local.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(now_utc: datetime, tz_name: str, slot: WeeklySlot) -> datetime:
    """The slot of the ISO week that contains `now` in tz_name, as an aware UTC instant."""
    zone = ZoneInfo(tz_name)
    today = _require_aware(now_utc).astimezone(zone).date()
    return _slot_instant(today - timedelta(days=today.weekday()), zone, slot)


def next_slot_after(now_utc: datetime, tz_name: str, slot: WeeklySlot) -> datetime:
    """The first occurrence of the slot strictly after `now`, as an aware UTC instant."""
    zone = ZoneInfo(tz_name)
    today = _require_aware(now_utc).astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    # Step by local calendar weeks, not by 7×24 hours: a week that crosses a clock change is 167 or 169 hours.
    this_week = _slot_instant(monday, zone, slot)
    return this_week if this_week > now_utc else _slot_instant(monday + timedelta(weeks=1), zone, slot)


def prompt_due(now_utc: datetime, tz_name: str, slot: WeeklySlot, last_sent_week: str | None) -> str | None:
    """The week key of the prompt to send now, or None: sent once per week, from the slot to the week's end."""
    key = iso_week_key(_require_aware(now_utc).astimezone(ZoneInfo(tz_name)))
    if now_utc < week_start(now_utc, tz_name, slot):
        return None
    # Keys sort chronologically ("2026-W09" < "2026-W10"), so a week already recorded, or a later one recorded
    # before the member moved to a zone that is behind, is never sent again.
    if last_sent_week is not None and last_sent_week >= key:
        return None
    return key


def choose_next_prompt(available_keys: Sequence[str], used_keys_in_order: Sequence[str]) -> str:
    """The next prompt for a circle: none repeats until all were used, then a new round in library order."""
    if not available_keys:
        raise ValueError("no prompt available")
    available = set(available_keys)
    this_round: set[str] = set()
    for key in used_keys_in_order:
        if key in available:  # keys retired from the library no longer count
            this_round.add(key)
            if this_round == available:
                this_round = set()
    remaining = [key for key in available_keys if key not in this_round]
    if not this_round and used_keys_in_order and len(remaining) > 1:
        # A new round: do not ask the same question two weeks running.
        remaining = [key for key in remaining if key != used_keys_in_order[-1]] or remaining
    return remaining[0]


def opening_territory(territories: Sequence[str], week_index: int, history: Sequence[str] = ()) -> str:
    """The territory whose members answer first this week, taking turns so that no side always leads."""
    if not territories:
        raise ValueError("no territory")
    if not history:
        return territories[week_index % len(territories)]
    # Fewest openings first; then the one that opened longest ago (-1: never); then the given order.
    last_opened = {territory: -1 for territory in territories}
    for index, opener in enumerate(history):
        if opener in last_opened:
            last_opened[opener] = index
    return min(
        territories,
        key=lambda territory: (history.count(territory), last_opened[territory], territories.index(territory)),
    )


def _slot_instant(monday: date, zone: ZoneInfo, slot: WeeklySlot) -> datetime:
    wall = datetime.combine(monday + timedelta(days=slot.weekday), time(slot.hour, slot.minute))
    # fold=0, as RFC 5545 does: an ambiguous wall time (autumn) is its first occurrence, and one in the spring
    # gap is read with the offset before the gap, i.e. moved forward by the gap's length (02:30 -> 03:30).
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _require_aware(now_utc: datetime) -> datetime:
    if now_utc.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now_utc
