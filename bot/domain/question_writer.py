"""The guided question writer's steps: French first (required), then English and Ewe, each skippable.

A skipped language falls back to French for its readers (as the weekly prompts do for a custom question without
that language). Pure: the handler stores the draft and shows the screens.
"""

from __future__ import annotations

LANGUAGES = ("fr", "en", "ee")
REQUIRED = "fr"
PREVIEW = "preview"
MAX_LENGTH = 600   # a question is read on a phone; the prompt message adds its frame around it


def next_step(step: str) -> str:
    """The language asked after `step`, or PREVIEW after the last one."""
    if step not in LANGUAGES:
        return PREVIEW
    index = LANGUAGES.index(step)
    return LANGUAGES[index + 1] if index + 1 < len(LANGUAGES) else PREVIEW


def may_skip(step: str) -> bool:
    return step in LANGUAGES and step != REQUIRED


def clean(text: str) -> str | None:
    """A question as typed, trimmed; None when empty or too long to be a question."""
    body = " ".join(text.split())
    return body if body and len(body) <= MAX_LENGTH else None


def text_for_readers(texts: dict[str, str], locale: str) -> tuple[str, bool]:
    """What readers of a language receive, and whether it is the French fallback."""
    if texts.get(locale):
        return texts[locale], False
    return texts.get(REQUIRED, ""), True


def can_save(texts: dict[str, str]) -> bool:
    return bool(texts.get(REQUIRED))
