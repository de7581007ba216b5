"""The circle's journal as a Markdown file, newest first, each entry with its translations and practice tags."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.i18n import Translator
from bot.storage.circles import Circle, Territory
from bot.storage.journal import JournalEntry
from bot.ui.decisions import journal_lines as decision_lines
from bot.ui.exchanges import KIND_ICONS
from bot.ui.screens import circle_name, territory_name


def _quote(text: str) -> str:
    """A user's text as a Markdown block quote (their own Markdown stays inside the quote)."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines() or [""])


def _entry(tr: Translator, entry: JournalEntry, territories: dict[str, Territory], zone: str) -> list[str]:
    side = territory_name(tr, territories.get(entry.territory_code)) if entry.territory_code else "—"
    kinds = {"call": tr.gettext("practice named after a call"), "decision": tr.gettext("question put to the circle")}
    kind = kinds.get(entry.source, tr.gettext("reply"))
    lines = [f"## {tr.date(entry.created_at, zone)} · {side} · {kind}", ""]
    author = entry.author_label or tr.gettext("a member who has since erased their data")
    lines += [f"*{author}*", ""]
    if entry.decision is not None:
        return lines + decision_lines(tr, entry.decision, territories, zone)
    if entry.text:
        lines += [_quote(entry.text), ""]
    elif entry.kind != "text":
        lines += [KIND_ICONS.get(entry.kind, "📎"), ""]
    for locale, text in sorted(entry.translations.items()):
        lines += [f"{tr.language_name(locale)}:", "", _quote(text), ""]
    if entry.tags:
        lines += [tr.gettext("Practices: {tags}", tags=" ".join(f"#{tag}" for tag in entry.tags)), ""]
    return lines


def journal_markdown(tr: Translator, circle: Circle, entries: Sequence[JournalEntry],
                     territories: Sequence[Territory], *, zone: str, now: datetime) -> str:
    """The whole journal of a circle as one Markdown document."""
    by_code = {t.code: t for t in territories}
    title = tr.gettext("Journal of the circle {circle}", circle=circle_name(tr, circle))
    lines = [f"# {title}", "",
             tr.gettext("Exported on {date}, newest first.", date=tr.date(now, zone)), ""]
    if not entries:
        lines.append(tr.gettext("Nothing in the journal yet: relayed replies, practices named after calls and "
                                "the circle's decisions come here."))
    for entry in entries:
        lines += _entry(tr, entry, by_code, zone)
    return "\n".join(lines).rstrip() + "\n"
