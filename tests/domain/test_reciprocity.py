"""The report's counts and its one-line reading, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.reciprocity import (CallFact, ReplyFact, bar, call_held, read_balance, report_weeks, summarise,
                                    window_start)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday of ISO week 2026-W48
SIDES = ["bretagne", "togo"]


def test_the_report_covers_the_eight_iso_weeks_ending_with_the_current_one():
    weeks = report_weeks(NOW)
    assert weeks == [f"2026-W{n}" for n in range(41, 49)]
    assert window_start(NOW) == datetime(2026, 10, 5, tzinfo=UTC)  # Monday of W41


def test_weeks_cross_the_new_year_with_iso_years():
    assert report_weeks(datetime(2027, 1, 6, tzinfo=UTC))[-3:] == ["2026-W52", "2026-W53", "2027-W01"]


def test_counts_per_territory_over_the_window_only():
    replies = ([ReplyFact("2026-W47", "togo", 1)] * 3 + [ReplyFact("2026-W48", "togo", 2)]
               + [ReplyFact("2026-W45", "bretagne", 3), ReplyFact("2026-W40", "bretagne", 4)])  # W40: too old
    report = summarise(territories=SIDES, weeks=report_weeks(NOW), members_by_territory={"bretagne": 4, "togo": 2},
                       replies=replies, openers={"2026-W47": "togo", "2026-W48": "bretagne"},
                       calls=[CallFact("togo", True), CallFact("togo", False), CallFact("bretagne", False),
                              CallFact(None, True)],
                       facilitated={"togo"})
    bretagne, togo = report.territories
    assert (bretagne.members, bretagne.active_members, bretagne.replies) == (4, 1, 1)
    assert (togo.members, togo.active_members, togo.replies) == (2, 2, 4)
    assert (bretagne.calls_proposed, bretagne.calls_held, togo.calls_proposed, togo.calls_held) == (1, 0, 2, 1)
    assert (bretagne.has_facilitator, togo.has_facilitator) == (False, True)
    assert [w.opener for w in report.weeks][-2:] == ["togo", "bretagne"]
    assert report.weeks[-2].replies == {"bretagne": 0, "togo": 3}


def test_the_reading_invites_the_quieter_side_to_open():
    reading = read_balance({"togo": 14, "bretagne": 5}, SIDES)
    assert reading.quieter == "bretagne"
    assert reading.counts == (("togo", 14), ("bretagne", 5))


def test_a_small_gap_or_a_close_share_is_balanced():
    assert read_balance({"togo": 3, "bretagne": 1}, SIDES).quieter is None    # gap under 3
    assert read_balance({"togo": 12, "bretagne": 9}, SIDES).quieter is None   # 9 >= 2/3 of 12
    assert read_balance({}, SIDES).quieter is None and read_balance({}, SIDES).total == 0


def test_a_call_held_is_a_confirmed_call_that_ended_and_was_not_denied():
    before, after = datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    assert call_held("confirmed", before, NOW, False, False)
    assert call_held("confirmed", before, NOW, True, True)
    assert not call_held("confirmed", before, NOW, False, True)
    assert not call_held("confirmed", after, NOW, False, False)
    assert not call_held("cancelled", before, NOW, True, False)
    assert not call_held("open", None, NOW, False, False)


def test_bars_are_proportional_and_never_empty_for_a_reply():
    assert bar(10, 10) == "█" * 10
    assert bar(1, 100) == "█"
    assert bar(0, 10) == "·"
