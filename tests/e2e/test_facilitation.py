"""Facilitators' commands and verified group access, end to end through the Bot API simulator."""

from __future__ import annotations

import logging

import pytest

from bot.storage import circles, facilitators, invites, members
from tests.e2e.test_onboarding import begin, join, make_invite, member_row, tap_circle
from tests.support import Harness


RESERVED_EN = "reserved for facilitators"


async def snapshot(h: Harness) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refused command changed nothing."""
    # role_menus records which chat was given the facilitators' menu: a PASSERELLE_ADMINS facilitator gets it at
    # their first message, whatever the message asks.
    tables = [r["name"] for r in await h.db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
              if r["name"] != "role_menus"]
    return {t: [tuple(r) for r in await h.db.fetch_all(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}


async def verified(h: Harness, name: str = "Maël", phone: str = "+33612345678", slug: str = "food",
                   language: str = "en"):
    user = h.sim.add_user(name, language_code=language)
    await join(h, user, phone, f"Coop {name}", slug=slug)
    return user


def url_buttons(message) -> list[str]:
    return [b["url"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row if "url" in b]


# -- refusals to non-facilitators ----------------------------------------------------------------------------

@pytest.mark.parametrize("command, args", [
    ("invite", None), ("invite", "food uses=5"), ("newcircle", "water Water management"), ("members", None),
    ("members", "food"), ("held", None), ("promote", "SELF"),
])
async def test_a_member_calling_a_facilitator_command_is_refused_and_nothing_changes(
        harness: Harness, command: str, args: str | None):
    h = harness
    maël = await verified(h)
    before = await snapshot(h)
    await h.command(maël, command, str(maël.id) if args == "SELF" else args)
    answer = h.last(maël.id).text
    assert RESERVED_EN in answer
    assert "+33" not in answer
    assert await snapshot(h) == before


async def test_an_unverified_person_calling_a_facilitator_command_is_refused(harness: Harness):
    h = harness
    stranger = h.sim.add_user("Eve", language_code="fr")
    await h.command(stranger, "members")
    assert "réservée à l'équipe d'animation" in h.last(stranger.id).text
    await h.command(stranger, "invite")
    assert "réservée à l'équipe d'animation" in h.last(stranger.id).text
    assert await members.count(h.db) == 0
    assert await h.db.fetch_all("SELECT * FROM invite_codes") == []


async def test_a_member_binding_a_group_is_refused_in_the_group_and_nothing_is_bound(harness: Harness):
    h = harness
    maël = await verified(h)
    group = h.sim.add_group("Alimentation Bretagne", bot_is_admin=True)
    h.sim.add_member(group.id, maël.id, status="administrator")  # even a group admin is not a facilitator
    before = await snapshot(h)
    await h.command(maël, "bindgroup", "food", chat_id=group.id)
    assert RESERVED_EN in h.last(group.id).text
    assert await h.db.fetch_all("SELECT * FROM circle_groups") == []
    assert await snapshot(h) == before


async def test_a_forged_approval_button_from_a_member_changes_nothing(harness: Harness, facilitator):
    h = harness
    maël = await verified(h)
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    held = await member_row(h, hans)
    assert held["status"] == "held"
    before = await snapshot(h)
    # Maël's client sends the data of a facilitator's button, on one of his own messages.
    await h.press(maël, h.last(maël.id), f"held:ok:{held['id']}:togo", forge=True)
    answer = h.sim.calls("answerCallbackQuery")[-1].params
    assert RESERVED_EN in answer["text"] and answer.get("show_alert") in (True, "true")
    assert await snapshot(h) == before
    assert (await member_row(h, hans))["status"] == "held"


async def test_malformed_approval_data_from_a_facilitator_changes_nothing(harness: Harness, facilitator):
    h = harness
    await h.command(facilitator, "help")
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    held = await member_row(h, hans)
    before = await snapshot(h)
    for data in (f"held:ok:{held['id']}:mars", "held:ok:999:togo", f"held:ok:{held['id']}", "held:maybe:1"):
        await h.press(facilitator, h.last(facilitator.id), data, forge=True)
    assert await snapshot(h) == before


# -- facilitators' happy paths -------------------------------------------------------------------------------

async def test_a_new_circle_appears_in_the_members_picker(harness: Harness, facilitator):
    h = harness
    await h.command(facilitator, "newcircle", "water Water management")
    assert "Water management" in h.last(facilitator.id).text
    water = await circles.get_by_slug(h.db, "water")
    assert (water.name, water.builtin) == ("Water management", False)
    maël = await verified(h)
    await h.command(maël, "circles")
    labels = [label for label, _ in h.last(maël.id).buttons()]
    assert any("Water management" in label for label in labels)
    await tap_circle(h, maël, "water")
    assert water.id in await circles.circle_ids_of(h.db, (await member_row(h, maël))["id"])


async def test_a_new_circle_with_a_taken_or_bad_slug_is_refused(harness: Harness, facilitator):
    h = harness
    before = await snapshot(h)
    await h.command(facilitator, "newcircle", "food Another food")
    assert "food" in h.last(facilitator.id).text
    await h.command(facilitator, "newcircle", "Bad/Slug Name")
    assert "/newcircle" in h.last(facilitator.id).text
    assert await snapshot(h) == before


async def test_members_lists_phone_numbers_to_facilitators_only(harness: Harness, facilitator):
    h = harness
    maël = await verified(h, "Maël", "+33612345678")
    kossi = await verified(h, "Kossi", "+22890123456")
    await h.command(facilitator, "members", "food")
    listing = "\n".join(h.texts(facilitator.id))
    assert "+33 6 12 34 56 78" in listing and "+228 90 12 34 56" in listing
    assert "Coop Maël" in listing and "Coop Kossi" in listing
    # Members see their own number when it is verified, never anybody else's.
    for user, others_phone in ((maël, "+228 90"), (kossi, "+33 6")):
        await h.command(user, "members")
        assert RESERVED_EN in h.last(user.id).text
        assert not any(others_phone in t for t in h.texts(user.id))


async def test_a_promoted_member_can_create_invites(harness: Harness, facilitator):
    h = harness
    kossi = await verified(h, "Kossi", "+22890123456")
    await h.command(kossi, "invite")
    assert RESERVED_EN in h.last(kossi.id).text
    await h.command(facilitator, "promote", str(kossi.id))
    assert "Kossi" in h.last(facilitator.id).text
    row = await member_row(h, kossi)
    assert await facilitators.is_promoted(h.db, row["id"])
    code = await make_invite(h, kossi, "food uses=3")
    invite = await invites.get(h.db, code)
    assert (invite.max_uses, invite.uses) == (3, 0)
    created_by = await h.db.fetch_one("SELECT created_by FROM invite_codes WHERE code = ?", (code,))
    assert created_by["created_by"] == row["id"]


async def test_promoting_someone_who_is_not_verified_is_refused(harness: Harness, facilitator):
    h = harness
    eve = h.sim.add_user("Eve", language_code="en")
    await begin(h, eve)  # started, agreed, no phone yet
    before = await snapshot(h)
    for target in (str(eve.id), "12345", "abc"):
        await h.command(facilitator, "promote", target)
        assert "/promote" in h.last(facilitator.id).text
    assert await snapshot(h) == before


# -- verified group access -----------------------------------------------------------------------------------

async def _bound_food_group(h: Harness, facilitator):
    group = h.sim.add_group("Alimentation durable", bot_is_admin=True)
    h.sim.add_member(group.id, facilitator.id, status="administrator")
    await h.command(facilitator, "bindgroup", "food", chat_id=group.id)
    rows = await h.db.fetch_all("SELECT circle_id, chat_id, territory_code FROM circle_groups")
    food = await circles.get_by_slug(h.db, "food")
    assert [tuple(r) for r in rows] == [(food.id, group.id, None)]
    assert "Ce groupe est désormais l'espace du cercle" in h.last(group.id).text  # the facilitator reads French
    return group


async def test_a_group_cannot_be_bound_while_the_bot_is_not_admin(harness: Harness, facilitator):
    h = harness
    group = h.sim.add_group("Alimentation", bot_is_admin=False)
    h.sim.add_member(group.id, facilitator.id, status="administrator")
    await h.command(facilitator, "bindgroup", "food", chat_id=group.id)
    assert "administrat" in h.last(group.id).text
    assert await h.db.fetch_all("SELECT * FROM circle_groups") == []


async def test_a_failed_rights_check_asks_to_try_again_and_is_logged_with_its_method(harness: Harness, facilitator,
                                                                                        caplog):
    h = harness
    h.refusals_expected = True  # getChatMember fails on purpose
    group = h.sim.add_group("Alimentation", bot_is_admin=True)
    h.sim.add_member(group.id, facilitator.id, status="administrator")
    h.sim.fail_next("getChatMember", error_code=500, description="Internal Server Error")
    with caplog.at_level(logging.WARNING):
        await h.command(facilitator, "bindgroup", "food", chat_id=group.id)
    answer = h.last(group.id).text
    assert "Je n'ai pas pu vérifier mes droits dans ce groupe" in answer  # the facilitator reads French
    assert "administrat" not in answer
    assert await h.db.fetch_all("SELECT * FROM circle_groups") == []
    assert any("getChatMember" in record.getMessage() and str(group.id) in record.getMessage()
               for record in caplog.records if record.levelno == logging.WARNING)
    await h.command(facilitator, "bindgroup", "food", chat_id=group.id)  # the next try works
    assert "Ce groupe est désormais l'espace du cercle" in h.last(group.id).text


async def test_a_member_of_the_circle_gets_a_personal_link_and_is_approved(harness: Harness, facilitator):
    h = harness
    group = await _bound_food_group(h, facilitator)
    maël = await verified(h)
    links = url_buttons(h.last(maël.id))
    assert len(links) == 1
    assert {link.invite_link for link in h.sim.invite_links(group.id)} == set(links)
    h.sim.request_join(maël.id, group.id, links[0])
    await h.deliver()
    assert maël.id in h.sim.chat_members(group.id)
    row = await h.db.fetch_one("SELECT used_at FROM group_links WHERE invite_link = ?", (links[0],))
    assert row["used_at"] is not None


async def test_people_who_are_not_verified_members_of_the_circle_are_declined(harness: Harness, facilitator):
    h = harness
    group = await _bound_food_group(h, facilitator)
    maël = await verified(h, "Maël", "+33612345678")
    personal = url_buttons(h.last(maël.id))[0]
    generic = (await h.app.bot.create_chat_invite_link(group.id, creates_join_request=True)).invite_link
    stranger = h.sim.add_user("Eve", language_code="en")          # never wrote to the bot
    unverified = h.sim.add_user("Mallory", language_code="en")    # started and agreed, no number
    await begin(h, unverified)
    other_circle = await verified(h, "Kossi", "+22890123456", slug="circular")  # verified, not in food
    before_links = await h.db.fetch_all("SELECT * FROM group_links ORDER BY id")

    # Someone else's personal link is refused to anybody but its owner, verified or not.
    for intruder in (stranger, unverified, other_circle):
        for link in (personal, generic):
            h.sim.request_join(intruder.id, group.id, link)
            await h.deliver()
            assert intruder.id not in h.sim.chat_members(group.id)
    assert [tuple(r) for r in await h.db.fetch_all("SELECT * FROM group_links ORDER BY id")] == [
        tuple(r) for r in before_links]
    # Those who can be written to are told how to get in.
    assert any("verify your number" in t for t in h.texts(unverified.id))
    # The owner can still use the personal link afterwards.
    h.sim.request_join(maël.id, group.id, personal)
    await h.deliver()
    assert maël.id in h.sim.chat_members(group.id)
    # Once used, the link lets nobody else in.
    h.sim.request_join(stranger.id, group.id, personal)
    await h.deliver()
    assert stranger.id not in h.sim.chat_members(group.id)


async def test_a_declined_requester_is_told_the_way_in_before_the_decline_and_the_link_opens_it(
        harness: Harness, facilitator):
    """Telegram lets the bot write to a requester only while the request is pending (simulator enforces it)."""
    h = harness
    group = await _bound_food_group(h, facilitator)
    generic = (await h.app.bot.create_chat_invite_link(group.id, creates_join_request=True)).invite_link
    newcomer = h.sim.add_user("Afi", language_code="fr")  # has never written to the bot
    h.sim.request_join(newcomer.id, group.id, generic)
    await h.deliver()
    told = h.texts(newcomer.id)[-1]
    assert "vérifiez d'abord votre numéro" in told
    assert newcomer.id not in h.sim.chat_members(group.id)
    order = [r.method for r in h.sim.requests if r.method in ("sendMessage", "declineChatJoinRequest")][-2:]
    assert order == ["sendMessage", "declineChatJoinRequest"]
    # The deep link in the message opens the path into the food circle, not "this invitation is not valid".
    payload = told.rsplit("start=", 1)[1].split()[0]
    await h.command(newcomer, "start", payload)
    await h.tap(newcomer, "accepte")
    await h.contact(newcomer, "+22890123456")
    await h.text(newcomer, "Groupement Afi")
    await h.tap(newcomer, "Association")
    food = await circles.get_by_slug(h.db, "food")
    member = await members.get_by_telegram_id(h.db, newcomer.id)
    assert await circles.is_member(h.db, member.id, food.id)


async def test_a_verified_member_of_another_circle_is_pointed_to_the_circle_and_joins_it_by_the_link(
        harness: Harness, facilitator):
    h = harness
    group = await _bound_food_group(h, facilitator)
    generic = (await h.app.bot.create_chat_invite_link(group.id, creates_join_request=True)).invite_link
    kossi = await verified(h, "Kossi", "+22890123456", slug="circular")
    h.sim.request_join(kossi.id, group.id, generic)
    await h.deliver()
    told = h.texts(kossi.id)[-1]
    assert "Join the circle first" in told
    await h.command(kossi, "start", told.rsplit("start=", 1)[1].split()[0])
    food = await circles.get_by_slug(h.db, "food")
    assert await circles.is_member(h.db, (await members.get_by_telegram_id(h.db, kossi.id)).id, food.id)
    assert "Welcome back" in "\n".join(h.texts(kossi.id)[-3:])
