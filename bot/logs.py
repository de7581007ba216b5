"""Logging set-up: INFO for the bot, quiet HTTP clients, and a filter that redacts the token everywhere."""

from __future__ import annotations

import logging
import re

PHONE = re.compile(r"\+?\d[\d ]{7,16}\d")


class RedactingFilter(logging.Filter):
    """Replace the bot token (and anything shaped like it) in every record, as a last line of defence."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token
        self._pattern = re.compile(r"\d{5,20}:[A-Za-z0-9_-]{20,}")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._pattern.sub("<token>", message.replace(self._token, "<token>") if self._token else message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(token: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A long outbox drain makes APScheduler skip ticks; that is by design, not worth a warning per second.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
