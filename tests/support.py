"""In-process harness: the real Application, an injected clock, the simulator over real HTTP, no sleeping.

Updates are taken from the simulator and handed to `Application.process_update`, which returns once the
handler is done: deterministic, unlike racing a polling loop (subprocess tests cover polling).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from telegram import Update
from telegram.ext import Application

from bot import resources
from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Config
from bot.delivery.sender import DrainReport, Sender
from bot.devtools.simulator import BotApiSimulator, SimMessage, SimUser
from bot.i18n import I18n
from bot.services import Services
from bot.storage.database import Database

TOKEN = "123456:ABC-test"
_I18N: I18n | None = None


def shared_i18n() -> I18n:
    """Catalogs are compiled once per test session (they do not change during it)."""
    global _I18N
    if _I18N is None:
        _I18N = I18n.load(resources.locales_dir())
    return _I18N


@dataclass
class Harness:
    sim: BotApiSimulator
    app: Application
    clock: FakeClock
    errors: list[BaseException] = field(default_factory=list)
    # People take a few seconds between taps; advancing the clock keeps the simulator's flood control honest.
    human_pace: timedelta = timedelta(seconds=5)
    # Telegram refusing a call the bot made is a bug the member sees (a double answer, an identical edit, a write
    # to someone who cannot be written to), so every e2e test ends by checking there was none. Tests that make
    # the simulator fail on purpose, or exercise a refusal, set this.
    refusals_expected: bool = False

    @property
    def services(self) -> Services:
        return self.app.bot_data.services

    @property
    def db(self) -> Database:
        return self.services.db

    async def deliver(self) -> int:
        """Hand every pending update to the bot, one at a time, and fail on any handler error."""
        updates = self.sim.take_updates()
        for payload in updates:
            self.clock.advance(self.human_pace)
            await self.app.process_update(Update.de_json(payload, self.app.bot))
            if self.errors:
                raise AssertionError(f"handler failed: {self.errors[0]!r}") from self.errors[0]
        return len(updates)

    async def drain(self) -> DrainReport:
        """Run the outbox sender until nothing is due (sleeping through the fake clock)."""
        return await Sender(bot=self.app.bot, db=self.db, clock=self.clock).drain()

    # Conveniences that play a person and let the bot react.
    async def text(self, user: SimUser, text: str, **kwargs) -> None:
        self.sim.send_text(user.id, text, **kwargs)
        await self.deliver()

    async def command(self, user: SimUser, command: str, args: str | None = None, **kwargs) -> None:
        self.sim.send_command(user.id, command, args=args, **kwargs)
        await self.deliver()

    async def contact(self, user: SimUser, phone: str, **kwargs) -> None:
        self.sim.send_contact(user.id, phone, **kwargs)
        await self.deliver()

    async def press(self, user: SimUser, message: SimMessage, data: str, **kwargs) -> None:
        self.sim.press_button(user.id, message.message_id, data, chat_id=message.chat_id, **kwargs)
        await self.deliver()

    def last(self, chat_id: int) -> SimMessage:
        """The last message the bot sent (or edited) in a chat."""
        history = [m for m in self.sim.chat_history(chat_id) if m.from_bot]
        return history[-1]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text or m.caption or "" for m in self.sim.chat_history(chat_id) if m.from_bot]

    def button(self, chat_id: int, label_part: str) -> tuple[SimMessage, str]:
        """The newest bot message in a chat with a button whose label contains label_part, and its data."""
        for message in reversed([m for m in self.sim.chat_history(chat_id) if m.from_bot]):
            for label, data in message.buttons():
                if label_part in label:
                    return message, data
        raise AssertionError(f"no button {label_part!r} in chat {chat_id}")

    async def tap(self, user: SimUser, label_part: str) -> None:
        message, data = self.button(user.id, label_part)
        await self.press(user, message, data)

    def refused_calls(self) -> list[str]:
        """Every Bot API call the simulator refused, as 'method: description'."""
        return [f"{r.method}: {r.response.get('description')}" for r in self.sim.requests if not r.ok]

    def assert_no_refused_call(self) -> None:
        refused = self.refused_calls()
        assert not refused, f"Telegram would have refused: {refused}"

    async def close(self) -> None:
        await self.app.post_shutdown(self.app)
        await self.app.shutdown()


async def start_harness(sim: BotApiSimulator, db_path: Path, clock: FakeClock, *, admins: frozenset[int] = frozenset()) -> Harness:
    """Build the real application against the simulator and run its post_init (DB, migrations, commands)."""
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path, admin_ids=admins)
    # No PTB rate limiter in tests: its retries sleep in real time; the simulator's flood control runs on the fake clock.
    app = build_application(config, clock=clock, i18n=shared_i18n(), rate_limiter=False)
    harness = Harness(sim=sim, app=app, clock=clock)

    async def record(update: object, context) -> None:
        harness.errors.append(context.error)

    app.add_error_handler(record)
    await app.initialize()
    await app.post_init(app)
    return harness


async def tick(h: Harness) -> None:
    """Ask every feature what is due at the fake clock's now (what the tick job does every few seconds)."""
    from bot.scheduling import tick as run_tick

    await run_tick(h.app)
