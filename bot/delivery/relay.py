"""Replies cross the border: rendered per recipient (language, translation) and queued in the outbox.

Small circles relay each reply at once; larger ones (auto mode above 15 members, or 'digest') get at most one
digest per recipient per window, so that a lively circle does not cost one message per reply per member.
A recipient's place is their territory's group of the circle when there is one, otherwise their private chat.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram.ext import Application

from bot.delivery import kinds
from bot.domain.language import detect_language
from bot.i18n import Translator
from bot.services import Services
from bot.storage import circles, exchanges, journal, members, outbox
from bot.storage.circles import Circle, Territory
from bot.storage.database import Queryable
from bot.storage.exchanges import Reply
from bot.ui import exchanges as ui

IMMEDIATE_UP_TO = 15


@dataclass(frozen=True)
class Place:
    """Where a recipient reads relayed replies: a private chat or a territory's group (topic)."""

    chat_id: int
    thread_id: int | None
    locale: str
    region: str | None
    member_id: int | None


async def relays_immediately_now(db: Queryable, circle: Circle) -> bool:
    """The same decision, counting the members only when the circle's mode leaves it to their number."""
    if circle.relay_mode in ("immediate", "digest"):
        return circle.relay_mode == "immediate"
    return relays_immediately(circle, await circles.count_members(db, circle.id))


def relays_immediately(circle: Circle, member_count: int) -> bool:
    if circle.relay_mode == "immediate":
        return True
    if circle.relay_mode == "digest":
        return False
    return member_count <= IMMEDIATE_UP_TO


async def places_across(db: Queryable, circle: Circle, author_territory: str, now: datetime) -> list[Place]:
    """Every place on the other side(s) of the border that should read a reply from author_territory."""
    territory_rows = {t.code: t for t in await circles.territories(db)}
    groups = {g.territory_code: g for g in await circles.groups_of(db, circle.id) if g.territory_code}
    places, grouped = [], set()
    for member in await circles.members_of(db, circle.id):
        if member.territory_code in (None, author_territory) or not member.reachable:
            continue
        group = groups.get(member.territory_code)
        if group is not None:
            if group.chat_id not in grouped:
                grouped.add(group.chat_id)
                territory = territory_rows[member.territory_code]
                places.append(Place(group.chat_id, group.thread_id, territory.default_locale, territory.country, None))
            continue
        if member.is_paused(now.isoformat()):
            continue
        places.append(Place(member.telegram_user_id, None, member.locale, member.phone_region, member.id))
    return places


async def render(services: Services, reply: Reply, tr: Translator, author: ui.Author) -> ui.RelayedReply:
    """The reply as one reader sees it: translated when a translator is configured and it succeeds."""
    text, translated, failed = reply.text, False, False
    language = written_in(reply)
    if reply.text and language != tr.locale:
        result = await services.translator.translate(reply.text, language, tr.locale)
        text, translated, failed = result.text, result.translated, result.failed
    return ui.RelayedReply(reply.id, author, reply.kind, text, language, translated, failed)


def written_in(reply: Reply) -> str:
    """The language of the reply's text (issue 10: not the author's interface language), the author's when unsure.

    Replies are stored with it since it is detected at reception; detecting again costs ~30 µs and also covers rows
    stored before, and texts changed by an edit."""
    return detect_language(reply.text, fallback=reply.language) if reply.text else reply.language


async def author_of(db: Queryable, reply: Reply, territories: dict[str, Territory]) -> ui.Author:
    member = await members.get(db, reply.member_id)
    return ui.Author(member.display_name if member else "—", member.organisation if member else None,
                     territories.get(reply.territory_code))


async def relay_now(services: Services, reply: Reply, circle: Circle) -> int:
    """Queue one reply for every place across the border; returns the number of places."""
    db, now = services.db, services.clock.now()
    territories = {t.code: t for t in await circles.territories(db)}
    author = await author_of(db, reply, territories)
    places = await places_across(db, circle, reply.territory_code, now)
    rendered = {}
    for place in places:  # translations (network) happen before the transaction
        tr = services.i18n.for_locale(place.locale, place.region)
        if tr.locale not in rendered:
            rendered[tr.locale] = await render(services, reply, tr, author)
    async with db.transaction() as tx:
        for place in places:
            tr = services.i18n.for_locale(place.locale, place.region)
            await _queue_relay(tx, reply, place, tr, rendered[tr.locale], now)
        await exchanges.set_reply_status(tx, reply.id, "relayed", now)
        await _keep_in_journal(tx, circle, reply, author, rendered)
    return len(places)


async def _queue_relay(tx: Queryable, reply: Reply, place: Place, tr: Translator, relayed: ui.RelayedReply,
                       now: datetime) -> None:
    base = {"chat_id": place.chat_id}
    if place.thread_id:
        base["message_thread_id"] = place.thread_id
    markup = ui.reply_buttons(tr, relayed, reader_locale=place.locale)
    if reply.kind == "text":
        chunks = ui.relayed_text(tr, relayed, reader_locale=place.locale)
        for index, chunk in enumerate(chunks):
            payload = {**base, "text": chunk, "parse_mode": "HTML"}
            if markup is not None and index == len(chunks) - 1:
                payload["reply_markup"] = markup.to_dict()
            await outbox.enqueue(tx, chat_id=place.chat_id, member_id=place.member_id, method="sendMessage",
                                 payload=payload, key=kinds.RELAY.key(reply.id, place.chat_id, index), now=now)
        return
    # Media are copied by Telegram itself: nothing is downloaded, which matters on slow connections.
    payload = {**base, "from_chat_id": reply.source_chat_id, "message_id": reply.source_message_id,
               "caption": ui.relayed_caption(tr, relayed, reader_locale=place.locale), "parse_mode": "HTML"}
    if markup is not None:
        payload["reply_markup"] = markup.to_dict()
    await outbox.enqueue(tx, chat_id=place.chat_id, member_id=place.member_id, method="copyMessage", payload=payload,
                         key=kinds.RELAY.key(reply.id, place.chat_id, 0), now=now)


def window_start(now: datetime, minutes: int) -> datetime:
    """The start of the digest window containing now (windows are aligned on the epoch, in UTC)."""
    seconds = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    return datetime.fromtimestamp(seconds, UTC)


async def flush_digests(services: Services, application: Application | None = None) -> int:
    """Queue, for every circle in digest mode, one digest per place for the replies of the closed windows."""
    sent = 0
    for circle in await circles.list_open(services.db):
        if await relays_immediately_now(services.db, circle):
            continue
        sent += await flush_circle_digest(services, circle)
    return sent


async def flush_circle_digest(services: Services, circle: Circle) -> int:
    db, now = services.db, services.clock.now()
    window = window_start(now, circle.digest_minutes)
    replies = await exchanges.pending_replies(db, circle.id, before=window)
    if not replies:
        return 0
    territories = {t.code: t for t in await circles.territories(db)}
    authors = {r.id: await author_of(db, r, territories) for r in replies}
    per_place: dict[Place, list[Reply]] = defaultdict(list)
    for territory in {r.territory_code for r in replies}:
        for place in await places_across(db, circle, territory, now):
            per_place[place].extend(r for r in replies if r.territory_code == territory)
    rendered: dict[tuple[int, str], ui.RelayedReply] = {}
    for place, items in per_place.items():
        tr = services.i18n.for_locale(place.locale, place.region)
        for reply in items:
            if (reply.id, tr.locale) not in rendered:
                rendered[(reply.id, tr.locale)] = await render(services, reply, tr, authors[reply.id])
    queued = 0
    async with db.transaction() as tx:
        for place, items in per_place.items():
            if not await exchanges.record_digest(tx, place.chat_id, window, now):
                continue
            tr = services.i18n.for_locale(place.locale, place.region)
            items.sort(key=lambda r: (r.created_at, r.id))
            chunks, markup = ui.digest(tr, circle, [rendered[(r.id, tr.locale)] for r in items],
                                       reader_locale=place.locale)
            for index, chunk in enumerate(chunks):
                payload = {"chat_id": place.chat_id, "text": chunk, "parse_mode": "HTML"}
                if place.thread_id:
                    payload["message_thread_id"] = place.thread_id
                if markup is not None and index == len(chunks) - 1:
                    payload["reply_markup"] = markup.to_dict()
                await outbox.enqueue(tx, chat_id=place.chat_id, member_id=place.member_id, method="sendMessage",
                                     payload=payload, key=kinds.DIGEST.key(place.chat_id, window.isoformat(), index),
                                     now=now)
            queued += 1
        for reply in replies:
            await exchanges.set_reply_status(tx, reply.id, "relayed", now)
            own = {locale: r for (reply_id, locale), r in rendered.items() if reply_id == reply.id}
            await _keep_in_journal(tx, circle, reply, authors[reply.id], own)
    return queued


async def _keep_in_journal(tx: Queryable, circle: Circle, reply: Reply, author: ui.Author,
                           rendered: dict[str, ui.RelayedReply]) -> None:
    """Issue 6: the circle's journal keeps every relayed reply with the translations its readers got."""
    label = ", ".join(part for part in (author.name, author.organisation) if part and part != "—") or None
    translations = {locale: r.text for locale, r in rendered.items() if r.translated and r.text}
    await journal.record_reply(tx, circle_id=circle.id, reply=reply, author_label=label, translations=translations)


