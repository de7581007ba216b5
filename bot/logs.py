"""Logging set-up: INFO for the bot, quiet HTTP clients, and a formatter that redacts the token and phone numbers."""

from __future__ import annotations

import logging
import re
import sys

TOKEN_SHAPE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{8,}")
# Phone numbers (members' private data) in any line: E.164-like "+" numbers, spaced or dashed as people type
# them ("+228 90 12 34 56", "+33 6-12-34-56-78"), and bare runs of 11 to 15 digits (Telegram contacts may come
# without "+"). Telegram user ids (at most 10 digits so far) and supergroup ids ("-100…", preceded by "-") stay
# readable: they are what an operator needs to follow a problem.
PHONE_SHAPE = re.compile(r"\+\d(?:[ .\-]?\d){6,16}(?!\d)"
                         r"|(?<![\d\-.:])\d{11,15}(?!\d)"
                         r"|(?<![\d\-.:])0\d(?:[ .\-]\d\d){4}(?!\d)")  # French national, "06 12 34 56 78"


class SafeFormatter(logging.Formatter):
    """Redacts the token and phone numbers from the final line (exception texts and tracebacks included: PTB's
    InvalidToken quotes the token, a failing contact handler may quote a number), and puts library errors (PTB,
    httpx) on one line: their tracebacks show the library's insides, not our bug."""

    def __init__(self, fmt: str, token: str) -> None:
        super().__init__(fmt)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        line = self._compact(record)
        if self._token:
            line = line.replace(self._token, "<token>").replace(self._token.split(":", 1)[-1], "<token>")
        return redact_phones(TOKEN_SHAPE.sub("<token>", line))

    def _compact(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.name.startswith(("telegram", "httpx", "httpcore", "apscheduler")):
            error = record.exc_info[1]
            record = logging.makeLogRecord(record.__dict__)
            record.msg, record.args = f"{record.getMessage()} ({type(error).__name__}: {error})", None
            record.exc_info = record.exc_text = None
        return super().format(record)


def redact_phones(text: str) -> str:
    """Replace every phone-number-like run of digits with <phone>."""
    return PHONE_SHAPE.sub("<phone>", text)


def configure(token: str, level: int = logging.INFO) -> None:
    """Log to stdout (journald and docker collect it); stderr is kept for the one-line fatal error of the CLI."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A long outbox drain makes APScheduler skip ticks; that is by design, not worth a warning per second.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
