"""A circle's reciprocity over the last weeks: who answered, who proposed and held calls, who opened, and which
side the next prompts should invite to open.

Pure rules: callers pass facts read from storage and `now`; nothing here reads a clock or a database.
The reading exists because an exchange between equals drifts easily into one side speaking and the other
listening; saying it plainly, with numbers, lets facilitators rebalance it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.weekly import iso_week_key

REPORT_WEEKS = 8
# The quieter side is "quiet" when it answered less than this share of the other side's replies, and the gap is
# more than a couple of replies (one busy week should not turn a young circle's report into a warning).
BALANCE_SHARE = 2 / 3
MIN_GAP = 3


@dataclass(frozen=True)
class ReplyFact:
    week_key: str
    territory: str
    member_id: int | None


@dataclass(frozen=True)
class CallFact:
    territory: str | None      # the proposer's side (None once the proposer erased their data)
    held: bool


@dataclass(frozen=True)
class DecisionFact:
    """A question put to the circle (issue 12): who proposed it, and once closed, how many voted on each side."""

    territory: str | None               # the proposer's side
    voters: dict[str, int]              # per territory, once closed (empty while open)
    members: dict[str, int]             # per territory, members who could vote when it closed


@dataclass(frozen=True)
class TerritoryActivity:
    territory: str
    members: int
    active_members: int
    replies: int
    calls_proposed: int
    calls_held: int
    has_facilitator: bool
    decisions_proposed: int = 0
    decision_votes: int = 0             # votes cast on the closed decisions
    decision_seats: int = 0             # votes that could have been cast on them (members at each close)

    @property
    def decision_participation(self) -> float | None:
        """Share of the possible votes cast on the closed decisions; None when there was none to vote on."""
        return self.decision_votes / self.decision_seats if self.decision_seats else None


@dataclass(frozen=True)
class WeekActivity:
    week_key: str
    opener: str | None
    replies: dict[str, int]


@dataclass(frozen=True)
class Reading:
    """Which side should open the next prompts: `quieter` when the balance tips, None when it holds."""

    counts: tuple[tuple[str, int], ...]   # (territory, replies), most replies first
    quieter: str | None

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)


@dataclass(frozen=True)
class CircleReport:
    weeks: tuple[WeekActivity, ...]
    territories: tuple[TerritoryActivity, ...]
    reading: Reading


def report_weeks(now: datetime, count: int = REPORT_WEEKS) -> list[str]:
    """The ISO week keys of the last `count` weeks, the current one last (weeks in UTC)."""
    return [iso_week_key(now - timedelta(weeks=back)) for back in range(count - 1, -1, -1)]


def window_start(now: datetime, count: int = REPORT_WEEKS) -> datetime:
    """Monday 00:00 UTC of the first week of the report."""
    first = now - timedelta(weeks=count - 1)
    monday = first - timedelta(days=first.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def read_balance(replies_by_territory: dict[str, int], territories: Sequence[str]) -> Reading:
    """Compare the sides' replies; the quieter side is named when it answered clearly less."""
    counts = tuple(sorted(((t, replies_by_territory.get(t, 0)) for t in territories),
                          key=lambda item: (-item[1], territories.index(item[0]))))
    if len(counts) < 2:
        return Reading(counts, None)
    (_, most), (quietest, least) = counts[0], counts[-1]
    if most - least < MIN_GAP or least >= BALANCE_SHARE * most:
        return Reading(counts, None)
    return Reading(counts, quietest)


def summarise(
    *, territories: Sequence[str], weeks: Sequence[str], members_by_territory: dict[str, int],
    replies: Iterable[ReplyFact], openers: dict[str, str], calls: Iterable[CallFact],
    facilitated: Iterable[str] = (), decisions: Iterable[DecisionFact] = (),
) -> CircleReport:
    """Per-territory counts over the given weeks, the opener of each week, and the reading."""
    wanted = set(weeks)
    in_window = [r for r in replies if r.week_key in wanted and r.territory in territories]
    calls = list(calls)
    decisions = list(decisions)
    covered = set(facilitated)
    per_territory = tuple(
        TerritoryActivity(
            territory=code,
            members=members_by_territory.get(code, 0),
            active_members=len({r.member_id for r in in_window if r.territory == code and r.member_id is not None}),
            replies=sum(1 for r in in_window if r.territory == code),
            calls_proposed=sum(1 for c in calls if c.territory == code),
            calls_held=sum(1 for c in calls if c.territory == code and c.held),
            has_facilitator=code in covered,
            decisions_proposed=sum(1 for d in decisions if d.territory == code),
            decision_votes=sum(d.voters.get(code, 0) for d in decisions),
            decision_seats=sum(d.members.get(code, 0) for d in decisions),
        )
        for code in territories)
    per_week = tuple(
        WeekActivity(week, openers.get(week),
                     {code: sum(1 for r in in_window if r.week_key == week and r.territory == code)
                      for code in territories})
        for week in weeks)
    reading = read_balance({t.territory: t.replies for t in per_territory}, list(territories))
    return CircleReport(per_week, per_territory, reading)


def bar(value: int, largest: int, width: int = 10) -> str:
    """A text bar proportional to value (at least one block for any non-zero value)."""
    if largest <= 0 or value <= 0:
        return "·"
    return "█" * max(1, round(width * value / largest))


def call_held(status: str, ends_at: datetime | None, now: datetime, someone_said_yes: bool,
              someone_said_no: bool) -> bool:
    """A confirmed call that has ended took place, unless its follow-ups only ever said it did not."""
    if status != "confirmed" or ends_at is None or ends_at > now:
        return False
    return someone_said_yes or not someone_said_no
