"""Reminder precision under load: how late call reminders reach Telegram (issue 7 target: p99 <= 2 s).

    python bench/reminders.py [--calls 100] [--size 3] [--window 60] [--rate 10] [--broadcast 0]

`passerelle run` runs as a process (production settings: its PacedRateLimiter on) against the Bot API simulator,
which runs here with Telegram's flood control on (30 messages/s overall, 1/s per private chat with bursts of 3,
429 + retry_after beyond). Once the bot answers, `--calls` confirmed calls of `--size` participants are written to
its database, their reminder instants spread evenly over the next `--window` seconds (every participant of a call
is reminded at the same instant, as a real call's people are; half the calls fall due at T-24h, half at T-1h):
100 x 3 = 300 reminders in 60 s by default. Meanwhile other members send `/help` and answers to the weekly
question at `--rate` per second (the bot answers each directly, from the same Telegram quota), and with
`--broadcast N` this week's question to N more members is already queued in the outbox when the bot starts
(the sender is in the middle of a broadcast when the reminders fall due).

Lateness of a reminder = time the simulator received the sendMessage (its request log, time.monotonic() mapped to
the wall clock once) - the reminder's instant (the call's start - 24 h or 1 h). Each (call, participant) must be
received exactly once and never before its instant.

Also measured: the latency of members' direct answers (from the moment the simulator queued the member's message
to the bot's first sendMessage to that chat, both in its request log; target p99 <= 1.5 s), and with
`--broadcast`, the broadcast's rate while members talk and once they are quiet (the run waits for the broadcast to
end; target >= 27 msg/s once quiet), its lost and duplicated messages, and 429 answers (target: none).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import resources  # noqa: E402
from bot.app import build_application, open_store  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Config  # noqa: E402
from bot.delivery.prompts import send_circle_prompts  # noqa: E402
from bot.devtools.seeding import seed_members  # noqa: E402
from bot.devtools.simulator import BotApiSimulator  # noqa: E402
from bot.domain.slots import REMINDER_OFFSETS  # noqa: E402
from bot.i18n import I18n  # noqa: E402
from bot.storage import calls, circles  # noqa: E402
from bot.storage.database import Database  # noqa: E402

TOKEN = "123456:bench-reminders-token"
URL = "https://meet.jit.si/bench-reminder-{index}"
FOUND = re.compile(r"bench-reminder-(\d+)")
LEAD = 5.0  # seconds between writing the calls and the first reminder instant
OFFSETS = dict(REMINDER_OFFSETS)


async def seed(sim: BotApiSimulator, db_path: Path, participants: int, talkers: int, broadcast: int):
    """Members of three groups (call participants, members who talk, broadcast recipients) and the week's question
    already delivered to the first two (a broadcast to the third stays queued when --broadcast is set)."""
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path)
    app = build_application(config, clock=SystemClock(), i18n=I18n.load(resources.locales_dir()))
    services = app.bot_data.services
    await open_store(services)
    db, now = services.db, services.clock.now()
    try:
        people = await seed_members(db, sim, participants, now)
        talking = await seed_members(db, sim, talkers, now, start=participants)
        food = await circles.get_by_slug(db, "food")
        await send_circle_prompts(services, food, force=True)
        await db.execute("UPDATE outbox SET status = 'sent'")  # this week's question went out before the run
        recipients = []
        if broadcast:  # members who joined since: the same round's question, queued for them only
            recipients = await seed_members(db, sim, broadcast, now, start=participants + talkers)
            await send_circle_prompts(services, food, force=True)
        return people, talking, recipients
    finally:
        await app.post_shutdown(app)


async def write_calls(db_path: Path, people, calls_count: int, size: int, window: float) -> dict[int, datetime]:
    """Confirmed calls whose reminder instants spread over the window; returns call index -> reminder instant."""
    db = await Database.open(db_path)
    try:
        now = datetime.now(UTC)
        first = now + timedelta(seconds=LEAD)
        food = await circles.get_by_slug(db, "food")
        instants = {}
        async with db.transaction() as tx:
            for index in range(calls_count):
                group = people[index * size:(index + 1) * size]
                instant = first + timedelta(seconds=window * index / calls_count)
                kind = "24h" if index % 2 == 0 else "1h"
                start = instant + OFFSETS[kind]
                proposal_id = await calls.create_proposal(
                    tx, circle_id=food.id, proposer_id=group[0].member_id, topic=f"Bench {index}",
                    duration_minutes=60, deadline=now + timedelta(minutes=5), slots=[start],
                    invitee_ids=[p.member_id for p in group[1:]], now=now - timedelta(minutes=1))
                proposal = await calls.get_proposal(tx, proposal_id)
                slot = (await calls.slots_of(tx, proposal))[0]
                await calls.confirm(tx, proposal, slot, URL.format(index=index), now - timedelta(seconds=1))
                instants[index] = instant
        return instants
    finally:
        await db.close()


def talk(sim: BotApiSimulator, talkers, rate: float, stop: threading.Event, asked: list[tuple[int, float]]) -> int:
    """Members write at `rate` per second (alternately /help and an answer to the week's question); `asked` gets
    (chat, time.monotonic()) of each message, the simulator's clock for its request log."""
    sent, began = 0, time.monotonic()
    while not stop.is_set() and talkers and rate > 0:
        member = random.choice(talkers)
        asked.append((member.telegram_user_id, time.monotonic()))
        if sent % 2:
            sim.send_command(member.telegram_user_id, "help")
        else:
            sim.send_text(member.telegram_user_id, f"Chez nous, on composte depuis {sent % 9 + 2} ans.")
        sent += 1
        time.sleep(max(0.0, began + sent / rate - time.monotonic()))
    return sent


def stages(db_path: Path, instants: dict[int, datetime]) -> tuple[list[float], list[float]]:
    """Where the time goes, from the outbox rows: instant -> queued (created_at), queued -> confirmed (sent_at)."""
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            """SELECT o.created_at, o.sent_at, p.video_url FROM outbox o
               JOIN call_proposals p ON o.dedupe_key LIKE 'reminder:' || p.id || ':%'""").fetchall()
    queued, sent = [], []
    for created_at, sent_at, url in rows:
        instant = instants[int(FOUND.search(url).group(1))]
        queued.append((datetime.fromisoformat(created_at) - instant).total_seconds())
        if sent_at:
            sent.append((datetime.fromisoformat(sent_at) - datetime.fromisoformat(created_at)).total_seconds())
    return queued, sent


def answer_latencies(sim: BotApiSimulator, asked: list[tuple[int, float]]) -> tuple[list[float], int]:
    """Per member message, the time to the bot's answer: a chat's messages and the bot's sendMessages to it are
    paired in order (each message is answered once, in order: updates of one chat are handled one after the
    other), each message with the first answer after it not already paired. Returns the latencies and the number
    of messages left unanswered."""
    answers: dict[int, list[float]] = {}
    for record in sim.calls("sendMessage"):
        answers.setdefault(int(record.params["chat_id"]), []).append(record.at)
    by_chat: dict[int, list[float]] = {}
    for chat, at in asked:
        by_chat.setdefault(chat, []).append(at)
    latencies, unanswered = [], 0
    for chat, times in by_chat.items():
        pending = sorted(answers.get(chat, []))
        for at in sorted(times):
            while pending and pending[0] < at:
                pending.pop(0)  # sent before this message (an earlier answer left unpaired, or a digest)
            if pending:
                latencies.append(pending.pop(0) - at)
            else:
                unanswered += 1
    return latencies, unanswered


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--size", type=int, default=3, help="participants per call")
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which the reminders fall due")
    parser.add_argument("--rate", type=float, default=10.0, help="member messages per second meanwhile")
    parser.add_argument("--talkers", type=int, default=200)
    parser.add_argument("--broadcast", type=int, default=0, help="members whose weekly question is being sent")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    expected_count = args.calls * args.size
    with tempfile.TemporaryDirectory() as tmp, BotApiSimulator(token=TOKEN, strict_params=False) as sim:
        db_path = Path(tmp) / "bench.sqlite3"
        people, talkers, recipients = asyncio.run(seed(sim, db_path, expected_count, args.talkers, args.broadcast))
        audience = {r.telegram_user_id for r in recipients}
        asked: list[tuple[int, float]] = []
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PASSERELLE_API_URL": sim.api_root,
               "PASSERELLE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        stop = threading.Event()
        try:
            probe = talkers[0].telegram_user_id
            sim.send_command(probe, "help")
            sim.wait_for(lambda s: bool(s.sent_messages(probe)), timeout=60)
            # One reading of both clocks maps the simulator's monotonic request times to the wall clock.
            wall0, mono0 = time.time(), time.monotonic()
            stats: dict[str, int] = {}
            talker = threading.Thread(target=lambda: stats.update(talked=talk(sim, talkers, args.rate, stop, asked)))
            talker.start()
            instants = asyncio.run(write_calls(db_path, people, args.calls, args.size, args.window))
            time.sleep(LEAD + args.window + 5.0)
            stop.set()
            talker.join()
            quiet_from = time.monotonic()
            # The broadcast still draining ends before the bot is stopped (the quiet part is measured too).
            sim.wait_for(lambda s: len({m.chat_id for m in s.sent_messages() if m.chat_id in audience})
                         >= len(audience), timeout=max(60.0, len(audience) / 20))
            time.sleep(3.0)  # the members' last answers
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=60)
        if process.returncode != 0:
            raise RuntimeError(f"passerelle run failed: {stderr}")
        queued_after, sent_after = stages(db_path, instants)
        reminders = [r for r in sim.calls("sendMessage")
                     if r.ok and "⏰" in r.params.get("text", "") and FOUND.search(r.params.get("text", ""))]
        others_sent = sum(1 for r in sim.calls("sendMessage") if r.ok) - len(reminders)
        rate_limited = sim.rate_limited_count
        answer_times, unanswered = answer_latencies(sim, asked)
        refused = [r for r in sim.requests if r.status == 429]
        accepted_at = sorted(r.at for r in sim.requests if r.ok and r.method.lower().startswith(("send", "copy")))
        broadcast_at = sorted(r.at for r in sim.calls("sendMessage") if int(r.params["chat_id"]) in audience)
        broadcast_received = Counter(int(r.params["chat_id"]) for r in sim.calls("sendMessage")
                                     if int(r.params["chat_id"]) in audience)

    participants = {p.telegram_user_id: index // args.size for index, p in enumerate(people)}
    received = Counter((int(FOUND.search(r.params["text"]).group(1)), int(r.params["chat_id"])) for r in reminders)
    expected = {(participants[p.telegram_user_id], p.telegram_user_id) for p in people}
    lateness = {}
    for record in reminders:
        key = (int(FOUND.search(record.params["text"]).group(1)), int(record.params["chat_id"]))
        at = wall0 + (record.at - mono0)
        lateness.setdefault(key, at - instants[key[0]].timestamp())
    late = list(lateness.values())
    lost = len(expected - set(received))
    duplicated = sum(n - 1 for n in received.values())
    early = sum(1 for value in late if value < 0)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{args.calls} calls x {args.size} participants = {expected_count} reminders due over {args.window:g} s "
          f"(half T-24h, half T-1h); {stats.get('talked', 0)} member messages at {args.rate:g}/s meanwhile; "
          f"broadcast of {args.broadcast} queued at start")
    print(f"received {len(received)} of {expected_count} (lost {lost}, duplicated {duplicated}, early {early}); "
          f"other messages sent (answers, broadcast) {others_sent}; 429 answers {rate_limited}")
    for record in refused:  # what was refused, and how busy the second before it was
        chat = int(record.params.get("chat_id", 0))
        who = "broadcast" if chat in audience else "talker" if chat in {t.telegram_user_id for t in talkers} else "other"
        busy = sum(1 for at in accepted_at if record.at - 1.0 < at <= record.at)
        print(f"  429 on {record.method} to a {who} chat; {busy} sends accepted in the second before")
    answers_ok = unanswered == 0 and (not answer_times or percentile(answer_times, 0.99) <= 1.5)
    if answer_times:
        print(f"direct answers: {len(answer_times)} (unanswered {unanswered}); latency " + ", ".join(
            f"{name} {percentile(answer_times, share) * 1000:.0f} ms"
            for name, share in (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))))
    broadcast_ok = True
    if audience:
        b_lost = sum(1 for chat in audience if broadcast_received[chat] == 0)
        b_duplicated = sum(n - 1 for n in broadcast_received.values())
        talking = [at for at in broadcast_at if at < quiet_from]
        quiet = [at for at in broadcast_at if at >= quiet_from]
        talking_rate = len(talking) / (talking[-1] - broadcast_at[0]) if len(talking) > 1 else 0.0
        quiet_rate = len(quiet) / (quiet[-1] - quiet_from) if len(quiet) > 1 else 0.0
        print(f"broadcast to {len(audience)}: {talking_rate:.1f} msg/s while members talk ({len(talking)} sent), "
              f"{quiet_rate:.2f} msg/s once they are quiet ({len(quiet)} sent); lost {b_lost}, "
              f"duplicated {b_duplicated}; ended {broadcast_at[-1] - broadcast_at[0]:.1f} s after it began")
        broadcast_ok = b_lost == b_duplicated == 0 and (len(quiet) < 30 or quiet_rate >= 27)
    if late:
        print("lateness: " + ", ".join(f"{name} {percentile(late, share) * 1000:.0f} ms" for name, share in
                                       (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))))
    for name, values in (("  instant -> queued by the reminder watch", queued_after),
                         ("  queued -> sent (outbox sender, confirmed by Telegram)", sent_after)):
        if values:
            print(f"{name}: p50 {percentile(values, 0.5) * 1000:.0f} ms, p99 {percentile(values, 0.99) * 1000:.0f} ms")
    ok = (bool(late) and lost == duplicated == early == rate_limited == 0 and percentile(late, 0.99) <= 2.0
          and answers_ok and broadcast_ok)
    print("targets (reminders p99 <= 2 s, each once, none early; answers p99 <= 1.5 s; broadcast >= 27 msg/s once "
          "quiet, none lost or duplicated; no 429):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
