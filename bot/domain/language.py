"""Which of Passerelle's languages (fr, en, ee) a member's text is written in, offline.

Why: a member's interface language says nothing certain about a given reply (an Ewe-interface member may answer in
English, a Breton member in French after choosing English). The relayed reply must name the language of its text,
and the framing check must read the text with the right word list.

How, in order:
1. Ewe first, by what no French or English text has: its own letters (ɖ ɛ ƒ ɣ ŋ ɔ ʋ, nasal vowels written with a
   tilde) and its frequent grammar words (kple, eye, gake, míe…). Togolese speakers mix French nouns into Ewe
   sentences, so a share of Ewe evidence is enough; a lone Ewe name in a French text is not.
2. French or English through lingua (lingua-language-detector), whose character n-gram models ship inside its wheel
   (nothing is downloaded). Only the French and English models are loaded, in its low-accuracy mode: about 12 MB
   and 20 ms to load, some 30 µs per text. Ewe is not among its languages, hence step 1.
3. Too short to tell (fewer than MIN_WORDS words), or a low confidence: the fallback (the author's language).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

MIN_WORDS = 3
MIN_CONFIDENCE = 0.7  # lingua's relative confidence between French and English
# Share of a text's words that must carry Ewe evidence; code-mixed Ewe keeps French nouns, hence well below half.
EWE_SHARE = 0.2
MIN_EWE_WORDS = 2

# Letters of the Ewe alphabet that French and English do not use (lower case, after NFC).
EWE_LETTERS = frozenset("ɖɛƒɣŋɔʋ")
_TILDE = "\u0303"
# Frequent Ewe grammar words that are not French or English words (written here without tone marks). Words such
# as "le", "me", "na", "be", "la" are left out: French and English use them too.
EWE_WORDS = frozenset(
    "kple eye gake siwo aɖewo aɖeke míe mie míe mia mía miawo míawo míaƒe miafe woƒe wofe nye ŋu hã yeye ɖeka "
    "eve etɔ etɔ̃ ene atɔ atɔ̃ katã kata sia ɖesiaɖe desiade esi esia esiawo amesiame ame fifia koe ko ye wo ƒe "
    "fe dzi gbɔ gbo hiã hia mele mesɔ wɔ wɔa wo o".split())
# Of those, the ones that French or English texts can contain in passing (a name, "âme", "ô") count only next to
# at least MIN_EWE_WORDS strong ones.
_WEAK_EWE_WORDS = frozenset("ko fe ame o ye wo esi ene eve sia".split())

_WORD = re.compile(r"[^\W\d_]+(?:\u0303)?", re.UNICODE)


def detect_language(text: str, *, fallback: str | None) -> str | None:
    """'fr', 'en' or 'ee' for a text, or `fallback` (the author's language) when it is too short or unclear."""
    words = words_of(text)
    if ewe_evidence(words) >= max(MIN_EWE_WORDS, EWE_SHARE * len(words)):
        return "ee"
    if len(words) < MIN_WORDS:
        return fallback
    confidences = _detector().compute_language_confidence_values(text)
    best = confidences[0] if confidences else None
    if best is None or best.value < MIN_CONFIDENCE:
        return fallback
    return best.language.iso_code_639_1.name.lower()


def words_of(text: str) -> list[str]:
    """The words of a text, lower case, NFC (so that a tilde stays on its vowel), without digits."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def ewe_evidence(words: list[str]) -> int:
    """How many words could only be Ewe: Ewe letters, nasal tilde, or a grammar word (weak ones need company)."""
    strong = sum(1 for word in words if _has_ewe_letter(word) or _strip_tones(word) in _STRONG)
    weak = sum(1 for word in words if _strip_tones(word) in _WEAK_EWE_WORDS)
    return strong + (weak if strong >= MIN_EWE_WORDS else 0)


@lru_cache(maxsize=1 << 16)
def _has_ewe_letter(word: str) -> bool:
    return any(char in EWE_LETTERS for char in word) or _TILDE in unicodedata.normalize("NFD", word)


@lru_cache(maxsize=1 << 16)
def _strip_tones(word: str) -> str:
    """Drop tone marks (acute, grave, caron…) but keep the nasal tilde, which tells words apart."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c) or c == _TILDE))


_STRONG = frozenset(_strip_tones(word) for word in EWE_WORDS) - _WEAK_EWE_WORDS


@cache
def _detector() -> LanguageDetector:
    # Imported and built on first use: the bot starts without it, and tests that never detect never load it.
    from lingua import Language, LanguageDetectorBuilder

    return (LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH)
            .with_low_accuracy_mode().build())
