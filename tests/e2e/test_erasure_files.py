"""After /forget, the member's phone, name and organisation are in none of the database's files (issue 10).

Deleting rows is not enough: SQLite leaves deleted content in freed space of the file, and the -wal file holds
whole pages of earlier transactions until a checkpoint. The test reads the raw bytes of the three files.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.storage import circles, journal
from tests.e2e.test_calls import press, propose, slot_ids, vote
from tests.e2e.test_onboarding import join
from tests.e2e.test_weekly_exchange import at
from tests.support import Harness, tick

# Distinctive values, so that a match in the files can only be this member's.
FIRST, LAST = "Zephyrine", "Kwasinskaya"
ORGANISATION = "Atelier Plumeaubrac"
PHONE = "+33647291853"
NEEDLES = (FIRST, LAST, ORGANISATION, "647291853", "6 47 29 18 53")


def files_of(db_path: Path) -> list[Path]:
    return [p for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")) if p.exists()]


def needles_in_files(db_path: Path) -> dict[str, list[str]]:
    """Which needles occur in which file, in UTF-8 (SQLite's text encoding here) or UTF-16."""
    found: dict[str, list[str]] = {}
    for path in files_of(db_path):
        data = path.read_bytes()
        for needle in NEEDLES:
            if any(form in data for form in (needle.encode(), needle.encode("utf-16-le"))):
                found.setdefault(needle, []).append(path.name)
    return found


async def test_forget_leaves_no_phone_name_or_organisation_in_the_database_files(harness: Harness, facilitator):
    h = harness
    member = h.sim.add_user(FIRST, LAST, language_code="en")
    ama = h.sim.add_user("Ama", "Mensah", language_code="en")
    await join(h, member, PHONE, ORGANISATION, slug="food")
    await join(h, ama, "+22890123456", "Association Dzidzɔ", slug="food")
    # A reply relayed at once (outbox rows, the journal's author label), a call she votes in and is confirmed for.
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(member, "Nous tenons un atelier de réparation chaque samedi.")
    await h.drain()
    proposal = await propose(h, ama, "Repair cafés", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, member, proposal, (await slot_ids(h, proposal))[0])
    await press(h, ama, f"cc:{proposal.id}")
    await h.drain()
    # Then a digest naming her, queued but not sent yet when she erases.
    await h.command(facilitator, "relaymode", "food digest")
    await h.text(member, "Les habitants décident ensemble en assemblée chaque mois.")
    h.clock.set(datetime(2026, 11, 30, 11, 1, tzinfo=UTC))
    await tick(h)
    queued = await h.db.fetch_all("SELECT payload FROM outbox WHERE status = 'pending' AND dedupe_key LIKE 'digest:%'")
    assert any(FIRST in json.loads(row["payload"])["text"] for row in queued)
    await h.command(member, "mydata")
    # The test would prove nothing otherwise (the formatted number is only in a held member's notices).
    assert set(needles_in_files(h.db.path)) >= {FIRST, LAST, ORGANISATION, "647291853"}

    await h.command(member, "forget")
    await h.tap(member, "Yes, erase everything")

    assert "Everything about you has been erased" in h.last(member.id).text
    assert needles_in_files(h.db.path) == {}
    # The circle keeps what she shared, without her name; Ama's own messages are untouched.
    food = await circles.get_by_slug(h.db, "food")
    kept = [e for e in await journal.entries(h.db, food.id) if "atelier de réparation" in (e.text or "")]
    assert [(e.author_label, e.territory_code) for e in kept] == [(None, "bretagne")]
    assert await h.db.fetch_one("SELECT 1 FROM outbox WHERE chat_id = ?", (ama.id,))
    before = len(h.sim.sent_messages(ama.id))
    await h.drain()  # the digest naming her was withdrawn
    assert not any(FIRST in (m.text or "") for m in h.sim.sent_messages(ama.id)[before:])
