"""The directory of practices: what an organisation can share, what it would like to learn, and practice tags.

A member writes both in their own words; the bot suggests tags found in the text by the framing lexicon's practice
vocabulary, and the member keeps or changes them. Tags are language-neutral keys (a Breton writing French and a
Togolese writing Ewe both get "governance"), which is what lets the directory filter, and pairing find two-way
matches, across the border.

Reciprocity (issue 12): two members "meet in both directions" when something one can share is something the other
would like to learn, *and* the other way round, so neither side only gives.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.framing import assess_framing

MAX_NOTE_LENGTH = 400  # "a few short lines"


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class Side(StrEnum):
    SHARES = "s"
    LEARNS = "l"


@dataclass(frozen=True)
class PracticeTag:
    key: str
    label: str  # msgid
    words: re.Pattern[str]  # over normalised practice words (framing.normalise), any language


def _tag(key: str, label: str, *patterns: str) -> PracticeTag:
    return PracticeTag(key, label, re.compile("|".join(f"(?:{p})" for p in patterns)))


# The framing lexicon's practice words (fr, en, ee), grouped into themes a member can pick and search by.
PRACTICE_TAGS: tuple[PracticeTag, ...] = (
    _tag("governance", N_("Governance and decisions"), r"decid\w*", r"decision\w*", r"gouvernance", r"govern\w*",
         r"vot\w*", r"assemblee\w*", r"accord\w*", r"agree\w*", r"\w*nyametsotso\w*", r"sewo"),
    _tag("participation", N_("Participation"), r"particip\w*", r"involv\w*", r"mobilis\w*", r"members?",
         r"membres?", r"membership", r"everyone", r"gome", r"gomekpɔkpɔ"),
    _tag("cooperation", N_("Cooperation and partnerships"), r"cooper\w*", r"collecti(f|fs|ve|ves)",
         r"collective\w*", r"ensemble", r"together", r"associati\w*", r"entraide", r"partenai\w*", r"partner\w*",
         r"ɖekae", r"ɖekawɔwɔ", r"habɔbɔ\w*", r"\w*hati\w*", r"\w*ɖoɖo\w*", r"organi[sz]\w*"),
    _tag("learning", N_("Training and passing on skills"), r"apprend\w*", r"appris\w*", r"apprenti\w*",
         r"apprentic\w*", r"formation\w*", r"form(e|es|er|ons|ez|ent)", r"train\w*", r"transm\w*",
         r"learn\w*", r"teach\w*", r"taught", r"mentor\w*",
         r"accompagn\w*", r"savoir\w*", r"competences?", r"skills?", r"\w*srɔ\w*", r"nufia\w*", r"\w*fiala\w*",
         r"nunya\w*", r"aɖaŋu\w*"),
    _tag("solidarity", N_("Solidarity and volunteering"), r"solidar\w*", r"reciprocit\w*", r"reciprocity",
         r"confiance", r"trust", r"kakaɖedzi", r"benevol\w*", r"volunteer\w*"),
    _tag("community", N_("Inhabitants and local life"), r"communaut\w*", r"communit(y|ies)", r"habitant\w*",
         r"inhabitants?", r"residents?", r"voisin\w*", r"neighbou?r\w*", r"villag\w*", r"quartiers?",
         r"collectivit\w*", r"municipalit\w*", r"kɔƒe\w*", r"dumevi\w*"),
    _tag("women", N_("Women"), r"femmes?", r"wom[ae]n", r"nyɔnu\w*"),
    _tag("youth", N_("Young people"), r"jeunes?", r"jeunesse", r"young", r"youth", r"sɔhɛ\w*", r"ɖekakpui\w*",
         r"ɖetugbi\w*"),
    _tag("elders", N_("Elders"), r"aines?", r"anciens?", r"agees?", r"elders?", r"elderly", r"ametsitsi\w*",
         r"tɔgbui\w*"),
    _tag("families", N_("Families and households"), r"familles?", r"famil(y|ies)", r"menages?", r"households?",
         r"ƒome\w*", r"aƒeme\w*", r"aƒewo"),
    _tag("dialogue", N_("Meetings and dialogue"), r"reunion\w*", r"meetings?", r"takpekpe\w*", r"discut\w*",
         r"discuss\w*", r"dialogue\w*", r"concert\w*", r"conversations?", r"echang\w*", r"exchang\w*"),
)
TAGS_BY_KEY: dict[str, PracticeTag] = {tag.key: tag for tag in PRACTICE_TAGS}


def practice_words(text: str, language: str) -> tuple[str, ...]:
    """The practice words of a text, as the framing lexicon finds them, lower case without any accent or tone mark.

    The one place the directory reads the framing lexicon, so that a rewrite of the framing check changes only this.
    """
    return tuple(_plain(word) for word in assess_framing(text, language).practice_hits)


def _plain(word: str) -> str:
    # Every combining mark goes, the Ewe nasal tilde included ("srɔ̃" -> "srɔ"): the tags' patterns are written so.
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def suggest_tags(text: str, language: str) -> frozenset[str]:
    """The tag keys whose words the text uses."""
    words = practice_words(text, language)
    return frozenset(tag.key for tag in PRACTICE_TAGS if any(tag.words.fullmatch(word) for word in words))


def ordered_tags(keys: Iterable[str]) -> list[PracticeTag]:
    """Known tags among the keys, in the vocabulary's order (unknown keys, e.g. from an older version, dropped)."""
    wanted = set(keys)
    return [tag for tag in PRACTICE_TAGS if tag.key in wanted]


@dataclass(frozen=True)
class PracticeNote:
    """What a member says on one side of their card, in their own words, and its tags."""

    text: str
    language: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Card:
    member_id: int
    shares: PracticeNote | None = None
    learns: PracticeNote | None = None
    hidden: bool = False
    translations: Mapping[str, str] = field(default_factory=dict)  # "<side>:<locale>" -> text
    tagging: Side | None = None  # the side whose tag picker is open (its Done closes it)

    def note(self, side: Side) -> PracticeNote | None:
        return self.shares if side is Side.SHARES else self.learns

    def tags(self, side: Side) -> frozenset[str]:
        note = self.note(side)
        return note.tags if note else frozenset()

    @property
    def is_empty(self) -> bool:
        return self.shares is None and self.learns is None


def brings(giver: Card | None, receiver: Card | None) -> frozenset[str]:
    """The tags the giver can share that the receiver would like to learn (nothing for a hidden card)."""
    if giver is None or receiver is None or giver.hidden or receiver.hidden:
        return frozenset()
    return giver.tags(Side.SHARES) & receiver.tags(Side.LEARNS)


def meets_both_ways(a: Card | None, b: Card | None) -> bool:
    """Reciprocity: each can bring the other something it would like to learn."""
    return bool(brings(a, b)) and bool(brings(b, a))


def two_way_pairs(cards: Mapping[int, Card], territory_of: Mapping[int, str]) -> frozenset[frozenset[int]]:
    """Every cross-border pair of members whose cards meet in both directions."""
    ids = sorted(m for m in cards if m in territory_of)
    return frozenset(
        frozenset((a, b)) for i, a in enumerate(ids) for b in ids[i + 1:]
        if territory_of[a] != territory_of[b] and meets_both_ways(cards[a], cards[b]))


@dataclass(frozen=True)
class Listing:
    """One organisation in the directory, as a reader may see it (never a phone number or a Telegram handle)."""

    member_id: int
    name: str
    organisation: str | None
    kind: str | None
    territory: str
    card: Card


def visible_listings(listings: Iterable[Listing], reader_territory: str | None, *, territory: str | None,
                     tag: str | None) -> list[Listing]:
    """The listings a filter keeps, hidden cards left out: the other side first, then by organisation."""
    kept = [entry for entry in listings if not entry.card.hidden
            and (territory is None or entry.territory == territory)
            and (tag is None or tag in entry.card.tags(Side.SHARES) | entry.card.tags(Side.LEARNS))]
    return sorted(kept, key=lambda e: (e.territory == reader_territory, (e.organisation or e.name).casefold(),
                                       e.member_id))
