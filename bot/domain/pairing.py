"""Cross-border peer pairs for one circle cycle (default four weeks).

The active members are split into two sides: the most populous territory, and everyone else. Every
member of the smaller side anchors one group; each member of the larger side takes a seat in one of
those groups. Each anchor has two seats, so groups hold 2 or 3 people and always cross the border.
Seats are filled by a minimum-cost assignment (Hungarian algorithm) whose costs rank, in order:

1. everyone who can have a seat gets one, and every anchor gets a partner before any gets two;
2. no cross pair meets twice in a round (a round ends once every cross pair has met; groups from
   before the round's start only count for rule 4);
3. who waits (see below);
4. pairs whose directory cards meet in both directions (``preferred``: each can share something the
   other would like to learn) come before the others;
5. pairs that met fewer times, then longer ago, come first.

Paused members are left out entirely (neither grouped nor in ``unmatched``).

When the larger side has more than twice as many active members as the smaller one (e.g. 1 Togolese
and 5 Bretons), groups stay at 3 and the surplus is returned in ``Pairing.unmatched``: a call of
six around one person is not a peer conversation. Those who wait are the ones with the fewest peers
left to meet this round, then the ones seated most recently: waiting goes round, and the round ends
in as few cycles as the sizes allow (checked by the tests for the usual sizes, not proven).

With more than two territories the most populous one is paired against all the others together:
each group still crosses the border, but two members of the minor territories never form a pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import combinations

Pair = frozenset[int]


@dataclass(frozen=True)
class Participant:
    member_id: int
    territory: str
    paused: bool = False


@dataclass(frozen=True)
class Pairing:
    groups: list[frozenset[int]]
    unmatched: list[int]


def pair_up(
    participants: Sequence[Participant], history: Sequence[frozenset[int]], cycle_index: int,
    preferred: Set[Pair] = frozenset(),
) -> Pairing:
    """Form this cycle's cross-border groups from the circle's past groups (oldest first).

    `preferred` pairs (two-way matches of the directory) win over others, below the rules that keep pairing fair.
    """
    active = sorted((p for p in participants if not p.paused), key=lambda p: p.member_id)
    sides = _split(active)
    if sides is None:
        return Pairing(groups=[], unmatched=[p.member_id for p in active])
    small, large = sides
    possible = {frozenset((s, g)) for s in small for g in large}
    # Rotating the anchors' order only changes which of several equally good answers wins, so the
    # first cycles of a new circle do not always pair the oldest accounts together.
    shift = cycle_index % len(small)
    anchors = small[shift:] + small[:shift]
    seats = _assign_seats(anchors, large, history, possible, preferred)
    groups = [frozenset([a, *seats[a]]) for a in anchors if seats[a]]
    seated = {m for group in groups for m in group}
    return Pairing(
        groups=sorted(groups, key=sorted),
        unmatched=[p.member_id for p in active if p.member_id not in seated],
    )


def cross_pairs(group: Iterable[int], territory_of: Mapping[int, str]) -> set[Pair]:
    """The pairs inside a group whose members are both known and live in different territories."""
    known = [m for m in group if m in territory_of]
    return {frozenset(p) for p in combinations(known, 2) if territory_of[p[0]] != territory_of[p[1]]}


def _split(active: Sequence[Participant]) -> tuple[list[int], list[int]] | None:
    by_territory: dict[str, list[int]] = {}
    for p in active:
        by_territory.setdefault(p.territory, []).append(p.member_id)
    if len(by_territory) < 2:
        return None
    # Largest territory first; the name breaks ties so the split is deterministic.
    main = min(by_territory, key=lambda t: (-len(by_territory[t]), t))
    one = by_territory[main]
    rest = sorted(m for t, ids in by_territory.items() if t != main for m in ids)
    return (one, rest) if len(one) <= len(rest) else (rest, one)


def _current_round_start(history: Sequence[frozenset[int]], possible: set[Pair]) -> int:
    """Index of the first past group of the current round: the one after all possible pairs met."""
    start, met = 0, set[Pair]()
    for index, group in enumerate(history):
        met |= {frozenset(p) for p in combinations(group, 2)} & possible
        if met == possible:
            start, met = index + 1, set()
    return start


def _pair_costs(
    history: Sequence[frozenset[int]], possible: set[Pair]
) -> tuple[dict[Pair, int], set[Pair]]:
    """Per possible pair: a soft cost (times met, then how recently) and whether it met this round."""
    count = dict.fromkeys(possible, 0)
    last = dict.fromkeys(possible, -1)
    in_round: set[Pair] = set()
    round_start = _current_round_start(history, possible)
    for index, group in enumerate(history):
        for pair in {frozenset(p) for p in combinations(group, 2)} & possible:
            count[pair] += 1
            last[pair] = index
            if index >= round_start:
                in_round.add(pair)
    # count * span dominates the recency term (< span), so "met least" ranks before "longest ago".
    span = len(history) + 1
    return {p: count[p] * span + last[p] + 1 for p in possible}, in_round


def _last_seen(history: Sequence[frozenset[int]], members: Iterable[int]) -> dict[int, int]:
    seen = dict.fromkeys(members, -1)
    for index, group in enumerate(history):
        seen.update((m, index) for m in group if m in seen)
    return seen


def _assign_seats(
    anchors: list[int], large: list[int], history: Sequence[frozenset[int]], possible: set[Pair],
    preferred: Set[Pair] = frozenset(),
) -> dict[int, list[int]]:
    """Seat every member of the larger side with an anchor: first seats before second ones."""
    soft, in_round = _pair_costs(history, possible)
    # Tiers, each weight larger than any total of the tiers below it, so the assignment is
    # lexicographic (see the module docstring): seat whoever can be seated > first seats before
    # second ones > no repeat this round > who waits > two-way matches > pairs met least, then longest ago.
    # Python ints do not overflow, and _hungarian stays in ints, so the tiers stay exact.
    span, rows = len(history) + len(anchors) + 2, len(large) + 1
    not_preferred = rows * span * span            # above any total of soft costs (each < span * span)
    wait_unit = (rows + 1) * not_preferred        # above any total of soft and preference costs
    repeat = rows * span * span * wait_unit
    second_seat = rows * (repeat + span * span * wait_unit)
    columns = [(a, 0) for a in anchors] + [(a, 1) for a in anchors]
    surplus = max(0, len(large) - len(columns))  # beyond two per anchor, some wait a cycle
    seen = _last_seen(history, large)
    unmet = {m: sum(1 for a in anchors if frozenset((m, a)) not in in_round) for m in large}

    def seat_cost(member: int, anchor: int, seat: int) -> int:
        pair = frozenset((member, anchor))
        return (soft[pair] + (0 if pair in preferred else not_preferred) + (repeat if pair in in_round else 0)
                + seat * second_seat)

    def wait_cost(member: int) -> int:
        # Waiting costs more than any seat; more for who still has more peers to meet this round
        # (else they cannot all be met in the fewest cycles), then for who has waited longest.
        return 2 * rows * second_seat + (unmet[member] * span + span - seen[member]) * wait_unit

    matrix = [
        [seat_cost(m, a, seat) for a, seat in columns] + [wait_cost(m)] * surplus for m in large
    ]
    seats: dict[int, list[int]] = {a: [] for a in anchors}
    for member, column in zip(large, _hungarian(matrix)):
        if column < len(columns):
            seats[columns[column][0]].append(member)
    return seats


def _hungarian(cost: list[list[int]]) -> list[int]:
    """Minimum-cost assignment of each row to a distinct column (rows <= columns), O(n^2 m)."""
    rows, cols = len(cost), len(cost[0])
    inf = float("inf")
    u, v = [0] * (rows + 1), [0] * (cols + 1)
    owner, way = [0] * (cols + 1), [0] * (cols + 1)  # owner[j]: row holding column j (1-based)
    for row in range(1, rows + 1):
        owner[0], j0 = row, 0
        min_to, used = [inf] * (cols + 1), [False] * (cols + 1)
        while owner[j0]:
            used[j0], i0, delta, j1 = True, owner[j0], inf, 0
            for j in range(1, cols + 1):
                if not used[j]:
                    reduced = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if reduced < min_to[j]:
                        min_to[j], way[j] = reduced, j0
                    if min_to[j] < delta:
                        delta, j1 = min_to[j], j
            for j in range(cols + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    min_to[j] -= delta
            j0 = j1
        while j0:  # flip the augmenting path back to the root
            j1 = way[j0]
            owner[j0], j0 = owner[j1], j1
    assignment = [0] * rows
    for j in range(1, cols + 1):
        if owner[j]:
            assignment[owner[j] - 1] = j - 1
    return assignment
