"""`passerelle run` as a real process: long polling against the simulator, clear startup errors, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=30)


def test_a_refused_command_menu_does_not_stop_the_start_and_is_set_later(live_sim, tmp_path):
    # Issue 10: setMyCommands refused (or failing) used to end the start with "cannot reach the Bot API".
    live_sim.fail_next("setMyCommands", error_code=500, description="Internal Server Error", count=2)
    process = _start(_env(live_sim.api_root, tmp_path / "bot.sqlite3"), tmp_path)
    try:
        user = live_sim.add_user("Ama", "Mensah", language_code="ee")
        live_sim.send_command(user.id, "start")
        live_sim.wait_for(lambda s: bool(s.sent_messages(user.id)), timeout=30)   # the bot works meanwhile
        # Retried a few seconds later: every menu ends up set.
        live_sim.wait_for(lambda s: bool(s.commands("all_private_chats", "ee")), timeout=30)
    finally:
        stdout, stderr = _stop(process)
    assert process.returncode == 0, stderr
    assert "setMyCommands failed" in stdout and "Traceback" not in stdout + stderr
    assert [r.status for r in live_sim.requests if r.method == "setMyCommands"][:2] == [500, 500]


def test_a_get_me_answer_the_bot_cannot_read_ends_with_one_line(live_sim, tmp_path):
    live_sim.answer_malformed("getMe", {"id": "not a number", "is_bot": True})
    env = _env(live_sim.api_root, tmp_path / "bot.sqlite3")
    result = subprocess.run(_passerelle("run"), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1 and "unexpected answer at start" in result.stderr, result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_the_running_bot_keeps_a_heartbeat_that_health_reads(live_sim, tmp_path):
    db = tmp_path / "bot.sqlite3"
    env = _env(live_sim.api_root, db)
    process = _start(env, tmp_path)
    try:
        live_sim.wait_for(lambda s: len(s.calls("getUpdates")) >= 2, timeout=30)
        deadline = time.monotonic() + 30
        while (health := subprocess.run(_passerelle("health"), env=env, cwd=tmp_path, capture_output=True,
                                        text=True, timeout=60)).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        _stop(process)
    assert health.returncode == 0, health.stderr
    assert health.stdout.startswith("healthy: database ok, Telegram last answered the bot")


def test_webhook_mode_answers_updates_posted_over_http_with_the_secret(live_sim, tmp_path):
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    env = _env(live_sim.api_root, tmp_path / "bot.sqlite3", PASSERELLE_WEBHOOK_URL=url,
               PASSERELLE_WEBHOOK_LISTEN="127.0.0.1", PASSERELLE_WEBHOOK_PORT=str(port))
    process = _start(env, tmp_path)
    try:
        live_sim.wait_for(lambda s: any(r.ok for r in s.calls("setWebhook")), timeout=30)
        registered = next(r for r in live_sim.calls("setWebhook") if r.ok).params
        _wait_until_listening(port)  # PTB sets the webhook first, then listens (Telegram retries meanwhile)
        assert registered["url"] == url and len(registered["secret_token"]) >= 32
        user = live_sim.add_user("Maël", "Le Bihan", language_code="fr")
        live_sim.send_command(user.id, "start")
        (update,) = live_sim.take_updates()
        assert _post(url, update, secret="forged") == 403  # only Telegram knows the secret
        assert not live_sim.sent_messages(user.id)
        assert _post(url, update, secret=registered["secret_token"]) == 200
        live_sim.wait_for(lambda s: any(m.buttons() for m in s.sent_messages(user.id)), timeout=30)
    finally:
        stdout, stderr = _stop(process)
    assert process.returncode == 0, stderr
    assert not live_sim.calls("getUpdates")
    assert "Traceback" not in stdout + stderr


def _wait_until_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _post(url: str, update: dict, *, secret: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(update).encode(), method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_ctrl_c_ends_the_demo_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PASSERELLE_"))}
    # A child started from a shell in the background ignores SIGINT; Ctrl-C reaches a foreground demo.
    process = subprocess.Popen(_passerelle("demo"), env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        transcript = ""
        while "Passerelle:" not in transcript:  # the bot has answered someone: the scene is under way
            line = process.stdout.readline()
            assert line, "the demo ended before the bot answered"
            transcript += line
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr == "passerelle: interrupted.\n"
    assert "Traceback" not in stdout
