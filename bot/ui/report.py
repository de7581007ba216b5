"""A circle's report as a compact Telegram-HTML text with bars (the chart is bot/ui/chart.py)."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_percent

from bot.domain.reciprocity import CircleReport, Reading, TerritoryActivity, bar
from bot.i18n import SafeHtml, Translator
from bot.storage.circles import Circle, Territory
from bot.ui.screens import circle_name, territory_name


def week_label(tr: Translator, week_key: str) -> str:
    """'2026-W48' -> 'W48' in English, 'S48' in French: the ISO week as each language abbreviates it."""
    return tr.gettext("W{week}", week=int(week_key.rsplit("-W", 1)[-1]))


def reading_line(tr: Translator, reading: Reading, names: dict[str, str]) -> SafeHtml:
    """The one-line reading: who answered how often, and which side the next prompts invite to open."""
    if reading.total == 0:
        return tr.html("No reply in these weeks yet: openers keep taking turns.")
    (louder, louder_count), (quieter, quieter_count) = reading.counts[0], reading.counts[-1]
    if reading.quieter is None:
        return tr.html("Balanced: {counts}. Openers keep taking turns.", counts=", ".join(
            f"{names.get(code, code)} {count}" for code, count in reading.counts))
    return tr.nhtml(
        "{louder} answered {count} time, {quieter} {quieter_count}: next prompts invite {quieter} to open.",
        "{louder} answered {count} times, {quieter} {quieter_count}: next prompts invite {quieter} to open.",
        louder_count, louder=names.get(louder, louder), quieter=names.get(quieter, quieter),
        quieter_count=quieter_count)


def decisions_line(tr: Translator, side: TerritoryActivity, names: dict[str, str]) -> SafeHtml:
    """'Togo · questions put to the circle: 2 proposed, participation 75 % (6 of 8 possible votes)'."""
    proposed = tr.nhtml("{territory} · questions put to the circle: {count} proposed",
                        "{territory} · questions put to the circle: {count} proposed", side.decisions_proposed,
                        territory=names.get(side.territory, side.territory))
    if side.decision_participation is None:
        return proposed
    return SafeHtml(proposed + tr.nhtml(
        ", participation {share} ({votes} of {count} possible vote)",
        ", participation {share} ({votes} of {count} possible votes)", side.decision_seats,
        share=format_percent(side.decision_participation, locale=tr.babel_locale), votes=side.decision_votes))


def report_text(tr: Translator, circle: Circle, report: CircleReport, territories: Sequence[Territory], *,
                for_facilitator: bool) -> list[str]:
    """The report as lines of Telegram HTML (split with ui.text.split_lines)."""
    names = {t.code: territory_name(tr, t) for t in territories}
    largest = max((t.replies for t in report.territories), default=0)
    lines = [tr.nhtml("<b>{circle}</b>: the last {count} week ({first} to {last})",
                      "<b>{circle}</b>: the last {count} weeks ({first} to {last})", len(report.weeks),
                      circle=circle_name(tr, circle), first=week_label(tr, report.weeks[0].week_key),
                      last=week_label(tr, report.weeks[-1].week_key))]
    for side in report.territories:
        lines.append(tr.nhtml(
            "<b>{territory}</b> (facilitator: {facilitator})\n<code>{bar}</code> {count} reply\n"
            "active members: {active}/{members} · calls: {proposed} proposed, {held} held",
            "<b>{territory}</b> (facilitator: {facilitator})\n<code>{bar}</code> {count} replies\n"
            "active members: {active}/{members} · calls: {proposed} proposed, {held} held",
            side.replies, territory=names.get(side.territory, side.territory),
            facilitator="✓" if side.has_facilitator else "—", bar=bar(side.replies, largest),
            active=side.active_members, members=side.members, proposed=side.calls_proposed, held=side.calls_held))
    if any(side.decisions_proposed or side.decision_seats for side in report.territories):
        lines += [decisions_line(tr, side, names) for side in report.territories]
    openers = " · ".join(f"{week_label(tr, w.week_key)} {names.get(w.opener, w.opener) if w.opener else '—'}"
                         for w in report.weeks)
    lines.append(tr.html("Who opened: {openers}", openers=openers))
    lines.append(SafeHtml(f"<i>{reading_line(tr, report.reading, names)}</i>"))
    if for_facilitator:
        for side in report.territories:
            if not side.has_facilitator:
                lines.append(tr.html(
                    "The {territory} side of this circle has no facilitator: name one with /promote (you choose "
                    "the circle, the side and the member on buttons).",
                    territory=names.get(side.territory, side.territory)))
    return lines
