"""The services a handler may use, reached through the typed context (never through untyped bot_data keys)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Config
from bot.i18n import I18n
from bot.storage.database import Database
from bot.translation import NoTranslator, Translator


@dataclass
class Services:
    config: Config
    clock: Clock
    i18n: I18n
    translator: Translator = field(default_factory=NoTranslator)
    _db: Database | None = field(default=None, repr=False)
    # Set when the bot stops itself (another instance polls with the token): `passerelle run` prints it and
    # exits non-zero instead of looking like a clean stop.
    fatal_stop: str | None = None
    # One lock per call proposal: with concurrent updates two votes' tally edits could land in the wrong order
    # (the older reading last); under the lock the last edit always reads the votes after the last commit.
    tally_locks: dict[int, asyncio.Lock] = field(default_factory=dict, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the database is opened in post_init; it is not available yet")
        return self._db

    def attach_db(self, db: Database | None) -> None:
        self._db = db

    def is_env_admin(self, telegram_user_id: int) -> bool:
        return telegram_user_id in self.config.admin_ids


class BotData(dict):
    """application.bot_data; holds the Services under one typed attribute."""

    services: Services


class PasserelleContext(CallbackContext[ExtBot, dict, dict, BotData]):
    """CallbackContext with a typed `services` property.

    PTB builds one context per update and hands it to every handler group, so it also carries what one update
    reads once for all its handlers (`member_read`, see bot/handlers/common.py `member_of`).
    """

    # (telegram user id, db.memory.members_version when read, the member or None)
    member_read: tuple[int, int, object] | None = None

    @property
    def services(self) -> Services:
        return self.bot_data.services


PasserelleApplication = Application[ExtBot, PasserelleContext, dict, dict, BotData, object]
