"""Candidate call slots: local entry to UTC, validity, fairness across territories, votes, reminders.

All datetimes handed in or out are aware UTC, except the naive *local* wall time a member typed.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

FAIR_HOURS = (8, 20)
MIN_LEAD = timedelta(hours=1)
MAX_LEAD = timedelta(days=180)
DURATION_RANGE = (15, 180)  # minutes, inclusive
REMINDER_OFFSETS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


class NonexistentLocalTime(ValueError):
    """The wall time falls in a spring-forward gap and never happens in that zone."""


class SlotProblem(enum.Enum):
    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    BAD_DURATION = "bad_duration"


@dataclass(frozen=True)
class Slot:
    slot_id: int
    start_utc: datetime
    duration_minutes: int


def local_slot_to_utc(local: datetime, tz_name: str) -> datetime:
    """Convert a naive wall time in tz_name to aware UTC; in an autumn overlap the first one wins."""
    if local.tzinfo is not None:
        raise ValueError("local must be a naive wall time")
    # fold=0 picks the earlier instant of an ambiguous hour (still summer time in Paris), which is
    # what someone typing "02:30" the night the clocks go back most likely means.
    aware = local.replace(tzinfo=ZoneInfo(tz_name), fold=0)
    as_utc = aware.astimezone(UTC)
    # zoneinfo silently maps a time in the spring gap to a shifted instant; only the round trip
    # shows it, as the wall time read back differs from the one typed.
    if as_utc.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(f"{local:%Y-%m-%d %H:%M} does not exist in {tz_name}")
    return as_utc


def validate_slot(start_utc: datetime, now_utc: datetime, duration_minutes: int) -> list[SlotProblem]:
    """Every reason the slot cannot be proposed now; empty when it is fine."""
    _require_aware(start_utc, now_utc)
    problems = []
    if start_utc <= now_utc:
        problems.append(SlotProblem.IN_PAST)
    elif start_utc - now_utc < MIN_LEAD:
        problems.append(SlotProblem.TOO_SOON)
    elif start_utc - now_utc > MAX_LEAD:
        problems.append(SlotProblem.TOO_FAR)
    if not DURATION_RANGE[0] <= duration_minutes <= DURATION_RANGE[1]:
        problems.append(SlotProblem.BAD_DURATION)
    return problems


def minutes_outside_fair_hours(start_utc: datetime, duration_minutes: int, tz_name: str) -> int:
    """How many minutes of the call fall outside 08:00-20:00 wall time in tz_name."""
    _require_aware(start_utc)
    zone = ZoneInfo(tz_name)
    start = start_utc.astimezone(zone).replace(tzinfo=None)
    end = (start_utc + timedelta(minutes=duration_minutes)).astimezone(zone).replace(tzinfo=None)
    inside = timedelta()
    # A call is at most a few hours long, but may cross midnight: check each local day it touches.
    # Clock changes happen at night, outside the fair window, so wall-time arithmetic is exact here.
    day = start.date()
    while day <= end.date():
        window_start = datetime.combine(day, time(FAIR_HOURS[0]))
        window_end = datetime.combine(day, time(FAIR_HOURS[1]))
        inside += max(timedelta(), min(end, window_end) - max(start, window_start))
        day += timedelta(days=1)
    return max(0, duration_minutes - int(inside.total_seconds() // 60))


def unfair_territories(
    start_utc: datetime, duration_minutes: int, territory_zones: Mapping[str, str]
) -> tuple[str, ...]:
    """Territories (sorted) where any part of the call falls outside 08:00-20:00 local time."""
    return tuple(
        sorted(
            territory
            for territory, zone in territory_zones.items()
            if minutes_outside_fair_hours(start_utc, duration_minutes, zone) > 0
        )
    )


def fairness_score(
    start_utc: datetime, duration_minutes: int, territory_zones: Mapping[str, str]
) -> float:
    """Minus the total minutes outside fair hours, summed over territories: 0 is fair to all."""
    # A sum, not a maximum: 30 minutes early in Lomé plus 30 late in Rennes is worse than either.
    return -float(
        sum(minutes_outside_fair_hours(start_utc, duration_minutes, z) for z in territory_zones.values())
    )


def tally(votes: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Votes per slot_id from (member_id, slot_id) pairs; a member counts once per slot."""
    return dict(Counter(slot_id for _member, slot_id in set(votes)))


def pick_winner(
    slots: Sequence[Slot], votes: Iterable[tuple[int, int]], territory_zones: Mapping[str, str]
) -> Slot | None:
    """Most votes; then the fairest across territories; then the earliest. None without votes."""
    counts = tally(votes)
    voted = [s for s in slots if counts.get(s.slot_id, 0) > 0]  # votes for unknown slots ignored
    if not voted:
        return None
    return min(
        voted,
        key=lambda s: (
            -counts[s.slot_id],
            -fairness_score(s.start_utc, s.duration_minutes, territory_zones),
            s.start_utc,
            s.slot_id,
        ),
    )


def reminder_times(start_utc: datetime) -> tuple[tuple[str, datetime], ...]:
    """The reminders of a call, earliest first, as (kind, when) in UTC."""
    return tuple((kind, start_utc - offset) for kind, offset in REMINDER_OFFSETS)


def reminder_due(
    kind: str, at: datetime, start_utc: datetime, now_utc: datetime, already_sent: bool
) -> bool:
    """Whether to send this reminder now: its time has come, the call is ahead, not yet sent."""
    _require_aware(at, start_utc, now_utc)
    if already_sent or not at <= now_utc < start_utc:
        return False
    # After downtime a late "24h" reminder would arrive together with the "1h" one: let the later
    # reminder stand for both rather than send two messages about the same call at once.
    later = [when for k, when in reminder_times(start_utc) if when > at and k != kind]
    return not any(when <= now_utc for when in later)


def _require_aware(*moments: datetime) -> None:
    # Comparing naive and aware datetimes raises late and far away; fail at the boundary instead.
    if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
        raise ValueError("datetimes must be timezone-aware (UTC)")
