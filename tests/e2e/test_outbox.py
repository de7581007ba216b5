"""The durable outbox: pacing under Telegram's limits, 429 honoured, blocked members, files, no duplicates."""

from __future__ import annotations

from bot.delivery.sender import file_payload
from bot.storage import members, outbox
from tests.support import Harness


async def _started(h: Harness, name: str):
    user = h.sim.add_user(name)
    await h.command(user, "start")
    return user


async def test_a_burst_to_one_chat_is_paced_and_nothing_is_lost_or_duplicated(harness: Harness):
    h = harness
    user = await _started(h, "Awa")
    before = len(h.sim.sent_messages(user.id))
    for index in range(10):
        await outbox.enqueue(h.db, chat_id=user.id, method="sendMessage", now=h.clock.now(),
                             payload={"text": f"news {index}"}, dedupe_key=f"news:{index}")
    # The same logical message queued twice is stored once.
    assert not await outbox.enqueue(h.db, chat_id=user.id, method="sendMessage", now=h.clock.now(),
                                    payload={"text": "news 0"}, dedupe_key="news:0")
    report = await h.drain()
    texts = [m.text for m in h.sim.sent_messages(user.id)[before:]]
    assert texts == [f"news {index}" for index in range(10)]
    assert report.sent == 10 and h.sim.rate_limited_count == 0


async def test_a_429_storm_postpones_without_losing_or_duplicating(harness: Harness):
    h = harness
    h.refusals_expected = True  # the simulator fails on purpose: the outbox must cope
    users = [await _started(h, f"Person{index}") for index in range(5)]
    before = {u.id: len(h.sim.sent_messages(u.id)) for u in users}
    h.sim.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7,
                    count=4)
    for user in users:
        await outbox.enqueue(h.db, chat_id=user.id, method="sendMessage", now=h.clock.now(),
                             payload={"text": "prompt"}, dedupe_key=f"p:{user.id}")
    report = await h.drain()
    assert report.rate_limited == 4
    for user in users:
        assert [m.text for m in h.sim.sent_messages(user.id)[before[user.id]:]] == ["prompt"]
    assert await outbox.counts(h.db) == {"sent": 5}


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_skipped(harness: Harness):
    h = harness
    h.refusals_expected = True  # the simulator fails on purpose: the outbox must cope
    user = await _started(h, "Kossi")
    h.sim.block_bot(user.id)
    await h.deliver()
    for index in range(3):
        await outbox.enqueue(h.db, chat_id=user.id, member_id=(await members.get_by_telegram_id(h.db, user.id)).id,
                             method="sendMessage", now=h.clock.now(), payload={"text": f"m{index}"})
    report = await h.drain()
    assert report.dropped == 1 and report.sent == 0
    assert not (await members.get_by_telegram_id(h.db, user.id)).reachable
    assert await outbox.counts(h.db) == {"dropped": 3}


async def test_server_errors_are_retried_with_backoff(harness: Harness):
    h = harness
    h.refusals_expected = True  # the simulator fails on purpose: the outbox must cope
    user = await _started(h, "Yann")
    before = len(h.sim.sent_messages(user.id))
    h.sim.fail_next("sendMessage", error_code=502, description="Bad Gateway", count=2)
    await outbox.enqueue(h.db, chat_id=user.id, method="sendMessage", now=h.clock.now(), payload={"text": "hello"})
    await h.drain()  # first attempt fails, the row waits for its backoff
    h.clock.advance(seconds=1)
    await h.drain()
    h.clock.advance(seconds=2)
    await h.drain()
    assert [m.text for m in h.sim.sent_messages(user.id)[before:]] == ["hello"]


async def test_a_queued_file_is_sent_as_a_document(harness: Harness):
    h = harness
    user = await _started(h, "Ama")
    await outbox.enqueue(h.db, chat_id=user.id, method="sendDocument", now=h.clock.now(),
                         payload={"document": file_payload("call.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
                                  "caption": "Your call"})
    await h.drain()
    document = h.sim.sent_messages(user.id)[-1]
    assert document.document["file_name"] == "call.ics"
    assert document.document_bytes.startswith(b"BEGIN:VCALENDAR")


async def test_a_crash_mid_send_resumes_without_loss_and_at_most_one_duplicate(harness: Harness):
    """The sender is cancelled (as a crash would stop it) in the middle of a fan-out; a new one finishes it."""
    import asyncio

    from bot.delivery.sender import Sender

    h = harness
    # Cancelling mid-request can cut a request's body: the simulator then refuses the half it received, as
    # Telegram would. That refusal is the crash under test, not a bug.
    h.refusals_expected = True
    users = [await _started(h, f"Member{index}") for index in range(12)]
    before = len(h.sim.sent_messages())
    for user in users:
        await outbox.enqueue(h.db, chat_id=user.id, method="sendMessage", now=h.clock.now(),
                             payload={"text": "weekly question"}, dedupe_key=f"q:{user.id}")
    crashing = asyncio.create_task(Sender(bot=h.app.bot, db=h.db, clock=h.clock).drain())
    while len(h.sim.sent_messages()) - before < 5:
        await asyncio.sleep(0.005)
    crashing.cancel()
    try:
        await crashing
    except asyncio.CancelledError:
        pass
    await Sender(bot=h.app.bot, db=h.db, clock=h.clock).drain()  # "after the restart"
    received = [m.chat_id for m in h.sim.sent_messages()[before:]]
    assert {u.id for u in users} <= set(received)                   # nothing lost
    assert len(received) - len(set(received)) <= 1                  # at most the message in flight, again
    assert await outbox.counts(h.db) == {"sent": 12}


async def test_a_member_who_unblocks_the_bot_receives_messages_again(harness: Harness):
    h = harness
    user = await _started(h, "Kossi")
    h.sim.block_bot(user.id)
    await h.deliver()
    assert not (await members.get_by_telegram_id(h.db, user.id)).reachable
    h.sim.unblock_bot(user.id)
    await h.deliver()
    assert (await members.get_by_telegram_id(h.db, user.id)).reachable
