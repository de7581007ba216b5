"""The result of a decision as members read it: ties and missing quorum said as such, in each language."""

from __future__ import annotations

from bot.domain.decisions import Voter, count_votes
from bot.ui.decisions import outcome_line, result_lines
from tests.support import shared_i18n

SIDES = ["bretagne", "togo"]
OPTIONS = ("Lundi", "Jeudi")


def members(bretons: int, togolese: int) -> list[Voter]:
    return ([Voter(i, "bretagne") for i in range(1, bretons + 1)]
            + [Voter(100 + i, "togo") for i in range(1, togolese + 1)])


def test_six_against_two_is_written_as_a_tie_with_the_head_count_beside_it():
    tr = shared_i18n().for_locale("en")
    result = count_votes(members(8, 4), {**{i: 1 for i in range(1, 7)}, 101: 2, 102: 2}, 2, SIDES)
    lines = result_lines(tr, result, OPTIONS, {"bretagne": "Brittany", "togo": "Togo"})
    assert lines[0] == "⚖️ No decision: tie between 1. Lundi and 2. Jeudi."
    assert "• Brittany: 6 of 8 voted (quorum 2 reached) — 1: 100% · 2: 0%" in lines
    assert "• Togo: 2 of 4 voted (quorum 2 reached) — 1: 0% · 2: 100%" in lines
    assert "Average of the territories: 1: 50% · 2: 50%" in lines
    assert lines[-1] == "A plain head count would have given 1: 6 · 2: 2: 1. Lundi ahead."


def test_missing_quorum_names_the_sides_in_the_readers_language():
    result = count_votes(members(4, 4), {1: 1, 101: 2}, 2, SIDES)
    fr = shared_i18n().for_locale("fr", "FR")
    assert outcome_line(fr, result, OPTIONS, {"bretagne": "Bretagne", "togo": "Togo"}) == (
        "⛔ Pas de décision : Bretagne et Togo n'ont pas atteint leur quorum.")
    one_side = count_votes(members(2, 4), {1: 1, 101: 2}, 2, SIDES)
    en = shared_i18n().for_locale("en")
    assert outcome_line(en, one_side, OPTIONS, {"togo": "Togo"}) == "⛔ No decision: Togo did not reach its quorum."
    ee = shared_i18n().for_locale("ee", "TG")
    assert outcome_line(ee, one_side, OPTIONS, {"togo": "Togo"}) == "⛔ Nyametsotso aɖeke meli o: Togo meɖo eƒe quorum o."
