"""Catalogs (fr, en, ee): complete, consistent, safe to load; fallbacks; Babel formatting; screens translated."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot import resources
from bot.i18n import SUPPORTED_LOCALES, CatalogError, I18n, compile_catalog, entry_problems
from bot.ui.screens import BUILTIN_NAMES
from tests.e2e.test_onboarding import join
from tests.support import Harness, shared_i18n

ROOT = Path(__file__).resolve().parent.parent
LOCALES = resources.locales_dir()
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))
# tr.html / tr.nhtml are the bot's own gettext wrappers; N_ marks names translated where shown.
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "html": None, "nhtml": (1, 2), "N_": None}


def _id(catalog_id: str | tuple[str, ...]) -> str:
    return catalog_id if isinstance(catalog_id, str) else catalog_id[0]


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_every_supported_locale_has_both_domains():
    assert {(p.parent.parent.name, p.stem) for p in CATALOGS} == {
        (locale, domain) for locale in SUPPORTED_LOCALES for domain in ("messages", "prompts")}


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_catalog_compiles_with_consistent_placeholders_and_no_fuzzy_entry(po_path: Path):
    compile_catalog(po_path)  # raises CatalogError when broken
    catalog = _read(po_path)
    entries = [m for m in catalog if m.id]
    fuzzy = [_id(m.id) for m in entries if m.fuzzy]
    mismatched = {_id(m.id): entry_problems(m.id, m.string) for m in entries if entry_problems(m.id, m.string)}
    assert fuzzy == [], f"fuzzy entries (ignored at run time) in {po_path}"
    assert mismatched == {}


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_message_is_translated(po_path: Path):
    untranslated = [_id(m.id) for m in _read(po_path) if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == [], f"{len(untranslated)} untranslated entries in {po_path}"


def test_every_message_of_the_code_is_in_the_catalogs_of_every_language():
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    in_code = {_id(message) for _, _, message, _, _ in extract_from_dir(
        ROOT, method_map=method_map, options_map=options_map, keywords=KEYWORDS)}
    for locale in SUPPORTED_LOCALES:
        in_catalog = {_id(m.id) for m in _read(LOCALES / locale / "LC_MESSAGES" / "messages.po") if m.id}
        assert sorted(in_code - in_catalog) == [], f"missing from {locale}: run the extraction and update"


# -- loading safety and fallbacks, on catalogs written for the test -------------------------------------------

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'


def _write(folder: Path, locale: str, body: str) -> Path:
    path = folder / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("body", [
    'msgid "Hello"\nmsgstr "Bonjour"\nthis is not a po file\n',
    'msgid "Hello"\n',
])
def test_a_broken_catalog_raises_catalog_error(tmp_path: Path, body: str):
    path = _write(tmp_path, "fr", body)
    with pytest.raises(CatalogError):
        compile_catalog(path)
    with pytest.raises(CatalogError):
        I18n.load(tmp_path)


def test_a_translation_with_a_mismatched_placeholder_is_dropped_not_fatal(tmp_path: Path, caplog):
    path = _write(tmp_path, "fr", 'msgid "Hello {name}"\nmsgstr "Bonjour {nom}"\n\nmsgid "Bye"\nmsgstr "Au revoir"\n')
    compiled = compile_catalog(path)
    assert compiled.gettext("Hello {name}") == "Hello {name}"  # dropped: the source text answers
    assert compiled.gettext("Bye") == "Au revoir"
    assert "Dropping translation" in caplog.text
    tr = I18n.load(tmp_path).for_locale("fr")
    assert tr.gettext("Hello {name}", name="Ama") == "Hello Ama"  # formats instead of raising KeyError


def test_a_gap_in_ewe_falls_back_to_french_and_a_bad_ewe_entry_too(tmp_path: Path):
    _write(tmp_path, "fr", 'msgid "Hello {name}"\nmsgstr "Bonjour {name}"\n\nmsgid "Bye"\nmsgstr "Au revoir"\n\n'
                           'msgid "Thanks"\nmsgstr "Merci"\n')
    _write(tmp_path, "ee", 'msgid "Hello {name}"\nmsgstr "Woezɔ {nkɔ}"\n\nmsgid "Bye"\nmsgstr ""\n\n'
                           'msgid "Thanks"\nmsgstr "Akpe"\n')
    i18n = I18n.load(tmp_path)
    ee, en = i18n.for_locale("ee"), i18n.for_locale("en")
    assert ee.gettext("Thanks") == "Akpe"
    assert ee.gettext("Bye") == "Au revoir"                      # missing in ee, present in fr
    assert ee.gettext("Hello {name}", name="Ama") == "Bonjour Ama"  # ee entry dropped, fr answers
    assert en.gettext("Bye") == "Bye"                            # no en catalog: the English source


def test_the_real_catalogs_fall_back_from_ewe_to_french():
    i18n = shared_i18n()
    fr, ee = i18n.for_locale("fr"), i18n.for_locale("ee")
    message = "This is reserved for facilitators."
    assert ee.gettext(message) not in (message, "")
    assert fr.gettext(message) != message


@pytest.mark.parametrize("code", ["xx", None, "", "de-DE", "pt_BR"])
def test_an_unsupported_language_gets_french(code):
    tr = shared_i18n().for_locale(code)
    assert tr.locale == "fr"
    assert tr.gettext("This is reserved for facilitators.") == (
        shared_i18n().for_locale("fr").gettext("This is reserved for facilitators."))


@pytest.mark.parametrize("code", ["fr-FR", "en_GB", "EE"])
def test_regional_telegram_codes_map_to_the_supported_language(code):
    assert shared_i18n().for_locale(code).locale == code[:2].lower()


# -- Babel formatting ------------------------------------------------------------------------------------------

def _hour(text: str) -> int:
    return int(re.search(r"(\d{1,2}):\d{2}", text).group(1))


@pytest.mark.parametrize("instant, gap", [
    (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), 1),   # winter: Paris UTC+1, Lomé UTC+0
    (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), 2),   # summer: Paris UTC+2
])
def test_paris_and_lome_times_are_one_hour_apart_in_winter_and_two_in_summer(instant, gap):
    for locale in SUPPORTED_LOCALES:
        tr = shared_i18n().for_locale(locale)
        paris, lome = tr.datetime(instant, "Europe/Paris"), tr.datetime(instant, "Africa/Lome")
        assert _hour(paris) - _hour(lome) == gap, (locale, paris, lome)
        assert _hour(lome) == 12


def test_language_names_are_written_in_the_language_itself():
    tr = shared_i18n().for_locale("fr")
    assert (tr.language_name("fr"), tr.language_name("en"), tr.language_name("ee")) == (
        "Français", "English", "Eʋegbe")


def test_dates_are_formatted_in_the_readers_language():
    instant = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    assert "déc" in shared_i18n().for_locale("fr").datetime(instant, "Europe/Paris")
    assert "Dec" in shared_i18n().for_locale("en").datetime(instant, "Europe/Paris")


# -- every screen of the onboarding, in the three languages ----------------------------------------------------

LANGUAGE_NAMES = {"Français", "English", "Eʋegbe"}
# Words that are rightly the same in English and in the translation (a proper name, a shared word).
SAME_WORD = {"fr": {"Organisation", "Togo"}, "ee": {"Togo"}}


def _screens(h: Harness, user, phone_shown: str) -> list[str]:
    """What the member sees, step by step: each bot message, then each of its buttons."""
    shown = []
    for message in h.sim.chat_history(user.id):
        if not message.from_bot:
            continue
        shown.append((message.text or message.caption or "").replace(phone_shown, "<phone>"))
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard", []) + markup.get("keyboard", []):
            shown.extend(button["text"] for button in row)
    return shown


def _only_names_or_numbers(text: str, names: set[str]) -> bool:
    rest = text.replace("•", "")
    for name in names:
        rest = rest.replace(name, "")
    return not re.sub(r"[\d\s\W]", "", rest)


async def test_every_screen_of_the_onboarding_is_translated_in_french_and_ewe(harness: Harness, facilitator):
    h = harness
    group = h.sim.add_group("Alimentation durable", bot_is_admin=True)
    h.sim.add_member(group.id, facilitator.id, status="administrator")
    await h.command(facilitator, "bindgroup", "food", chat_id=group.id)
    shown = {}
    for index, locale in enumerate(("en", "fr", "ee")):
        user = h.sim.add_user("Ama", "Mensah", language_code=locale)
        phone = f"+3361234567{index}"
        await join(h, user, phone, "Dzidzɔ", slug="food")  # welcome … group link
        await h.command(user, "circles")                    # the picker outside onboarding, with its buttons
        await h.command(user, "me")
        await h.command(user, "help")
        shown[locale] = _screens(h, user, f"+33 6 12 34 56 7{index}")
    assert len(shown["fr"]) == len(shown["en"]) == len(shown["ee"])
    names = LANGUAGE_NAMES | {"Ama", "Mensah", "Dzidzɔ", "<phone>"}
    english_only = {}
    for locale in ("fr", "ee"):
        same = [english for english, translated in zip(shown["en"], shown[locale], strict=True)
                if english == translated and english not in SAME_WORD[locale]
                and not _only_names_or_numbers(english, names)]
        # Built-in circle and territory names are inserted into translated sentences: check them on their own.
        same += [name for name in BUILTIN_NAMES
                 if name not in SAME_WORD[locale] and any(name in text for text in shown[locale])]
        if same:
            english_only[locale] = same
    assert english_only == {}, "shown in English to a French or Ewe reader"
