"""A relayed reply names the language its text is written in, not its author's interface language (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.e2e.test_reply_translation import english_reader
from tests.e2e.test_weekly_exchange import at
from tests.support import Harness


async def test_a_french_reply_from_an_english_interface_is_not_labelled_english(harness: Harness):
    h = harness
    rennes, kofi = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(kofi, "Chez nous, les femmes du groupement décident ensemble de la vente des récoltes.")
    await h.drain()
    relayed = h.sim.sent_messages(rennes.id)[-1]
    assert "décident ensemble" in relayed.text
    assert "anglais" not in relayed.text and not relayed.buttons()  # French for a French reader: nothing to help
    stored = await h.db.fetch_one("SELECT language FROM replies ORDER BY id DESC LIMIT 1")
    assert stored["language"] == "fr"  # what "show original" and the journal name too


async def test_an_english_reply_from_a_french_interface_reaches_an_english_reader_without_a_note(harness: Harness):
    h = harness
    rennes, kofi = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(rennes, "In our neighbourhood the residents decide together what happens to the waste.")
    await h.drain()
    relayed = h.sim.sent_messages(kofi.id)[-1]
    assert "residents decide together" in relayed.text
    assert "(in English)" not in relayed.text and "French" not in relayed.text


async def test_the_framing_nudge_names_the_means_in_the_members_language(harness: Harness):
    h = harness
    rennes, kofi = await english_reader(h)
    await at(h, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    await h.text(kofi, "Nous avons acheté deux séchoirs, une camionnette et un congélateur.")
    await h.drain()
    nudge = next(m for m in reversed(h.sim.sent_messages(kofi.id)) if m.buttons())
    assert "“séchoirs”, “camionnette”, and “congélateur”" in nudge.text  # his words, his (English) interface
    assert "farmers, cooks and families" in nudge.text  # the food circle's practice angle
