"""Erasing a member (/forget, or consent declined): all or nothing, and then gone from the database files.

One transaction holds every statement, so a crash half-way leaves the member whole (they can ask again) rather
than half-erased. After the commit the WAL is checkpointed and truncated: with secure_delete on the connection,
the freed space of the database file is zeroed, and the -wal file no longer holds old pages with their values.
"""

from __future__ import annotations

import logging

from bot.domain.phones import format_international
from bot.storage import members, outbox
from bot.storage.database import Database
from bot.storage.members import Member
from bot.ui.exchanges import attribution_mark

logger = logging.getLogger(__name__)


async def erase_member(db: Database, member_id: int) -> bool:
    """Erase the member and every message naming them, in one transaction; False if nobody was there to erase."""
    async with db.transaction() as tx:
        member = await members.get(tx, member_id)
        if member is None:
            return False
        # Messages naming them that no key ties to them: digests mixing several authors, sent ones included.
        await outbox.delete_mentioning(tx, naming_fragments(member))
        await members.forget(tx, member)
    if not await db.checkpoint_wal():
        logger.warning("WAL checkpoint after an erasure was kept busy by a reader: the erased values stay in the "
                       "-wal file until the next checkpoint")
    return True


def naming_fragments(member: Member) -> list[str]:
    """Rendered text that can only be about this member: their attribution line, their phone number."""
    fragments = [attribution_mark(member.display_name)]
    if member.phone_e164:
        fragments += [member.phone_e164, format_international(member.phone_e164)]
    return fragments
