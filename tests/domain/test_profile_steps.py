"""Onboarding steps: which can be resumed by /start, and when a question asked from /me lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.profile import EDIT_STEPS, EDIT_WINDOW, RESUMABLE, STEPS, edit_lapsed

ASKED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_steps_after_verification_and_before_done_are_resumable():
    assert RESUMABLE == {"organisation", "kind", "shares", "shares-tags", "learns", "learns-tags", "circles"}
    assert not RESUMABLE & {"consent", "phone", "done"} and not RESUMABLE & EDIT_STEPS
    assert RESUMABLE < set(STEPS)


def test_a_question_from_me_lapses_after_its_window_and_only_then():
    for step in EDIT_STEPS:
        assert not edit_lapsed(step, ASKED, ASKED)
        assert not edit_lapsed(step, ASKED, ASKED + EDIT_WINDOW)
        assert edit_lapsed(step, ASKED, ASKED + EDIT_WINDOW + timedelta(seconds=1))


def test_onboarding_questions_never_lapse():
    """Onboarding waits for its answers however long it takes: only /me's one-off questions lapse."""
    for step in (*STEPS, None):
        assert not edit_lapsed(step, ASKED, ASKED + timedelta(days=30))
