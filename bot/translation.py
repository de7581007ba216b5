"""Machine translation of replies (never of prompts): a Translator seam, a no-op default and LibreTranslate.

A translator never loses a reply: whatever goes wrong, translate() returns the original text, marked failed, so
the relay can send it untranslated with a note. Not to be confused with bot.i18n's per-locale Translator, which
renders the bot's own catalogued messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import httpx

if TYPE_CHECKING:
    from bot.config import Config

logger = logging.getLogger(__name__)

# Reasons end up in logs and in notes to facilitators: keep them to one short line.
MAX_ERROR_LENGTH = 120


@dataclass(frozen=True)
class TranslationResult:
    text: str
    source: str
    target: str
    translated: bool
    failed: bool = False
    error: str | None = None


class Translator(Protocol):
    async def translate(self, text: str, source: str, target: str) -> TranslationResult:
        """Translate text from one locale code to another; never raises, falls back to the original text."""
        ...

    async def aclose(self) -> None:
        """Release network resources (called from post_shutdown)."""
        ...


def untranslated(text: str, source: str, target: str, *, error: str | None = None) -> TranslationResult:
    """The original text, marked failed when an error is given."""
    return TranslationResult(text, source, target, translated=False, failed=error is not None, error=error)


class NoTranslator:
    """The default: replies are shown in their original language (the relay names that language)."""

    async def translate(self, text: str, source: str, target: str) -> TranslationResult:
        return untranslated(text, source, target)

    async def aclose(self) -> None:
        return None


class TranslationError(Exception):
    """A short, key-free reason why the service did not translate; caught inside this module only."""


class LibreTranslateTranslator:
    """A LibreTranslate-compatible HTTP API (https://libretranslate.com/docs): POST /translate, GET /languages."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._api_key = api_key or None
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        # source code -> target codes, fetched once; None until /languages has answered.
        self._languages: Mapping[str, frozenset[str]] | None = None
        self._languages_lock = asyncio.Lock()

    def __repr__(self) -> str:
        # Never show the key, even in a debugger or a traceback's locals.
        return f"LibreTranslateTranslator({str(self._client.base_url)!r})"

    async def translate(self, text: str, source: str, target: str) -> TranslationResult:
        if source == target or not text.strip():
            return untranslated(text, source, target)
        try:
            if not await self._supports(source, target):
                return untranslated(text, source, target)
            translated = await self._post_translate(text, source, target)
        except TranslationError as error:
            reason = self._redact(str(error))[:MAX_ERROR_LENGTH]
            # The reply text is private to the circle: log the reason and the languages, never the text.
            logger.warning("translation %s->%s failed, relaying the original: %s", source, target, reason)
            return untranslated(text, source, target, error=reason)
        return TranslationResult(translated, source, target, translated=True)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _supports(self, source: str, target: str) -> bool:
        # The bot's locale codes are ISO 639-1 (fr, en, ee), like LibreTranslate's. A code missing from /languages
        # (Ewe, today) is an expected answer, not an outage: the reply goes out untranslated and not failed.
        languages = await self._load_languages()
        return target in languages.get(source, frozenset())

    async def _load_languages(self) -> Mapping[str, frozenset[str]]:
        # The lock makes concurrent first replies share one GET; a failed GET is not cached, so it is retried.
        async with self._languages_lock:
            if self._languages is None:
                self._languages = parse_languages(await self._request("GET", "/languages"))
            return self._languages

    async def _post_translate(self, text: str, source: str, target: str) -> str:
        body: dict[str, str] = {"q": text, "source": source, "target": target, "format": "text"}
        if self._api_key:
            body["api_key"] = self._api_key
        answer = await self._request("POST", "/translate", json=body)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str):
            raise TranslationError("malformed answer: no translatedText")
        return translated

    async def _request(self, method: str, path: str, **kwargs: object) -> object:
        """One call to the service, its JSON answer, or TranslationError with a short reason."""
        try:
            response = await self._client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException:
            raise TranslationError(f"timeout on {path}") from None
        except httpx.HTTPError as error:
            raise TranslationError(f"{type(error).__name__} on {path}") from None
        if response.status_code != 200:
            raise TranslationError(f"HTTP {response.status_code} on {path}: {service_error(response)}")
        try:
            return response.json()
        except ValueError:
            raise TranslationError(f"malformed JSON from {path}") from None

    def _redact(self, reason: str) -> str:
        # A proxy or a fork could echo the request body in its error; the key must not reach the logs.
        return reason.replace(self._api_key, "<key>") if self._api_key else reason


def service_error(response: httpx.Response) -> str:
    """LibreTranslate's {"error": "..."} message, or the reason phrase when the body is not that."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return payload["error"]
    return response.reason_phrase or "no detail"


def parse_languages(payload: object) -> Mapping[str, frozenset[str]]:
    """/languages is [{"code": "en", "name": "English", "targets": ["fr", ...]}, ...]; old servers omit targets."""
    if not isinstance(payload, list) or not all(valid_language(entry) for entry in payload):
        raise TranslationError("malformed answer from /languages")
    codes = frozenset(entry["code"] for entry in payload)
    return {entry["code"]: frozenset(entry.get("targets", codes)) for entry in payload}


def valid_language(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
        return False
    targets = entry.get("targets", [])
    return isinstance(targets, list) and all(isinstance(code, str) for code in targets)


def translator_from_config(config: Config) -> Translator:
    """LibreTranslate when PASSERELLE_TRANSLATE_URL is set, otherwise no machine translation."""
    if config.translator_url:
        return LibreTranslateTranslator(config.translator_url, config.translator_key)
    return NoTranslator()
