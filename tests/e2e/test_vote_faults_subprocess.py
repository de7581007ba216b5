"""SIGKILL of `passerelle run` while members vote on a call proposal, then a restart (issue 7 fault test)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_application, open_store
from bot.clock import SystemClock
from bot.config import Config
from bot.delivery import calls as call_delivery
from bot.devtools.seeding import seed_members
from bot.devtools.simulator import BotApiSimulator
from bot.storage import calls, circles, members
from tests.e2e.test_run_subprocess import TOKEN, _env, _start
from tests.support import shared_i18n

pytestmark = pytest.mark.subprocess
VOTERS = 24


@pytest.fixture
def live_sim():
    with BotApiSimulator(token=TOKEN, strict_params=False) as simulator:
        yield simulator


def _application(sim: BotApiSimulator, db_path: Path):
    config = Config(token=TOKEN, api_url=sim.api_root, db_path=db_path)
    return build_application(config, clock=SystemClock(), i18n=shared_i18n(), rate_limiter=False)


async def _propose(sim: BotApiSimulator, db_path: Path) -> tuple[int, int, list[int]]:
    """What /propose leaves behind, written with the same functions: the proposal with three slots, its invitations
    queued in the outbox (the bot sends them once started) and the proposer's tally message. Returns (proposal id,
    proposer's chat, voters' chats)."""
    app = _application(sim, db_path)
    services = app.bot_data.services
    await open_store(services)
    try:
        now = datetime.now(UTC)
        seeded = await seed_members(services.db, sim, VOTERS + 1, now)
        proposer, voters = seeded[0], seeded[1:]
        day = (now + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)
        slots = [day, day + timedelta(days=1), day + timedelta(days=2, hours=1)]
        async with services.db.transaction() as tx:
            food = await circles.get_by_slug(tx, "food")
            proposal_id = await calls.create_proposal(
                tx, circle_id=food.id, proposer_id=proposer.member_id, topic="Compost", duration_minutes=60,
                deadline=call_delivery.voting_deadline(now, min(slots)), slots=slots,
                invitee_ids=[v.member_id for v in voters], now=now)
            await call_delivery.enqueue_invitations(tx, services, proposal_id, now)
        await app.bot.initialize()
        proposal = await calls.get_proposal(services.db, proposal_id)
        text, markup = await call_delivery.tally_screen(
            services, proposal, await members.get(services.db, proposer.member_id))
        sent = await app.bot.send_message(proposer.telegram_user_id, text, reply_markup=markup)
        await calls.set_tally_message(services.db, proposal_id, sent.message_id)
        await app.bot.shutdown()
        return proposal_id, proposer.telegram_user_id, [v.telegram_user_id for v in voters]
    finally:
        await app.post_shutdown(app)


async def _expected_tally(sim: BotApiSimulator, db_path: Path, proposal_id: int) -> str:
    app = _application(sim, db_path)
    services = app.bot_data.services
    await open_store(services)
    try:
        proposal = await calls.get_proposal(services.db, proposal_id)
        text, _ = await call_delivery.tally_screen(services, proposal, await members.get(services.db,
                                                                                          proposal.proposer_id))
        return text
    finally:
        await app.post_shutdown(app)


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> tuple[str, str]:
    if process.poll() is None:
        process.send_signal(sig)
    return process.communicate(timeout=30)


def test_sigkill_while_members_vote_leaves_each_answered_vote_once_and_the_tally_true(live_sim, tmp_path):
    """Guarantee: every vote whose button press was answered ("Vote recorded") is in the database exactly once,
    after a SIGKILL in the middle of a burst of presses and a restart. A press the killed process took from
    Telegram but had not committed is lost *unanswered* (PTB confirms a batch of updates with its next getUpdates,
    before their handlers commit; the member's app shows the press did not go through); a press it committed
    but did not answer yet is kept. A press is never applied twice (a second application would toggle the vote
    off). The vote and its check run in one transaction, so no half-written row exists; the proposer's tally,
    edited under a per-proposal lock after every vote, shows what the database holds once the last votes are in.
    """
    db = tmp_path / "bot.sqlite3"
    proposal_id, proposer_chat, voter_chats = asyncio.run(_propose(live_sim, db))
    env = _env(live_sim.api_root, db)

    def invitation(sim: BotApiSimulator, chat: int):
        return next((m for m in sim.sent_messages(chat) if any(d.startswith("cv:") for _, d in m.buttons())), None)

    first = _start(env, tmp_path)
    try:
        live_sim.wait_for(lambda s: all(invitation(s, chat) for chat in voter_chats), timeout=30)
        slot_data = {chat: [d for _, d in invitation(live_sim, chat).buttons()] for chat in voter_chats}
        # 24 voters, one slot each, every third voter a second slot too: 32 presses, each (member, slot) once.
        presses = [(chat, slot_data[chat][i % 3]) for i, chat in enumerate(voter_chats)]
        presses += [(chat, slot_data[chat][(i + 1) % 3]) for i, chat in enumerate(voter_chats) if i % 3 == 0]
        before_kill, after_restart = presses[:20], presses[20:]
        query_ids: dict[str, tuple[int, str]] = {}
        for chat, data in before_kill:  # a burst: the bot takes them in one getUpdates and handles them at once
            update = live_sim.press_button(chat, invitation(live_sim, chat).message_id, data)
            query_ids[update["callback_query"]["id"]] = (chat, data)
        live_sim.wait_for(lambda s: len(s.calls("answerCallbackQuery")) >= 5, timeout=30)
    finally:
        _stop(first, signal.SIGKILL)
    assert first.returncode == -signal.SIGKILL
    answered_before_kill = len(live_sim.calls("answerCallbackQuery"))

    second = _start(env, tmp_path)
    try:
        for chat, data in after_restart:
            update = live_sim.press_button(chat, invitation(live_sim, chat).message_id, data)
            query_ids[update["callback_query"]["id"]] = (chat, data)
        late = {q for q, (chat, data) in query_ids.items() if (chat, data) in after_restart}
        live_sim.wait_for(lambda s: late <= {r.params["callback_query_id"] for r in s.calls("answerCallbackQuery")},
                          timeout=30)
        time.sleep(1.0)  # a press handled twice, or a late tally edit, would show by now
    finally:
        _, stderr = _stop(second)
    assert second.returncode == 0, stderr
    assert "Traceback" not in stderr

    answers = Counter(r.params["callback_query_id"] for r in live_sim.calls("answerCallbackQuery") if r.ok)
    assert set(answers) <= set(query_ids) and max(answers.values()) == 1       # each press answered once at most
    assert not any(r.params.get("show_alert") for r in live_sim.calls("answerCallbackQuery"))  # none refused
    answered = {query_ids[q] for q in answers}
    unanswered = set(query_ids.values()) - answered
    assert answered_before_kill < len(before_kill)                           # killed in the middle of the burst

    with closing(sqlite3.connect(db)) as connection:
        chat_of = dict(connection.execute("SELECT id, telegram_user_id FROM members"))
        slot_ids = {f"cv:{proposal_id}:{row[0]}" for row in connection.execute(
            "SELECT id FROM call_slots WHERE proposal_id = ?", (proposal_id,))}
        votes = [(chat_of[m], f"cv:{proposal_id}:{s}") for m, s in connection.execute(
            "SELECT member_id, slot_id FROM call_votes")]
        status = connection.execute("SELECT status FROM call_proposals WHERE id = ?", (proposal_id,)).fetchone()[0]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert status == "open" and {data for _, data in votes} <= slot_ids
    assert len(votes) == len(set(votes))                                     # one person, one vote per slot
    assert answered <= set(votes) <= answered | unanswered                   # no answered vote lost, none invented
    assert set(after_restart) <= set(votes)

    tally = live_sim.message(proposer_chat, _tally_message_id(db, proposal_id))
    assert tally.raw_text == asyncio.run(_expected_tally(live_sim, db, proposal_id))


def _tally_message_id(db: Path, proposal_id: int) -> int:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute("SELECT tally_message_id FROM call_proposals WHERE id = ?",
                                  (proposal_id,)).fetchone()[0]
