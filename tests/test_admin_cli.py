"""`passerelle admin …`, `backup`, `stats`: all-or-nothing imports with line numbers, a backup safe while writing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import resources
from bot.cli import main
from bot.storage import heartbeat, migrate
from bot.storage.database import Database


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "passerelle.sqlite3"
    monkeypatch.setenv("PASSERELLE_DB", str(path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["migrate"]) == 0
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return [tuple(r) for r in connection.execute(sql)]


def test_circles_are_created_and_listed(db_path, capsys):
    assert main(["admin", "circles", "create", "water", "Water", "management"]) == 0
    assert main(["admin", "circles", "create", "water", "Again"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["admin", "circles", "list"]) == 0
    listing = capsys.readouterr().out
    assert "water" in listing and "Water management" in listing and "food" in listing


def test_a_malformed_prompt_csv_changes_nothing_and_names_the_bad_lines(db_path, tmp_path, capsys):
    before = rows(db_path, "SELECT * FROM custom_prompts")
    csv_file = tmp_path / "prompts.csv"
    csv_file.write_text(
        "circle,fr,en,ee\n"
        "food,Qui décide des menus ?,Who decides the menus?,\n"       # fine
        "water,Qui gère le puits ?,,\n"                                # line 3: unknown circle
        "food,,Only English,\n"                                        # line 4: French missing
        "food,Trop,de,champs,ici\n"                                    # line 5: too many fields
        f"circular,{'x' * 601},,\n", encoding="utf-8")                 # line 6: too long
    assert main(["admin", "prompts", "import", str(csv_file)]) == 2
    err = capsys.readouterr().err
    assert "nothing imported" in err
    assert [line.strip().split(":")[0] for line in err.splitlines()[1:]] == ["line 3", "line 4", "line 5", "line 6"]
    assert rows(db_path, "SELECT * FROM custom_prompts") == before
    assert rows(db_path, "SELECT * FROM custom_prompt_texts") == []


def test_prompts_import_from_csv_with_translations_all_at_once(db_path, tmp_path, capsys):
    csv_file = tmp_path / "prompts.csv"
    csv_file.write_text("circle,fr,en\nfood,Qui décide ?,Who decides?\ncircular,\"Qui trie, et comment ?\",\n",
                        encoding="utf-8")
    assert main(["admin", "prompts", "import", str(csv_file)]) == 0
    assert "2 prompt(s) imported" in capsys.readouterr().out
    texts = rows(db_path, "SELECT locale, text FROM custom_prompt_texts ORDER BY prompt_id, locale")
    assert texts == [("en", "Who decides?"), ("fr", "Qui décide ?"), ("fr", "Qui trie, et comment ?")]
    assert main(["admin", "prompts", "import", str(csv_file)]) == 2  # the same file twice: nothing doubles
    assert "already in the circle" in capsys.readouterr().err
    assert len(rows(db_path, "SELECT * FROM custom_prompts")) == 2


def test_prompts_import_from_toml_names_bad_prompts_by_line(db_path, tmp_path, capsys):
    good = tmp_path / "prompts.toml"
    good.write_text('[[prompt]]\ncircle = "food"\nfr = "Qui cuisine ?"\nee = "Ameka ɖa nu?"\n', encoding="utf-8")
    assert main(["admin", "prompts", "import", str(good)]) == 0
    assert rows(db_path, "SELECT locale FROM custom_prompt_texts ORDER BY locale") == [("ee",), ("fr",)]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[prompt]]\ncircle = "food"\nfr = "Bien"\n\n[[prompt]]\ncircle = "food"\nde = "Nein"\n',
                   encoding="utf-8")
    assert main(["admin", "prompts", "import", str(bad)]) == 2
    assert "prompt 2 (line 5)" in capsys.readouterr().err
    assert len(rows(db_path, "SELECT * FROM custom_prompts")) == 1
    broken = tmp_path / "broken.toml"
    broken.write_text('[[prompt]]\ncircle = "food\n', encoding="utf-8")
    assert main(["admin", "prompts", "import", str(broken)]) == 2
    assert "line 2" in capsys.readouterr().err


def test_a_malformed_members_csv_changes_nothing_and_names_the_bad_lines(db_path, tmp_path, capsys):
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("phone,organisation\n+33612345678,Coop Breizh\nnot a number,Bad\n+22890123456,Dzidzɔ\n",
                        encoding="utf-8")
    assert main(["admin", "members", "import", "--circle", "food", str(csv_file)]) == 2
    assert "line 3" in capsys.readouterr().err
    assert rows(db_path, "SELECT * FROM invite_codes") == [] and rows(db_path, "SELECT * FROM invite_phones") == []
    csv_file.write_text("phone,organisation\n+33612345678,Coop Breizh\n+22890123456,Dzidzɔ\n", encoding="utf-8")
    assert main(["admin", "members", "import", "--circle", "food", str(csv_file)]) == 0
    assert "Invite code:" in capsys.readouterr().out
    assert sorted(rows(db_path, "SELECT phone_e164, organisation FROM invite_phones")) == [
        ("+22890123456", "Dzidzɔ"), ("+33612345678", "Coop Breizh")]
    assert main(["admin", "invites", "list"]) == 0
    assert "listed numbers 2" in capsys.readouterr().out
    assert main(["admin", "members", "list"]) == 0
    assert "0 member(s)" in capsys.readouterr().out


def test_stats_count_what_the_server_holds(db_path, capsys):
    assert main(["admin", "invites", "create", "--circle", "food", "--uses", "3"]) == 0
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "schema version" in out and "members per circle: food 0" in out


def test_a_backup_taken_while_the_bot_writes_opens_and_passes_integrity_check(db_path, tmp_path, capsys):
    # Enough data that a copy takes a while, written by the bot's own storage layer.
    async def fill() -> None:
        db = await Database.open(db_path)
        try:
            await migrate.migrate(db, resources.migrations_dir())
            async with db.transaction() as tx:
                await tx.executemany("INSERT INTO outbox (chat_id, method, payload, not_before, created_at) "
                                     "VALUES (?, 'sendMessage', ?, '2026', '2026')",
                                     [(n, "x" * 500) for n in range(20000)])
        finally:
            await db.close()

    asyncio.run(fill())
    stop, written = threading.Event(), []

    def writer() -> None:  # the running bot: small write transactions, one after the other, on its connection
        connection = sqlite3.connect(db_path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        while not stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO outbox (chat_id, method, payload, not_before, created_at) "
                               "VALUES (1, 'sendMessage', ?, '2026', '2026')", ("y" * 500,))
            connection.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = (SELECT min(id) FROM outbox)")
            connection.execute("COMMIT")
            written.append(1)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        targets = [tmp_path / f"backup-{n}.sqlite3" for n in range(3)]
        for target in targets:
            assert main(["backup", str(target)]) == 0
    finally:
        stop.set()
        thread.join()
    assert len(written) > 0
    for target in targets:
        with closing(sqlite3.connect(target)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT count(*) FROM outbox").fetchone()[0] >= 20000
            assert copy.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 4
        assert not target.with_name(target.name + "-wal").exists()
    assert main(["backup", str(targets[0])]) == 2  # never overwritten silently
    assert "--force" in capsys.readouterr().err


# Every operator path ends in one line and a documented exit code (issue 15) ----------------------------------

def _cli(*args: str, db: Path, cwd: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PASSERELLE_"))}
    env.update({"PASSERELLE_DB": str(db), **(extra_env or {})})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


@pytest.mark.subprocess
def test_every_command_on_a_database_in_a_missing_folder_ends_in_one_line(tmp_path):
    # aiosqlite's worker thread used to outlive the event loop here: "RuntimeError: Event loop is closed".
    db = tmp_path / "missing-folder" / "passerelle.sqlite3"
    members = tmp_path / "members.csv"
    members.write_text("phone\n+33612345678\n", encoding="utf-8")
    expected = {
        ("migrate",): (3, "the folder"),
        ("admin", "circles", "create", "water", "Water"): (3, "the folder"),
        ("admin", "invites", "create"): (3, "the folder"),
        ("invite", "--csv", str(members)): (3, "the folder"),
        ("admin", "circles", "list"): (2, "no database at"),
        ("admin", "members", "list"): (2, "no database at"),
        ("stats",): (2, "no database at"),
        ("backup", str(tmp_path / "copy.sqlite3")): (2, "no database at"),
        ("health",): (1, "no database at"),
    }
    for args, (code, words) in expected.items():
        result = _cli(*args, db=db, cwd=tmp_path)
        assert result.returncode == code, (args, result.stderr)
        assert words in one_line(result) and str(db) in result.stderr, (args, result.stderr)
    assert not db.parent.exists()


def test_read_only_commands_refuse_a_missing_or_empty_database_and_create_nothing(tmp_path, monkeypatch, capsys):
    missing, empty = tmp_path / "mistyped.sqlite3", tmp_path / "empty.sqlite3"
    empty.touch()
    for path, words in ((missing, "no database at"), (empty, "is empty (0 bytes)")):
        monkeypatch.setenv("PASSERELLE_DB", str(path))
        for args in (["admin", "circles", "list"], ["admin", "members", "list"], ["admin", "invites", "list"],
                     ["admin", "prompts", "list", "food"], ["stats"]):
            assert main(args) == 2
            err = capsys.readouterr().err
            assert words in err and err.count("\n") == 1, err
    assert not missing.exists() and empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.sqlite3"]  # no -wal, no -shm either


def test_read_only_commands_ask_for_a_migration_instead_of_running_it(db_path, capsys):
    with closing(sqlite3.connect(db_path)) as connection, connection:  # as if 0009 were new code
        connection.execute("DROP TABLE heartbeat")
        connection.execute("DELETE FROM schema_migrations WHERE version = 9")
    assert main(["stats"]) == 2
    assert "run `passerelle migrate` first" in capsys.readouterr().err
    assert main(["migrate"]) == 0 and main(["stats"]) == 0


def test_a_backup_refuses_a_folder_the_live_database_and_a_missing_folder(db_path, tmp_path, capsys):
    live_before = db_path.read_bytes()
    folder = tmp_path / "backups"
    folder.mkdir()
    cases = {
        str(folder): "is a folder",
        str(db_path): "is the live database",
        str(db_path.with_name(db_path.name + "-wal")): "is the live database",
        str(tmp_path / "nowhere" / "copy.sqlite3"): "the folder",
    }
    for target, words in cases.items():
        assert main(["backup", target, "--force"]) == 2, target
        err = capsys.readouterr().err
        assert words in err and target in err and err.count("\n") == 1, err
    assert db_path.read_bytes() == live_before
    assert list(folder.iterdir()) == [] and not list(tmp_path.glob("*.partial"))


def test_a_backup_that_cannot_be_written_names_the_target_and_leaves_no_partial(db_path, capsys):
    # /proc refuses new files even to root: the same path as a read-only file system.
    assert main(["backup", "/proc/passerelle-backup.sqlite3"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the backup /proc/passerelle-backup.sqlite3" in err and err.count("\n") == 1
    assert str(db_path) not in err  # the target is at fault, not the database


def test_territories_are_named_by_code_name_or_country_in_any_case(db_path, capsys):
    for value in ("togo", "Togo", "TG", "tg", "TOGO"):
        assert main(["admin", "invites", "create", "--territory", value]) == 0, value
    assert rows(db_path, "SELECT DISTINCT territory_code FROM invite_codes") == [("togo",)]
    capsys.readouterr()
    assert main(["admin", "invites", "create", "--territory", "Bénin"]) == 2
    err = capsys.readouterr().err
    assert "unknown territory 'Bénin'" in err and "bretagne (Brittany, FR), togo (Togo, TG)" in err


def test_an_import_refuses_numbers_from_another_country_than_the_territory_unless_allowed(db_path, tmp_path, capsys):
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("phone,organisation\n+22890123456,Dzidzɔ\n+33612345678,Coop Breizh\n", encoding="utf-8")
    assert main(["admin", "members", "import", "--territory", "togo", str(csv_file)]) == 2
    err = capsys.readouterr().err
    assert "line 3: +33612345678 is a number from FR, not from Togo (TG)" in err and "line 2" not in err
    assert rows(db_path, "SELECT * FROM invite_codes") == []
    assert main(["admin", "members", "import", "--territory", "TG", "--allow-other-countries", str(csv_file)]) == 0
    out = capsys.readouterr().out
    assert "note: line 3: +33612345678 is a number from FR" in out and "Invite code:" in out
    assert rows(db_path, "SELECT territory_code FROM invite_codes") == [("togo",)]


def test_uses_and_days_must_be_positive(db_path, capsys):
    for option, value in (("--uses", "0"), ("--uses", "-1"), ("--days", "0"), ("--days", "soon")):
        with pytest.raises(SystemExit) as stop:
            main(["admin", "invites", "create", option, value])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"argument {option}" in err and "1 or more" in err, err
    assert rows(db_path, "SELECT * FROM invite_codes") == []


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("passerelle ")


def test_health_reads_the_heartbeat_the_bot_writes(db_path, capsys):
    assert main(["health"]) == 1
    assert "no heartbeat yet" in capsys.readouterr().err

    async def beat(at: datetime) -> None:
        db = await Database.open(db_path)
        try:
            await heartbeat.record(db, at)
        finally:
            await db.close()

    asyncio.run(beat(datetime.now(UTC) - timedelta(seconds=20)))
    assert main(["health"]) == 0
    assert capsys.readouterr().out.startswith("healthy: database ok, Telegram last answered the bot 2")
    assert main(["health", "--max-age", "10"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("unhealthy: Telegram last answered the bot 2") and "limit 10 s" in err


def test_a_database_path_that_names_a_folder_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PASSERELLE_DB", str(tmp_path))
    assert main(["migrate"]) == 3
    err = capsys.readouterr().err
    assert "it is a folder (PASSERELLE_DB must name the database file)" in err and err.count("\n") == 1
    assert main(["admin", "circles", "list"]) == 2
    assert "is not a file" in capsys.readouterr().err
