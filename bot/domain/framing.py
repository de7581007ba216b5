"""A lexicon check that notices when a reply talks about means (equipment, money) rather than practices.

Why: exchanges between partners slide easily into comparing equipment and budgets, which only shows who has
more; the bot then *suggests* a practice angle. It never blocks or rewrites a message.

The rule, kept simple enough to explain to a member:
1. Text and lexicons are compared accent- and case-insensitively, word by word (NFKD, marks dropped, casefold).
2. A word is an equipment hit or a practice hit when it matches a pattern of the language's lexicon.
3. One mention of a tool never flags a text. From MIN_EQUIPMENT_HITS hits on, the text is equipment-centred
   when equipment hits outnumber practice hits, or when they exceed EQUIPMENT_SHARE of its content words
   (words that are not in the small stopword list of the language).
An unknown language uses the union of all lexicons. Ewe lexicons include the French words Togolese Ewe
speakers borrow ("machine", "budget", "coopérative"...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from bot.domain.prompt_library import N_

MIN_EQUIPMENT_HITS = 2
EQUIPMENT_SHARE = 0.3

# Patterns are full-word regexes over *normalised* words (no accents, lower case). Ewe letters such as ɖ ɛ ƒ ɣ
# ŋ ɔ ʋ are letters of their own and survive normalisation; tone marks and the nasal tilde do not, so "gã"
# (big) reads as "ga" (money): one such collision cannot flag a text on its own (rule 3).
_MONEY_FR = frozenset({
    r"budgets?", r"budgetaires?", r"montants?", r"euros?", r"fcfa", r"cfa", r"francs?", r"argent",
    r"couts?", r"couteux", r"subventions?", r"investissements?",
})
_MONEY_EN = frozenset({
    r"budgets?", r"budgetary", r"money", r"amounts?", r"euros?", r"fcfa", r"cfa", r"francs?", r"dollars?",
    r"costs?", r"costly", r"subsid(y|ies)", r"investments?",
})
# "sefa" is how CFA francs are said in Ewe; "ga" is money (and metal).
_MONEY_EE = frozenset({r"ga", r"gawo", r"sefa"})

_TOOLS_FR = frozenset({
    r"machines?", r"equipements?", r"materiels?", r"outils?", r"outillages?", r"camions?", r"camionnettes?",
    r"tracteurs?", r"ordinateurs?", r"vehicules?", r"motos?", r"tricycles?", r"broyeurs?", r"compacteurs?",
    r"fours?", r"congelateurs?", r"refrigerateurs?", r"frigos?", r"batiments?", r"entrepots?", r"hangars?",
    r"infrastructures?", r"moyens",
})
_TOOLS_EN = frozenset({
    r"machines?", r"machinery", r"equipment", r"tools?", r"trucks?", r"lorr(y|ies)", r"tractors?",
    r"computers?", r"vehicles?", r"motorbikes?", r"motorcycles?", r"tricycles?", r"vans?", r"buildings?",
    r"warehouses?", r"fridges?", r"freezers?", r"refrigerators?", r"grinders?", r"shredders?", r"devices?",
    r"infrastructures?", r"premises", r"gear",
})
# dɔwɔnu: tool ("work thing"); ʋuwo: vehicles; kɔmpiuta: computer.
_TOOLS_EE = frozenset({r"dɔwɔnu\w*", r"ʋuwo", r"kɔmpiuta\w*"})

_PRACTICE_FR = frozenset({
    r"decid\w*", r"decision\w*", r"habitant\w*", r"ensemble", r"organis\w*", r"apprend\w*", r"appris\w*",
    r"apprenti\w*", r"gouvernance", r"particip\w*", r"communaut\w*", r"membres?", r"reunion\w*",
    r"assemblee\w*", r"partag\w*", r"vot(e|es|ent|er|ez|ons)", r"cooper\w*", r"collecti(f|fs|ve|ves)",
    r"collectivit\w*", r"voisin\w*", r"villag\w*", r"quartiers?", r"familles?", r"femmes?", r"jeunes?",
    r"jeunesse", r"aines?", r"anciens?", r"agees?", r"transm\w*", r"formation\w*", r"confiance",
    r"benevol\w*", r"mobilis\w*", r"accompagn\w*", r"echang\w*", r"solidar\w*", r"reciprocit\w*",
    r"discut\w*", r"concert\w*", r"savoir\w*", r"associati\w*", r"accord\w*", r"entraide",
    r"partenai\w*", r"pratiques?", r"liens?", r"relations?", r"habitudes?", r"competences?", r"menages?",
    r"dialogue\w*",
})
_PRACTICE_EN = frozenset({
    r"decid\w*", r"decision\w*", r"inhabitants?", r"residents?", r"together", r"organi[sz]\w*", r"learn\w*",
    r"taught", r"teach\w*", r"govern\w*", r"participat\w*", r"communit(y|ies)", r"members?", r"membership",
    r"meetings?", r"shar(e|ed|es|ing)", r"vot(e|es|ed|ing)", r"agree\w*", r"cooperat\w*", r"collective\w*",
    r"neighbou?r\w*", r"famil(y|ies)", r"wom[ae]n", r"young", r"youth", r"elders?", r"elderly",
    r"apprentic\w*", r"mentor\w*", r"volunteer\w*", r"trust", r"involv\w*", r"everyone", r"solidarity",
    r"reciprocity", r"exchang\w*", r"discuss\w*", r"municipalit\w*", r"associations?", r"partner\w*",
    r"practices?", r"relation\w*", r"habits?", r"skills?", r"households?", r"conversations?",
})
# Ewe verbs carry their subject as a prefix (miesrɔ̃ "you learned"), hence the leading \w* on verbs.
# nyametsotso: decision; ɖekae: together; ɖoɖo: arrangement, organisation; takpekpe: meeting; (kpɔ) gome:
# take part; srɔ̃: learn; nufiafia: teaching; habɔbɔ: association; nyɔnu: woman; sɔhɛ, ɖekakpui, ɖetugbi: young
# people; ametsitsi, tɔgbui: elders; dumevi: town dwellers; kɔƒe: village; ƒome, aƒeme: family, household;
# hati: partner; kakaɖedzi: trust; nunya, aɖaŋu: knowledge, know-how; sewo: rules; mɔnu, nuwɔna: way of
# doing, habit; ƒomedodo: relationship; aƒewo: households.
_PRACTICE_EE = frozenset({
    r"\w*nyametsotso\w*", r"ɖekae", r"ɖekawɔwɔ", r"\w*ɖoɖo\w*", r"takpekpe\w*", r"gome", r"gomekpɔkpɔ",
    r"\w*srɔ\w*", r"nufia\w*", r"\w*fiala\w*", r"habɔbɔ\w*", r"nyɔnu\w*", r"sɔhɛ\w*", r"ɖekakpui\w*",
    r"ɖetugbi\w*", r"ametsitsi\w*", r"tɔgbui\w*", r"dumevi\w*", r"kɔƒe\w*", r"ƒome\w*", r"aƒeme\w*",
    r"\w*hati\w*", r"kakaɖedzi", r"nunya\w*", r"aɖaŋu\w*", r"sewo", r"nuteƒekpɔkpɔ", r"mɔnu\w*",
    r"nuwɔna\w*", r"ƒomedodo\w*", r"aƒewo",
})

EQUIPMENT_TERMS: dict[str, frozenset[str]] = {
    "fr": _TOOLS_FR | _MONEY_FR,
    "en": _TOOLS_EN | _MONEY_EN,
    "ee": _TOOLS_EE | _MONEY_EE | _TOOLS_FR | _MONEY_FR,
}
PRACTICE_TERMS: dict[str, frozenset[str]] = {
    "fr": _PRACTICE_FR,
    "en": _PRACTICE_EN,
    "ee": _PRACTICE_EE | _PRACTICE_FR,
}
_MONEY_TERMS = _MONEY_FR | _MONEY_EN | _MONEY_EE

# Grammar words left out of the content-word count, so that the share rule measures what the text is about.
_STOPWORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "a au aux avec c ce ces cet cette d dans de des du elle elles en est et eu il ils j je l la le les "
        "leur leurs m mais n ne nos notre nous on ont ou par pas pour qu que qui s sa sans se ses son sont "
        "sur t tres tu un une vos votre vous y aussi comme donc car tout tous toute toutes plus ete etre "
        "avons avez ai fait".split()),
    "en": frozenset(
        "a an and are as at be been but by did do does for from had has have he her his i in is it its me "
        "my no not of on or our she so that the their them there these they this those to us was we were "
        "what when which who how with you your also very all".split()),
    "ee": frozenset(
        "a abe alo aɖe aɖewo aɖeke be dzi e ene eme evɔ eye gake gbɔ ha hafi la le ma me mi mia miawo mie "
        "na ne nu nye o si sia siwo tso wo woƒe ŋu ŋutɔ ɖe ƒe ke ko ya".split()),
}


@dataclass(frozen=True)
class FramingAssessment:
    equipment_hits: tuple[str, ...]
    practice_hits: tuple[str, ...]
    is_equipment_centred: bool


def normalise(text: str) -> str:
    """Lower-case text without accents or tone marks, so that "Matériel" and "materiel" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.replace("€", " euro "))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def assess_framing(text: str, language: str) -> FramingAssessment:
    """Count equipment/money words against practice words in a reply and say whether means dominate."""
    words = re.findall(r"\w+", normalise(text))
    equipment_re, practice_re, stopwords = _lexicon(language)
    equipment = tuple(word for word in words if equipment_re.fullmatch(word))
    practice = tuple(word for word in words if practice_re.fullmatch(word) and not equipment_re.fullmatch(word))
    content_count = sum(1 for word in words if word not in stopwords)
    centred = len(equipment) >= MIN_EQUIPMENT_HITS and (
        len(equipment) > len(practice) or len(equipment) > EQUIPMENT_SHARE * content_count
    )
    return FramingAssessment(equipment, practice, centred)


GENERIC_SUGGESTION = N_(
    "You describe the means; could you also tell how people organise themselves around them: who decides, "
    "who takes part, what you learned?")
MONEY_SUGGESTION = N_(
    "You mention amounts; could you also tell how the financing is organised: who contributes, who decides "
    "how it is used, and how the risk is shared?")
THEME_SUGGESTIONS = {
    "food": N_(
        "You describe the means; could you also tell how farmers, cooks and families organise themselves "
        "around them: who decides, who takes part, what you learned?"),
    "insertion": N_(
        "You describe the means; could you also tell how the people in insertion and their mentors organise "
        "themselves around them: who decides, who takes part, what you learned?"),
    "circular": N_(
        "You describe the means; could you also tell how inhabitants organise themselves around waste and "
        "reuse: who decides, who takes part, what you learned?"),
}
SUGGESTION_MSGIDS = (GENERIC_SUGGESTION, MONEY_SUGGESTION, *THEME_SUGGESTIONS.values())


def suggest_practice_angle(assessment: FramingAssessment, theme: str) -> str:
    """The msgid (domain `prompts`) of a gentle nudge towards practices, for an equipment-centred reply."""
    money = sum(1 for word in assessment.equipment_hits if _money_re().fullmatch(word))
    if money * 2 > len(assessment.equipment_hits):
        return MONEY_SUGGESTION
    return THEME_SUGGESTIONS.get(theme, GENERIC_SUGGESTION)


def _alternation(patterns: frozenset[str]) -> re.Pattern[str]:
    # Sorted so that the compiled pattern, hence the behaviour, does not depend on set iteration order.
    return re.compile("|".join(f"(?:{pattern})" for pattern in sorted(patterns)))


@cache
def _lexicon(language: str) -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    if language in EQUIPMENT_TERMS:
        return (_alternation(EQUIPMENT_TERMS[language]), _alternation(PRACTICE_TERMS[language]),
                _STOPWORDS[language])
    union = frozenset().union
    return (_alternation(union(*EQUIPMENT_TERMS.values())), _alternation(union(*PRACTICE_TERMS.values())),
            union(*_STOPWORDS.values()))


@cache
def _money_re() -> re.Pattern[str]:
    return _alternation(_MONEY_TERMS)
