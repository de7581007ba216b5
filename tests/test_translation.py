"""The reply-translation seam: LibreTranslate is reached through httpx.MockTransport (or a closed local port),
never by patching a method; whatever the service does, the reply's original text survives."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bot.config import Config, ConfigError
from bot.translation import (
    LibreTranslateTranslator,
    NoTranslator,
    TranslationResult,
    translator_from_config,
)

BASE_URL = "https://translate.example.org"
KEY = "sk-passerelle-0123456789abcdef"
REPLY = "Nous vendons les légumes du jardin partagé au marché du samedi."
TRANSLATION = "We sell the vegetables from the shared garden at the Saturday market."
TOKEN = "123456:test-token"

# LibreTranslate has no Ewe: /languages lists French and English only.
LANGUAGES = [
    {"code": "en", "name": "English", "targets": ["en", "fr"]},
    {"code": "fr", "name": "French", "targets": ["en", "fr"]},
]

Handler = Callable[[httpx.Request], httpx.Response]


class FakeLibreTranslate:
    """A LibreTranslate stand-in for httpx.MockTransport: answers /languages, delegates /translate, records calls."""

    def __init__(self, on_translate: Handler) -> None:
        self.on_translate = on_translate
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and request.url.path == "/languages":
            return httpx.Response(200, json=LANGUAGES)
        if request.method == "POST" and request.url.path == "/translate":
            return self.on_translate(request)
        return httpx.Response(404, json={"error": "Not Found"})

    def calls(self, path: str) -> int:
        return sum(1 for request in self.requests if request.url.path == path)


def translated_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"translatedText": TRANSLATION})


@pytest.fixture
async def make_translator() -> AsyncIterator[Callable[..., LibreTranslateTranslator]]:
    opened: list[LibreTranslateTranslator] = []

    def make(on_translate: Handler = translated_ok, **kwargs: object) -> LibreTranslateTranslator:
        service = FakeLibreTranslate(on_translate)
        translator = LibreTranslateTranslator(BASE_URL, KEY, transport=httpx.MockTransport(service), **kwargs)
        translator.service = service  # type: ignore[attr-defined]  # the test's handle on the recorded calls
        opened.append(translator)
        return translator

    yield make
    for translator in opened:
        await translator.aclose()


def assert_original_kept(result: TranslationResult, *, reason: str) -> None:
    assert result.text == REPLY
    assert (result.translated, result.failed) == (False, True)
    assert result.error is not None and reason in result.error


async def test_no_translator_returns_the_original_text() -> None:
    result = await NoTranslator().translate(REPLY, "fr", "en")
    assert result == TranslationResult(REPLY, "fr", "en", translated=False, failed=False, error=None)


async def test_libretranslate_translates_with_the_documented_request(make_translator) -> None:
    def check_body(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == {
            "q": REPLY, "source": "fr", "target": "en", "format": "text", "api_key": KEY,
        }
        return translated_ok(request)

    translator = make_translator(check_body)
    result = await translator.translate(REPLY, "fr", "en")
    assert result == TranslationResult(TRANSLATION, "fr", "en", translated=True)
    assert translator.service.calls("/translate") == 1


async def test_no_key_means_no_api_key_field() -> None:
    bodies: list[dict] = []

    def record(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return translated_ok(request)

    translator = LibreTranslateTranslator(BASE_URL, transport=httpx.MockTransport(FakeLibreTranslate(record)))
    try:
        assert (await translator.translate(REPLY, "fr", "en")).translated
    finally:
        await translator.aclose()
    assert "api_key" not in bodies[0]


async def test_an_unsupported_language_is_relayed_untranslated_not_failed(make_translator) -> None:
    translator = make_translator()
    from_ewe = await translator.translate("Míeɖoa agblemenuwo ɖe asi me.", "ee", "fr")
    to_ewe = await translator.translate(REPLY, "fr", "ee")
    assert from_ewe == TranslationResult("Míeɖoa agblemenuwo ɖe asi me.", "ee", "fr", translated=False)
    assert to_ewe == TranslationResult(REPLY, "fr", "ee", translated=False)
    assert translator.service.calls("/translate") == 0


async def test_supported_languages_are_fetched_once_even_by_concurrent_replies(make_translator) -> None:
    translator = make_translator()
    results = await asyncio.gather(*(translator.translate(REPLY, "fr", "en") for _ in range(5)))
    await translator.translate(REPLY, "fr", "ee")
    assert all(result.translated for result in results)
    assert translator.service.calls("/languages") == 1


async def test_the_same_language_makes_no_http_call(make_translator) -> None:
    def must_not_be_called(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"unexpected {request.method} {request.url}")

    translator = make_translator(must_not_be_called)
    result = await translator.translate(REPLY, "fr", "fr")
    assert result == TranslationResult(REPLY, "fr", "fr", translated=False)
    assert translator.service.requests == []


@pytest.mark.parametrize(
    ("status", "error"),
    [(500, "Internal Server Error"), (429, "Too many requests"), (403, "Invalid API key"), (400, "Invalid request")],
)
async def test_a_translator_error_status_keeps_the_original_text(make_translator, status: int, error: str) -> None:
    translator = make_translator(lambda request: httpx.Response(status, json={"error": error}))
    result = await translator.translate(REPLY, "fr", "en")
    assert_original_kept(result, reason=f"HTTP {status}")
    assert error in result.error


async def test_a_translator_outage_keeps_the_original_text(make_translator) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad Gateway</html>")

    result = await make_translator(down).translate(REPLY, "fr", "en")
    assert_original_kept(result, reason="HTTP 502")


async def test_a_translator_timeout_keeps_the_original_text(make_translator) -> None:
    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    result = await make_translator(too_slow).translate(REPLY, "fr", "en")
    assert_original_kept(result, reason="timeout")


async def test_a_refused_connection_keeps_the_original_text() -> None:
    # A real connection to a local port nobody listens on: the default transport, not a mock.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    translator = LibreTranslateTranslator(f"http://127.0.0.1:{port}", KEY, timeout=2.0)
    try:
        result = await translator.translate(REPLY, "fr", "en")
    finally:
        await translator.aclose()
    assert_original_kept(result, reason="ConnectError")


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>captive portal</html>"),
        httpx.Response(200, json={"translated": "wrong field"}),
        httpx.Response(200, json=["a list"]),
        httpx.Response(200, json={"translatedText": None}),
    ],
    ids=["not-json", "no-translatedText", "not-an-object", "null-translation"],
)
async def test_a_garbled_answer_keeps_the_original_text(make_translator, answer: httpx.Response) -> None:
    result = await make_translator(lambda request: answer).translate(REPLY, "fr", "en")
    assert_original_kept(result, reason="malformed")


async def test_a_failed_language_list_is_retried_on_the_next_reply() -> None:
    attempts: list[int] = []

    def flaky_languages(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/languages":
            attempts.append(1)
            if len(attempts) == 1:
                return httpx.Response(503, json={"error": "starting"})
            return httpx.Response(200, json=LANGUAGES)
        return translated_ok(request)

    translator = LibreTranslateTranslator(BASE_URL, transport=httpx.MockTransport(flaky_languages))
    try:
        first = await translator.translate(REPLY, "fr", "en")
        second = await translator.translate(REPLY, "fr", "en")
    finally:
        await translator.aclose()
    assert_original_kept(first, reason="HTTP 503")
    assert second.translated and second.text == TRANSLATION
    assert len(attempts) == 2


async def test_the_api_key_never_reaches_a_log_line(make_translator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, httpx's request lines included

    def echo_the_body(request: httpx.Request) -> httpx.Response:
        # A careless proxy or fork that quotes the key it refuses.
        return httpx.Response(403, json={"error": f"invalid api_key {json.loads(request.content)['api_key']}"})

    ok, echoing = make_translator(), make_translator(echo_the_body)
    assert (await ok.translate(REPLY, "fr", "en")).translated
    failed = await echoing.translate(REPLY, "fr", "en")
    assert failed.failed and KEY not in (failed.error or "")
    assert caplog.records, "the failure should have been logged"
    assert all(KEY not in record.getMessage() for record in caplog.records)
    assert KEY not in caplog.text
    assert KEY not in repr(ok)


async def test_the_reply_text_is_not_logged_on_failure(make_translator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.translation")
    await make_translator(lambda request: httpx.Response(500, json={"error": "boom"})).translate(REPLY, "fr", "en")
    assert "boom" in caplog.text
    assert REPLY not in caplog.text


def test_from_env_reads_the_translator_url_and_key() -> None:
    config = Config.from_env({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PASSERELLE_TRANSLATE_URL": " https://translate.example.org/ ",
        "PASSERELLE_TRANSLATE_KEY": f" {KEY} ",
    })
    assert config.translator_url == BASE_URL
    assert config.translator_key == KEY
    assert KEY not in repr(config)


def test_from_env_leaves_translation_off_by_default() -> None:
    config = Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (config.translator_url, config.translator_key) == (None, None)


def test_from_env_refuses_a_translator_url_without_scheme() -> None:
    with pytest.raises(ConfigError, match="PASSERELLE_TRANSLATE_URL"):
        Config.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "PASSERELLE_TRANSLATE_URL": "translate.example.org"})


async def test_translator_from_config_picks_libretranslate_only_when_a_url_is_set() -> None:
    assert isinstance(translator_from_config(Config(token=TOKEN)), NoTranslator)
    translator = translator_from_config(Config(token=TOKEN, translator_url=BASE_URL, translator_key=KEY))
    try:
        assert isinstance(translator, LibreTranslateTranslator)
    finally:
        await translator.aclose()
