"""The one composition point: build the PTB Application with its services, handlers and lifecycle hooks."""

from __future__ import annotations

import logging
from functools import partial

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import command_menus, handlers, health, resources, role_menus, scheduling
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.delivery.pace import PacedRateLimiter, PaceKeeper
from bot.i18n import I18n
from bot.services import BotData, PasserelleContext, Services
from bot.storage import calls, decisions, facilitator_tools, migrate
from bot.storage.database import Database
from bot.telegram_io import TracedRequest
from bot.translation import translator_from_config
from bot.update_order import PerChatUpdateProcessor

logger = logging.getLogger(__name__)


def build_application(
    config: Config,
    *,
    clock: Clock | None = None,
    i18n: I18n | None = None,
    rate_limiter: bool = True,
    connect_timeout: float = 5.0,
) -> Application:
    """Assemble the bot; nothing touches the network or the database until the application is initialised."""
    services = Services(config=config, clock=clock or SystemClock(), i18n=i18n or I18n.load(resources.locales_dir()),
                        translator=translator_from_config(config))
    # The long poll's transport remembers Telegram's last answer: the heartbeat `passerelle health` reads.
    poll_request = health.PollRecordingRequest(services.clock, connect_timeout=connect_timeout, read_timeout=15.0)
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.bot_base_url)
        .base_file_url(config.bot_file_base_url)
        .context_types(ContextTypes(context=PasserelleContext, bot_data=BotData))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # 8 connections, not one per concurrent update: httpcore checks every open connection of the pool at each
        # request (about a fifth of the bot's CPU with 16, BENCHMARKS.md), and the pace keeps what is in flight
        # near 29/s x the round trip. A request that finds them all busy waits for one (pool_timeout) instead
        # of failing after PTB's default second.
        .request(TracedRequest(connection_pool_size=8, pool_timeout=10.0, connect_timeout=connect_timeout,
                               read_timeout=15.0))
        .get_updates_request(poll_request)
        .concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates=16))
        .post_init(partial(_post_init, poll_request=poll_request))
        .post_shutdown(_post_shutdown)
    )
    if rate_limiter:
        # One pace for everything the bot sends: direct answers take their slot in this limiter, the outbox
        # sender takes its own in the same PaceKeeper (scheduling.sender_for), by priority.
        builder = builder.rate_limiter(PacedRateLimiter(lambda: PaceKeeper(services.clock)))
    application = builder.build()
    application.bot_data.services = services
    handlers.register(application)
    return application


async def open_store(services: Services) -> None:
    """Open the database and bring its schema up to date."""
    db = await Database.open(services.config.db_path)
    try:
        applied = await migrate.migrate(db, resources.migrations_dir())
    except BaseException:
        await db.close()
        raise
    for migration in applied:
        logger.info("Applied migration %04d_%s", migration.version, migration.name)
    await calls.load_memory(db)
    await facilitator_tools.load_memory(db)
    await decisions.load_memory(db)
    services.attach_db(db)


async def _post_init(application: Application, *, poll_request: health.PollRecordingRequest) -> None:
    # Only what the bot cannot work without may stop the start: the token and the API (checked by getMe in
    # initialize(), before this) and the database. Menus are retried later when they fail (issue 10).
    services: Services = application.bot_data.services
    await open_store(services)
    await command_menus.publish_menus_or_retry_later(application)
    # Facilitators' own menus (per chat): failures are logged per chat inside, never fatal.
    await role_menus.restore_menus(application.bot, services)
    scheduling.install(application)
    health.install(application, poll_request)
    logger.info("Passerelle is ready as @%s", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data.services
    await services.translator.aclose()
    if services._db is not None:
        await services.db.close()
        services.attach_db(None)

