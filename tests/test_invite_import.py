"""Invites limited to a CSV list of member organisations' numbers."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

from bot import resources
from bot.invite_import import create_listed_invite, read_phone_list
from bot.storage import invites, migrate
from bot.storage.database import Database

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_a_valid_list_is_normalised_to_e164():
    listing = read_phone_list("phone,organisation\n+33 6 12 34 56 78,Coop Breizh\n22890123456,Asso Dzidzɔ\n")
    assert listing.problems == []
    assert listing.phones == {"+33612345678": "Coop Breizh", "+22890123456": "Asso Dzidzɔ"}


async def test_a_malformed_csv_imports_nothing_and_names_the_bad_lines(tmp_path):
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate.migrate(db, resources.migrations_dir())
        code, problems = await create_listed_invite(
            db, "phone,organisation\n+33612345678,Ok\nnot a number,Bad\n+2281234,Short\n",
            circle_slug="food", territory=None, uses=None, days=30, now=NOW)
        assert code is None
        assert [p.split(":")[0] for p in problems] == ["line 3", "line 4"]
        assert await db.fetch_all("SELECT * FROM invite_codes") == []
        assert await db.fetch_all("SELECT * FROM invite_phones") == []
    finally:
        await db.close()


async def test_a_listed_invite_accepts_only_its_numbers(tmp_path):
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate.migrate(db, resources.migrations_dir())
        code, problems = await create_listed_invite(
            db, "phone\n+33612345678\n", circle_slug="food", territory="bretagne", uses=5, days=30, now=NOW)
        assert problems == [] and code
        invite = await invites.get(db, code)
        assert invite.restricted_to_list and invite.max_uses == 5 and invite.territory_code == "bretagne"
        assert await invites.listed_organisation(db, code, "+33612345678") == (True, None)
        assert (await invites.listed_organisation(db, code, "+33699999999"))[0] is False
    finally:
        await db.close()


def test_the_invite_command_reports_bad_lines_on_stderr(tmp_path):
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("phone\n12\n")
    env = {**os.environ, "PASSERELLE_DB": str(tmp_path / "db.sqlite3")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "invite", "--csv", str(csv_file)], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "line 2" in result.stderr and "nothing imported" in result.stderr
