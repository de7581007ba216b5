"""The production composition: direct answers and the outbox sender share one pace, answers first.

Real time here (about 2 s): with a fake clock, the pace's sleeps would move time while other requests are in
flight, and the simulator's flood control would see them arrive bunched together.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import Config
from bot.delivery import kinds
from bot.delivery.pace import PacedRateLimiter
from bot.devtools.seeding import seed_members
from bot.devtools.simulator import BotApiSimulator
from bot.scheduling import sender_for
from bot.storage import outbox
from tests.support import TOKEN, shared_i18n


async def test_a_members_answer_overtakes_a_broadcast_draining_in_the_same_pace(tmp_path):
    with BotApiSimulator(token=TOKEN, strict_params=False) as sim:
        await _answer_during_a_broadcast(sim, SystemClock(), tmp_path)


async def _answer_during_a_broadcast(sim: BotApiSimulator, clock: SystemClock, tmp_path) -> None:
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=tmp_path / "passerelle.sqlite3")
    app = build_application(config, clock=clock, i18n=shared_i18n())  # with its PacedRateLimiter, as in production
    await app.initialize()
    await app.post_init(app)
    try:
        assert isinstance(app.bot.rate_limiter, PacedRateLimiter)
        db = app.bot_data.services.db
        people = await seed_members(db, sim, 61, clock.now())
        talker, audience = people[0], people[1:]
        for person in audience:
            await outbox.enqueue(db, chat_id=person.telegram_user_id, member_id=person.member_id, now=clock.now(),
                                 method="sendMessage", payload={"text": "weekly question"},
                                 key=kinds.WEEKLY_PROMPT.key("bench", person.telegram_user_id))
        sender = sender_for(app)
        assert sender.keeper is app.bot.rate_limiter.keeper   # one pace owner
        sender.keep_going = lambda: True                      # the application is not polling in this test
        draining = asyncio.create_task(sender.drain())
        while len(sim.sent_messages()) < 20:
            await asyncio.sleep(0.001)
        sim.send_command(talker.telegram_user_id, "help")
        update = Update.de_json(sim.take_updates()[0], app.bot)
        sent_before = len(sim.sent_messages())
        await app.process_update(update)
        answered_after = [m.chat_id for m in sim.sent_messages()[sent_before:]]
        report = await draining

        assert answered_after[-1] == talker.telegram_user_id
        assert len(answered_after) <= 3   # the answer took one of the next slots, not a place behind the broadcast
        received = [m.chat_id for m in sim.sent_messages() if m.text == "weekly question"]
        assert sorted(received) == sorted(p.telegram_user_id for p in audience) and report.sent == 60
        assert sim.rate_limited_count == 0
    finally:
        await app.post_shutdown(app)
        await app.shutdown()
