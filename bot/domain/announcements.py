"""Announcements: the texts a facilitator wrote per language, and which one each member reads."""

from __future__ import annotations

ANY_LANGUAGE = "*"   # a text written without a language prefix: for everyone without a text of their own
MAX_LENGTH = 3000    # per language; the rendered message stays under Telegram's 4096 characters


def parse_announcement(lines: list[str], languages: tuple[str, ...]) -> dict[str, str]:
    """Lines 'fr: …', 'en: …', 'ee: …' (others continue the previous language); unprefixed text is for all."""
    texts: dict[str, list[str]] = {}
    current = ANY_LANGUAGE
    for line in lines:
        head, _, rest = line.partition(":")
        if head.strip().lower() in languages and rest.strip():
            current = head.strip().lower()
            texts[current] = [rest.strip()]
        elif line.strip() or current in texts:
            texts.setdefault(current, []).append(line.rstrip())
    return {code: "\n".join(body).strip()[:MAX_LENGTH] for code, body in texts.items() if "\n".join(body).strip()}


def text_for(texts: dict[str, str], locale: str, fallback: str = "fr") -> str:
    """The member's own language, else the text for all, else the fallback language, else any text."""
    return texts.get(locale) or texts.get(ANY_LANGUAGE) or texts.get(fallback) or next(iter(texts.values()), "")


def announcement_key(announcement_id: int) -> str:
    """The prefix of the outbox keys of one announcement's messages (its delivery count reads them)."""
    return f"announce:{announcement_id}:"
