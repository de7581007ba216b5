"""Circle decisions: the rules of a vote where each territory weighs the same, and the /decide draft.

Pure: callers pass the circle's current members, the votes and `now`; nothing here reads a clock, a database or
Telegram. Numbers are exact fractions, so that a tie is a tie (6 Breton votes for A and 2 Togolese votes for B
give A and B exactly one half each) and never a rounding accident.

How the result is computed (the README says the same in plain words):

1. Only the votes of people who are members of the circle when the vote closes count (someone who left the
   circle or erased their data is no longer counted). One person, one vote: the last choice they made.
2. Each territory that has members in the circle is a *side*. A side reaches its quorum when at least
   ``min(2, ceil(members / 3))`` of its members voted; abstaining counts as taking part.
3. Within a side, each option's share is the number of its votes divided by the side's voters who chose an
   option (abstentions are left out). With the per-decision option "each family of organisations weighs the
   same", the share is first computed within each family of organisation kinds, and the families that chose
   are averaged.
4. The sides' shares are averaged (sides where everyone abstained leave the choice to the others). The option
   with the largest average share is carried; equal largest shares are a tie, said as such.
5. A side below its quorum means no decision, whatever the shares say. The plain head count is computed too,
   for transparency, and never decides.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

ABSTAIN = 0  # a vote's choice: 0 abstains, 1..n chooses option n
MIN_OPTIONS, MAX_OPTIONS = 2, 5
MAX_QUESTION_LENGTH = 300
MAX_OPTION_LENGTH = 80
DEADLINE_DAYS = (3, 7, 14)
DEFAULT_DEADLINE_DAYS = 7
EXTENSION_DAYS = 3
QUORUM_VOTERS = 2
QUORUM_SHARE = Fraction(1, 3)
# A side below quorum is reminded at this local hour, on the last day that leaves it a full day to vote.
REMINDER_HOUR = 10

# Families of organisation kinds (bot/domain/profile.py ORGANISATION_KINDS keys), as the RIAA groups them.
FARMERS, ASSOCIATIONS, INSTITUTIONS, RESEARCH = "farmers", "associations", "institutions", "research"
FAMILIES = (FARMERS, ASSOCIATIONS, INSTITUTIONS, RESEARCH)
FAMILY_OF_KIND: Mapping[str, str] = {
    "farmers": FARMERS, "producers_group": FARMERS, "gie": FARMERS,
    "association": ASSOCIATIONS, "cooperative": ASSOCIATIONS, "ngo": ASSOCIATIONS, "ess_company": ASSOCIATIONS,
    "mutual": ASSOCIATIONS, "citizen": ASSOCIATIONS,
    "local_authority": INSTITUTIONS, "public_institution": INSTITUTIONS,
    "university": RESEARCH,
}


def family_of(kind: str | None) -> str:
    """The family of an organisation kind.

    A missing or unknown kind (a member who skipped the question, a kind added later and not mapped here) counts
    with the associations and cooperatives, the largest and most general family: such a voter still weighs.
    """
    return FAMILY_OF_KIND.get(kind or "", ASSOCIATIONS)


def quorum_for(members: int) -> int:
    """Voters a side needs: at least 2, or a third of its members when that is fewer (rounded up)."""
    return min(QUORUM_VOTERS, math.ceil(members * QUORUM_SHARE))


# The vote ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Voter:
    """A member of the circle when the votes are counted."""

    member_id: int
    territory: str | None
    kind: str | None = None


class Outcome(StrEnum):
    CARRIED = "carried"        # one option has the largest average share
    TIE = "tie"                # several options share the largest average share
    NO_QUORUM = "no_quorum"    # at least one side did not reach its quorum
    NO_CHOICE = "no_choice"    # quorum everywhere, but every voter abstained


@dataclass(frozen=True)
class Side:
    """One territory's part of the result."""

    territory: str
    members: int
    voters: int
    abstained: int
    quorum: int
    shares: tuple[Fraction, ...]   # per option; they add up to 1 when anyone chose an option, else all 0

    @property
    def reached_quorum(self) -> bool:
        return self.voters >= self.quorum

    @property
    def chose(self) -> bool:
        return self.voters > self.abstained


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    winners: tuple[int, ...]          # option numbers (1-based): one when carried, several on a tie
    shares: tuple[Fraction, ...]      # the sides' average, per option
    sides: tuple[Side, ...]           # territories with members in the circle, in the given order
    head_count: tuple[int, ...]       # plain votes per option, for transparency
    weigh_families: bool = False

    @property
    def missing_quorum(self) -> tuple[str, ...]:
        return tuple(s.territory for s in self.sides if not s.reached_quorum)

    @property
    def head_count_winners(self) -> tuple[int, ...]:
        top = max(self.head_count, default=0)
        return tuple(i + 1 for i, n in enumerate(self.head_count) if top and n == top)

    @property
    def voters(self) -> int:
        return sum(s.voters for s in self.sides)

    def to_json(self) -> dict:
        """A plain JSON form, stored when the vote closes (fractions as "n/d")."""
        return {"outcome": self.outcome.value, "winners": list(self.winners),
                "shares": [str(s) for s in self.shares], "head_count": list(self.head_count),
                "weigh_families": self.weigh_families,
                "sides": [{"territory": s.territory, "members": s.members, "voters": s.voters,
                           "abstained": s.abstained, "quorum": s.quorum, "shares": [str(x) for x in s.shares]}
                          for s in self.sides]}

    @classmethod
    def from_json(cls, data: Mapping) -> Result:
        return cls(Outcome(data["outcome"]), tuple(data["winners"]), tuple(Fraction(s) for s in data["shares"]),
                   tuple(Side(s["territory"], s["members"], s["voters"], s["abstained"], s["quorum"],
                              tuple(Fraction(x) for x in s["shares"])) for s in data["sides"]),
                   tuple(data["head_count"]), bool(data.get("weigh_families", False)))


def latest_votes(events: Iterable[tuple[int, int]]) -> dict[int, int]:
    """(member, choice) events in the order they were cast -> each member's last choice: one person, one vote."""
    votes: dict[int, int] = {}
    for member_id, choice in events:
        votes[member_id] = choice
    return votes


def _shares(choices: Sequence[int], options: int) -> tuple[Fraction, ...]:
    """Each option's share among the choices that are not abstentions (all zero when there is none)."""
    chosen = [c for c in choices if c != ABSTAIN]
    if not chosen:
        return tuple(Fraction(0) for _ in range(options))
    return tuple(Fraction(chosen.count(n), len(chosen)) for n in range(1, options + 1))


def _average(parts: Sequence[tuple[Fraction, ...]], options: int) -> tuple[Fraction, ...]:
    if not parts:
        return tuple(Fraction(0) for _ in range(options))
    return tuple(sum((p[i] for p in parts), Fraction(0)) / len(parts) for i in range(options))


def _side_shares(ballots: Sequence[tuple[Voter, int]], options: int, weigh_families: bool) -> tuple[Fraction, ...]:
    if not weigh_families:
        return _shares([choice for _, choice in ballots], options)
    by_family: dict[str, list[int]] = {}
    for voter, choice in ballots:
        by_family.setdefault(family_of(voter.kind), []).append(choice)
    # Families whose voters all abstained leave the choice to the others, as sides do.
    chosen = [_shares(choices, options) for choices in by_family.values() if any(c != ABSTAIN for c in choices)]
    return _average(chosen, options)


def count_votes(members: Iterable[Voter], votes: Mapping[int, int], options: int, territories: Sequence[str], *,
                weigh_families: bool = False) -> Result:
    """The result of a decision: each territory weighs the same, quorum on every side (see the module's rules)."""
    if options < 1:
        raise ValueError("a decision has options")
    voters_by_side: dict[str, list[Voter]] = {}
    for voter in members:
        if voter.territory in territories:
            voters_by_side.setdefault(voter.territory, []).append(voter)
    sides = []
    head_count = [0] * options
    for territory in territories:
        people = voters_by_side.get(territory, [])
        if not people:
            continue  # a territory without members in the circle is not a side of its decisions
        ballots = [(v, votes[v.member_id]) for v in people
                   if v.member_id in votes and 0 <= votes[v.member_id] <= options]
        for _, choice in ballots:
            if choice != ABSTAIN:
                head_count[choice - 1] += 1
        sides.append(Side(territory, len(people), len(ballots), sum(1 for _, c in ballots if c == ABSTAIN),
                          quorum_for(len(people)), _side_shares(ballots, options, weigh_families)))
    shares = _average([s.shares for s in sides if s.chose], options)
    top = max(shares)
    leaders = tuple(i + 1 for i, share in enumerate(shares) if top > 0 and share == top)
    if not sides or any(not s.reached_quorum for s in sides):
        outcome, winners = Outcome.NO_QUORUM, ()
    elif not leaders:
        outcome, winners = Outcome.NO_CHOICE, ()
    elif len(leaders) > 1:
        outcome, winners = Outcome.TIE, leaders
    else:
        outcome, winners = Outcome.CARRIED, leaders
    return Result(outcome, winners, shares, tuple(sides), tuple(head_count), weigh_families)


def everyone_voted(members: Iterable[Voter], votes: Mapping[int, int]) -> bool:
    """Whether every member of the circle has voted (then the vote closes before its deadline)."""
    people = list(members)
    return bool(people) and all(v.member_id in votes for v in people)


def sides_below_quorum(members: Iterable[Voter], votes: Mapping[int, int], territories: Sequence[str]) -> list[str]:
    """The territories whose members have not yet reached their quorum (the ones to remind)."""
    members_by_side: dict[str, list[int]] = {}
    for voter in members:
        if voter.territory in territories:
            members_by_side.setdefault(voter.territory, []).append(voter.member_id)
    return [t for t in territories if t in members_by_side
            and sum(1 for m in members_by_side[t] if m in votes) < quorum_for(len(members_by_side[t]))]


def reminder_time(deadline: datetime, zone: str) -> datetime:
    """When a side below quorum is reminded: REMINDER_HOUR local time, on the last day a full day before the
    deadline (a deadline Thursday 15:00 is reminded Wednesday 10:00; Thursday 08:00, Tuesday 10:00)."""
    latest = (deadline - timedelta(days=1)).astimezone(ZoneInfo(zone))
    day: date = latest.date() if latest.time() >= time(REMINDER_HOUR) else latest.date() - timedelta(days=1)
    return datetime.combine(day, time(REMINDER_HOUR), tzinfo=ZoneInfo(zone))


def reminder_due(now: datetime, deadline: datetime, zone: str, *, already_sent: bool) -> bool:
    """A side's reminder is due from its time until the deadline, once (a missed one still goes after a restart)."""
    return not already_sent and reminder_time(deadline, zone) <= now < deadline


def deadline_after(now: datetime, days: int) -> datetime:
    """The deadline of a decision proposed now, to the minute."""
    return (now + timedelta(days=days)).replace(second=0, microsecond=0)


# The /decide draft ---------------------------------------------------------------------------------------------

class Step(StrEnum):
    CIRCLE = "circle"
    QUESTION = "question"
    OPTIONS = "options"
    DEADLINE = "deadline"
    CONFIRM = "confirm"
    SENT = "sent"


TEXT_STEPS = (Step.QUESTION, Step.OPTIONS)


class Problem(StrEnum):
    WRONG_STEP = "wrong_step"
    UNKNOWN_CIRCLE = "unknown_circle"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    DUPLICATE = "duplicate"
    TOO_FEW_OPTIONS = "too_few_options"
    TOO_MANY_OPTIONS = "too_many_options"
    BAD_DEADLINE = "bad_deadline"
    NO_SUCH_OPTION = "no_such_option"


@dataclass(frozen=True)
class Draft:
    """A question being written with /decide, step by step (stored, so that it survives restarts)."""

    step: Step = Step.CIRCLE
    circle_id: int | None = None
    question: str | None = None
    options: tuple[str, ...] = ()
    deadline_days: int = DEFAULT_DEADLINE_DAYS
    weigh_families: bool = False


@dataclass(frozen=True)
class PickCircle:
    circle_id: int


@dataclass(frozen=True)
class WriteText:
    text: str


@dataclass(frozen=True)
class RemoveOption:
    index: int  # 0-based


@dataclass(frozen=True)
class FinishOptions:
    pass


@dataclass(frozen=True)
class PickDeadline:
    days: int


@dataclass(frozen=True)
class ToggleFamilies:
    pass


@dataclass(frozen=True)
class Send:
    pass


Event = PickCircle | WriteText | RemoveOption | FinishOptions | PickDeadline | ToggleFamilies | Send


@dataclass(frozen=True)
class Applied:
    draft: Draft
    problem: Problem | None = None


def start(circle_ids: Sequence[int]) -> Draft:
    """A new draft: the circle is chosen already when the member is in only one."""
    if len(circle_ids) == 1:
        return Draft(Step.QUESTION, circle_ids[0])
    return Draft()


def _clean(text: str) -> str:
    return " ".join(text.split())


def apply(draft: Draft, event: Event, circle_ids: Sequence[int] = ()) -> Applied:
    """The draft after one event, or the same draft and the problem when the event does not fit."""
    refused = Applied(draft, Problem.WRONG_STEP)
    match event:
        case PickCircle(circle_id):
            if draft.step not in (Step.CIRCLE, Step.QUESTION):
                return refused
            if circle_id not in circle_ids:
                return Applied(draft, Problem.UNKNOWN_CIRCLE)
            return Applied(replace(draft, step=Step.QUESTION, circle_id=circle_id))
        case WriteText(text) if draft.step == Step.QUESTION:
            question = _clean(text)
            if not question:
                return Applied(draft, Problem.EMPTY)
            if len(question) > MAX_QUESTION_LENGTH:
                return Applied(draft, Problem.TOO_LONG)
            return Applied(replace(draft, step=Step.OPTIONS, question=question))
        case WriteText(text) if draft.step == Step.OPTIONS:
            return _add_option(draft, _clean(text))
        case RemoveOption(index) if draft.step == Step.OPTIONS:
            if not 0 <= index < len(draft.options):
                return Applied(draft, Problem.NO_SUCH_OPTION)
            return Applied(replace(draft, options=draft.options[:index] + draft.options[index + 1:]))
        case FinishOptions() if draft.step == Step.OPTIONS:
            if len(draft.options) < MIN_OPTIONS:
                return Applied(draft, Problem.TOO_FEW_OPTIONS)
            return Applied(replace(draft, step=Step.DEADLINE))
        case PickDeadline(days) if draft.step in (Step.DEADLINE, Step.CONFIRM):
            if days not in DEADLINE_DAYS:
                return Applied(draft, Problem.BAD_DEADLINE)
            return Applied(replace(draft, step=Step.CONFIRM, deadline_days=days))
        case ToggleFamilies() if draft.step == Step.CONFIRM:
            return Applied(replace(draft, weigh_families=not draft.weigh_families))
        case Send() if draft.step == Step.CONFIRM:
            return Applied(replace(draft, step=Step.SENT))
    return refused


def _add_option(draft: Draft, option: str) -> Applied:
    if not option:
        return Applied(draft, Problem.EMPTY)
    if len(option) > MAX_OPTION_LENGTH:
        return Applied(draft, Problem.TOO_LONG)
    if len(draft.options) >= MAX_OPTIONS:
        return Applied(draft, Problem.TOO_MANY_OPTIONS)
    if option.casefold() in {o.casefold() for o in draft.options}:
        return Applied(draft, Problem.DUPLICATE)
    options = (*draft.options, option)
    # The fifth option is the last one possible: go straight on to the deadline.
    return Applied(replace(draft, options=options, step=Step.DEADLINE if len(options) == MAX_OPTIONS else Step.OPTIONS))


@dataclass(frozen=True)
class VoteChange:
    """What a press on a ballot does to the member's vote."""

    recorded: bool      # the choice was stored (new or changed)
    changed: bool       # the member had another choice before
    previous: int | None = field(default=None)


def change_vote(previous: int | None, choice: int) -> VoteChange:
    """Pressing the option already chosen changes nothing; another option replaces the vote."""
    if previous == choice:
        return VoteChange(False, False, previous)
    return VoteChange(True, previous is not None, previous)
