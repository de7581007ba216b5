"""The circle's journal: practice tags of an entry, derived from the framing lexicon's practice words."""

from __future__ import annotations

from bot.domain.framing import assess_framing

MAX_TAGS = 6


def practice_tags(text: str | None, language: str | None) -> tuple[str, ...]:
    """The practice words of a text (normalised, without accents), first occurrence first, at most MAX_TAGS."""
    if not text:
        return ()
    seen: dict[str, None] = {}
    for word in assess_framing(text, language or "").practice_hits:
        seen.setdefault(word, None)
    return tuple(seen)[:MAX_TAGS]
