"""`passerelle demo`: the real bot against the bundled simulator, a scripted scene, a readable transcript."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot import logs
from bot.app import build_application
from bot.config import Config
from bot.devtools.simulator import BotApiSimulator, SimMessage, SimUser
from bot.storage import outbox
from bot.storage.database import Database

TOKEN = "123456:demo-token"
QUIET_SECONDS = 1.2


class Scene:
    """Plays people against the running bot and prints what each side says."""

    def __init__(self, sim: BotApiSimulator, out: Callable[[str], None]) -> None:
        self.sim, self.out = sim, out
        self._seen: dict[tuple[int, int], str] = {}
        self.people: dict[str, SimUser] = {}
        self.db: Database | None = None  # the bot's, once started: the scene waits for its outbox to drain

    def person(self, first: str, last: str, language: str) -> SimUser:
        user = self.sim.add_user(first, last, language_code=language)
        self.people[first] = user
        return user

    async def act(self, user: SimUser, label: str, action: Callable[[], object]) -> None:
        self.out(f"\n  {user.first_name} ▶ {label}")
        before = self._bot_requests()
        action()
        await self._settle(before)
        self._print_new(user)
        for other in self.people.values():
            if other.id != user.id:
                self._print_new(other, to_someone_else=True)

    async def _settle(self, before: int) -> None:
        # Wait for the bot's first request after the action, then until its outbox is empty and it has been quiet
        # for a moment (longer than a flood-control retry_after, 1 s, and the outbox sender's tick, 0.5 s).
        # Polled in the loop rather than waited for in a thread: Ctrl-C then ends the demo at once.
        deadline = time.monotonic() + 15
        while self._bot_requests() <= before:
            if time.monotonic() > deadline:
                raise TimeoutError("the bot did not react within 15 s")
            await asyncio.sleep(0.05)
        count, quiet_since = self._bot_requests(), time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS or await self._pending_in_outbox():
            await asyncio.sleep(0.1)
            if self._bot_requests() != count:
                count, quiet_since = self._bot_requests(), time.monotonic()

    async def _pending_in_outbox(self) -> int:
        return (await outbox.counts(self.db)).get("pending", 0) if self.db is not None else 0

    def _bot_requests(self) -> int:
        # The long poll (getUpdates) never stops; count only what the bot does in reaction to people.
        return sum(1 for r in self.sim.requests if r.method != "getUpdates")

    def _print_new(self, user: SimUser, *, to_someone_else: bool = False) -> None:
        for message in self.sim.chat_history(user.id):
            if not message.from_bot:
                continue
            key, shown = (message.chat_id, message.message_id), _render(message)
            if self._seen.get(key) != shown:
                prefix = "Passerelle ✎" if key in self._seen else "Passerelle"
                if to_someone_else:
                    prefix += f" → {user.first_name}"
                self.out(f"  {prefix}: " + shown.replace("\n", "\n      "))
                self._seen[key] = shown

    def button(self, user: SimUser, predicate: Callable[[str], bool]) -> tuple[SimMessage, str, str]:
        for message in reversed(self.sim.chat_history(user.id)):
            for label, data in message.buttons():
                if message.from_bot and predicate(data):
                    return message, label, data
        raise RuntimeError("the bot did not offer the expected button")

    async def tap(self, user: SimUser, predicate: Callable[[str], bool]) -> None:
        message, label, data = self.button(user, predicate)
        await self.act(user, f"[{label}]", lambda: self.sim.press_button(user.id, message.message_id, data))


def _render(message: SimMessage) -> str:
    body = message.text or message.caption or ("📎 " + message.document["file_name"] if message.document else "")
    if message.voice and not body.startswith("🎙"):
        body = "🎙 " + body
    buttons = [label for label, _ in message.buttons()]
    if message.reply_markup and "keyboard" in message.reply_markup:
        buttons += [b["text"] for row in message.reply_markup["keyboard"] for b in row]
    return body + ("\n" + "  ".join(f"[{b}]" for b in buttons) if buttons else "")


async def play(sim: BotApiSimulator, db_path: Path, out: Callable[[str], None]) -> None:
    scene = Scene(sim, out)
    facilitator = scene.person("Claire", "Le Goff", "fr")
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path, admin_ids=frozenset({facilitator.id}))
    app = build_application(config)
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    await app.start()
    scene.db = app.bot_data.services.db
    try:
        for play_scene in scenes():
            await play_scene(scene)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_shutdown(app)
        await app.shutdown()


async def onboarding_scene(scene: Scene) -> None:
    sim = scene.sim
    scene.out("── Scene 1: a member in Rennes and a member in Lomé join the sustainable food circle ──")
    for first, last, language, phone, organisation, kind, shares, learns in (
        ("Maël", "Le Bihan", "fr", "+33612345678", "Coopérative Breizh Bio", "kind:cooperative",
         "Nous formons de jeunes apprentis en cuisine collective.",
         "Comment les habitants décident ensemble en assemblée."),
        ("Ama", "Mensah", "ee", "+22890123456", "Association Dzidzɔ", "kind:association",
         "Nyɔnuwo ƒe habɔbɔ wɔa nyametsotsowo ɖekae le takpekpe me.",
         "Ale si sɔhɛwo srɔ̃a dɔ le dɔfiala gbɔ."),
    ):
        user = scene.person(first, last, language)
        await scene.act(user, "/start", lambda u=user: sim.send_command(u.id, "start"))
        await scene.tap(user, lambda d: d == "consent:yes")
        await scene.act(user, f"📱 {phone}", lambda u=user, p=phone: sim.send_contact(u.id, p))
        await scene.act(user, organisation, lambda u=user, o=organisation: sim.send_text(u.id, o))
        await scene.tap(user, lambda d, k=kind: d == k)
        # The directory of practices: what the organisation can share and would like to learn, tags suggested.
        await scene.act(user, shares, lambda u=user, t=shares: sim.send_text(u.id, t))
        await scene.tap(user, lambda d: d == "dd:s")
        await scene.act(user, learns, lambda u=user, t=learns: sim.send_text(u.id, t))
        await scene.tap(user, lambda d: d == "dd:l")
        await scene.tap(user, lambda d: d == "circ:t:1")
        await scene.tap(user, lambda d: d == "circ:done")
    mael = scene.people["Maël"]
    await scene.act(mael, "/directory", lambda: sim.send_command(mael.id, "directory"))


async def weekly_exchange_scene(scene: Scene) -> None:
    sim = scene.sim
    claire, mael, ama = scene.people["Claire"], scene.people["Maël"], scene.people["Ama"]
    scene.out("\n── Scene 2: the question of the week crosses the border, and so do the answers ──")
    await scene.act(claire, "/sendprompt food", lambda: sim.send_command(claire.id, "sendprompt", "food"))
    prompt_to_mael = sim.sent_messages(mael.id)[-1]
    await scene.act(mael, "(replies to the question) Chez nous, les parents d'élèves et les producteurs composent "
                          "ensemble les menus de la cantine, une fois par mois.",
                    lambda: sim.send_text(mael.id, "Chez nous, les parents d'élèves et les producteurs composent "
                                                   "ensemble les menus de la cantine, une fois par mois.",
                                          reply_to=prompt_to_mael.message_id))
    prompt_to_ama = next(m for m in reversed(sim.sent_messages(ama.id)) if "\n\n" in (m.text or ""))
    await scene.act(ama, "🎙 (a voice note of 42 s, replying to the question)",
                    lambda: sim.send_voice(ama.id, duration=42, reply_to=prompt_to_ama.message_id))


def scenes() -> tuple[Callable[[Scene], object], ...]:
    """Every feature's scene, in the order a newcomer would live them."""
    from bot.devtools.scene_calls import calls_scene  # imports Scene from here
    from bot.devtools.scene_decisions import decisions_scene

    return (onboarding_scene, weekly_exchange_scene, calls_scene, decisions_scene)


def run_demo(db_path: str | None = None, out: Callable[[str], None] = print) -> int:
    """Start the simulator and the bot, play the scenes, print the transcript; returns an exit code."""
    logs.configure(TOKEN, level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, BotApiSimulator(
            token=TOKEN, bot_username="passerelle_demo_bot", strict_params=False) as sim:
        path = Path(db_path) if db_path else Path(tmp) / "demo.sqlite3"
        out(f"Passerelle demo: bot API simulator on {sim.api_root}, database {path}")
        started = time.monotonic()
        asyncio.run(play(sim, path, out))
    out(f"\nDemo finished in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(run_demo())
