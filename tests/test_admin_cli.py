"""`passerelle admin …`, `backup`, `stats`: all-or-nothing imports with line numbers, a backup safe while writing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot import resources
from bot.cli import main
from bot.storage import migrate
from bot.storage.database import Database


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "passerelle.sqlite3"
    monkeypatch.setenv("PASSERELLE_DB", str(path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["migrate"]) == 0
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
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
        with sqlite3.connect(target) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT count(*) FROM outbox").fetchone()[0] >= 20000
            assert copy.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 4
        assert not target.with_name(target.name + "-wal").exists()
    assert main(["backup", str(targets[0])]) == 2  # never overwritten silently
    assert "--force" in capsys.readouterr().err
