"""Held replies are never held for ever: a suggestion, never a block.

An equipment-centred reply waits for its author's choice (relay as it is / rephrase). If the author never taps,
the other side would never read it, which the product promises never to do. So the author is reminded once,
halfway to the deadline (PASSERELLE_HELD_REPLY_HOURS, 12 h by default), and at the deadline the reply is passed on
as it is and the author told. Both messages go through the outbox to the author's private chat.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram.ext import Application

from bot.delivery import kinds, relay
from bot.domain.framing import assess_framing, suggest_practice_angle
from bot.services import Services
from bot.storage import circles, exchanges, members, outbox
from bot.storage.circles import Circle
from bot.storage.database import Queryable
from bot.storage.exchanges import Reply
from bot.ui import exchanges as ui

logger = logging.getLogger(__name__)


def deadline_of(reply: Reply, hours: float) -> datetime:
    return datetime.fromisoformat(reply.created_at) + timedelta(hours=hours)


async def release_due_held_replies(services: Services, application: Application | None = None) -> int:
    """Remind once the authors of replies held for half the deadline; pass on those held past it."""
    db, now, hours = services.db, services.clock.now(), services.config.held_reply_hours
    for reply in await exchanges.held_replies_written_before(db, now - timedelta(hours=hours / 2),
                                                             unreminded_only=True):
        if deadline_of(reply, hours) > now:
            await _remind(services, reply, now)
    released = 0
    for reply in await exchanges.held_replies_written_before(db, now - timedelta(hours=hours)):
        released += await pass_on_as_it_is(services, reply)
    return released


async def _remind(services: Services, reply: Reply, now: datetime) -> None:
    author = await members.get(services.db, reply.member_id)
    if author is None:
        return
    circle = await circle_of(services.db, reply)
    tr = services.i18n.for_locale(author.locale, author.phone_region)
    assessment = assess_framing(reply.text or "", author.locale)
    suggestion = suggest_practice_angle(assessment, circle.theme or "")
    text, markup = ui.held_reply_reminder(tr, suggestion, reply.id, deadline_of(reply, services.config.held_reply_hours),
                                          author.time_zone or "UTC")
    async with services.db.transaction() as tx:
        if not await exchanges.mark_reminded(tx, reply.id, now):
            return
        await outbox.enqueue(tx, chat_id=author.telegram_user_id, member_id=author.id, method="sendMessage",
                             payload={"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()},
                             key=kinds.HELD_REPLY_REMINDER.key(reply.id), now=now)


async def pass_on_as_it_is(services: Services, reply: Reply) -> int:
    """The deadline passed without a choice: relay the reply as it is and tell its author.

    Relaying writes the reply's new status with its outbox rows in one transaction, so a crash before it leaves the
    reply held (the next tick tries again) and one after it cannot relay twice (outbox keys are unique).
    """
    db = services.db
    reply = await exchanges.get_reply(db, reply.id)
    if reply is None or reply.status != "held":
        return 0  # the author decided meanwhile
    if await pass_on(services, reply, await circle_of(db, reply)) is not None:
        await _tell_author(services, reply, db)
        return 1
    async with db.transaction() as tx:  # a digest circle: pending, to go out with the next digest
        if not await exchanges.release_held(tx, reply.id):
            return 0  # the author decided meanwhile
        await _tell_author(services, reply, tx)
    return 1


async def _tell_author(services: Services, reply: Reply, db) -> None:
    author = await members.get(db, reply.member_id)
    if author is None:
        return
    tr = services.i18n.for_locale(author.locale, author.phone_region)
    await outbox.enqueue(db, chat_id=author.telegram_user_id, member_id=author.id, method="sendMessage",
                         payload={"text": tr.html("Your answer has been passed on as it is. Thank you!"),
                                  "parse_mode": "HTML"},
                         key=kinds.HELD_REPLY_RELEASED.key(reply.id), now=services.clock.now())


async def circle_of(db: Queryable, reply: Reply) -> Circle:
    """The circle whose weekly question a reply answers."""
    round_ = await exchanges.get_round(db, reply.round_id)
    return await circles.get(db, round_.circle_id)


async def pass_on(services: Services, reply: Reply, circle: Circle) -> int | None:
    """Relay a reply now, or leave it pending for its circle's next digest; the number of places, or None."""
    if await relay.relays_immediately_now(services.db, circle):
        return await relay.relay_now(services, reply, circle)
    return None
