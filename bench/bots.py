"""The two bots the throughput benchmark compares, each run as its own process against the simulator.

    python bench/bots.py passerelle   (TELEGRAM_BOT_TOKEN, PASSERELLE_API_URL, PASSERELLE_DB as for `passerelle run`)
    python bench/bots.py echo         (TELEGRAM_BOT_TOKEN, PASSERELLE_API_URL)

`passerelle` is `passerelle run` without its rate limiter (the shared pace, bot/delivery/pace.py): that limiter
holds sends to 29/s overall on purpose (Telegram's limit is 30), so with it the benchmark would measure the
limiter, not the bot. `echo` is the
smallest python-telegram-bot bot with the same request settings: it echoes texts and answers button presses.
"""

from __future__ import annotations

import logging
import os
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "chat_join_request", "my_chat_member"]


def run_passerelle() -> None:
    from bot import logs, resources
    from bot.app import build_application
    from bot.config import Config
    from bot.i18n import I18n

    config = Config.from_env(os.environ)
    logs.configure(config.token, level=logging.WARNING)
    application = build_application(config, i18n=I18n.load(resources.locales_dir()), rate_limiter=False)
    application.run_polling(bootstrap_retries=0, allowed_updates=ALLOWED_UPDATES)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


def run_echo() -> None:
    api = os.environ["PASSERELLE_API_URL"].rstrip("/")
    application = (
        ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{api}/bot")
        .request(HTTPXRequest(connection_pool_size=16, read_timeout=15.0))
        .get_updates_request(HTTPXRequest(read_timeout=15.0))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    application.add_handler(CallbackQueryHandler(_answer))
    logging.basicConfig(level=logging.WARNING)
    application.run_polling(bootstrap_retries=0, allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    run = {"passerelle": run_passerelle, "echo": run_echo}[sys.argv[1]]
    if os.environ.get("BENCH_PROFILE"):  # BENCH_PROFILE=out.prof: where the bot's time goes (python -m pstats)
        import cProfile

        cProfile.run("run()", os.environ["BENCH_PROFILE"])
    else:
        run()
