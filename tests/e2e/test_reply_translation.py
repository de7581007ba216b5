"""Replies through a LibreTranslate-compatible service: translated for the reader, original on demand, never lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from bot.translation import LibreTranslateTranslator
from tests.e2e.test_weekly_exchange import at, two_sides
from tests.support import Harness


def fake_libretranslate(*, broken: bool = False) -> httpx.MockTransport:
    """A LibreTranslate look-alike that knows French and English (like the real one, no Ewe)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/languages":
            return httpx.Response(200, json=[{"code": "fr", "targets": ["en"]}, {"code": "en", "targets": ["fr"]}])
        if broken:
            return httpx.Response(500, json={"error": "internal error"})
        body = json.loads(request.content)
        return httpx.Response(200, json={"translatedText": f"[{body['target']}] {body['q']}"})

    return httpx.MockTransport(handle)


async def english_reader(h: Harness):
    rennes, _ = await two_sides(h)
    from tests.e2e.test_onboarding import join

    reader = h.sim.add_user("Kofi", "Mensah", language_code="en")
    await join(h, reader, "+22891234567", "Coop Kpalimé", slug="food")
    return rennes, reader


async def test_a_reply_is_translated_for_the_reader_with_the_original_on_demand(harness: Harness):
    h = harness
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=fake_libretranslate())
    rennes, reader = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Les habitants décident ensemble.")
    await h.drain()
    relayed = h.sim.sent_messages(reader.id)[-1]
    assert "[en] Les habitants décident ensemble." in relayed.text
    assert "machine translation from French" in relayed.text
    labels = [data.split(":")[0] for _, data in relayed.buttons()]
    assert labels == ["ro", "ru"]
    await h.press(reader, relayed, relayed.buttons()[0][1])
    assert "Les habitants décident ensemble." in h.sim.sent_messages(reader.id)[-1].text
    assert "[en]" not in h.sim.sent_messages(reader.id)[-1].text


async def test_translation_unclear_asks_the_facilitators(harness: Harness, facilitator):
    h = harness
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=fake_libretranslate())
    h.sim.send_command(facilitator.id, "help")  # facilitators have written to the bot
    await h.deliver()
    rennes, reader = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Nous mutualisons les semences.")
    await h.drain()
    relayed = h.sim.sent_messages(reader.id)[-1]
    await h.press(reader, relayed, relayed.buttons()[1][1])
    await h.drain()
    assert "Nous mutualisons les semences." in h.sim.sent_messages(facilitator.id)[-1].text


async def test_a_translator_outage_relays_the_original_with_a_note(harness: Harness):
    h = harness
    h.services.translator = LibreTranslateTranslator("http://translate.invalid",
                                                     transport=fake_libretranslate(broken=True))
    rennes, reader = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Les habitants décident ensemble.")
    await h.drain()
    relayed = h.sim.sent_messages(reader.id)[-1]
    assert "Les habitants décident ensemble." in relayed.text
    assert "did not answer" in relayed.text


async def test_ewe_readers_get_the_original_with_its_language_named(harness: Harness):
    h = harness
    h.services.translator = LibreTranslateTranslator("http://translate.invalid", transport=fake_libretranslate())
    rennes, lome = await two_sides(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "Les habitants décident ensemble.")
    await h.drain()
    relayed = h.sim.sent_messages(lome.id)[-1]
    assert "Les habitants décident ensemble." in relayed.text and "[ee]" not in relayed.text
    assert "Fransegbe" in relayed.text  # "French", named in Ewe
    # No machine translation into Ewe: the reader can ask a facilitator who reads both languages.
    assert [data.split(":")[0] for _, data in relayed.buttons()] == ["ru"]
