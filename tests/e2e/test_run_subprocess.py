"""`passerelle run` as a real process: long polling against the simulator, clear startup errors, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.devtools.simulator import BotApiSimulator

pytestmark = pytest.mark.subprocess
TOKEN = "123456:ABC-subprocess-test-token-secret"


def _env(api_url: str, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PASSERELLE_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "PASSERELLE_API_URL": api_url, "PASSERELLE_DB": str(db), **extra})
    return env


def _passerelle(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


@pytest.fixture
def live_sim():
    with BotApiSimulator(token=TOKEN, strict_params=False) as simulator:
        yield simulator


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(_passerelle("run"), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_run_holds_a_conversation_over_http_and_stops_cleanly_on_sigterm(live_sim, tmp_path):
    db = tmp_path / "bot.sqlite3"
    process = _start(_env(live_sim.api_root, db), tmp_path)
    try:
        user = live_sim.add_user("Maël", "Le Bihan", language_code="fr")
        live_sim.send_command(user.id, "start")
        live_sim.wait_for(lambda s: any(m.buttons() for m in s.sent_messages(user.id)), timeout=30)
        welcome = live_sim.sent_messages(user.id)[0]
        _, agree = next((label, data) for label, data in welcome.buttons() if data == "consent:yes")
        live_sim.press_button(user.id, welcome.message_id, agree)
        live_sim.wait_for(lambda s: len(s.sent_messages(user.id)) >= 2, timeout=15)
        assert "Passerelle" in welcome.text
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert TOKEN.split(":")[1] not in stdout + stderr
    with closing(sqlite3.connect(db)) as connection:
        step = connection.execute("SELECT onboarding_step FROM members WHERE telegram_user_id = ?", (user.id,))
        assert step.fetchone() == ("phone",)


def test_restart_on_the_same_database_keeps_data_and_reapplies_no_migration(live_sim, tmp_path):
    db = tmp_path / "bot.sqlite3"
    for round_number in range(2):
        process = _start(_env(live_sim.api_root, db), tmp_path)
        try:
            user = live_sim.add_user(f"Person{round_number}")
            live_sim.send_command(user.id, "start")
            live_sim.wait_for(lambda s, u=user: bool(s.sent_messages(u.id)), timeout=30)
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=30)
        assert process.returncode == 0
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("SELECT count(*) FROM members").fetchone() == (2,)
        assert connection.execute("SELECT count(*) FROM schema_migrations").fetchone() == (
            len(list((Path(__file__).parents[2] / "migrations").glob("*.sql"))),)


def test_a_token_telegram_refuses_ends_with_one_clear_line(live_sim, tmp_path):
    env = _env(live_sim.api_root, tmp_path / "bot.sqlite3", TELEGRAM_BOT_TOKEN="999:wrong-token")
    result = subprocess.run(_passerelle("run"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "refused the token" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "wrong-token" not in result.stderr + result.stdout


def test_a_malformed_or_missing_token_is_refused_before_any_network_call(tmp_path):
    for token in ("", "not-a-token"):
        env = _env("http://127.0.0.1:9", tmp_path / "bot.sqlite3", TELEGRAM_BOT_TOKEN=token)
        result = subprocess.run(_passerelle("run"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in result.stderr


def test_an_unreachable_api_ends_with_one_clear_line(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _env(f"http://127.0.0.1:{port}", tmp_path / "bot.sqlite3")
    result = subprocess.run(_passerelle("run"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=90)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "cannot reach the Bot API" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and TOKEN not in result.stderr + result.stdout


def test_an_unwritable_database_path_ends_with_one_clear_line(live_sim, tmp_path):
    env = _env(live_sim.api_root, tmp_path / "missing-folder" / "bot.sqlite3")
    result = subprocess.run(_passerelle("run"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "cannot use the database" in result.stderr
    assert not live_sim.calls("getUpdates")


def test_migrate_command_is_idempotent(tmp_path):
    env = _env("http://127.0.0.1:9", tmp_path / "bot.sqlite3")
    first = subprocess.run(_passerelle("migrate"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    second = subprocess.run(_passerelle("migrate"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert first.returncode == second.returncode == 0
    assert "applied" in first.stdout and "up to date" in second.stdout
