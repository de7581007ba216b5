"""The framing check flags replies about means (equipment, money) and leaves practice stories alone."""

import re

import pytest

from bot.domain.framing import (
    EQUIPMENT_TERMS,
    GENERIC_SUGGESTION,
    MONEY_SUGGESTION,
    PRACTICE_TERMS,
    THEME_SUGGESTIONS,
    assess_framing,
    normalise,
    suggest_practice_angle,
)

EQUIPMENT_CENTRED = [
    ("fr", "Nous avons acheté un tracteur, deux camions et un ordinateur grâce à la subvention de 20 000 euros."),
    ("fr", "Il nous manque du matériel : une machine de tri, un broyeur et un hangar."),
    ("en", "We bought a tractor and two trucks, and the budget for a new computer came from the grant money."),
    ("en", "Our main problem is equipment: the machines are old and the warehouse is too small."),
    ("ee", "Míeƒle tracteur yeye kple camion eve, eye míexɔ ga sefa akpe alafa atɔ̃ tso subvention me."),
    ("ee", "Dɔwɔnuwo kple ga koe hiã mí: kɔmpiuta ɖeka kple moto eve."),
]

PRACTICE_CENTRED = [
    ("fr", "Les habitants du quartier se réunissent chaque mois et décident ensemble de ce qu'on fait des déchets."),
    ("en", "The women of the cooperative decide together at the monthly meeting, and the elders teach the young."),
    ("ee", "Nyɔnuwo kple sɔhɛwo kpɔa gome le takpekpe me eye wowɔa nyametsotso ɖekae."),
]

# One mention of a tool among practice words: never flagged.
MIXED_SHORT = [
    ("fr", "On utilise une machine, mais ce sont les membres qui décident ensemble et qui apprennent aux jeunes."),
    ("en", "We share one truck, but the members organise the rounds together and learn from each other."),
    ("ee", "Míezã moto ɖeka, gake habɔbɔmeviwo ɖoa ɖoɖo ɖekae eye wosrɔ̃a nu tso wo nɔewo gbɔ."),
]


@pytest.mark.parametrize(("language", "text"), EQUIPMENT_CENTRED)
def test_equipment_centred_replies_are_flagged(language, text):
    assert assess_framing(text, language).is_equipment_centred


@pytest.mark.parametrize(("language", "text"), PRACTICE_CENTRED)
def test_practice_centred_replies_are_not_flagged(language, text):
    assessment = assess_framing(text, language)
    assert not assessment.is_equipment_centred
    assert assessment.practice_hits and not assessment.equipment_hits


@pytest.mark.parametrize(("language", "text"), MIXED_SHORT)
def test_one_tool_among_practice_words_is_not_flagged(language, text):
    assessment = assess_framing(text, language)
    assert len(assessment.equipment_hits) == 1
    assert not assessment.is_equipment_centred


def test_accents_and_case_are_ignored():
    plain = assess_framing("materiel, equipement, tracteur", "fr")
    accented = assess_framing("MATÉRIEL, Équipement, TRACTEUR", "fr")
    assert plain == accented and plain.is_equipment_centred


def test_ewe_tone_marks_are_ignored_but_ewe_letters_kept():
    assert normalise("Nyɔnuwo SRƆ̃") == "nyɔnuwo srɔ"
    with_tone = assess_framing("Wosrɔ̃ nu ɖekae", "ee")
    assert with_tone.practice_hits == assess_framing("wosrɔ nu ɖekae", "ee").practice_hits == ("wosrɔ", "ɖekae")


def test_team_is_not_mistaken_for_equipment():
    # "équipe" (team) shares its stem with "équipement".
    assert assess_framing("Toute l'équipe a décidé", "fr").equipment_hits == ()


def test_equipment_dominating_a_text_with_some_practice_words_is_flagged():
    text = "Ensemble : tracteur, camion, moto, budget, matériel."
    assessment = assess_framing(text, "fr")
    assert assessment.practice_hits and assessment.is_equipment_centred


def test_unknown_language_uses_every_lexicon():
    assert assess_framing("We bought a tractor and a camion with the FCFA", "xx").is_equipment_centred
    assert not assess_framing("Les habitants decide together", "xx").is_equipment_centred


def test_lexicons_are_written_in_normalised_form_and_compile():
    for lexicon in (EQUIPMENT_TERMS, PRACTICE_TERMS):
        assert set(lexicon) == {"fr", "en", "ee"}
        for patterns in lexicon.values():
            for pattern in patterns:
                assert normalise(pattern) == pattern
                re.compile(pattern)


def test_suggestion_follows_theme_and_money():
    tools = assess_framing("tracteur, camion, ordinateur", "fr")
    money = assess_framing("budget de 20 000 euros et 5 000 FCFA", "fr")
    assert suggest_practice_angle(tools, "circular") == THEME_SUGGESTIONS["circular"]
    assert suggest_practice_angle(tools, "unknown") == GENERIC_SUGGESTION
    assert suggest_practice_angle(money, "food") == MONEY_SUGGESTION
