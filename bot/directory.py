"""Use cases of the directory of practices, between handlers and storage: save a note, read cards for a reader.

Reading may call the machine translator (network), so it never runs inside a transaction; translations readers got
are kept on the card, so each text is translated once per language.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.domain.language import detect_language
from bot.domain.directory import Card, Listing, Side, suggest_tags, visible_listings
from bot.i18n import Translator
from bot.services import Services
from bot.storage import circles, directory
from bot.storage.members import Member
from bot.ui import directory as ui


async def save_note(services: Services, member: Member, side: Side, text: str) -> frozenset[str]:
    """Store what the member wrote for one side, with the tags its words suggest; returns those tags.

    The text's language is read from the text (the member's interface language when it is too short to tell), as
    for replies: an Ewe-interface member writing French is shown to French readers as is."""
    language = detect_language(text, fallback=member.locale) or member.locale
    tags = suggest_tags(text, language)
    await directory.save_note(services.db, member.id, side, text, language, tags, services.clock.now())
    return tags


async def read_note(services: Services, card: Card, side: Side, locale: str) -> ui.NoteView | None:
    """One side of a card in the reader's language when a translation exists or the translator makes one."""
    note = card.note(side)
    if note is None:
        return None
    if note.language == locale:
        return ui.NoteView(note.text, note.language, translated=False)
    kept = card.translations.get(f"{side.value}:{locale}")
    if kept is not None:
        return ui.NoteView(kept, note.language, translated=True)
    result = await services.translator.translate(note.text, note.language, locale)
    if result.translated:
        await directory.save_translation(services.db, card.member_id, side, locale, result.text)
        return ui.NoteView(result.text, note.language, translated=True)
    return ui.NoteView(note.text, note.language, translated=False)


async def read_card(services: Services, card: Card, locale: str) -> dict[Side, ui.NoteView | None]:
    views = await asyncio.gather(*(read_note(services, card, side, locale) for side in Side))
    return dict(zip(Side, views))


async def visible_to(services: Services, reader: Member, *, territory: str | None = None,
                     tag: str | None = None) -> list[Listing]:
    """The organisations of the reader's circles that the filters keep (hidden cards never)."""
    listings = await directory.listings_for(services.db, reader.id)
    return visible_listings(listings, reader.territory_code, territory=territory, tag=tag)


async def list_screen(services: Services, reader: Member, tr: Translator, filters: ui.Filters) -> ui.Screen:
    entries = await visible_to(services, reader, territory=filters.territory, tag=filters.tag)
    # Concurrently: a slow translation server then delays the page by one timeout, not one per text.
    shown = ui.page_of(entries, filters.page)
    views = dict(zip((e.member_id for e in shown),
                     await asyncio.gather(*(read_card(services, e.card, tr.locale) for e in shown))))
    return ui.directory_list(tr, entries, views, filters, await territories_by_code(services))


async def card_screen(services: Services, reader: Member, tr: Translator, peer_id: int,
                      back: ui.Filters) -> ui.Screen | None:
    """A peer's full card, or None when the reader may not see it (hidden, left the circles, forged id)."""
    entry = next((e for e in await visible_to(services, reader) if e.member_id == peer_id), None)
    if entry is None:
        return None
    shared = await shared_circles(services, reader, peer_id)
    return ui.card_screen(tr, entry, await read_card(services, entry.card, tr.locale),
                          await territories_by_code(services), shared, back)


async def shared_circles(services: Services, reader: Member, peer_id: int) -> Sequence[circles.Circle]:
    ids = await directory.shared_open_circle_ids(services.db, reader.id, peer_id)
    return [c for c in await circles.list_open(services.db) if c.id in ids]


async def territories_by_code(services: Services) -> dict[str, circles.Territory]:
    return {t.code: t for t in await circles.territories(services.db)}
