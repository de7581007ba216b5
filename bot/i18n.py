"""Translations per recipient, compiled in memory from the gettext catalogs at start, plus Babel formatting.

The locale is always explicit: `tr = i18n.for_locale(member.locale)`; there is no global current language, which
would be unsafe with concurrent updates under asyncio.
"""

from __future__ import annotations

import gettext
import html
import io
import logging
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, format_skeleton, format_time, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

SUPPORTED_LOCALES = ("fr", "en", "ee")
DEFAULT_LOCALE = "fr"
DOMAINS = ("messages", "prompts")

# Untranslated messages of a language fall back along this chain before reaching the English msgid. Ewe readers
# in Togo read French, so an Ewe gap shows French rather than English.
FALLBACKS = {"ee": ("fr",), "fr": (), "en": ()}


class CatalogError(RuntimeError):
    """A catalog does not parse or compile: the bot refuses to start rather than speak half a language."""


class SafeHtml(str):
    """A fragment already rendered as Telegram HTML: Translator.html() inserts it without escaping."""


def escape(text: str) -> SafeHtml:
    """A user's (or a catalog's plain) text made safe for Telegram HTML."""
    return SafeHtml(html.escape(text, quote=False))


def normalise_locale(code: str | None) -> str:
    """Map a Telegram language_code ("fr-FR", "en", "ee") to a supported locale, French otherwise."""
    base = (code or "").replace("-", "_").split("_")[0].lower()
    return base if base in SUPPORTED_LOCALES else DEFAULT_LOCALE


def placeholders(message: str) -> set[str]:
    """Names of the str.format placeholders in a message ("{name}" -> {"name"})."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(message) if field is not None}
    except ValueError:
        return {"<malformed>"}


def entry_problems(msgid: str | tuple[str, ...], msgstr: str | tuple[str, ...]) -> list[str]:
    """Differences of placeholders between a source message and its translation (empty when consistent)."""
    sources = (msgid,) if isinstance(msgid, str) else tuple(msgid)
    targets = (msgstr,) if isinstance(msgstr, str) else tuple(msgstr)
    expected = set().union(*(placeholders(source) for source in sources))
    # A plural form may spell the number out ("one reply" / "une réponse"), so {count} may be left out.
    optional = {"count"} if len(sources) > 1 else set()
    problems = []
    for target in filter(None, targets):
        found = placeholders(target)
        if found - expected:
            problems.append(f"unknown placeholders {sorted(found - expected)}")
        if expected - optional - found:
            problems.append(f"missing placeholders {sorted(expected - optional - found)}")
    return problems


def _usable(message) -> bool:
    if not message.id or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    # Babel writes untranslated plural entries with the msgid filled in, which would defeat the fallback chain:
    # leave out any entry with an empty form so that the next catalog answers.
    return all(strings)


def compile_catalog(po_path: Path) -> gettext.GNUTranslations:
    """Parse a .po file and compile it in memory; entries with mismatched placeholders are dropped loudly."""
    try:
        with po_path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except Exception as exc:  # babel raises several types for broken files
        raise CatalogError(f"{po_path}: {exc}") from exc
    for message in list(catalog):
        if not message.id:
            continue  # the header entry
        problems = entry_problems(message.id, message.string) if _usable(message) else []
        if problems:
            logger.error("Dropping translation %r in %s: %s", message.id, po_path, "; ".join(problems))
        if problems or not _usable(message):
            del catalog[message.id]
    buffer = io.BytesIO()
    try:
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    except Exception as exc:
        raise CatalogError(f"{po_path}: does not compile: {exc}") from exc


@dataclass(frozen=True)
class Translator:
    """Everything one recipient reads: their language's messages and Babel formatting of dates and zones."""

    locale: str
    babel_locale: Locale
    _messages: gettext.NullTranslations
    _prompts: gettext.NullTranslations

    def gettext(self, message: str, /, **params: object) -> str:
        """Translate a plain-text message and fill its {placeholders}."""
        translated = self._messages.gettext(message)
        return translated.format(**params) if params else translated

    def ngettext(self, singular: str, plural: str, count: int, /, **params: object) -> str:
        translated = self._messages.ngettext(singular, plural, count)
        return translated.format(count=count, **params)

    def html(self, message: str, /, **params: object) -> SafeHtml:
        """Translate a Telegram-HTML message, escaping every parameter that is not already SafeHtml."""
        return SafeHtml(self._messages.gettext(message).format(**_escaped(params)))

    def nhtml(self, singular: str, plural: str, count: int, /, **params: object) -> SafeHtml:
        translated = self._messages.ngettext(singular, plural, count)
        return SafeHtml(translated.format(count=count, **_escaped(params)))

    def prompt(self, message: str) -> str:
        """Translate a text of the prompt library (gettext domain 'prompts')."""
        return self._prompts.gettext(message)

    def datetime(self, instant: datetime, zone: str, pattern: str = "EEE d MMM, HH:mm") -> str:
        """Format an aware instant in a time zone for this reader (e.g. 'mar. 3 déc., 14:00')."""
        return format_datetime(instant, pattern, tzinfo=ZoneInfo(zone), locale=self.babel_locale)

    def date(self, instant: datetime, zone: str) -> str:
        return format_skeleton("yMMMEd", instant, tzinfo=ZoneInfo(zone), locale=self.babel_locale)

    def hour(self, hour: int) -> str:
        """A whole hour as this reader's locale writes it: "15:00" in French, "3:00 PM" in American English."""
        return format_time(dt_time(hour, 0), "short", locale=self.babel_locale)

    def time(self, instant: datetime, zone: str) -> str:
        return format_datetime(instant, "HH:mm", tzinfo=ZoneInfo(zone), locale=self.babel_locale)

    def language_name(self, code: str) -> str:
        """A language's name as the language itself writes it ("Français", "English", "Eʋegbe")."""
        name = Locale.parse(code).get_display_name(code) or code
        return name[:1].upper() + name[1:]

    def zone_name(self, zone: str) -> str:
        """A zone as its exemplar city in this language ("Paris", "Lomé"): clearer than "heure : France"."""
        return get_timezone_location(ZoneInfo(zone), locale=self.babel_locale, return_city=True)


def _escaped(params: Mapping[str, object]) -> dict[str, object]:
    return {
        key: value if isinstance(value, SafeHtml | int | float) else html.escape(str(value), quote=False)
        for key, value in params.items()
    }


class I18n:
    """All catalogs, loaded once at start."""

    def __init__(self, catalogs: Mapping[tuple[str, str], gettext.GNUTranslations]) -> None:
        self._catalogs = dict(catalogs)
        self._cache: dict[str, Translator] = {}

    @classmethod
    def load(cls, locales_dir: Path, locales: Iterable[str] = SUPPORTED_LOCALES) -> I18n:
        """Compile every domain of every locale; a broken catalog raises CatalogError."""
        catalogs = {}
        for locale in locales:
            for domain in DOMAINS:
                po_path = locales_dir / locale / "LC_MESSAGES" / f"{domain}.po"
                if po_path.exists():
                    catalogs[(locale, domain)] = compile_catalog(po_path)
        return cls(catalogs)

    def for_locale(self, code: str | None, region: str | None = None) -> Translator:
        """The translator for a member's language (unknown languages get French)."""
        locale = normalise_locale(code)
        key = f"{locale}_{region or ''}"
        if key not in self._cache:
            self._cache[key] = Translator(
                locale=locale,
                babel_locale=_babel_locale(locale, region),
                _messages=self._chain(locale, "messages"),
                _prompts=self._chain(locale, "prompts"),
            )
        return self._cache[key]

    def _chain(self, locale: str, domain: str) -> gettext.NullTranslations:
        chain: gettext.NullTranslations = gettext.NullTranslations()
        for code in reversed((locale, *FALLBACKS.get(locale, ()))):
            catalog = self._catalogs.get((code, domain))
            if catalog is None:
                continue
            layered = _copy(catalog)
            layered.add_fallback(chain)
            chain = layered
        return chain


def _copy(catalog: gettext.GNUTranslations) -> gettext.GNUTranslations:
    # add_fallback mutates; each chain gets its own shallow copy so catalogs can be shared across chains.
    clone = gettext.GNUTranslations.__new__(gettext.GNUTranslations)
    clone.__dict__.update(catalog.__dict__)
    clone._fallback = None
    return clone


def _babel_locale(locale: str, region: str | None) -> Locale:
    if region:
        try:
            return Locale.parse(f"{locale}_{region}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(locale)

