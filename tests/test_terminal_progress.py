"""The admin CLI's progress bar: drawn on a terminal, silent elsewhere (prompts and members imports, backups)."""

import io
import os
import pty
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.terminal_progress import WIDTH, ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_and_ends_with_a_new_line():
    screen = Terminal()
    with ProgressBar(4, "prompts", screen) as bar:
        for _ in range(4):
            bar.advance()
    drawn = screen.getvalue()
    assert drawn.count("\r") == 4 and drawn.endswith("] 4/4\n") and "#" * 30 in drawn


def test_the_bar_stays_quiet_when_output_is_not_a_terminal():
    log = io.StringIO()
    with ProgressBar(4, "prompts", log) as bar:
        bar.advance(4)
    assert log.getvalue() == "" and bar.done == 4


def test_a_bar_moved_to_a_position_shows_it_and_never_goes_past_the_total():
    screen = Terminal()
    with ProgressBar(200, "pages", screen) as bar:
        bar.move_to(50)
        bar.move_to(50)      # nothing new: not drawn again
        bar.move_to(500)
    drawn = screen.getvalue()
    assert drawn.count("\r") == 2 and "] 50/200" in drawn and drawn.endswith("] 200/200\n")


# The admin CLI itself, as the operator runs it: on a terminal (a pseudo-terminal), and from cron (pipes).

def _environment(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PASSERELLE_"))}
    return {**env, "PASSERELLE_DB": str(db)}


def _run_on_pipes(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=_environment(db), capture_output=True,
                          text=True, timeout=60)


def _run_on_a_terminal(*args: str, db: Path) -> tuple[int, str, str]:
    """Exit code, stdout (a pipe) and what a terminal on stderr showed."""
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=_environment(db), stdout=subprocess.PIPE,
                             stderr=slave, text=True)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:      # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    out = child.stdout.read()
    child.stdout.close()
    return child.wait(timeout=60), out, shown.decode()


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    db = tmp_path / "passerelle.sqlite3"
    assert _run_on_pipes("migrate", db=db).returncode == 0
    return db


@pytest.fixture
def phone_list(tmp_path: Path) -> Path:
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("phone,organisation\n" + "".join(f"+336123456{n:02d},Org {n}\n" for n in range(40)))
    return csv_file


@pytest.mark.subprocess
def test_a_members_import_and_a_backup_draw_a_bar_on_a_terminal(migrated, phone_list, tmp_path):
    code, out, shown = _run_on_a_terminal("invite", "--csv", str(phone_list), "--circle", "food", db=migrated)
    assert code == 0 and "Invite code:" in out
    assert "numbers [" in shown and "#" * WIDTH in shown and "] 40/40" in shown and shown.count("\r") >= 40

    code, out, shown = _run_on_a_terminal("backup", str(tmp_path / "copy.sqlite3"), db=migrated)
    with closing(sqlite3.connect(migrated)) as live:
        pages = live.execute("PRAGMA page_count").fetchone()[0]
    assert code == 0 and "Backup written" in out
    assert "pages [" in shown and f"] {pages}/{pages}" in shown and shown.count("\r") > 2


@pytest.mark.subprocess
def test_a_members_import_and_a_backup_stay_quiet_when_not_on_a_terminal(migrated, phone_list, tmp_path):
    for args in (("admin", "members", "import", "--circle", "food", str(phone_list)),
                 ("invite", "--csv", str(phone_list)),
                 ("backup", str(tmp_path / "copy.sqlite3"))):
        result = _run_on_pipes(*args, db=migrated)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "" and "\r" not in result.stdout and "[#" not in result.stdout
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("SELECT count(*) FROM invite_phones").fetchone()[0] == 80
