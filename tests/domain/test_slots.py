from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.slots import (
    FAIR_HOURS,
    NonexistentLocalTime,
    Slot,
    SlotProblem,
    fairness_score,
    local_slot_to_utc,
    pick_winner,
    reminder_due,
    reminder_times,
    tally,
    unfair_territories,
    validate_slot,
)

ZONES = {"BZH": "Europe/Paris", "TG": "Africa/Lome"}
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Local time to UTC


@pytest.mark.parametrize(
    "local", [datetime(2027, 3, 28, 2, 30), datetime(2026, 3, 29, 2, 0), datetime(2026, 3, 29, 2, 59)]
)
def test_time_in_spring_gap_is_refused(local: datetime) -> None:
    with pytest.raises(NonexistentLocalTime):
        local_slot_to_utc(local, "Europe/Paris")


def test_spring_gap_in_paris_is_an_ordinary_time_in_lome() -> None:
    assert local_slot_to_utc(datetime(2027, 3, 28, 2, 30), "Africa/Lome") == utc(2027, 3, 28, 2, 30)


def test_hours_around_the_spring_gap_are_accepted() -> None:
    assert local_slot_to_utc(datetime(2027, 3, 28, 1, 59), "Europe/Paris") == utc(2027, 3, 28, 0, 59)
    assert local_slot_to_utc(datetime(2027, 3, 28, 3, 0), "Europe/Paris") == utc(2027, 3, 28, 1, 0)


def test_ambiguous_autumn_hour_resolves_to_its_first_occurrence() -> None:
    # 2026-10-25 02:30 happens twice in Paris: first in summer time (UTC+2), then in winter time.
    assert local_slot_to_utc(datetime(2026, 10, 25, 2, 30), "Europe/Paris") == utc(2026, 10, 25, 0, 30)


def test_rennes_15h_in_winter_is_14h_utc_and_14h_in_lome() -> None:
    start = local_slot_to_utc(datetime(2026, 12, 3, 15, 0), "Europe/Paris")
    assert start == utc(2026, 12, 3, 14, 0)
    assert local_slot_to_utc(datetime(2026, 12, 3, 14, 0), "Africa/Lome") == start


def test_rennes_15h_in_summer_is_13h_utc() -> None:
    assert local_slot_to_utc(datetime(2026, 6, 4, 15, 0), "Europe/Paris") == utc(2026, 6, 4, 13, 0)


def test_aware_local_time_is_rejected() -> None:
    with pytest.raises(ValueError):
        local_slot_to_utc(utc(2026, 12, 3, 15, 0), "Europe/Paris")


# Validation


def test_slot_an_hour_or_more_ahead_with_usual_duration_is_valid() -> None:
    assert validate_slot(NOW + timedelta(hours=1), NOW, 60) == []
    assert validate_slot(NOW + timedelta(days=180), NOW, 15) == []
    assert validate_slot(NOW + timedelta(days=3), NOW, 180) == []


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        (NOW, SlotProblem.IN_PAST),
        (NOW - timedelta(minutes=1), SlotProblem.IN_PAST),
        (NOW + timedelta(minutes=59), SlotProblem.TOO_SOON),
        (NOW + timedelta(days=180, minutes=1), SlotProblem.TOO_FAR),
    ],
)
def test_slot_outside_the_allowed_window_is_flagged(start: datetime, problem: SlotProblem) -> None:
    assert validate_slot(start, NOW, 60) == [problem]


@pytest.mark.parametrize("duration", [0, 14, 181, -30])
def test_duration_outside_15_to_180_minutes_is_flagged(duration: int) -> None:
    assert validate_slot(NOW + timedelta(days=1), NOW, duration) == [SlotProblem.BAD_DURATION]


def test_validation_reports_every_problem_at_once() -> None:
    assert validate_slot(NOW - timedelta(days=1), NOW, 5) == [
        SlotProblem.IN_PAST,
        SlotProblem.BAD_DURATION,
    ]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        validate_slot(datetime(2026, 12, 3, 14, 0), NOW, 60)


# Fairness


def test_fair_window_is_eight_to_twenty() -> None:
    assert FAIR_HOURS == (8, 20)


def test_call_at_0730_in_lome_is_unfair_to_togo_only() -> None:
    start = local_slot_to_utc(datetime(2026, 12, 3, 7, 30), "Africa/Lome")  # 08:30 in Rennes
    assert unfair_territories(start, 60, ZONES) == ("TG",)


def test_call_at_21h_in_rennes_is_unfair_to_brittany_only() -> None:
    start = local_slot_to_utc(datetime(2026, 6, 4, 21, 0), "Europe/Paris")  # 19:00 in Lomé
    assert unfair_territories(start, 60, ZONES) == ("BZH",)


def test_call_at_21h_in_rennes_in_winter_is_unfair_to_both() -> None:
    start = local_slot_to_utc(datetime(2026, 12, 3, 21, 0), "Europe/Paris")  # 20:00 in Lomé
    assert unfair_territories(start, 60, ZONES) == ("BZH", "TG")


def test_call_ending_at_20h_sharp_is_fair() -> None:
    start = local_slot_to_utc(datetime(2026, 12, 3, 19, 0), "Africa/Lome")  # 20:00 in Rennes
    assert unfair_territories(start, 60, {"TG": "Africa/Lome"}) == ()
    assert unfair_territories(start, 61, {"TG": "Africa/Lome"}) == ("TG",)


def test_fairness_score_is_zero_when_fair_and_minus_minutes_outside_otherwise() -> None:
    assert fairness_score(utc(2026, 12, 3, 14, 0), 60, ZONES) == 0
    # 07:30-08:30 in Lomé is 30 minutes early; 08:30-09:30 in Rennes is fine.
    assert fairness_score(utc(2026, 12, 3, 7, 30), 60, ZONES) == -30
    # 19:30-20:30 in Lomé and 20:30-21:30 in Rennes: 30 + 60 minutes late.
    assert fairness_score(utc(2026, 12, 3, 19, 30), 60, ZONES) == -90


def test_call_crossing_midnight_counts_every_minute_outside() -> None:
    assert fairness_score(utc(2026, 12, 3, 23, 30), 60, {"TG": "Africa/Lome"}) == -60


# Votes


SLOT_A = Slot(1, utc(2026, 12, 3, 14, 0), 60)  # 15:00 Rennes, 14:00 Lomé: fair to both
SLOT_B = Slot(2, utc(2026, 12, 2, 7, 0), 60)  # 08:00 Rennes, 07:00 Lomé: early in Togo
SLOT_C = Slot(3, utc(2026, 12, 4, 10, 0), 60)  # fair to both, later than A


def test_tally_counts_one_vote_per_member_per_slot() -> None:
    votes = [(10, 1), (10, 1), (10, 1), (11, 1), (10, 2)]
    assert tally(votes) == {1: 2, 2: 1}


def test_most_voted_slot_wins() -> None:
    assert pick_winner([SLOT_A, SLOT_B], [(10, 2), (11, 2), (12, 1)], ZONES) == SLOT_B


def test_repeated_votes_do_not_outweigh_other_members() -> None:
    votes = [(10, 2), (10, 2), (10, 2), (11, 1), (12, 1)]
    assert pick_winner([SLOT_A, SLOT_B], votes, ZONES) == SLOT_A


def test_tie_goes_to_the_slot_fairest_across_territories() -> None:
    assert pick_winner([SLOT_B, SLOT_C], [(10, 2), (11, 3)], ZONES) == SLOT_C


def test_tie_between_equally_fair_slots_goes_to_the_earliest() -> None:
    assert pick_winner([SLOT_C, SLOT_A], [(10, 3), (11, 1)], ZONES) == SLOT_A


def test_no_votes_means_no_winner() -> None:
    assert pick_winner([SLOT_A, SLOT_B], [], ZONES) is None
    assert pick_winner([SLOT_A], [(10, 99)], ZONES) is None  # a vote for an unknown slot


# Reminders


START = utc(2026, 12, 3, 14, 0)


def test_reminders_are_24h_and_1h_before_the_call() -> None:
    assert reminder_times(START) == (("24h", utc(2026, 12, 2, 14, 0)), ("1h", utc(2026, 12, 3, 13, 0)))


def test_reminder_is_not_due_before_its_time() -> None:
    assert not reminder_due("1h", START - timedelta(hours=1), START, START - timedelta(hours=2), False)


def test_reminder_is_due_at_its_time() -> None:
    for kind, at in reminder_times(START):
        assert reminder_due(kind, at, START, at, already_sent=False)


def test_reminder_missed_while_down_is_sent_if_the_call_is_ahead() -> None:
    now = START - timedelta(minutes=20)  # bot was down from before 13:00 until 13:40
    assert reminder_due("1h", START - timedelta(hours=1), START, now, already_sent=False)
    now = START - timedelta(hours=5)  # down across the 24h reminder only
    assert reminder_due("24h", START - timedelta(hours=24), START, now, already_sent=False)


def test_reminder_missed_while_down_is_skipped_once_the_call_has_started() -> None:
    for kind, at in reminder_times(START):
        assert not reminder_due(kind, at, START, START, already_sent=False)
        assert not reminder_due(kind, at, START, START + timedelta(hours=2), already_sent=False)


def test_reminder_is_never_sent_twice() -> None:
    for kind, at in reminder_times(START):
        assert not reminder_due(kind, at, START, at + timedelta(minutes=1), already_sent=True)


def test_late_24h_reminder_gives_way_to_the_1h_one() -> None:
    now = START - timedelta(minutes=30)  # down across both reminders
    assert not reminder_due("24h", START - timedelta(hours=24), START, now, already_sent=False)
    assert reminder_due("1h", START - timedelta(hours=1), START, now, already_sent=False)
