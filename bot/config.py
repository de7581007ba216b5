"""Configuration: the only module that reads the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DB = "passerelle.sqlite3"

# Telegram tokens look like "123456789:AAE..." (bot id, colon, 35 url-safe characters). We accept any
# non-empty secret after the colon so that local Bot API servers and simulators can use short test tokens.
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message is safe to print (no secrets)."""


@dataclass(frozen=True)
class Config:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path(DEFAULT_DB)
    admin_ids: frozenset[int] = frozenset()
    video_base_url: str = "https://meet.jit.si"
    # Machine translation of replies (bot.translation): LibreTranslate when the URL is set, none otherwise.
    translator_url: str | None = None
    translator_key: str | None = field(default=None, repr=False)
    # Webhook mode (instead of long polling) when set: the public HTTPS URL a reverse proxy forwards to the
    # bot's own HTTP server on webhook_listen:webhook_port.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    # An equipment-centred reply waits this long for its author's choice (relay as it is / rephrase), then is relayed
    # as it is: a suggestion, never a block (PASSERELLE_HELD_REPLY_HOURS).
    held_reply_hours: float = 12.0

    @property
    def bot_base_url(self) -> str:
        """Root for method calls: PTB appends the token, so requests go to {root}/bot{token}/{method}."""
        return f"{self.api_url}/bot"

    @property
    def bot_file_base_url(self) -> str:
        return f"{self.api_url}/file/bot"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, require_token: bool = True) -> Config:
        """Build the configuration from environment variables, raising ConfigError with a clear message."""
        token = environ.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it.")
        if token and not TOKEN_PATTERN.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<secret>' as given by @BotFather.")
        api_url = environ.get("PASSERELLE_API_URL", "").strip().rstrip("/") or DEFAULT_API_URL
        if not re.match(r"^https?://", api_url):
            raise ConfigError(f"PASSERELLE_API_URL must start with http:// or https:// (got {api_url!r}).")
        translator_url = environ.get("PASSERELLE_TRANSLATE_URL", "").strip().rstrip("/") or None
        if translator_url and not re.match(r"^https?://", translator_url):
            raise ConfigError(f"PASSERELLE_TRANSLATE_URL must start with http:// or https:// (got {translator_url!r}).")
        webhook_url = environ.get("PASSERELLE_WEBHOOK_URL", "").strip() or None
        if webhook_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", webhook_url):
            raise ConfigError(f"PASSERELLE_WEBHOOK_URL must be a URL such as https://bot.example.org/telegram "
                              f"(got {webhook_url!r}).")
        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(environ.get("PASSERELLE_DB", "").strip() or DEFAULT_DB),
            admin_ids=parse_admin_ids(environ.get("PASSERELLE_ADMINS", "")),
            video_base_url=environ.get("PASSERELLE_VIDEO_URL", "").strip().rstrip("/") or "https://meet.jit.si",
            translator_url=translator_url,
            translator_key=environ.get("PASSERELLE_TRANSLATE_KEY", "").strip() or None,
            webhook_url=webhook_url,
            webhook_listen=environ.get("PASSERELLE_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=parse_port(environ.get("PASSERELLE_WEBHOOK_PORT", "").strip() or "8080"),
            held_reply_hours=parse_hours(environ.get("PASSERELLE_HELD_REPLY_HOURS", ""), default=12.0),
        )


def parse_hours(raw: str, *, default: float) -> float:
    """A positive number of hours (decimals allowed), or the default when unset."""
    if not raw.strip():
        return default
    try:
        hours = float(raw)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 24 * 7:
        raise ConfigError(f"PASSERELLE_HELD_REPLY_HOURS must be a number of hours between 0 and 168 (got {raw!r}).")
    return hours


def parse_admin_ids(raw: str) -> frozenset[int]:
    """Parse a comma-separated list of Telegram user ids."""
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit():
            raise ConfigError(f"PASSERELLE_ADMINS must be comma-separated Telegram user ids (bad entry {part!r}).")
        ids.add(int(part))
    return frozenset(ids)


def parse_port(raw: str) -> int:
    """A TCP port for PASSERELLE_WEBHOOK_PORT."""
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"PASSERELLE_WEBHOOK_PORT must be a port number from 1 to 65535 (got {raw!r}).")
    return int(raw)
