"""The guided question writer's steps, without Telegram."""

from bot.domain import question_writer as qw


def test_french_comes_first_then_english_and_ewe_then_the_preview():
    assert [qw.next_step(s) for s in ("fr", "en", "ee")] == ["en", "ee", qw.PREVIEW]
    assert qw.next_step(qw.PREVIEW) == qw.PREVIEW


def test_only_french_is_required():
    assert not qw.may_skip("fr") and qw.may_skip("en") and qw.may_skip("ee")
    assert not qw.can_save({"en": "Only English?"}) and qw.can_save({"fr": "Comment ?"})


def test_a_skipped_language_falls_back_to_french_and_says_so():
    texts = {"fr": "Comment décidez-vous ?", "en": "How do you decide?"}
    assert qw.text_for_readers(texts, "en") == ("How do you decide?", False)
    assert qw.text_for_readers(texts, "ee") == ("Comment décidez-vous ?", True)


def test_a_text_is_trimmed_and_an_empty_or_overlong_one_refused():
    assert qw.clean("  Comment\n décidez-vous ?  ") == "Comment décidez-vous ?"
    assert qw.clean("   ") is None and qw.clean("x" * (qw.MAX_LENGTH + 1)) is None
