"""Broadcast benchmark: one weekly prompt to N members through the Bot API simulator, Telegram's limits on.

    python bench/broadcast.py [--members 10000]

Seeds N verified members of one circle, queues this week's prompt for all of them (the real code path of
`/sendprompt`), then lets the real outbox sender drain it against the simulator (30 messages/s overall, 1/s per
private chat, 429 + retry_after beyond). Reports messages per second, 429s received, and losses/duplicates counted
on what the simulator received. Target (issue 14): >= 28.5 msg/s (0.95 of the limit), 0 lost, 0 duplicated, 0 x 429.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot import resources
from bot.app import build_application, open_store
from bot.clock import SystemClock
from bot.config import Config
from bot.delivery.prompts import send_circle_prompts
from bot.delivery.sender import Sender
from bot.devtools.simulator import BotApiSimulator
from bot.i18n import I18n
from bot.storage import circles, members, outbox

TOKEN = "123456:bench-token"


async def seed(services, sim: BotApiSimulator, count: int) -> list[int]:
    """N members, half in Brittany and half in Togo, all in the food circle, each having started the bot."""
    clock = services.clock
    food = await circles.get_by_slug(services.db, "food")
    user_ids = []
    async with services.db.transaction() as tx:
        for index in range(count):
            user = sim.add_user(f"Member{index}", language_code="fr")
            sim.send_text(user.id, "/start")  # Telegram only lets the bot write to people who wrote first
            togo = index % 2 == 1
            member = await members.create(tx, telegram_user_id=user.id, first_name=user.first_name, last_name=None,
                                          locale="ee" if togo and index % 4 == 1 else "fr", locale_source="choice",
                                          now=clock.now())
            await members.update(tx, member.id, clock.now(), status="active", onboarding_step="done",
                                 territory_code="togo" if togo else "bretagne",
                                 time_zone="Africa/Lome" if togo else "Europe/Paris",
                                 phone_e164=f"+{228 if togo else 33}9{index:08d}")
            await circles.join(tx, member.id, food.id, clock.now())
            user_ids.append(user.id)
    sim.take_updates()
    return user_ids


async def run(count: int) -> int:
    with tempfile.TemporaryDirectory() as tmp, BotApiSimulator(token=TOKEN, strict_params=False) as sim:
        config = Config(token=TOKEN, api_url=sim.api_root, db_path=Path(tmp) / "bench.sqlite3")
        app = build_application(config, clock=SystemClock(), i18n=I18n.load(resources.locales_dir()))
        await app.initialize()
        services = app.bot_data.services
        await open_store(services)
        try:
            started = time.perf_counter()
            user_ids = await seed(services, sim, count)
            seeded = time.perf_counter()
            food = await circles.get_by_slug(services.db, "food")
            queued = await send_circle_prompts(services, food, force=True)
            enqueued = time.perf_counter()
            before = len(sim.sent_messages())
            # The composition of `passerelle run`: the sender takes its turns in the Bot's rate limiter's pace.
            sender = Sender(bot=app.bot, db=services.db, clock=services.clock, keeper=app.bot.rate_limiter.keeper)
            report = await sender.drain()
            drained = time.perf_counter()
        finally:
            await app.post_shutdown(app)
            await app.shutdown()
        received = Counter(m.chat_id for m in sim.sent_messages()[before:])
        lost = sum(1 for uid in user_ids if received[uid] == 0)
        duplicated = sum(n - 1 for n in received.values() if n > 1)
        elapsed = drained - enqueued
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"Python {sys.version.split()[0]}")
        print(f"members: {count}  (seeding {seeded - started:.1f} s, queueing the prompt {enqueued - seeded:.1f} s)")
        print(f"queued: {queued}  sent: {report.sent}  postponed: {report.postponed}  failed: {report.failed}")
        print(f"drain: {elapsed:.1f} s  ->  {report.sent / elapsed:.2f} messages/s (Telegram's limit: 30/s)")
        print(f"429 answers received: {sim.rate_limited_count}")
        print(f"lost: {lost}  duplicated: {duplicated}")
        print(f"outbox: {await _counts(config)}")
        ok = lost == 0 and duplicated == 0 and sim.rate_limited_count == 0 and report.sent / elapsed >= 28.5
        print("target (>= 28.5 msg/s, 0 lost, 0 duplicated, 0 x 429):", "met" if ok else "NOT met")
        return 0 if ok else 1


async def _counts(config: Config) -> dict[str, int]:
    from bot.storage.database import Database

    db = await Database.open(config.db_path)
    try:
        return await outbox.counts(db)
    finally:
        await db.close()


def main() -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    return asyncio.run(run(parser.parse_args().members))


if __name__ == "__main__":
    sys.exit(main())
