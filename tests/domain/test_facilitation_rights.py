"""Facilitator rights per circle and territory, and which territories of a circle have a facilitator."""

from __future__ import annotations

from bot.domain.announcements import ANY_LANGUAGE, parse_announcement, text_for
from bot.domain.facilitation import Right, covered_territories, may_facilitate, may_reach, missing_territories
from bot.domain.journal import practice_tags

SIDES = ["bretagne", "togo"]


def test_a_global_right_covers_every_circle_and_territory():
    rights = [Right(None, None)]
    assert may_facilitate(rights, 1) and may_facilitate(rights, 7, "togo") and may_reach(rights, 7, None)


def test_a_territory_right_covers_only_that_side_of_that_circle():
    rights = [Right(1, "togo", "togo")]
    assert may_facilitate(rights, 1) and may_facilitate(rights, 1, "togo")
    assert not may_facilitate(rights, 1, "bretagne") and not may_facilitate(rights, 2)
    assert may_reach(rights, 1, "togo") and not may_reach(rights, 1, None) and not may_reach(rights, 1, "bretagne")


def test_a_circle_wide_right_covers_its_holders_own_side_in_reports():
    assert covered_territories([Right(1, None, "bretagne")], SIDES) == {"bretagne"}
    assert covered_territories([Right(1, "togo", "bretagne")], SIDES) == {"togo"}
    assert missing_territories([Right(None, None, None)], SIDES) == SIDES   # an admin who is not a member
    assert missing_territories([], SIDES) == SIDES


def test_practice_tags_come_from_the_practice_lexicon_once_each():
    tags = practice_tags("Les habitants décident ensemble en assemblée, et les habitants votent.", "fr")
    assert tags == ("habitants", "decident", "ensemble", "assemblee", "votent")
    assert practice_tags("Nous avons acheté un camion.", "fr") == ()
    assert practice_tags(None, "fr") == ()


def test_announcement_lines_per_language_and_a_text_for_all():
    texts = parse_announcement(["fr: Réunion jeudi", "à 18h", "en: Meeting on Thursday"], ("fr", "en", "ee"))
    assert texts == {"fr": "Réunion jeudi\nà 18h", "en": "Meeting on Thursday"}
    assert text_for(texts, "ee") == "Réunion jeudi\nà 18h"   # Ewe readers read French
    plain = parse_announcement(["Rendez-vous: jeudi"], ("fr", "en", "ee"))
    assert plain == {ANY_LANGUAGE: "Rendez-vous: jeudi"} and text_for(plain, "en") == "Rendez-vous: jeudi"
