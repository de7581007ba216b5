"""Update throughput and latency: 1,000 members sending commands, button presses and replies through the Bot API
simulator (its rate limits off), to Passerelle and to a bare python-telegram-bot echo bot, in the same run.

    python bench/throughput.py [--members 1000] [--rounds 2] [--rate 100] [--seconds 15]

Each bot runs in its own process (bench/bots.py) and long-polls the simulator, which runs here with the driver.
Every member repeats: /pairing (a command: the bot answers with a message and a button), a press on that button
(answered with answerCallbackQuery), a reply to the weekly question (Passerelle stores it for the next digest and
thanks the member), and /help. The echo bot echoes the texts and answers the presses.

- Throughput: every member acts again as soon as the bot has answered their previous update (1,000 in flight),
  `--rounds` times; updates/s = updates answered / time from the first update to the last answer.
- Latency: updates offered at a steady `--rate` per second for `--seconds`, below both bots' capacity; the latency
  of an update is from the moment it was queued in the simulator to the bot's answer, both read from the
  simulator's request log (time.monotonic() of the same process). Reports p50/p99.
Also reported: the CPU time (user + system) each bot's process used per update in the throughput phase, read from
/proc: on a machine shared with other work, updates/s also measure the neighbours and the driver, the CPU cost per
update does not. Targets (issue 7): >= 300 updates/s, p99 <= 100 ms; issue 14: Passerelle >= 0.6 of the echo bot.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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
from bot.storage import circles  # noqa: E402

TOKEN = "123456:bench-throughput-token"
STEPS = ("command", "press", "reply", "help")


async def prepare_database(sim: BotApiSimulator, db_path: Path, count: int) -> list[int]:
    """N members of the food circle who already have this week's question (so nothing else is due meanwhile)."""
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path)
    app = build_application(config, clock=SystemClock(), i18n=I18n.load(resources.locales_dir()))
    services = app.bot_data.services
    await open_store(services)
    try:
        seeded = await seed_members(services.db, sim, count, services.clock.now())
        food = await circles.get_by_slug(services.db, "food")
        await send_circle_prompts(services, food, force=True)
        await services.db.execute("UPDATE outbox SET status = 'sent'")  # as if the broadcast was over
    finally:
        await app.post_shutdown(app)
    return [s.telegram_user_id for s in seeded]


@dataclass
class Member:
    user_id: int
    step: int = 0
    last_bot_message: int | None = None
    busy: bool = False


@dataclass
class Driver:
    """Plays the members against the simulator and matches each update with the bot's answer."""

    sim: BotApiSimulator
    members: dict[int, Member]
    latencies: list[float] = field(default_factory=list)
    seen: int = 0
    by_chat: dict[int, float] = field(default_factory=dict)       # chat -> queued at (message updates)
    by_query: dict[str, tuple[int, float]] = field(default_factory=dict)  # callback id -> (chat, queued at)

    def issue(self, member: Member) -> None:
        step = STEPS[member.step % len(STEPS)]
        member.step += 1
        member.busy = True
        queued = time.monotonic()
        if step == "press" and member.last_bot_message is not None:
            data = "pp:off" if member.step % 8 < 4 else "pp:on"
            update = self.sim.press_button(member.user_id, member.last_bot_message, data, forge=True)
            self.by_query[update["callback_query"]["id"]] = (member.user_id, queued)
            return
        text = {"command": "/pairing", "press": "/pairing", "help": "/help",
                "reply": "Chez nous, un comité d'habitants décide du menu de la cantine chaque mois."}[step]
        self.sim.send_text(member.user_id, text)
        self.by_chat[member.user_id] = queued

    def collect(self, timeout: float) -> list[Member]:
        """Wait for new requests of the bot; returns the members whose update was answered."""
        cond, log = self.sim._cond, self.sim._requests  # the bench reads the log incrementally (no copies)
        with cond:
            cond.wait_for(lambda: len(log) > self.seen, timeout=timeout)
            new, self.seen = log[self.seen:], len(log)
        done = []
        for record in new:
            if record.status != 200:
                raise RuntimeError(f"the simulator refused {record.method}: {record.response}")
            if record.method == "sendMessage":
                chat = int(record.params["chat_id"])
                queued = self.by_chat.pop(chat, None)
                if queued is not None:
                    member = self.members[chat]
                    member.last_bot_message = record.response["result"]["message_id"]
                    done.append(self._done(member, record.at - queued))
            elif record.method == "answerCallbackQuery":
                chat, queued = self.by_query.pop(str(record.params["callback_query_id"]), (None, 0.0))
                if chat is not None:
                    done.append(self._done(self.members[chat], record.at - queued))
        return done

    def _done(self, member: Member, latency: float) -> Member:
        member.busy = False
        self.latencies.append(latency)
        return member

    def closed_loop(self, rounds: int) -> tuple[int, float]:
        """Everyone in flight at once, each acting again once answered: (updates answered, seconds)."""
        target = rounds * len(STEPS) * len(self.members)
        started = time.monotonic()
        for member in self.members.values():
            self.issue(member)
        issued, answered = len(self.members), 0
        while answered < target:
            done = self.collect(timeout=30)
            if not done and not self.by_chat and not self.by_query:
                break
            answered += len(done)
            for member in done:
                if issued < target:
                    self.issue(member)
                    issued += 1
        return answered, time.monotonic() - started

    def open_loop(self, rate: float, seconds: float) -> None:
        """A steady `rate` of updates per second from idle members, for `seconds`."""
        idle = [m for m in self.members.values() if not m.busy]
        started, sent = time.monotonic(), 0
        while time.monotonic() - started < seconds:
            due = int((time.monotonic() - started) * rate) - sent
            for _ in range(max(due, 0)):
                if idle:
                    self.issue(idle.pop(0))
                    sent += 1
            idle.extend(self.collect(timeout=1.0 / rate))
        deadline = time.monotonic() + 10
        while (self.by_chat or self.by_query) and time.monotonic() < deadline:
            self.collect(timeout=0.5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    answered: int
    seconds: float
    p50_ms: float
    p99_ms: float
    saturated_p50_ms: float
    cpu_ms_per_update: float
    requests: dict[str, int]

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds


def run_bot(kind: str, sim: BotApiSimulator, db_path: Path, user_ids: list[int], args) -> Result:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PASSERELLE_API_URL": sim.api_root,
           "PASSERELLE_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bots.py"), kind], env=env, cwd=ROOT)
    try:
        sim.wait_for(lambda s: s.waiting_polls == 1, timeout=60)
        driver = Driver(sim, {uid: Member(uid) for uid in user_ids})
        driver.seen = first = len(sim.requests)
        cpu_before = cpu_seconds(process.pid)
        answered, seconds = driver.closed_loop(args.rounds)
        cpu_used = cpu_seconds(process.pid) - cpu_before
        requests = Counter(record.method for record in sim.requests[first:driver.seen])
        saturated = driver.latencies[:]
        driver.latencies.clear()
        driver.open_loop(args.rate, args.seconds)
        quantiles = statistics.quantiles(driver.latencies, n=100)
        return Result(kind, answered, seconds, quantiles[49] * 1000, quantiles[98] * 1000,
                      statistics.median(saturated) * 1000, cpu_used / answered * 1000, dict(requests))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="actions cycles per member in the throughput phase")
    parser.add_argument("--rate", type=float, default=100.0, help="updates/s offered in the latency phase")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the latency phase")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    with tempfile.TemporaryDirectory() as tmp, BotApiSimulator(token=TOKEN, rate_limits=False,
                                                                strict_params=False) as sim:
        db_path = Path(tmp) / "bench.sqlite3"
        user_ids = asyncio.run(prepare_database(sim, db_path, args.members))
        results = [run_bot(kind, sim, db_path, user_ids, args) for kind in ("echo", "passerelle")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"members: {args.members}; throughput phase: {args.rounds} x {len(STEPS)} updates per member, all in "
          f"flight; latency phase: {args.rate:g} updates/s for {args.seconds:g} s")
    for r in results:
        print(f"{r.name:>10}: {r.answered} updates in {r.seconds:.1f} s -> {r.per_second:.0f} updates/s; "
              f"latency at {args.rate:g}/s p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms "
              f"(saturated: p50 {r.saturated_p50_ms:.0f} ms, queueing included); "
              f"CPU {r.cpu_ms_per_update:.2f} ms per update")
        print(f"{'':>10}  Bot API requests in the throughput phase: "
              + ", ".join(f"{method} {count}" for method, count in sorted(r.requests.items())))
    echo, passerelle = results
    ratio = passerelle.per_second / echo.per_second
    print(f"ratio Passerelle / echo bot: {ratio:.2f} in updates/s, "
          f"{echo.cpu_ms_per_update / passerelle.cpu_ms_per_update:.2f} in CPU per update (the bot's own process: "
          "what its updates/s would be if it had a core to itself)")
    ok = passerelle.per_second >= 300 and passerelle.p99_ms <= 100 and ratio >= 0.6
    print("targets (>= 300 updates/s, p99 <= 100 ms, ratio >= 0.6):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
