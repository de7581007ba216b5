"""The built-in prompt library and its `prompts` catalogs in fr, en and ee."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.domain.framing import SUGGESTION_MSGIDS, assess_framing
from bot.domain.prompt_library import THEMES, BuiltinPrompt, prompt_by_key, prompts_for_theme

LOCALES = Path(__file__).resolve().parents[2] / "locales"
LANGUAGES = ("fr", "en", "ee")
LIBRARY = [prompt for theme in THEMES for prompt in prompts_for_theme(theme)]
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(?\w*\)?[sd]")


def _catalog(language):
    with open(LOCALES / language / "LC_MESSAGES" / "prompts.po", "rb") as handle:
        return read_po(handle, locale=language, domain="prompts")


def _translations(language):
    return {message.id: message.string for message in _catalog(language) if message.id}


@pytest.mark.parametrize("theme", THEMES)
def test_each_theme_offers_at_least_a_dozen_prompts(theme):
    assert len(prompts_for_theme(theme)) >= 12


def test_prompt_keys_are_unique_and_name_their_theme():
    keys = [prompt.key for prompt in LIBRARY]
    assert len(keys) == len(set(keys))
    for prompt in LIBRARY:
        assert re.fullmatch(r"[a-z]+-\d{2}-[a-z0-9-]+", prompt.key)
        assert prompt.key.startswith(prompt.theme + "-")


def test_prompt_texts_are_unique_short_questions_inviting_a_story():
    assert len({prompt.text for prompt in LIBRARY}) == len(LIBRARY)
    for prompt in LIBRARY:
        assert 40 <= len(prompt.text) <= 350, prompt.key
        assert "?" in prompt.text and prompt.text == prompt.text.strip()
        assert 1 <= len(re.findall(r"[.?!](\s|$)", prompt.text)) <= 3, prompt.key


def test_prompt_by_key_finds_library_prompts_and_not_unknown_keys():
    first = LIBRARY[0]
    assert prompt_by_key(first.key) is first
    assert prompt_by_key("food-99-retired") is None
    assert prompts_for_theme("unknown-theme") == ()
    assert isinstance(first, BuiltinPrompt)


def test_template_lists_exactly_the_library_and_suggestion_msgids():
    with open(LOCALES / "prompts.pot", "rb") as handle:
        template = {message.id for message in read_po(handle) if message.id}
    assert template == {prompt.text for prompt in LIBRARY} | set(SUGGESTION_MSGIDS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_has_a_non_fuzzy_translation(language):
    catalog = _catalog(language)
    expected = {prompt.text for prompt in LIBRARY} | set(SUGGESTION_MSGIDS)
    translated = {message.id for message in catalog if message.id and message.string and not message.fuzzy}
    assert translated == expected


@pytest.mark.parametrize("language", ("fr", "ee"))
def test_translations_are_not_left_in_english(language):
    for msgid, msgstr in _translations(language).items():
        assert msgstr.strip() and msgstr != msgid


def test_english_catalog_repeats_the_msgids():
    assert all(msgstr == msgid for msgid, msgstr in _translations("en").items())


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_same_placeholders(language):
    for msgid, msgstr in _translations(language).items():
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translated_prompts_fit_a_phone_screen(language):
    translations = _translations(language)
    for prompt in LIBRARY:
        assert len(translations[prompt.text]) <= 350, prompt.key


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_whole_library_passes_the_framing_check(language):
    translations = _translations(language)
    for prompt in LIBRARY:
        assessment = assess_framing(translations[prompt.text], language)
        assert not assessment.is_equipment_centred, (prompt.key, assessment)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_headers_declare_language_charset_and_plurals(language):
    catalog = _catalog(language)
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == language
    assert headers["Content-Type"].lower() == "text/plain; charset=utf-8"  # charset names ignore case
    expected = "(n > 1)" if language == "fr" else "(n != 1)"
    assert headers["Plural-Forms"] == f"nplurals=2; plural={expected};"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles_without_errors(language):
    catalog = _catalog(language)
    assert list(catalog.check()) == []
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    assert len(buffer.getvalue()) > 1000
