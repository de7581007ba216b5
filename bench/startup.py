"""Start-up time and memory with a large database: 10,000 members, 100 circles, 2,000 pending call reminders.

    python bench/startup.py [--members 10000] [--circles 100] [--calls 100] [--runs 3]

Seeds the database once (members spread over the circles, 100 confirmed calls of 10 participants each, starting
in 2 to 6 days: 100 x 10 x 2 reminders, T-24h and T-1h, still to fire), then, `--runs` times: starts
`passerelle run` as a process against the simulator, a member sends /help at once, and the time from the
process's spawn to the bot's answer is measured; the resident memory (VmRSS from /proc/<pid>/status) is read
right after the answer and again after 25 s, once the tick (every 20 s) has walked every call for reminders.
Targets (issue 7): first answer <= 3 s, resident memory <= 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
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
from bot.i18n import I18n  # noqa: E402
from bot.storage import calls, circles  # noqa: E402

TOKEN = "123456:bench-startup-token"


async def seed(sim: BotApiSimulator, db_path: Path, members: int, circle_count: int, call_count: int) -> int:
    """Returns the Telegram id of a member who will say /help."""
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path)
    app = build_application(config, clock=SystemClock(), i18n=I18n.load(resources.locales_dir()))
    services = app.bot_data.services
    await open_store(services)
    db, now = services.db, services.clock.now()
    try:
        existing = len(await circles.list_open(db))
        async with db.transaction() as tx:
            for index in range(existing, circle_count):
                await circles.create(tx, slug=f"theme-{index}", name=f"Theme {index}", names={"fr": f"Thème {index}"},
                                     now=now)
        slugs = [c.slug for c in await circles.list_open(db)]
        seeded = []
        per_batch = members // len(slugs) or 1
        for batch, slug in enumerate(slugs):  # one circle per batch of members (plus food for all)
            count = min(per_batch, members - len(seeded))
            if count <= 0:
                break
            seeded += await seed_members(db, sim, count, now, circle_slugs=tuple({"food", slug}), start=len(seeded))
        slugs_by_id = {c.id: c for c in await circles.list_open(db)}
        circle_ids = list(slugs_by_id)
        async with db.transaction() as tx:
            for index in range(call_count):
                people = seeded[index * 10:(index + 1) * 10]
                start = now + timedelta(days=2 + index % 5, hours=index % 7)
                proposal_id = await calls.create_proposal(
                    tx, circle_id=circle_ids[index % len(circle_ids)], proposer_id=people[0].member_id,
                    topic=f"Call {index}", duration_minutes=60, deadline=now + timedelta(days=1), slots=[start],
                    invitee_ids=[p.member_id for p in people[1:]], now=now)
                proposal = await calls.get_proposal(tx, proposal_id)
                slot = (await calls.slots_of(tx, proposal))[0]
                await calls.confirm(tx, proposal, slot, f"https://meet.jit.si/bench-{index}", now)
        # A restart in the middle of the week: this week's question already went out (else the first tick would
        # queue one per member, which bench/broadcast.py measures).
        for circle in await circles.list_open(db):
            await send_circle_prompts(services, circle, force=True)
        await db.execute("UPDATE outbox SET status = 'sent'")
        return seeded[-1].telegram_user_id
    finally:
        await app.post_shutdown(app)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_start(sim: BotApiSimulator, db_path: Path, user_id: int, settle: float) -> tuple[float, float, float]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PASSERELLE_API_URL": sim.api_root,
           "PASSERELLE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    answers_before = len(sim.sent_messages(user_id))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        sim.send_command(user_id, "help")  # waiting in the simulator before the bot even runs, like Telegram
        sim.wait_for(lambda s: len(s.sent_messages(user_id)) > answers_before, timeout=60)
        first_answer = time.monotonic() - started
        rss_at_answer = rss_mb(process.pid)
        time.sleep(settle)
        rss_later = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"passerelle run failed: {stderr}")
    return first_answer, rss_at_answer, rss_later


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--circles", type=int, default=100)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=25.0, help="seconds before the second memory reading")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory() as tmp, BotApiSimulator(token=TOKEN, strict_params=False) as sim:
        db_path = Path(tmp) / "bench.sqlite3"
        began = time.monotonic()
        user_id = asyncio.run(seed(sim, db_path, args.members, args.circles, args.calls))
        seeded_in = time.monotonic() - began
        size_mb = db_path.stat().st_size / 1e6
        runs = [one_start(sim, db_path, user_id, args.settle) for _ in range(args.runs)]
        reminders = sum(1 for m in sim.sent_messages() if "reminder" in (m.text or "").lower())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"database: {args.members} members, {args.circles} circles, {args.calls} confirmed calls x 10 participants "
          f"x 2 = {args.calls * 20} pending reminders; {size_mb:.1f} MB, seeded in {seeded_in:.1f} s")
    for index, (answer, rss_answer, rss_later) in enumerate(runs, 1):
        print(f"run {index}: first answer {answer:.2f} s after spawn; RSS {rss_answer:.0f} MB then, "
              f"{rss_later:.0f} MB {args.settle:g} s later")
    worst_answer = max(r[0] for r in runs)
    worst_rss = max(max(r[1], r[2]) for r in runs)
    print(f"worst: first answer {worst_answer:.2f} s, RSS {worst_rss:.0f} MB (reminders sent early: {reminders})")
    ok = worst_answer <= 3 and worst_rss <= 150
    print("targets (first answer <= 3 s, RSS <= 150 MB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
