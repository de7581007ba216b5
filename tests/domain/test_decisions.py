"""Circle decisions without Telegram or a database: weighting, quorum, ties, changes of vote, the draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

from bot.domain.decisions import (
    ABSTAIN, ASSOCIATIONS, FARMERS, INSTITUTIONS, RESEARCH, Draft, FinishOptions, Outcome, PickCircle,
    PickDeadline, Problem, RemoveOption, Send, Step, ToggleFamilies, Voter, WriteText, apply, change_vote,
    count_votes, deadline_after, everyone_voted, family_of, latest_votes, quorum_for, reminder_due, reminder_time,
    sides_below_quorum, start,
)

SIDES = ["bretagne", "togo"]
A, B, C = 1, 2, 3


def circle(bretons: int, togolese: int, *, kinds: dict[int, str] | None = None) -> list[Voter]:
    """Members 1..bretons in Brittany, then the Togolese ones."""
    kinds = kinds or {}
    people = [Voter(i, "bretagne", kinds.get(i)) for i in range(1, bretons + 1)]
    people += [Voter(i, "togo", kinds.get(i)) for i in range(bretons + 1, bretons + togolese + 1)]
    return people


def test_six_breton_votes_for_a_and_two_togolese_for_b_are_a_tie_not_a_six_to_two_win():
    members = circle(8, 4)
    votes = {**{i: A for i in range(1, 7)}, 9: B, 10: B}
    result = count_votes(members, votes, 2, SIDES)
    assert result.outcome == Outcome.TIE and result.winners == (A, B)
    assert result.shares == (Fraction(1, 2), Fraction(1, 2))
    bretagne, togo = result.sides
    assert bretagne.shares == (1, 0) and togo.shares == (0, 1)
    # For transparency the head count is there too, and it would have said A.
    assert result.head_count == (6, 2) and result.head_count_winners == (A,)


def test_twelve_bretons_and_four_togolese_weigh_the_same():
    members = circle(12, 4)
    votes = {**{i: A for i in range(1, 13)}, 13: B, 14: B, 15: B, 16: A}
    result = count_votes(members, votes, 2, SIDES)
    # Brittany 100 % A; Togo 25 % A, 75 % B: A (62.5 %) carries, B (37.5 %).
    assert result.outcome == Outcome.CARRIED and result.winners == (A,)
    assert result.shares == (Fraction(5, 8), Fraction(3, 8))


def test_the_territories_average_can_disagree_with_the_head_count():
    members = circle(10, 3)
    votes = {**{i: A for i in range(1, 11)}, 11: B, 12: B, 13: C}
    result = count_votes(members, votes, 3, SIDES)
    assert result.head_count_winners == (A,)
    # A: (1 + 0) / 2 = 1/2; B: (0 + 2/3) / 2 = 1/3; C: 1/6. Here both agree on A; now Brittany splits.
    assert result.winners == (A,)
    votes.update({1: B, 2: B, 3: B, 4: B})
    result = count_votes(members, votes, 3, SIDES)
    assert result.head_count == (6, 6, 1)   # a head-count tie…
    # …but B carries: Brittany 60 % A, 40 % B; Togo 2/3 B, 1/3 C; so A 30 %, B 53 %, C 17 %.
    assert result.outcome == Outcome.CARRIED and result.winners == (B,)


def test_a_side_below_quorum_gives_no_decision():
    members = circle(6, 4)
    votes = {1: A, 2: A, 3: A, 7: B}  # Togo: 1 voter of the 2 it needs
    result = count_votes(members, votes, 2, SIDES)
    assert result.outcome == Outcome.NO_QUORUM and result.winners == ()
    assert result.missing_quorum == ("togo",)
    assert [s.reached_quorum for s in result.sides] == [True, False]


def test_the_quorum_is_two_voters_or_a_third_of_the_members_whichever_is_smaller():
    assert [quorum_for(n) for n in (1, 2, 3, 4, 6, 7, 30)] == [1, 1, 1, 2, 2, 2, 2]


def test_a_changed_vote_counts_once():
    votes = latest_votes([(1, A), (2, B), (1, B), (3, A), (1, A), (1, B)])
    assert votes == {1: B, 2: B, 3: A}
    result = count_votes(circle(3, 0), votes, 2, SIDES)
    assert result.head_count == (1, 2) and result.sides[0].voters == 3


def test_pressing_the_option_already_chosen_changes_nothing():
    assert change_vote(None, A).recorded and not change_vote(None, A).changed
    assert change_vote(A, B).recorded and change_vote(A, B).changed
    assert not change_vote(B, B).recorded


def test_abstaining_counts_for_the_quorum_but_not_in_the_shares():
    members = circle(3, 3)
    votes = {1: A, 2: ABSTAIN, 4: ABSTAIN, 5: B}
    result = count_votes(members, votes, 2, SIDES)
    bretagne, togo = result.sides
    assert (bretagne.voters, bretagne.abstained, bretagne.shares) == (2, 1, (1, 0))
    assert result.outcome == Outcome.TIE


def test_a_side_where_everyone_abstained_leaves_the_choice_to_the_others():
    members = circle(3, 3)
    result = count_votes(members, {1: B, 2: B, 4: ABSTAIN, 5: ABSTAIN}, 2, SIDES)
    assert result.outcome == Outcome.CARRIED and result.winners == (B,)
    assert result.shares == (0, 1)
    everyone_abstains = count_votes(members, {1: ABSTAIN, 4: ABSTAIN}, 2, SIDES)
    assert everyone_abstains.outcome == Outcome.NO_CHOICE and everyone_abstains.winners == ()


def test_a_territory_with_no_member_is_not_a_side():
    result = count_votes(circle(4, 0), {1: A, 2: A, 3: B}, 2, SIDES)
    assert [s.territory for s in result.sides] == ["bretagne"]
    assert result.outcome == Outcome.CARRIED and result.winners == (A,)
    assert count_votes([], {}, 2, SIDES).outcome == Outcome.NO_QUORUM


def test_a_member_who_left_or_erased_their_data_no_longer_counts():
    members = circle(3, 2)
    votes = {1: A, 2: A, 4: B, 5: B}
    assert count_votes(members, votes, 2, SIDES).outcome == Outcome.TIE
    # Member 2 left the circle (or /forget removed them): their vote is gone from the count.
    remaining = [m for m in members if m.member_id != 2]
    result = count_votes(remaining, votes, 2, SIDES)
    assert result.head_count == (1, 2) and result.sides[0].voters == 1
    # Votes from people who were never members, or for options that do not exist, are ignored.
    assert count_votes(members, {**votes, 99: A, 1: 7}, 2, SIDES).head_count == (1, 2)


def test_each_family_of_organisations_can_weigh_the_same_within_a_territory():
    kinds = {1: "farmers", 2: "cooperative", 3: "association", 4: "association", 5: "gie", 6: "farmers"}
    members = circle(4, 2, kinds=kinds)
    votes = {1: A, 2: B, 3: B, 4: B, 5: A, 6: B}
    plain = count_votes(members, votes, 2, SIDES)
    assert plain.sides[0].shares == (Fraction(1, 4), Fraction(3, 4))
    weighted = count_votes(members, votes, 2, SIDES, weigh_families=True)
    # Brittany: the farmers (1 voter, A) weigh as much as the associations and cooperatives (3 voters, B).
    assert weighted.sides[0].shares == (Fraction(1, 2), Fraction(1, 2))
    # Togo: both voters are farmers' organisations, one family: 50/50.
    assert weighted.sides[1].shares == (Fraction(1, 2), Fraction(1, 2))
    assert weighted.outcome == Outcome.TIE and weighted.weigh_families


def test_families_are_keyed_by_organisation_kind_and_unknown_kinds_join_the_associations():
    assert [family_of(k) for k in ("farmers", "producers_group", "gie")] == [FARMERS] * 3
    assert [family_of(k) for k in ("local_authority", "public_institution")] == [INSTITUTIONS] * 2
    assert family_of("university") == RESEARCH
    assert [family_of(k) for k in ("ngo", "mutual", "citizen", None, "", "something_new")] == [ASSOCIATIONS] * 6


def test_a_result_survives_its_json_form():
    result = count_votes(circle(8, 4), {**{i: A for i in range(1, 7)}, 9: B, 10: ABSTAIN}, 2, SIDES)
    assert type(result).from_json(result.to_json()) == result


def test_everyone_voted_and_the_sides_still_below_quorum():
    members = circle(2, 4)
    assert not everyone_voted(members, {1: A, 2: A})
    assert everyone_voted(members, {i: ABSTAIN for i in range(1, 7)})
    assert not everyone_voted([], {})
    assert sides_below_quorum(members, {1: A, 3: B}, SIDES) == ["togo"]
    assert sides_below_quorum(members, {1: A, 3: B, 4: B}, SIDES) == []


def test_the_quorum_reminder_comes_at_ten_local_time_a_full_day_before_the_deadline():
    deadline = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # Thursday 15:00 in Rennes, 14:00 in Lomé
    assert reminder_time(deadline, "Africa/Lome") == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    assert reminder_time(deadline, "Europe/Paris") == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    early = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 08:00 in Rennes: Wednesday 08:00 is too early, Tuesday then
    assert reminder_time(early, "Europe/Paris") == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    summer = datetime(2027, 6, 10, 14, 0, tzinfo=UTC)  # Paris at UTC+2
    assert reminder_time(summer, "Europe/Paris") == datetime(2027, 6, 9, 8, 0, tzinfo=UTC)
    at = reminder_time(deadline, "Africa/Lome")
    assert not reminder_due(at - timedelta(minutes=1), deadline, "Africa/Lome", already_sent=False)
    assert reminder_due(at, deadline, "Africa/Lome", already_sent=False)
    assert not reminder_due(at, deadline, "Africa/Lome", already_sent=True)
    assert not reminder_due(deadline, deadline, "Africa/Lome", already_sent=False)


def test_the_deadline_is_to_the_minute():
    now = datetime(2026, 11, 26, 9, 0, 37, 120, tzinfo=UTC)
    assert deadline_after(now, 7) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_the_draft_goes_through_its_steps_in_order():
    draft = start([4, 7])
    assert draft.step == Step.CIRCLE
    assert apply(draft, PickCircle(5), [4, 7]).problem == Problem.UNKNOWN_CIRCLE
    assert apply(draft, WriteText("too early"), [4, 7]).problem == Problem.WRONG_STEP
    draft = apply(draft, PickCircle(7), [4, 7]).draft
    draft = apply(draft, WriteText("  Which   day for the  assembly? "), [4, 7]).draft
    assert (draft.step, draft.question) == (Step.OPTIONS, "Which day for the assembly?")
    draft = apply(draft, WriteText("Monday")).draft
    assert apply(draft, FinishOptions()).problem == Problem.TOO_FEW_OPTIONS
    assert apply(draft, WriteText("monday")).problem == Problem.DUPLICATE
    draft = apply(apply(draft, WriteText("Tuesday")).draft, WriteText("Friday")).draft
    draft = apply(draft, RemoveOption(0)).draft
    assert draft.options == ("Tuesday", "Friday")
    assert apply(draft, RemoveOption(5)).problem == Problem.NO_SUCH_OPTION
    draft = apply(draft, FinishOptions()).draft
    assert draft.step == Step.DEADLINE and draft.deadline_days == 7
    assert apply(draft, PickDeadline(5)).problem == Problem.BAD_DEADLINE
    draft = apply(draft, PickDeadline(14)).draft
    assert apply(draft, Send()).draft.step == Step.SENT
    assert apply(apply(draft, ToggleFamilies()).draft, Send()).draft.weigh_families
    assert start([7]) == Draft(Step.QUESTION, 7)


def test_the_fifth_option_moves_on_and_long_texts_are_refused():
    draft = Draft(Step.OPTIONS, 1, "Q?")
    for option in "ABCD":
        draft = apply(draft, WriteText(option)).draft
    assert draft.step == Step.OPTIONS
    draft = apply(draft, WriteText("E")).draft
    assert draft.step == Step.DEADLINE and len(draft.options) == 5
    assert apply(Draft(Step.QUESTION, 1), WriteText("x" * 301)).problem == Problem.TOO_LONG
    assert apply(Draft(Step.OPTIONS, 1, "Q?"), WriteText("x" * 81)).problem == Problem.TOO_LONG
    assert apply(Draft(Step.QUESTION, 1), WriteText("   ")).problem == Problem.EMPTY


def test_every_organisation_kind_offered_today_has_its_family():
    from bot.domain.decisions import FAMILY_OF_KIND
    from bot.domain.profile import ORGANISATION_KINDS

    assert set(ORGANISATION_KINDS) <= set(FAMILY_OF_KIND)
