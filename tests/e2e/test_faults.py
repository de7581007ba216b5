"""Faults in process, through the simulator: an API outage during a fan-out, the database locked by another
process, a member blocking the bot in the middle of a digest. Each test counts what the simulator received and
what the database holds afterwards."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from telegram import Update

from bot.delivery.prompts import send_circle_prompts
from bot.devtools.seeding import seed_members
from bot.storage import circles, members, outbox
from bot.storage.database import Database
from tests.e2e.test_weekly_exchange import at
from tests.support import Harness, tick


async def fingerprint(db: Database) -> str:
    """A hash of every row of every table: equal fingerprints mean nothing was written."""
    digest = hashlib.sha256()
    tables = [r["name"] for r in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for table in tables:
        for row in await db.fetch_all(f"SELECT * FROM {table} ORDER BY rowid"):  # noqa: S608 - names from sqlite
            digest.update(repr((table, tuple(row))).encode())
    return digest.hexdigest()


async def drain_until_empty(h: Harness, *, step: timedelta = timedelta(seconds=30), rounds: int = 40) -> None:
    """Drain, and let the fake clock run through the sender's back-off, until nothing is pending."""
    for _ in range(rounds):
        await h.drain()
        if "pending" not in await outbox.counts(h.db):
            return
        h.clock.advance(step)
    raise AssertionError(f"outbox still pending: {await outbox.counts(h.db)}")


async def test_500_502_and_dropped_connections_during_a_fan_out_deliver_everything_once(harness: Harness):
    h = harness
    h.refusals_expected = True  # the simulator fails on purpose: the outbox must cope
    seeded = await seed_members(h.db, h.sim, 12, h.clock.now())
    chats = {s.telegram_user_id for s in seeded}
    food = await circles.get_by_slug(h.db, "food")
    assert await send_circle_prompts(h.services, food, force=True) == 12
    # An outage mixing every shape: HTTP 500, 502 with a JSON error, sockets closed without an answer.
    h.sim.set_status(500, count=3)
    h.sim.fail_next("sendMessage", error_code=502, description="Bad Gateway", count=3)
    h.sim.drop_connections("sendMessage", count=3)
    first = await h.drain()
    assert first.postponed == 9 and first.sent == 3  # the outage took nine attempts; the rest went through

    await drain_until_empty(h)
    received = Counter(m.chat_id for m in h.sim.sent_messages() if m.chat_id in chats)
    assert received == Counter({chat: 1 for chat in chats})
    failed = [r.status for r in h.sim.requests if r.method == "sendMessage" and not r.ok]
    assert sorted(failed) == [0, 0, 0, 500, 500, 500, 502, 502, 502]
    assert await outbox.counts(h.db) == {"sent": 12}


def _hold_exclusive_lock(path, seconds: float, locked: threading.Event) -> None:
    """Another process's writer: BEGIN EXCLUSIVE on its own connection, held for a while."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _locking(path, seconds: float) -> threading.Thread:
    locked = threading.Event()
    thread = threading.Thread(target=_hold_exclusive_lock, args=(path, seconds, locked))
    thread.start()
    assert locked.wait(5)
    return thread


async def test_a_short_lock_by_another_process_is_waited_for(harness: Harness):
    h = harness
    user = h.sim.add_user("Maël", language_code="fr")
    holder = _locking(h.db.path, 0.4)
    started = time.monotonic()
    await h.command(user, "start")  # the write waits for the lock (busy timeout), then goes through
    waited = time.monotonic() - started
    holder.join()
    assert waited >= 0.3
    assert await members.get_by_telegram_id(h.db, user.id) is not None
    assert len(h.sim.sent_messages(user.id)) == 1 and "Passerelle" in h.sim.sent_messages(user.id)[0].text


async def test_a_lock_longer_than_the_busy_timeout_is_reported_and_nothing_is_half_written(harness: Harness):
    h = harness
    # The production busy timeout is 5 s; a shorter one keeps the test quick and changes nothing else.
    path = h.db.path
    await h.db.close()
    h.services.attach_db(await Database.open(path, busy_timeout_s=0.2))
    facilitator_user = h.sim.add_user("Kossi", language_code="en")
    seeded = await seed_members(h.db, h.sim, 4, h.clock.now())
    before = await fingerprint(h.db)
    holder = _locking(path, 1.5)
    try:
        food = await circles.get_by_slug(h.db, "food")
        try:
            await send_circle_prompts(h.services, food, force=True)  # one transaction for every member
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
        else:
            raise AssertionError("the fan-out should have met the lock")
        h.sim.send_command(facilitator_user.id, "start")
        await h.app.process_update(Update.de_json(h.sim.take_updates()[0], h.app.bot))
        assert len(h.errors) == 1 and isinstance(h.errors[0], sqlite3.OperationalError)
        h.errors.clear()
        assert await fingerprint(h.db) == before  # nothing half-written
    finally:
        holder.join()
    # The member was told, in their language, without internals.
    assert h.texts(facilitator_user.id) == ["Sorry, something went wrong on our side. Please try again in a moment."]
    # Once the lock is gone everything works, and nothing was queued twice.
    await h.command(facilitator_user, "start")
    assert await send_circle_prompts(h.services, food, force=True) == len(seeded)
    assert await members.get_by_telegram_id(h.db, facilitator_user.id) is not None


async def test_a_member_blocking_the_bot_in_the_middle_of_a_digest_changes_nothing_for_the_others(
        harness: Harness, facilitator):
    h = harness
    h.refusals_expected = True  # the simulator fails on purpose: the outbox must cope
    seeded = await seed_members(h.db, h.sim, 8, h.clock.now())
    await h.command(facilitator, "relaymode", "food digest")
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday: this week's question to everyone
    rennes = [s for s in seeded if s.territory_code == "bretagne"]
    lome = [s.telegram_user_id for s in seeded if s.territory_code == "togo"]
    h.clock.set(datetime(2026, 11, 30, 9, 10, tzinfo=UTC))
    for index, author in enumerate(rennes[:2]):
        h.sim.send_text(author.telegram_user_id, f"Chez nous, un comité d'habitants décide ensemble ({index}).")
        await h.deliver()
    h.clock.set(datetime(2026, 11, 30, 10, 1, tzinfo=UTC))
    await tick(h)  # the window closed: one digest per reader queued
    queued = await h.db.fetch_all("SELECT chat_id FROM outbox WHERE status = 'pending' ORDER BY id")
    assert [r["chat_id"] for r in queued] == lome
    blocked = lome[len(lome) // 2]  # neither the first nor the last of the fan-out
    h.sim.block_bot(blocked)
    before = {chat: len(h.sim.sent_messages(chat)) for chat in lome}

    report = await h.drain()
    assert report.sent == len(lome) - 1 and report.dropped == 1
    for chat in lome:
        new = h.sim.sent_messages(chat)[before[chat]:]
        assert len(new) == (0 if chat == blocked else 1)
        if chat != blocked:
            assert "comité d'habitants" in new[0].text
    member = await members.get_by_telegram_id(h.db, blocked)
    assert not member.reachable
    rows = await h.db.fetch_all("SELECT status FROM outbox WHERE chat_id = ? AND dedupe_key LIKE 'digest:%'",
                                (blocked,))
    assert [r["status"] for r in rows] == ["dropped"]

    # Nothing is retried for them: a later digest and later drains leave their chat alone.
    h.sim.send_text(rennes[2].telegram_user_id, "Et les producteurs viennent chaque mois.")
    await h.deliver()
    await at(h, datetime(2026, 11, 30, 11, 1, tzinfo=UTC))
    await drain_until_empty(h)
    attempts = [r for r in h.sim.requests if r.params.get("chat_id") == blocked and r.method != "getChat"]
    assert [r.status for r in attempts if r.status != 200] == [403]
    assert all(len(h.sim.sent_messages(chat)) == before[chat] + 2 for chat in lome if chat != blocked)
