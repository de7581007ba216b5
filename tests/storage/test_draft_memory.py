"""Drafts known in memory (db.memory): a draft is never missed, whoever has none costs no query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import resources
from bot.storage import facilitator_tools, migrate
from bot.storage.database import Database
from bot.storage.facilitator_tools import FacilitatorDraft

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "test.sqlite3")
    await migrate.migrate(database, resources.migrations_dir())
    yield database
    await database.close()


def draft(telegram_user_id: int) -> FacilitatorDraft:
    return FacilitatorDraft(telegram_user_id, "circle", "text", NOW)


async def test_a_draft_written_before_the_start_is_found_after_it(db):
    await facilitator_tools.save_draft(db, draft(11))  # memory not loaded yet: as a previous run of the bot
    await facilitator_tools.load_memory(db)
    assert db.memory.facilitator_drafters == {11}
    assert (await facilitator_tools.get_draft(db, 11)).telegram_user_id == 11
    assert await facilitator_tools.get_draft(db, 12) is None


async def test_drafts_saved_and_deleted_while_running_are_followed(db):
    await facilitator_tools.load_memory(db)
    await facilitator_tools.save_draft(db, draft(21))
    assert (await facilitator_tools.get_draft(db, 21)).kind == "circle"
    await facilitator_tools.delete_draft(db, 21)
    assert await facilitator_tools.get_draft(db, 21) is None
    assert db.memory.facilitator_drafters == set()


async def test_a_delete_rolled_back_leaves_the_draft_findable(db):
    await facilitator_tools.load_memory(db)
    await facilitator_tools.save_draft(db, draft(31))
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await facilitator_tools.delete_draft(tx, 31)
            raise RuntimeError("the use case failed after the delete")
    assert (await facilitator_tools.get_draft(db, 31)).telegram_user_id == 31
