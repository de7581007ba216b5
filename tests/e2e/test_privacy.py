"""A member's control over their data: /forget erases every row about them, /mydata shows it all, consent matters."""

from __future__ import annotations

import json
from datetime import timedelta


from bot.storage import circles, invites, members
from tests.e2e.test_onboarding import begin, join, member_row, tap_circle
from tests.support import Harness


MEMBER_COLUMNS = ("member_id", "created_by", "promoted_by", "proposer_id")


async def tables(h: Harness) -> list[str]:
    return [r["name"] for r in await h.db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")]


async def rows_mentioning(h: Harness, *, member_id: int, telegram_id: int, needles: tuple[str, ...]) -> list[str]:
    """Every row, in any table, that refers to the member by id, Telegram id, phone or name."""
    found = []
    for table in await tables(h):
        for row in await h.db.fetch_all(f"SELECT * FROM {table}"):
            for column in row.keys():
                value = row[column]
                if (column in MEMBER_COLUMNS or (table == "members" and column == "id")) and value == member_id:
                    found.append(f"{table}.{column} = member id {value}")
                elif value == telegram_id or (isinstance(value, str) and str(telegram_id) in value):
                    found.append(f"{table}.{column} has the Telegram id")
                elif isinstance(value, str) and any(needle in value for needle in needles):
                    found.append(f"{table}.{column} = {value[:80]!r}")
    return found


async def test_forget_leaves_no_row_about_the_member(harness: Harness, facilitator):
    """A member with every kind of footprint: held then approved, listed invite, group link, co-facilitator."""
    h = harness
    await h.command(facilitator, "help")
    group = h.sim.add_group("Alimentation durable", bot_is_admin=True)
    h.sim.add_member(group.id, facilitator.id, status="administrator")
    await h.command(facilitator, "bindgroup", "food", chat_id=group.id)
    food = await circles.get_by_slug(h.db, "food")
    now = h.clock.now()
    await invites.create(h.db, code="iListed", circle_id=food.id, territory_code=None, max_uses=None,
                         expires_at=now + timedelta(days=10), created_by=None, now=now,
                         phones={"+4915123456789": "Zuckerrübe e.V.", "+33611111111": "Other"})

    hansi = h.sim.add_user("Hansi", "Quaxmeier", language_code="en")
    await begin(h, hansi, "iListed")
    await h.contact(hansi, "+4915123456789")            # held: facilitators get a notice naming him
    await h.drain()
    row = await member_row(h, hansi)
    await h.press(facilitator, h.last(facilitator.id), f"held:ok:{row['id']}:bretagne")
    await h.drain()
    await h.tap(hansi, "Association")                   # organisation came from the invite list
    await h.text(hansi, "Zuckerrübe trains young people together")  # his card in the directory
    await h.tap(hansi, "Done")                          # keeps the suggested practice tags
    await h.tap(hansi, "Skip")                          # nothing to learn, he says
    await h.tap(hansi, "Done")
    assert any("group" in t for t in h.texts(hansi.id))  # his personal group link
    await h.command(facilitator, "promote", str(hansi.id))
    await h.command(hansi, "invite", "food")            # an invite he created
    maël = h.sim.add_user("Maël", language_code="en")
    await join(h, maël, "+33612345678", "Coop", slug="food")
    await h.command(hansi, "promote", str(maël.id))     # a facilitator he promoted

    needles = ("+4915123456789", "4915123456789", "+49 1512", "Hansi", "Quaxmeier", "Zuckerrübe")
    before = await rows_mentioning(h, member_id=row["id"], telegram_id=hansi.id, needles=needles)
    assert {entry.split(".")[0] for entry in before} >= {
        "members", "memberships", "group_links", "invite_codes", "invite_phones", "facilitators", "outbox",
        "directory_cards"}

    await h.command(hansi, "forget")
    await h.tap(hansi, "Yes, erase everything")
    assert "Everything about you has been erased" in h.last(hansi.id).text
    assert await rows_mentioning(h, member_id=row["id"], telegram_id=hansi.id, needles=needles) == []
    # Nothing else was lost: Maël, his promotion and the invite Hansi created remain.
    assert (await member_row(h, maël))["status"] == "active"
    assert await h.db.fetch_one("SELECT 1 FROM facilitators f JOIN members m ON m.id = f.member_id "
                                "WHERE m.telegram_user_id = ?", (maël.id,))
    assert len(await h.db.fetch_all("SELECT * FROM invite_codes")) == 2
    await h.command(hansi, "mydata")
    assert "Nothing is stored about you" in h.last(hansi.id).text


async def test_forget_can_be_cancelled(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await join(h, ama, "+22890123456", "Dzidzɔ", slug="food")
    await h.command(ama, "forget")
    await h.tap(ama, "Cancel")
    assert "Nothing was erased" in h.last(ama.id).text
    assert (await member_row(h, ama))["phone_e164"] == "+22890123456"


async def test_a_forgotten_member_can_start_again_from_scratch(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await join(h, ama, "+22890123456", "Dzidzɔ", slug="food")
    await h.command(ama, "forget")
    await h.tap(ama, "Yes, erase everything")
    await h.command(ama, "start")
    row = await member_row(h, ama)
    assert (row["status"], row["phone_e164"], row["organisation"], row["consent_at"]) == ("new", None, None, None)


async def test_mydata_sends_a_json_file_with_the_phone_and_circles(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await join(h, ama, "+22890123456", "Dzidzɔ 🌱", slug="food")
    await h.command(ama, "circles")
    await tap_circle(h, ama, "circular")
    await h.command(ama, "mydata")
    message = h.last(ama.id)
    assert message.document is not None and message.document["file_name"].endswith(".json")
    assert "/forget" in message.caption
    data = json.loads(message.document_bytes.decode("utf-8"))
    assert data["phone"] == "+22890123456"
    assert data["circles"] == ["food", "circular"]
    assert (data["organisation"], data["time_zone"], data["telegram_user_id"]) == ("Dzidzɔ 🌱", "Africa/Lome", ama.id)


async def test_a_member_can_leave_a_circle_through_circles(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await join(h, ama, "+22890123456", "Dzidzɔ", slug="food")
    member_id = (await member_row(h, ama))["id"]
    food = await circles.get_by_slug(h.db, "food")
    assert await circles.circle_ids_of(h.db, member_id) == {food.id}
    await h.command(ama, "circles")
    await tap_circle(h, ama, "food")
    assert "You left" in h.sim.calls("answerCallbackQuery")[-1].params["text"]
    assert await circles.circle_ids_of(h.db, member_id) == set()
    await h.tap(ama, "Done")
    assert "You are in no circle for now" in h.last(ama.id).text
    assert (await member_row(h, ama))["status"] == "active"  # leaving a circle is not leaving the exchange


async def test_declining_consent_stores_nothing(harness: Harness):
    h = harness
    before = {t: await h.db.fetch_all(f"SELECT * FROM {t}") for t in await tables(h)}
    ama = h.sim.add_user("Ama", language_code="en")
    await h.command(ama, "start")
    assert await member_row(h, ama) is not None  # the started conversation is kept only until the answer
    await h.tap(ama, "No thanks")
    assert "nothing about you is kept" in h.last(ama.id).text
    after = {t: await h.db.fetch_all(f"SELECT * FROM {t}") for t in await tables(h)}
    assert {t: [tuple(r) for r in rows] for t, rows in after.items()} == {
        t: [tuple(r) for r in rows] for t, rows in before.items()}
    assert await members.count(h.db) == 0
    # And a contact sent afterwards is not stored either.
    await h.contact(ama, "+22890123456")
    assert await members.count(h.db) == 0
