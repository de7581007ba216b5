"""The framing check: does a reply talk about means (machines, vehicles, buildings, amounts) rather than practice?

Why: exchanges between partners slide easily into comparing equipment and budgets, which only shows who has more;
the bot then *suggests* telling how the practice is organised. It never blocks or rewrites a message.

The rule, in the sentence a member can be given: a reply is flagged when it names at least two means (machines,
vehicles, buildings, amounts of money) and these clearly outnumber (1.6 to 1) the words telling how people organise
themselves (who decides, meets, shares, takes turns, learns) — a tontine or a cotisation counts as organisation when
the reply says how it works.

How, and why this method rather than a trained model:
- The language is detected from the text (bot.domain.language), not taken from the member's interface: an
  Ewe-interface member answering in English is read with the English lexicon. Ewe replies are read with the Ewe
  lexicon and, for the French and English nouns Togolese speakers mix in, with those lexicons too.
- French and English words are compared by their Snowball stem (PyStemmer, the C build of the Snowball stemmers),
  after accents are dropped: "séchoirs", "sechoir" and "Séchoir" are one word, typos without accents included.
  Snowball merges a few words that must stay apart ("équipe", a team, and "équipement"); such entries are written
  `=word` and compared whole. Ewe has no Snowball stemmer: Ewe words are compared whole after tone marks are
  dropped, with the plural -wo and the habitual -a removed and, for verbs, their subject prefix (míe-, wo-…). The
  nasal tilde is kept: "gã" (big) is not "ga" (money), "mɔ̃" (machine) is not "mɔ" (way).
- Multi-word expressions are matched before single words ("chambre froide", "caisse commune", "cold room",
  "tso nya me" — to decide), so that "caisse commune" is a financing practice, not a box.
- Weights: people and places (members, villages, women) weigh half a practice word, and so do the marks of a rule
  ("each", "in turn", "every month"); they say someone is there, not yet how they organise. A financing practice
  (tontine, cotisation, caisse commune, susu…) weighs as a practice word when the reply also tells how it is run
  (any practice word or rule mark); alone, it counts as money.
- Thresholds: at least MIN_MEANS means (one tool named in passing never flags a reply), and means at least
  MEANS_PER_PRACTICE times the organisation weight. 1.6 is the middle of the margin on the training part of the
  corpus: there, practice-centred replies reach at most 1.33 means per organisation word, equipment-centred ones
  at least 2.
- Why not a model: the labelled corpus (tests/data/framing_corpus_*.tsv, 300 replies) is far too small to train
  anything that would generalise beyond its own sentences, and a model could not be explained to a member in one
  sentence. The lexicons are short lists anyone can read and extend; bench/framing.py measures them on a held-out
  part of the corpus that was never used to tune them.
Cost: one language detection (~30 µs) and a dictionary look-up per word; about 0.1 ms for a long reply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import Stemmer

from bot.domain.language import detect_language
from bot.domain.prompt_library import N_

MIN_MEANS = 2          # one tool named among other things never flags a reply
MEANS_PER_PRACTICE = 1.6  # means must outnumber organisation words this many times (see the docstring)
HALF = 0.5

TOOL, MONEY, FINANCE, PRACTICE, PEOPLE, RULE = "tool", "money", "finance", "practice", "people", "rule"

# --- French -------------------------------------------------------------------------------------------------
_FR = {
    TOOL: """machine machines =materiel =materiels =equipement =equipements outil outils outillage camion camions
        camionnette utilitaire utilitaires fourgon fourgonnette vehicule voiture moto motos tricycle tracteur
        motoculteur remorque charrue moissonneuse batteuse decortiqueuse moulin broyeur presse sechoir claie claies
        four fours fourneau congelateur refrigerateur frigo frigos frigorifique ordinateur ordinateurs portable
        imprimante videoprojecteur projecteur tablette panneaux batterie batteries onduleur generateur motopompe
        pompe forage citerne batiment batiments local locaux entrepot hangar magasin bache baches brouette arrosoir
        pulverisateur pelle pelles houe balance bascule chariot rayonnage rayonnages etagere compresseur etabli
        compacteur petrin legumerie infrastructure infrastructures pickup pick-up van benne tuyau tuyaux bac bacs
        conteneur conteneurs surjeteuse connexion quai cuve moyens betonniere echafaudage perceuse perceuses grue
        vitrine vitrines refrigere refrigeree refrigerees scooter pirogue pirogues bateau barque moteur filets
        glaciere glacieres ruche ruches extracteur cribleuse chargeur kit velo velos bicyclette charrette minibus
        tondeuse debroussailleuse tronconneuse scie climatiseur ventilateur logiciel smartphone smartphones
        telephones ecran reservoir serres machines-outils
        emetteur antenne micro micros microphone enceinte enceintes sono camera cameras enregistreur
        serre composteur composteurs recuperateur semoir bineuse arroseur asperseur goutte-a-goutte
        ambulance brancard brancards sterilisateur lits
        rechaud gaziniere marmite marmites casseroles mixeur robot fumoir fumoirs
        raboteuse ponceuse ponceuses soudeuse degauchisseuse tour-a-bois
        serveur routeur modem wifi tablettes imprimantes
        bus bachee moto-taxi zemidjan pinasse
        kiosque cloture toiture toles dalle ciment briques parpaings materiaux""",
    MONEY: """budget budgets budgetaire montant euro euros eur fcfa cfa franc francs argent cout couts couteux cher
        couter coute coutent subvention subventions investissement investissements investi investir pret emprunt
        don dotation million millions milliard carburant depense depenses salaires finance finances financee
        livres dollars facture factures frais loyer""",
    FINANCE: """tontine tontines cotisation cotisations cotiser cotisent mutuelle epargne susu microcredit""",
    PRACTICE: """decider decide decident decidons decision decisions voter vote votent votons voix elire elu elus
        election assemblee ag reunion reunions reunir reunissent retrouvent retrouve rencontre rencontrent
        discuter discute discussion discussions debat debattre concertation consensus accord ensemble partager
        partage partagent partageons mutualiser mutualise rotation designer designe deleguer delegue referent
        comite commission conseil apprendre apprennent appris apprentissage apprenti apprentis transmettre
        transmet transmission former formation enseigner montrent montrer expliquer parrain parrainage tutorat
        mentor accompagner accompagnement confiance solidarite entraide benevole benevoles participer participent
        participation impliquer gouvernance regle regles organiser organise organisation gerer gere gestion
        tiennent compte mediation proposer propose choisir choisi inviter invite convaincre ecouter parole
        mobiliser cooperer cooperation collectif collective echange echanger veillee rendent""",
    PEOPLE: """habitant habitants membre membres adherent adherents voisin voisins village villages quartier
        famille familles femme femmes jeune jeunes ancien anciens enfant enfants parent parents producteur
        producteurs paysan paysans communaute association associations groupement cooperative commune mairie
        salarie salaries equipe personnes maraichers cuisinieres tresoriere tresorieres""",
    RULE: """chaque chacun chacune tour ordre tous""",
}
_FR_PHRASES = {
    TOOL: ["chambre froide", "chambres froides", "groupe electrogene", "chateau d eau", "machine a coudre",
           "panneaux solaires", "four solaire", "camion benne", "table de coupe", "caisse enregistreuse",
           "groupe froid", "camion grue", "table de mixage", "metier a tisser", "metiers a tisser",
           "appareil photo", "haut parleur", "poste a souder", "borne fontaine", "salle informatique", "magasin de stockage", "presse a huile"],
    FINANCE: ["caisse commune", "fonds commun", "caisse de solidarite", "part sociale", "parts sociales"],
    PRACTICE: ["a son tour", "tour de role", "rendre compte", "une personne une voix", "prise de decision"],
    RULE: ["par mois", "par semaine", "tous les mois", "chaque mois", "chaque semaine"],
}

# --- English ------------------------------------------------------------------------------------------------
_EN = {
    TOOL: """machine machines machinery equipment tool tools truck trucks lorry lorries tractor tractors computer
        computers laptop laptops vehicle vehicles motorbike motorbikes motorcycle motorcycles tricycle van vans
        =building =buildings warehouse fridge fridges freezer freezers refrigerator refrigerated grinder shredder
        device devices infrastructure premises gear dryer dryers oven ovens mill press huller =harvester generator
        pump borehole tank tower printer projector panel panels battery batteries inverter baler balers forklift
        chiller washer wheelbarrow wheelbarrows sprayer sprayers shovel scale scales weighbridge trailer pickup
        chipper bins shelves dock store tarpaulin tarpaulins racks cabinet cabinets mixer scaffolding drill
        drills crane till scooter canoe boat boats engine motor nets beehive beehives hive hives extractor container
        containers screener loader kit bicycle bicycles bike bikes cart minibus mower chainsaw saw greenhouse
        software phones smartphone smartphones screen conditioner chilled
        transmitter antenna microphone microphones mic mics loudspeaker loudspeakers speakers camera cameras
        recorder greenhouse polytunnel composter composters sprinkler sprinklers seeder tiller rotavator
        ambulance stretcher stretchers steriliser sterilizer beds
        stove stoves pots blender hob smoker smokers
        planer sander sanders welder lathe jointer
        server router modem wifi tablet tablets printers
        bus buses taxi
        kiosk fence roof roofing sheets cement bricks blocks materials loom looms""",
    MONEY: """budget budgets money amount euro euros eur fcfa cfa franc francs dollar dollars cedi cedis cost costs
        costly subsidy subsidies investment grant grants loan donation donor million fuel expensive price paid
        spent spend pound pounds funded funding invoice invoices bills rent""",
    FINANCE: """tontine tontines susu contribution contributions fee fees savings microcredit""",
    PRACTICE: """decide decided decides decision decisions vote voted votes voting elect elected election assembly
        meeting meetings meet meets discuss discussed discussion argued agree agreed agreement together share
        shared sharing pool pooled rotate rotation rota delegate delegates committee board council learn learned
        learnt learning apprentice apprentices apprenticeship teach teaches taught training mentor mentoring
        explain trust solidarity volunteer volunteers participate participation involve governance rule rules
        organise organised organize organized manage managed chose choose invited convince listen speak speaks
        cooperate cooperation collective exchange mediated mediation turn turns elders hiring panel treasurer
        treasurers report reports idea ideas""",
    PEOPLE: """resident residents inhabitant inhabitants member members neighbour neighbours neighbor village
        villages neighbourhood family families woman women young youth elder children parents farmer farmers
        community association associations group groups cooperative coop municipality council councillors staff
        team people everyone whoever cooks""",
    RULE: """each every order whole""",
}
_EN_PHRASES = {
    TOOL: ["cold room", "water tower", "solar panel", "solar panels", "cutting table", "loading dock",
           "sewing machine", "sewing machines", "drying racks", "motor pump", "cool box", "cool boxes",
           "bottling room", "display cabinet", "display cabinets", "mixing desk", "water tank",
           "rainwater tank", "drip irrigation", "computer room", "welding machine"],
    FINANCE: ["common fund", "member fees", "cash book", "solidarity fund"],
    PRACTICE: ["in turn", "take part", "takes part", "one member one vote", "general assembly"],
    RULE: ["a month", "a week", "per month", "per week", "every month", "every week"],
}

# --- Ewe ----------------------------------------------------------------------------------------------------
# Written without tone marks, nasal tilde kept; plural -wo and habitual -a are removed before comparing.
# mɔ̃: machine; ʋu: vehicle; dɔwɔnu: tool; kɔmpiuta: computer; gasɔ̃: bicycle; nudzraɖoƒe: storehouse; ga: money;
# sefa: CFA francs; miliɔn: million; nunana: gift, donation; gaxexe: payment.
# Practice: nyametsotso: decision; takpekpe: meeting; ɖekae: together; ɖoɖo: arrangement; dzeɖoɖo: discussion;
# kakaɖedzi: trust; nufiafia: teaching; dɔsrɔ̃vi: apprentice; dɔfiala, nufiala: master, teacher; komite.
# People: habɔbɔ: association; hati: member, partner; nyɔnu: woman; sɔhɛ: young person; ametsitsi: elder; ɖevi:
# child; dumevi: town dweller; kɔƒe: village; aƒe: household; agbledela: farmer; asitsala: trader; amesiame:
# everyone. Rule: ɖesiaɖe: each; "X sia X" (ɣleti sia ɣleti: every month) is found by _repeated_sia.
_EE = {
    TOOL: "mɔ̃ ʋu dɔwɔnu kɔmpiuta gasɔ̃ nudzraɖoƒe moto",
    MONEY: "ga sefa miliɔn nunana gaxexe",
    FINANCE: "tontine cotisation",  # not "susu": in Ewe it is first of all "thought, idea"
    PRACTICE: """nyametsotso takpekpe ɖekae ɖekawɔwɔ ɖoɖo dzeɖoɖo kakaɖedzi nufiafia dɔsrɔ̃vi dɔfiala nufiala
        komite gomekpɔkpɔ tiatia""",
    PEOPLE: """habɔbɔ hati nyɔnu sɔhɛ ametsitsi ɖevi dumevi kɔƒe aƒe agbledela asitsala amesiame dɔwɔla""",
    RULE: "ɖesiaɖe",
}
# Verb roots that take a subject prefix (míe-, mia-, wo-, e-, a-…): srɔ̃ learn, fia teach, kplɔ guide, tia choose,
# kpe meet (kpena: they meet), xlẽ read out (the accounts).
_EE_VERBS = {PRACTICE: ("srɔ̃", "fia", "kplɔ", "tia", "kpena", "xlẽ")}
_EE_PHRASES = {
    TOOL: ["ʋu gã", "xɔ yeye"],
    MONEY: ["ƒe asi nye", "xe ga"],  # "its price is", "paid money"
    PRACTICE: ["tso nya me", "tsoa nya me", "kpɔ gome", "kpɔa gome", "wɔ ɖoɖo", "wɔa ɖoɖo", "ɖo ɖoɖo", "ɖoa ɖoɖo",
               "ƒoa nu", "ɖo nu", "wɔ dɔ ɖekae", "gbe ɖeka"],
}
# An Ewe reply is also read with the lexicons of the languages Togolese speakers borrow nouns from.
_EE_BORROWS_FROM = ("fr", "en")
# English words that are French words too: in a code-mixed Ewe text they are read as French only.
_FALSE_FRIENDS = frozenset({"car", "four", "pain", "van", "store", "fee", "turn", "order"})
# Ewe words that a borrowed lexicon would misread: "susu" is "thought, idea" in Ewe, a savings group in Ghana.
_NOT_BORROWED = frozenset({"susu"})

_WEIGHTS = {TOOL: 1.0, MONEY: 1.0, FINANCE: 1.0, PRACTICE: 1.0, PEOPLE: HALF, RULE: HALF}


@dataclass(frozen=True)
class FramingAssessment:
    equipment_hits: tuple[str, ...]  # means named in the reply (tools and money), normalised, in order
    practice_hits: tuple[str, ...]   # practice and people words, normalised, in order
    is_equipment_centred: bool
    language: str | None = None      # the language the reply was read in
    means: tuple[str, ...] = ()      # the means as the member wrote them, first mention of each, for the nudge
    money_hits: tuple[str, ...] = ()


@dataclass(frozen=True)
class FramingSuggestion:
    """A nudge: a msgid of the `prompts` domain with a {means} placeholder, and the means to name in it."""

    msgid: str
    means: tuple[str, ...]


def normalise(text: str) -> str:
    """Lower-case text without accents or tone marks, keeping the nasal tilde: "Matériel" → "materiel",
    "gã" stays "gã" (big) and never becomes "ga" (money)."""
    decomposed = unicodedata.normalize("NFD", text.replace("€", " euro ").casefold())
    kept = "".join(char for char in decomposed if not unicodedata.combining(char) or char == "\u0303")
    return unicodedata.normalize("NFC", kept)


@lru_cache(maxsize=1 << 16)
def _normalised_word(word: str) -> str:
    return normalise(word)


def assess_framing(text: str, language: str | None = None) -> FramingAssessment:
    """Weigh the means a reply names against how it says people organise; `language` is the fallback (the
    author's interface language) for texts too short to detect."""
    detected = detect_language(text, fallback=language)
    surface = _surface_words(text)
    words = [_normalised_word(word) for word in surface]
    hits = _hits(words, detected)
    organised = any(category in (PRACTICE, RULE) for _, category, _ in hits)
    score = {category: 0.0 for category in _WEIGHTS}
    means, equipment, money, practice = [], [], [], []
    for start, category, end in hits:
        if category == FINANCE:
            category = PRACTICE if organised else MONEY
        score[category] += _WEIGHTS[category]
        joined = " ".join(words[start:end])
        if category in (TOOL, MONEY):
            equipment.append(joined)
            if category == MONEY:
                money.append(joined)
            means.append(" ".join(surface[start:end]))
        elif category in (PRACTICE, PEOPLE):
            practice.append(joined)
    means_score = score[TOOL] + score[MONEY]
    practice_score = score[PRACTICE] + score[PEOPLE] + score[RULE]
    centred = means_score >= MIN_MEANS and means_score >= MEANS_PER_PRACTICE * practice_score
    return FramingAssessment(tuple(equipment), tuple(practice), centred, detected, _first_of_each(means),
                             tuple(money))


GENERIC_SUGGESTION = N_(
    "You describe {means}; could you also tell how people organise themselves around them: who decides, who takes "
    "part, what you learned?")
MONEY_SUGGESTION = N_(
    "You mention {means}; could you also tell how the financing is organised: who contributes, who decides how it "
    "is used, and how the risk is shared?")
THEME_SUGGESTIONS = {
    "food": N_(
        "You describe {means}; could you also tell how farmers, cooks and families organise themselves around "
        "them: who decides, who takes part, what you learned?"),
    "insertion": N_(
        "You describe {means}; could you also tell how the people in insertion and their mentors organise "
        "themselves around them: who decides, who takes part, what you learned?"),
    "circular": N_(
        "You describe {means}; could you also tell how inhabitants organise themselves around waste and reuse: "
        "who decides, who takes part, what you learned?"),
}
SUGGESTION_MSGIDS = (GENERIC_SUGGESTION, MONEY_SUGGESTION, *THEME_SUGGESTIONS.values())
MAX_NAMED_MEANS = 3


def suggest_practice_angle(assessment: FramingAssessment, theme: str) -> FramingSuggestion:
    """The nudge for an equipment-centred reply: mostly money → how the financing is organised, otherwise the
    practice angle of the week's theme; it names the first means the reply mentions."""
    named = assessment.means[:MAX_NAMED_MEANS]
    if len(assessment.money_hits) * 2 > len(assessment.equipment_hits):
        return FramingSuggestion(MONEY_SUGGESTION, named)
    return FramingSuggestion(THEME_SUGGESTIONS.get(theme, GENERIC_SUGGESTION), named)


# --- matching -----------------------------------------------------------------------------------------------

_WORD = re.compile(r"\d+(?:[ .,]\d{3})*(?:[.,]\d+)?|[^\W\d_]+(?:[-'’][^\W\d_]+)*\u0303?")
_DIGITS = re.compile(r"\d")
NUMBER = "#"  # the word every written number ("2", "1 000", "2,5") stands as
_CURRENCY_SYMBOLS = {"€": "euro", "£": "pound", "$": "dollar", "₵": "cedi"}
_AMOUNT_F = re.compile(r"(\d)\s*[fF]\b")  # "450000f", "800 000 F": CFA francs


def _surface_words(text: str) -> list[str]:
    text = _AMOUNT_F.sub(r"\1 fcfa", unicodedata.normalize("NFC", text))
    for symbol, word in _CURRENCY_SYMBOLS.items():
        text = text.replace(symbol, f" {word} ")
    words = []
    for word in _WORD.findall(text):
        if _DIGITS.match(word):
            words.append(NUMBER)
            continue
        # "d'eau", "l'équipe": the elided article is a word of its own; "pick-up" stays one word.
        words.extend(part for part in re.split(r"['’]", word) if part)
    return words


def _hits(words: list[str], language: str | None) -> list[tuple[int, str, int]]:
    """(start, category, end) of every lexicon match, multi-word expressions first, left to right."""
    languages = ("ee", *_EE_BORROWS_FROM) if language == "ee" else (language,) if language in _LEXICONS else (
        "fr", "en", "ee")
    keys = {lang: [_key(word, lang, borrowed=language == "ee" and lang != "ee") for word in words]
            for lang in languages}
    hits, position = [], 0
    while position < len(words):
        match = _longest_match(keys, words, position, languages)
        if match is None:
            position += 1
            continue
        category, length = match
        hits.append((position, category, position + length))
        position += length
    if "ee" in languages:
        hits.extend((index, RULE, index + 1) for index in _repeated_sia(words))
    return sorted(hits)


def _longest_match(keys: dict[str, list[str | None]], words: list[str], position: int,
                   languages: Iterable[str]) -> tuple[str, int] | None:
    for lang in languages:
        phrases = _LEXICONS[lang][0]
        if keys[lang][position] not in _PHRASE_STARTS[lang]:
            continue
        for length in range(min(_MAX_PHRASE, len(words) - position), 1, -1):
            phrase = tuple(keys[lang][position:position + length])
            if phrase in phrases:
                return phrases[phrase], length
    for lang in languages:
        single, key = _LEXICONS[lang][1], keys[lang][position]
        whole = single.get("=" + words[position])
        if whole is not None:
            return whole, 1
        if key is not None and key in single:
            return single[key], 1
        if lang == "ee" and _ewe_verb(words[position]):
            return PRACTICE, 1
    return None


def _key(word: str, language: str, *, borrowed: bool = False) -> str | None:
    """What a normalised word is compared by in a language's lexicon (its stem, or the whole word for Ewe)."""
    if language == "ee":
        return _ewe_key(word)
    if borrowed and (word in _NOT_BORROWED or language == "en" and word in _FALSE_FRIENDS):
        return None
    if borrowed and word.endswith("wo") and len(word) > 4:
        word = word[:-2]  # a French noun with the Ewe plural: "frigowo", "camionwo"
    return _stem(word, language)


@lru_cache(maxsize=1 << 16)
def _stem(word: str, language: str) -> str:
    stem = _stemmer(language).stemWord(word)
    # Snowball's French stemmer reads "-ée" by its accent; typed without accents, "geree" keeps an "e" that "gere"
    # loses. Dropping a final "e" joins them. It keeps some verb endings ("decident", "votons"): the lexicons list
    # those forms.
    return stem[:-1] if language == "fr" and stem.endswith("e") and len(stem) > 3 else stem


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer({"fr": "french", "en": "english"}[language])


def _ewe_key(word: str) -> str:
    if word.endswith("wo") and len(word) > 4:
        word = word[:-2]
    if word.endswith("a") and len(word) > 4 and not word.endswith("aa"):
        word = word[:-1]
    return word


_EE_PREFIX = "(?:mie|mia|wo|e|a|na|ma|me|ne|ye)?"


@cache
def _ewe_verb_re() -> re.Pattern[str]:
    roots = "|".join(re.escape(normalise(root)) for root in _EE_VERBS[PRACTICE])
    return re.compile(rf"{_EE_PREFIX}(?:{roots})(?:a|na|nɛ|m)?")


def _ewe_verb(word: str) -> bool:
    return _ewe_verb_re().fullmatch(word) is not None


def _repeated_sia(words: list[str]) -> list[int]:
    """Ewe "ɣleti sia ɣleti" (every month), "kwasiɖa sia kwasiɖa" (every week): a rule mark."""
    return [i for i in range(1, len(words) - 1) if words[i] == "sia" and words[i - 1] == words[i + 1]]


def _first_of_each(means: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for word in means:
        seen.setdefault(normalise(word), word)
    return tuple(seen.values())


def _lexicon(entries: dict[str, str], phrases: dict[str, list[str]], language: str
             ) -> tuple[dict[tuple[str | None, ...], str], dict[str, str]]:
    single: dict[str, str] = {}
    for category, listing in entries.items():
        for entry in listing.split():
            single.setdefault(_entry_key(entry, language), category)
    multi = {tuple(_key(normalise(word), language) for word in _surface_words(phrase)): category
             for category, listed in phrases.items() for phrase in listed}
    return multi, single


def _entry_key(entry: str, language: str) -> str:
    # "=word": compared whole, because its stem is shared with a word of the other side ("équipe"/"équipement").
    return "=" + normalise(entry[1:]) if entry.startswith("=") else _key(normalise(entry), language)


_LEXICONS = {
    "fr": _lexicon(_FR, _FR_PHRASES, "fr"),
    "en": _lexicon(_EN, _EN_PHRASES, "en"),
    "ee": _lexicon(_EE, _EE_PHRASES, "ee"),
}
_PHRASE_STARTS = {lang: frozenset(phrase[0] for phrase in multi) for lang, (multi, _) in _LEXICONS.items()}
_MAX_PHRASE = max(len(phrase) for multi, _ in _LEXICONS.values() for phrase in multi)
