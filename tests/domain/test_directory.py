"""The directory's rules without Telegram: tag suggestions across languages, filters, two-way matches, steps."""

from __future__ import annotations

import pytest

from bot.domain.directory import (Card, Listing, PracticeNote, Side, brings, meets_both_ways, suggest_tags,
                                  two_way_pairs, visible_listings)
from bot.domain.profile import STEPS, next_step


def card(member_id: int, shares: set[str] = frozenset(), learns: set[str] = frozenset(), *, hidden=False) -> Card:
    return Card(member_id, PracticeNote("…", "fr", frozenset(shares)) if shares else None,
                PracticeNote("…", "fr", frozenset(learns)) if learns else None, hidden)


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Les habitants décident ensemble en assemblée", "fr", {"community", "governance", "cooperation"}),
    ("We train young volunteers", "en", {"youth", "solidarity"}),
    ("Nyɔnuwo ƒe habɔbɔ srɔ̃a nu ɖekae", "ee", {"women", "cooperation", "learning"}),
    ("Un tracteur et un hangar", "fr", set()),
])
def test_tags_are_suggested_from_practice_words_in_each_language(text, language, expected):
    assert suggest_tags(text, language) >= expected
    if not expected:
        assert suggest_tags(text, language) == frozenset()


def test_the_same_practice_gets_the_same_tag_in_french_english_and_ewe():
    assert "youth" in suggest_tags("les jeunes", "fr") & suggest_tags("youth", "en") & suggest_tags("sɔhɛwo", "ee")


def test_two_way_needs_each_side_to_bring_the_other_something():
    ama = card(1, shares={"governance"}, learns={"youth"})
    mael = card(2, shares={"youth"}, learns={"governance"})
    gwen = card(3, shares={"youth"}, learns={"women"})
    assert meets_both_ways(ama, mael) and brings(ama, mael) == {"governance"} and brings(mael, ama) == {"youth"}
    assert not meets_both_ways(ama, gwen)  # Gwen brings Ama youth, Ama brings Gwen nothing she asked for
    assert brings(gwen, ama) == {"youth"}


def test_a_hidden_card_brings_nothing_and_is_not_matched():
    ama = card(1, shares={"governance"}, learns={"youth"})
    mael = card(2, shares={"youth"}, learns={"governance"}, hidden=True)
    assert not meets_both_ways(ama, mael) and brings(ama, mael) == frozenset()


def test_two_way_pairs_cross_the_border_only():
    cards = {1: card(1, {"a"}, {"b"}), 2: card(2, {"b"}, {"a"}), 3: card(3, {"b"}, {"a"})}
    territory = {1: "togo", 2: "bretagne", 3: "togo"}
    assert two_way_pairs(cards, territory) == {frozenset({1, 2})}  # 1 and 3 match too, but live on the same side


def listing(member_id: int, territory: str, organisation: str, c: Card) -> Listing:
    return Listing(member_id, "x", organisation, None, territory, c)


def test_filters_keep_the_tag_on_either_side_drop_hidden_cards_and_show_the_other_side_first():
    entries = [listing(1, "bretagne", "B coop", card(1, shares={"youth"})),
               listing(2, "togo", "Z asso", card(2, learns={"youth"})),
               listing(3, "togo", "A asso", card(3, shares={"women"})),
               listing(4, "togo", "C asso", card(4, shares={"youth"}, hidden=True)),
               listing(5, "bretagne", "A coop", card(5))]
    assert [e.member_id for e in visible_listings(entries, "bretagne", territory=None, tag=None)] == [3, 2, 5, 1]
    assert [e.member_id for e in visible_listings(entries, "bretagne", territory=None, tag="youth")] == [2, 1]
    assert [e.member_id for e in visible_listings(entries, "togo", territory="togo", tag="youth")] == [2]


def test_card_sides_read_by_side():
    c = card(1, shares={"a"})
    assert c.tags(Side.SHARES) == {"a"} and c.tags(Side.LEARNS) == frozenset() and not c.is_empty
    assert card(2).is_empty


def test_onboarding_asks_share_then_learn_and_skipping_jumps_over_the_tags():
    assert next_step("kind") == "shares"
    assert next_step("shares") == "shares-tags" and next_step("shares-tags") == "learns"
    assert next_step("shares", skipped=True) == "learns"
    assert next_step("learns", skipped=True) == "circles" and next_step("learns-tags") == "circles"
    assert STEPS[-1] == "done" and next_step("done") == "done"
    with pytest.raises(ValueError):
        next_step("kind", skipped=True)
