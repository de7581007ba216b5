"""Reminders leave at their instant (issue 7: p99 <= 2 s late), not at the next 20 s tick, and still once each;
a broadcast in the outbox does not hold them back. `bench/reminders.py` measures the lateness against the real
process; these tests pin the mechanisms on the fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import health, scheduling
from bot.delivery import kinds
from bot.delivery.calls import queue_reminders_falling_due
from bot.delivery.sender import REREAD_SECONDS, Sender
from bot.devtools.seeding import seed_members
from bot.storage import outbox
from tests.e2e.test_calls import people, press, propose, slot_ids, vote
from tests.support import Harness, tick

START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 15:00 in Rennes


async def confirmed_call(h: Harness):
    u = await people(h)
    proposal = await propose(h, u["maël"], "Precise", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    return u


async def reminder_rows(h: Harness) -> list:
    return await h.db.fetch_all("SELECT dedupe_key, created_at FROM outbox WHERE dedupe_key LIKE 'reminder:%'")


async def test_the_reminder_watch_queues_a_reminder_at_its_instant_and_once(harness: Harness):
    h = harness
    await confirmed_call(h)
    due_at = START - timedelta(hours=24)
    checked = due_at - timedelta(seconds=1.5)
    h.clock.set(due_at - timedelta(seconds=0.5))
    await queue_reminders_falling_due(h.services, checked, h.clock.now())
    assert await reminder_rows(h) == []  # not a moment early
    checked = h.clock.now()
    h.clock.set(due_at + timedelta(seconds=0.3))
    await queue_reminders_falling_due(h.services, checked, h.clock.now())
    rows = await reminder_rows(h)
    assert len(rows) == 4 and {r["created_at"] for r in rows} == {h.clock.now().isoformat()}
    # The next run, an overlapping window and the tick's catch-up all find them queued already.
    await queue_reminders_falling_due(h.services, checked, h.clock.now() + timedelta(seconds=1))
    await tick(h)
    assert len(await reminder_rows(h)) == 4


async def test_the_reminder_watch_skips_calls_whose_instants_are_outside_its_window(harness: Harness):
    h = harness
    await confirmed_call(h)
    h.clock.set(START - timedelta(hours=3))  # between the two reminders: the 24 h one fell long before
    await queue_reminders_falling_due(h.services, h.clock.now() - timedelta(seconds=1), h.clock.now())
    assert await reminder_rows(h) == []  # the watch looks at its window only; the tick owns the catch-up


async def test_a_due_reminder_goes_out_before_a_broadcast_already_in_the_outbox(harness: Harness):
    h = harness
    seeded = await seed_members(h.db, h.sim, 40, h.clock.now())
    for member in seeded:
        await outbox.enqueue(h.db, chat_id=member.telegram_user_id, method="sendMessage", now=h.clock.now(),
                             payload={"text": "weekly question"}, key=kinds.WEEKLY_PROMPT.key("bulk", member.member_id))
    late = seeded[-1]
    await outbox.enqueue(h.db, chat_id=late.telegram_user_id, method="sendMessage", now=h.clock.now(),
                         payload={"text": "⏰ starting soon"}, key=kinds.CALL_REMINDER.key(1, 0, 9, "1h"))
    report = await Sender(bot=h.app.bot, db=h.db, clock=h.clock).drain()
    chats = {m.telegram_user_id for m in seeded}
    sent = [m.text for m in h.sim.sent_messages() if m.chat_id in chats]
    assert sent[0] == "⏰ starting soon" and len(sent) == 41 and report.sent == 41


async def test_a_reminder_queued_during_a_broadcast_waits_about_a_second_not_for_the_broadcast(harness: Harness):
    h = harness
    seeded = await seed_members(h.db, h.sim, 120, h.clock.now())  # about 4 s at 29 messages/s
    for member in seeded:
        await outbox.enqueue(h.db, chat_id=member.telegram_user_id, method="sendMessage", now=h.clock.now(),
                             payload={"text": "weekly question"}, key=kinds.WEEKLY_PROMPT.key("bulk", member.member_id))
    clock = QueueingClock(h, at=h.clock.now() + timedelta(seconds=1.2), chat_id=seeded[0].telegram_user_id)
    began = h.clock.now()
    await Sender(bot=h.app.bot, db=h.db, clock=clock).drain()
    row = await h.db.fetch_one("SELECT created_at, sent_at FROM outbox WHERE dedupe_key LIKE 'reminder:%'")
    waited = datetime.fromisoformat(row["sent_at"]) - datetime.fromisoformat(row["created_at"])
    assert (h.clock.now() - began).total_seconds() > 4  # the broadcast was far from over when it was queued
    assert waited <= timedelta(seconds=REREAD_SECONDS + 0.1)


class QueueingClock:
    """The test's fake clock, which queues one reminder the first time a sleep passes `at` (mid-drain)."""

    def __init__(self, h: Harness, at: datetime, chat_id: int) -> None:
        self.h, self.at, self.chat_id, self.queued = h, at, chat_id, False

    def now(self) -> datetime:
        return self.h.clock.now()

    async def sleep(self, seconds: float) -> None:
        await self.h.clock.sleep(seconds)
        if not self.queued and self.now() >= self.at:
            self.queued = True
            await outbox.enqueue(self.h.db, chat_id=self.chat_id, method="sendMessage", now=self.now(),
                                 payload={"text": "⏰ starting soon"}, key=kinds.CALL_REMINDER.key(1, 0, 9, "1h"))


def test_the_reminder_watch_is_installed_once_with_a_deterministic_name(harness: Harness):
    h = harness
    scheduling.install(h.app)  # post_init installed them already: installing again replaces, never doubles
    jobs = [j for j in h.app.job_queue.jobs() if not j.removed]
    names = sorted(j.name for j in jobs)
    assert names == sorted([scheduling.SENDER_JOB, scheduling.TICK_JOB, scheduling.REMINDER_JOB,
                            scheduling.PROGRESS_JOB, health.HEARTBEAT_JOB])
    watch = next(j for j in jobs if j.name == scheduling.REMINDER_JOB)
    assert watch.job.trigger.interval == timedelta(seconds=scheduling.REMINDER_SECONDS)
    assert watch.job.max_instances == 1 and watch.job.coalesce
