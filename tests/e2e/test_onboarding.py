"""Joining by phone, end to end through the Bot API simulator."""

from __future__ import annotations

from bot.storage import circles, members
from tests.support import Harness


async def join(h: Harness, user, phone: str, organisation: str, circle_label: str | None = None, *,
               language: str | None = None, slug: str | None = None, code: str | None = None,
               shares: str | None = None, learns: str | None = None):
    """Play a person through the whole onboarding (the circle picked by its label, or by slug in any language).

    What the organisation shares and would like to learn is answered (keeping the suggested tags) or skipped."""
    await h.command(user, "start", code)
    if language:
        await h.tap(user, language)
    await h.tap(user, _agree_label(h, user))
    await h.contact(user, phone)
    await h.text(user, organisation)
    await h.tap(user, _first_kind_label(h, user))
    for side, answer in (("s", shares), ("l", learns)):
        if answer is None:
            await press_data(h, user, f"dk:{side}")
        else:
            await h.text(user, answer)
            await press_data(h, user, f"dd:{side}")
    if slug is not None:
        await tap_circle(h, user, slug)
    elif circle_label is not None:
        await h.tap(user, circle_label)
    await h.tap(user, _done_label(h, user))


async def tap_circle(h: Harness, user, slug: str) -> None:
    """Toggle a circle in the newest picker by its slug, whatever the language of its label."""
    circle = await circles.get_by_slug(h.db, slug)
    wanted = f"circ:t:{circle.id}"
    message = next(m for m in reversed([m for m in h.sim.chat_history(user.id) if m.from_bot])
                   if any(data == wanted for _, data in m.buttons()))
    await h.press(user, message, wanted)


async def press_data(h: Harness, user, data: str) -> None:
    """Press the newest bot button carrying exactly this data, whatever the language of its label."""
    message = next(m for m in reversed([m for m in h.sim.chat_history(user.id) if m.from_bot])
                   if any(d == data for _, d in m.buttons()))
    await h.press(user, message, data)


def _agree_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data == "consent:yes")


def _first_kind_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data.startswith("kind:"))


def _done_label(h: Harness, user) -> str:
    message = [m for m in h.sim.chat_history(user.id) if m.from_bot and m.buttons()][-1]
    return next(label for label, data in message.buttons() if data == "circ:done")


async def test_members_from_rennes_and_lome_land_in_their_territories(harness: Harness):
    h = harness
    rennes = h.sim.add_user("Maël", "Le Bihan", language_code="fr")
    lome = h.sim.add_user("Kossi", "Agbeko", language_code="en")
    await join(h, rennes, "+33612345678", "Coop <Breizh> & Co", slug="food")
    await join(h, lome, "22890123456", "Association Dzidzɔ 🌱", slug="food")

    maël = await members.get_by_telegram_id(h.db, rennes.id)
    kossi = await members.get_by_telegram_id(h.db, lome.id)
    assert (maël.territory_code, maël.time_zone, maël.phone_e164, maël.status) == (
        "bretagne", "Europe/Paris", "+33612345678", "active")
    assert (kossi.territory_code, kossi.time_zone, kossi.phone_e164) == ("togo", "Africa/Lome", "+22890123456")
    assert kossi.locale == "en"  # his Telegram language is supported, so it is kept over the territory default
    food = await circles.get_by_slug(h.db, "food")
    assert {m.id for m in await circles.members_of(h.db, food.id)} == {maël.id, kossi.id}
    assert maël.organisation == "Coop <Breizh> & Co"
    assert any("Coop <Breizh> & Co" in text for text in h.texts(rennes.id))


# Helpers shared by the other end-to-end files.

async def begin(h: Harness, user, code: str | None = None) -> None:
    """/start (optionally with an invite code) and agree, so that the bot asks for the phone."""
    await h.command(user, "start", code)
    await h.tap(user, _agree_label(h, user))


async def make_invite(h: Harness, facilitator, args: str | None = None) -> str:
    """A facilitator creates an invite through the bot; returns its code (from the deep link it answered)."""
    import re

    await h.command(facilitator, "invite", args)
    match = re.search(r"start=([A-Za-z0-9_-]+)", h.last(facilitator.id).text or "")
    assert match, h.last(facilitator.id).text
    return match.group(1)


async def member_row(h: Harness, user):
    return await h.db.fetch_one("SELECT * FROM members WHERE telegram_user_id = ?", (user.id,))


async def test_a_member_from_rennes_and_one_from_lome_get_their_zone_and_language(harness: Harness):
    """+33 and +228 in one circle: territory, IANA zone and language (territory default when Telegram's is not ours)."""
    h = harness
    rennes = h.sim.add_user("Maël", language_code="de")   # unsupported app language: territory default applies
    lome = h.sim.add_user("Kossi", language_code="ee")
    await join(h, rennes, "+33612345678", "Coop Breizh", slug="food")
    await join(h, lome, "+22890123456", "Dzidzɔ", slug="food")
    rows = await h.db.fetch_all(
        "SELECT telegram_user_id, territory_code, time_zone, locale, phone_region, status FROM members "
        "ORDER BY telegram_user_id")
    assert [tuple(r) for r in rows] == [
        (rennes.id, "bretagne", "Europe/Paris", "fr", "FR", "active"),
        (lome.id, "togo", "Africa/Lome", "ee", "TG", "active"),
    ]
    food = await circles.get_by_slug(h.db, "food")
    assert {m.telegram_user_id for m in await circles.members_of(h.db, food.id)} == {rennes.id, lome.id}
    # The confirmation shows the local time of each side: 10:00 in Paris, 09:00 in Lomé (November).
    assert any("10:00" in t and "Paris" in t for t in h.texts(rennes.id))
    # (each tap takes the harness five seconds: Kossi confirms his number a minute after Maël)
    assert any("09:01" in t and "Lom" in t for t in h.texts(lome.id))  # Babel: "Lomé" in fr, "Lome" in ee


async def test_names_with_markup_characters_and_emoji_are_shown_intact(harness: Harness, facilitator):
    """User-provided text is escaped for Telegram HTML: '<', '&' and emoji reach the reader unchanged."""
    h = harness
    name, organisation = "Ama <3 & 🌱", "Coop <Breizh> & Co 🌾"
    ama = h.sim.add_user(name, "D'Almeida <Togo>", language_code="en")
    await join(h, ama, "+22890123456", organisation, slug="food")
    texts = h.texts(ama.id)
    assert texts[0].startswith(f"Welcome {name}!")
    assert f"What kind of organisation is {organisation}?" in texts
    await h.command(ama, "me")
    profile = h.last(ama.id).text
    assert profile.startswith(f"{name} D'Almeida <Togo>\n")
    assert f"Organisation: {organisation} (Association)" in profile
    row = await h.db.fetch_one("SELECT first_name, last_name, organisation FROM members WHERE telegram_user_id = ?",
                               (ama.id,))
    assert tuple(row) == (name, "D'Almeida <Togo>", organisation)  # stored as typed, escaped only when shown
    await h.command(facilitator, "members", "food")
    assert f"{name} D'Almeida <Togo>, {organisation}, +228 90 12 34 56" in h.last(facilitator.id).text
    # Changing the organisation from /me echoes it back intact too.
    await h.tap(ama, "Organisation")
    await h.text(ama, "Les <Jardins> & Cie 🌻")
    assert "Les <Jardins> & Cie 🌻" in h.last(ama.id).text
