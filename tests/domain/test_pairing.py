from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.pairing import Pairing, Participant, cross_pairs, pair_up

SIZES = [(3, 4), (5, 5), (1, 4), (6, 2), (1, 5), (7, 3)]


def circle(togo: int, brittany: int, paused: frozenset[int] = frozenset()) -> list[Participant]:
    members = [Participant(i, "TG") for i in range(togo)]
    members += [Participant(100 + i, "BZH") for i in range(brittany)]
    return [Participant(p.member_id, p.territory, p.member_id in paused) for p in members]


def run_cycles(members: list[Participant], cycles: int) -> list[Pairing]:
    history: list[frozenset[int]] = []
    pairings = []
    for index in range(cycles):
        pairing = pair_up(members, history, index)
        pairings.append(pairing)
        history.extend(pairing.groups)
    return pairings


def all_cross_pairs(members: list[Participant]) -> set[frozenset[int]]:
    active = [p for p in members if not p.paused]
    return {
        frozenset((a.member_id, b.member_id))
        for a, b in product(active, active)
        if a.territory < b.territory
    }


def assert_no_repeat_before_round_complete(members: list[Participant], pairings: list[Pairing]) -> None:
    territory = {p.member_id: p.territory for p in members}
    possible, met = all_cross_pairs(members), set()
    for index, pairing in enumerate(pairings):
        pairs = set().union(*(cross_pairs(g, territory) for g in pairing.groups))
        if pairs & met:
            # A pair may only come back in the cycle that completes the round.
            assert met | pairs >= possible, f"cycle {index} repeats {pairs & met} early"
        met |= pairs
        if met >= possible:
            met = set()


@pytest.mark.parametrize(("togo", "brittany"), SIZES)
def test_no_pair_repeats_before_every_cross_pair_has_met(togo: int, brittany: int) -> None:
    members = circle(togo, brittany)
    assert_no_repeat_before_round_complete(members, run_cycles(members, 30))


@pytest.mark.parametrize(("togo", "brittany"), SIZES)
def test_every_cross_pair_meets_within_the_fewest_cycles_possible(togo: int, brittany: int) -> None:
    members = circle(togo, brittany)
    small, large = sorted((togo, brittany))
    # Each scarce member meets at most two peers a cycle; each of the others at most one.
    fewest = max(small, -(-large // 2))
    territory = {p.member_id: p.territory for p in members}
    met = set().union(
        *(cross_pairs(g, territory) for pairing in run_cycles(members, fewest) for g in pairing.groups)
    )
    assert met == all_cross_pairs(members)


@pytest.mark.parametrize(("togo", "brittany"), SIZES)
def test_every_group_crosses_the_border_and_holds_two_or_three(togo: int, brittany: int) -> None:
    members = circle(togo, brittany)
    territory = {p.member_id: p.territory for p in members}
    for pairing in run_cycles(members, 12):
        for group in pairing.groups:
            assert len({territory[m] for m in group}) == 2
            assert 2 <= len(group) <= 3


@pytest.mark.parametrize(("togo", "brittany"), [(3, 4), (5, 5), (1, 2), (6, 3), (2, 4)])
def test_nobody_waits_when_no_side_is_more_than_twice_the_other(togo: int, brittany: int) -> None:
    for pairing in run_cycles(circle(togo, brittany), 8):
        assert pairing.unmatched == []
        assert sum(len(g) for g in pairing.groups) == togo + brittany


def test_surplus_beyond_trios_waits_in_turn() -> None:
    pairings = run_cycles(circle(1, 5), 3)
    assert [len(p.unmatched) for p in pairings] == [3, 3, 3]
    assert [len(p.groups) for p in pairings] == [1, 1, 1]
    seated = [set(p.groups[0]) - {0} for p in pairings]
    assert seated[0].isdisjoint(seated[1])  # who waited in the first cycle is seated in the second
    assert set().union(*seated) == {100, 101, 102, 103, 104}


def test_paused_member_is_left_out_of_groups_and_unmatched() -> None:
    members = circle(3, 4, paused=frozenset({1, 102}))
    for pairing in run_cycles(members, 6):
        everyone = {m for g in pairing.groups for m in g} | set(pairing.unmatched)
        assert everyone == {0, 2, 100, 101, 103}


def test_same_input_gives_same_pairing() -> None:
    members = circle(4, 7)
    history = [g for p in run_cycles(members, 3) for g in p.groups]
    first = pair_up(members, history, 3)
    assert all(pair_up(list(members), list(history), 3) == first for _ in range(5))
    assert pair_up(list(reversed(members)), history, 3).groups == first.groups


def test_single_territory_forms_no_groups_and_leaves_everyone_unmatched() -> None:
    members = circle(0, 4) + [Participant(7, "TG", paused=True)]
    assert pair_up(members, [], 0) == Pairing(groups=[], unmatched=[100, 101, 102, 103])


def test_new_round_starts_with_pairs_met_longest_ago() -> None:
    members = circle(2, 2)
    history = [frozenset({0, 100}), frozenset({1, 101}), frozenset({0, 101}), frozenset({1, 100})]
    assert pair_up(members, history, 2).groups == [frozenset({0, 100}), frozenset({1, 101})]


def test_history_of_members_who_left_does_not_block_a_round() -> None:
    members = circle(2, 2)
    history = [frozenset({0, 100, 555}), frozenset({1, 101})]  # 555 has left the circle
    assert pair_up(members, history, 1).groups == [frozenset({0, 101}), frozenset({1, 100})]


@settings(max_examples=40, deadline=None)
@given(
    togo=st.integers(1, 7),
    brittany=st.integers(1, 9),
    paused=st.frozensets(st.sampled_from([0, 1, 100, 101]), max_size=2),
)
def test_rounds_hold_for_any_circle_size(togo: int, brittany: int, paused: frozenset[int]) -> None:
    members = circle(togo, brittany, paused)
    pairings = run_cycles(members, 16)
    assert_no_repeat_before_round_complete(members, pairings)
    active = {p.member_id for p in members if not p.paused}
    for pairing in pairings:
        assert {m for g in pairing.groups for m in g} | set(pairing.unmatched) == active


# Reciprocity (issue 12): two-way matches of the directory are preferred, below the fairness rules.

def test_a_two_way_match_is_preferred_over_the_default_draw() -> None:
    members = circle(2, 2)
    default = pair_up(members, [], 0)
    # Whatever the default draw, ask for the other arrangement: it must win.
    other = {frozenset({0, 101}), frozenset({1, 100})}
    if set(default.groups) == other:
        other = {frozenset({0, 100}), frozenset({1, 101})}
    assert set(pair_up(members, [], 0, preferred=other).groups) == other


def test_a_preferred_pair_does_not_repeat_within_a_round() -> None:
    members = circle(2, 2)
    preferred = {frozenset({0, 100})}
    first = pair_up(members, [], 0, preferred=preferred)
    assert frozenset({0, 100}) in first.groups
    second = pair_up(members, first.groups, 1, preferred=preferred)
    assert frozenset({0, 100}) not in second.groups and frozenset({0, 101}) in second.groups


@pytest.mark.parametrize(("togo", "brittany"), SIZES)
def test_preferences_keep_every_rule_of_pairing(togo: int, brittany: int) -> None:
    members = circle(togo, brittany, paused=frozenset({101}))
    preferred = {frozenset({0, 100 + i}) for i in range(brittany)} | {frozenset({togo - 1, 102})}
    history: list[frozenset[int]] = []
    pairings = []
    for index in range(20):
        pairing = pair_up(members, history, index, preferred=preferred)
        pairings.append(pairing)
        history.extend(pairing.groups)
        assert 101 not in {m for g in pairing.groups for m in g} | set(pairing.unmatched)  # paused: left out
        small = min(togo, brittany - 1 if brittany > 0 else 0)
        assert all(2 <= len(g) <= 3 for g in pairing.groups)
        assert len(pairing.groups) == small or not small
    assert_no_repeat_before_round_complete([p for p in members if not p.paused], pairings)


def test_a_trio_still_forms_when_the_sides_are_unequal_and_takes_the_two_way_match() -> None:
    members = circle(1, 2)
    pairing = pair_up(members, [], 0, preferred={frozenset({0, 101})})
    assert pairing.groups == [frozenset({0, 100, 101})]
