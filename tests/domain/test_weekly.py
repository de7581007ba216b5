"""Weekly prompt timing per member zone, prompt rotation per circle, and which territory opens."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.prompt_library import prompts_for_theme
from bot.domain.weekly import (
    WeeklySlot,
    choose_next_prompt,
    iso_week_key,
    next_slot_after,
    opening_territory,
    prompt_due,
    week_start,
)

MONDAY_9 = WeeklySlot(weekday=0)
PARIS = "Europe/Paris"
LOME = "Africa/Lome"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_default_slot_is_monday_nine():
    assert (MONDAY_9.weekday, MONDAY_9.hour, MONDAY_9.minute) == (0, 9, 0)


def test_rennes_member_is_prompted_at_0800_utc_in_winter():
    assert week_start(utc(2026, 11, 25, 12), PARIS, MONDAY_9) == utc(2026, 11, 23, 8)
    assert prompt_due(utc(2026, 11, 23, 7, 59), PARIS, MONDAY_9, "2026-W47") is None
    assert prompt_due(utc(2026, 11, 23, 8), PARIS, MONDAY_9, "2026-W47") == "2026-W48"


def test_rennes_member_is_prompted_at_0700_utc_in_summer():
    assert week_start(utc(2026, 7, 8, 12), PARIS, MONDAY_9) == utc(2026, 7, 6, 7)
    assert prompt_due(utc(2026, 7, 6, 6, 59), PARIS, MONDAY_9, None) is None
    assert prompt_due(utc(2026, 7, 6, 7), PARIS, MONDAY_9, None) == "2026-W28"


def test_lome_member_is_prompted_at_0900_utc_all_year():
    assert week_start(utc(2026, 1, 7), LOME, MONDAY_9) == utc(2026, 1, 5, 9)
    assert week_start(utc(2026, 7, 8), LOME, MONDAY_9) == utc(2026, 7, 6, 9)
    assert prompt_due(utc(2026, 11, 23, 8, 59), LOME, MONDAY_9, None) is None
    assert prompt_due(utc(2026, 11, 23, 9), LOME, MONDAY_9, None) == "2026-W48"


def test_paris_slots_on_both_sides_of_the_march_change():
    # Clocks go forward on Sunday 29 March 2026.
    assert week_start(utc(2026, 3, 25), PARIS, MONDAY_9) == utc(2026, 3, 23, 8)
    assert week_start(utc(2026, 4, 1), PARIS, MONDAY_9) == utc(2026, 3, 30, 7)
    assert next_slot_after(utc(2026, 3, 28, 12), PARIS, MONDAY_9) == utc(2026, 3, 30, 7)


def test_paris_slots_on_both_sides_of_the_october_change():
    # Clocks go back on Sunday 25 October 2026.
    assert week_start(utc(2026, 10, 21), PARIS, MONDAY_9) == utc(2026, 10, 19, 7)
    assert week_start(utc(2026, 10, 28), PARIS, MONDAY_9) == utc(2026, 10, 26, 8)
    assert next_slot_after(utc(2026, 10, 25, 12), PARIS, MONDAY_9) == utc(2026, 10, 26, 8)


def test_next_slot_after_follows_the_local_calendar_across_a_clock_change():
    # Just after Monday 09:00 CEST the next slot is the following Monday 09:00 CET, 169 hours later.
    now = utc(2026, 10, 19, 7, 30)
    assert next_slot_after(now, PARIS, MONDAY_9) == utc(2026, 10, 26, 8)
    assert next_slot_after(utc(2026, 10, 19, 7), PARIS, MONDAY_9) == utc(2026, 10, 26, 8)
    assert next_slot_after(utc(2026, 10, 19, 6, 59), PARIS, MONDAY_9) == utc(2026, 10, 19, 7)


def test_slot_in_the_spring_gap_moves_forward():
    sunday_0230 = WeeklySlot(weekday=6, hour=2, minute=30)
    # 02:30 does not exist on 29 March 2026 in Paris; it is read as 03:30 CEST.
    assert week_start(utc(2026, 3, 27), PARIS, sunday_0230) == utc(2026, 3, 29, 1, 30)


def test_ambiguous_autumn_slot_is_the_first_occurrence():
    sunday_0230 = WeeklySlot(weekday=6, hour=2, minute=30)
    # 02:30 happens twice on 25 October 2026 in Paris; the first is still summer time (UTC+2).
    assert week_start(utc(2026, 10, 23), PARIS, sunday_0230) == utc(2026, 10, 25, 0, 30)


def test_week_key_follows_the_members_zone():
    sunday_night = utc(2026, 11, 29, 23, 30)  # already Monday 00:30 in Paris, still Sunday 23:30 in Lomé
    # A Lomé member who missed W48 still gets it; in Paris W48 is over and W49's slot has not come yet.
    assert prompt_due(sunday_night, LOME, MONDAY_9, "2026-W47") == "2026-W48"
    assert prompt_due(sunday_night, PARIS, MONDAY_9, "2026-W47") is None


def test_iso_week_key_uses_the_iso_year_near_new_year():
    assert iso_week_key(date(2027, 1, 1)) == "2026-W53"
    assert iso_week_key(datetime(2025, 12, 29, 10)) == "2026-W01"
    assert iso_week_key(date(2026, 3, 2)) == "2026-W10"


def test_prompt_is_sent_once_per_week():
    assert prompt_due(utc(2026, 11, 23, 8), PARIS, MONDAY_9, "2026-W48") is None
    assert prompt_due(utc(2026, 11, 29, 22, 59), PARIS, MONDAY_9, "2026-W48") is None


def test_missed_prompt_is_due_once_later_in_the_same_week():
    # The bot was down on Monday morning and comes back on Wednesday.
    wednesday = utc(2026, 11, 25, 10)
    assert prompt_due(wednesday, PARIS, MONDAY_9, "2026-W47") == "2026-W48"
    assert prompt_due(wednesday + timedelta(minutes=1), PARIS, MONDAY_9, "2026-W48") is None


def test_missed_prompt_is_not_due_after_its_week_ended():
    # Down from before Monday 23 November until the next Monday morning: W48 is skipped, W49 comes at its slot.
    next_monday_early = utc(2026, 11, 30, 7)
    assert prompt_due(next_monday_early, PARIS, MONDAY_9, "2026-W47") is None
    assert prompt_due(utc(2026, 11, 30, 8), PARIS, MONDAY_9, "2026-W47") == "2026-W49"


def test_prompt_due_every_hour_for_a_year_sends_exactly_one_per_week():
    last, sent = "2026-W01", []
    now = utc(2026, 1, 5)
    while now < utc(2027, 1, 4):
        key = prompt_due(now, PARIS, MONDAY_9, last)
        if key is not None:
            sent.append((key, now))
            last = key
        now += timedelta(hours=1)
    keys = [key for key, _ in sent]
    assert keys == [f"2026-W{week:02d}" for week in range(2, 54)]
    # Monday 09:00 in Paris: 08:00 UTC in winter, 07:00 UTC in summer.
    assert all(instant.weekday() == 0 and instant.hour in (7, 8) for _, instant in sent)
    assert {instant.hour for _, instant in sent} == {7, 8}


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        prompt_due(datetime(2026, 11, 23, 9), PARIS, MONDAY_9, None)


def test_rotation_never_repeats_a_prompt_until_all_were_used():
    available = [prompt.key for prompt in prompts_for_theme("food")]
    used: list[str] = []
    for _ in range(len(available) * 4 + 3):
        used.append(choose_next_prompt(available, used))
    for start in range(0, len(used) - len(available) + 1, len(available)):
        assert sorted(used[start:start + len(available)]) == sorted(available)
    assert all(a != b for a, b in zip(used, used[1:]))
    assert used[: len(available)] == available  # library order


def test_rotation_skips_retired_keys_and_takes_new_ones():
    assert choose_next_prompt(["a", "b", "c"], ["a", "retired"]) == "b"
    assert choose_next_prompt(["a", "b", "c", "d"], ["a", "b", "c"]) == "d"


def test_new_round_does_not_repeat_the_last_prompt_first():
    assert choose_next_prompt(["a", "b", "c"], ["b", "c", "a"]) == "b"
    assert choose_next_prompt(["a", "b"], ["b", "a"]) == "b"
    assert choose_next_prompt(["only"], ["only"]) == "only"


def test_rotation_needs_at_least_one_prompt():
    with pytest.raises(ValueError):
        choose_next_prompt([], [])


def test_opener_alternates_week_by_week():
    territories = ["bretagne", "togo"]
    openers = [opening_territory(territories, week) for week in range(4)]
    assert openers == ["bretagne", "togo", "bretagne", "togo"]


def test_opener_rebalances_from_history():
    territories = ["bretagne", "togo"]
    assert opening_territory(territories, 0, ["bretagne", "bretagne", "togo"]) == "togo"
    # Equal counts: the one that opened longest ago goes first.
    assert opening_territory(territories, 0, ["togo", "bretagne"]) == "togo"
    # Never opened beats everything; unknown names in history are ignored.
    assert opening_territory(["bretagne", "togo", "québec"], 0, ["togo", "bretagne", "x"]) == "québec"


def test_opener_taking_history_into_account_stays_fair_over_many_weeks():
    territories = ["bretagne", "togo"]
    history = ["bretagne"] * 5  # an imbalance inherited from before
    for week in range(30):
        history.append(opening_territory(territories, week, history))
    counts = Counter(history)
    assert abs(counts["bretagne"] - counts["togo"]) <= 1
    assert history[-10:] in (["togo", "bretagne"] * 5, ["bretagne", "togo"] * 5)
