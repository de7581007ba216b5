"""Refusals of the onboarding, end to end: each gets a clear message in the chat and stores nothing it should not."""

from __future__ import annotations

from datetime import timedelta


from bot.storage import circles, invites, members
from tests.e2e.test_onboarding import begin, join, make_invite, member_row
from tests.support import Harness



async def phones_stored(h: Harness) -> list[str]:
    rows = await h.db.fetch_all("SELECT phone_e164 FROM members WHERE phone_e164 IS NOT NULL")
    return [row["phone_e164"] for row in rows]


# -- the contact must be the sender's own, verified number ------------------------------------------------------

async def test_a_forwarded_contact_is_refused_and_stores_no_phone(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    friend = h.sim.add_user("Kofi", language_code="en")
    await begin(h, ama)
    await h.contact(ama, "+22890123456", contact_user_id=friend.id)  # Kofi's contact card, shared by Ama
    assert "This is not your own number" in h.last(ama.id).text
    row = await member_row(h, ama)
    assert (row["phone_e164"], row["status"], row["onboarding_step"]) == (None, "new", "phone")
    assert await phones_stored(h) == []
    # Asked again with the share button, so that the right way is one tap away.
    assert h.last(ama.id).reply_markup["keyboard"][0][0]["request_contact"] is True


async def test_a_typed_in_contact_without_user_id_is_refused_and_stores_no_phone(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await begin(h, ama)
    await h.contact(ama, "+33612345678", contact_user_id=None)  # a contact typed into the address book
    assert "This is not your own number" in h.last(ama.id).text
    assert await phones_stored(h) == []
    assert (await member_row(h, ama))["territory_code"] is None


async def test_an_invalid_number_is_refused_and_stores_no_phone(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await begin(h, ama)
    await h.contact(ama, "+2281234")
    assert "This number could not be verified" in h.last(ama.id).text
    row = await member_row(h, ama)
    assert (row["phone_e164"], row["status"], row["onboarding_step"]) == (None, "new", "phone")


async def test_a_contact_before_consent_is_not_stored(harness: Harness):
    h = harness
    ama = h.sim.add_user("Ama", language_code="en")
    await h.command(ama, "start")
    await h.contact(ama, "+33612345678")  # skipping the consent question
    assert "/start" in h.last(ama.id).text
    assert await phones_stored(h) == []


async def test_a_number_already_used_by_another_member_is_refused(harness: Harness):
    h = harness
    first = h.sim.add_user("Maël", language_code="en")
    second = h.sim.add_user("Maël bis", language_code="en")
    await join(h, first, "+33612345678", "Coop", slug="food")
    await begin(h, second)
    await h.contact(second, "+33612345678")
    assert "already used by another member" in h.last(second.id).text
    assert (await member_row(h, second))["phone_e164"] is None


# -- invitations ---------------------------------------------------------------------------------------------

async def test_an_expired_invite_is_refused_at_start_and_creates_no_member(harness: Harness, facilitator, clock):
    h = harness
    code = await make_invite(h, facilitator, "days=30")  # typed: an invitation to no particular circle
    clock.advance(days=31)
    late = h.sim.add_user("Ama", language_code="en")
    await h.command(late, "start", code)
    assert "This invitation has expired" in h.last(late.id).text
    assert await member_row(h, late) is None
    assert await members.count(h.db) == 0


async def test_an_unknown_invite_is_refused_at_start_and_creates_no_member(harness: Harness):
    h = harness
    stranger = h.sim.add_user("Ama", language_code="en")
    await h.command(stranger, "start", "iDoesNotExist")
    assert "This invitation link is not valid" in h.last(stranger.id).text
    assert await member_row(h, stranger) is None


async def test_an_exhausted_invite_is_refused_to_the_next_person_and_creates_no_member(harness: Harness, facilitator):
    h = harness
    code = await make_invite(h, facilitator, "food uses=1")
    first = h.sim.add_user("Maël", language_code="en")
    await join(h, first, "+33612345678", "Coop", slug="food", code=code)
    assert (await invites.get(h.db, code)).uses == 1
    second = h.sim.add_user("Ama", language_code="en")
    await h.command(second, "start", code)
    assert "already been used as many times as allowed" in h.last(second.id).text
    assert await member_row(h, second) is None
    assert (await invites.get(h.db, code)).uses == 1


async def test_an_invite_exhausted_between_start_and_phone_is_refused_and_stores_no_phone(
        harness: Harness, facilitator):
    """Two people open a one-use link; the one who shares their number second is refused at that step."""
    h = harness
    code = await make_invite(h, facilitator, "uses=1")
    first, second = h.sim.add_user("Maël", language_code="en"), h.sim.add_user("Ama", language_code="en")
    await begin(h, first, code)
    await begin(h, second, code)
    await h.contact(first, "+33612345678")
    await h.contact(second, "+33698765432")
    assert "already been used as many times as allowed" in h.last(second.id).text
    row = await member_row(h, second)
    assert (row["phone_e164"], row["status"], row["pending_invite_code"]) == (None, "new", None)


async def test_an_expired_invite_made_in_storage_is_refused(harness: Harness, clock):
    h = harness
    now = clock.now()
    await invites.create(h.db, code="iOld", circle_id=None, territory_code=None, max_uses=None,
                         expires_at=now - timedelta(seconds=1), created_by=None, now=now - timedelta(days=30))
    late = h.sim.add_user("Ama", language_code="fr")
    await h.command(late, "start", "iOld")
    assert h.last(late.id).text  # answered (in French)
    assert await member_row(h, late) is None


async def test_an_invite_for_togo_is_refused_to_a_french_number_and_stores_no_phone(harness: Harness, facilitator):
    h = harness
    code = await make_invite(h, facilitator, "food territory=togo")
    maël = h.sim.add_user("Maël", language_code="en")
    await begin(h, maël, code)
    await h.contact(maël, "+33612345678")
    assert "This invitation is for members of another territory" in h.last(maël.id).text
    row = await member_row(h, maël)
    assert (row["phone_e164"], row["territory_code"], row["status"], row["pending_invite_code"]) == (
        None, None, "new", None)
    assert await circles.circle_ids_of(h.db, row["id"]) == set()
    assert (await invites.get(h.db, code)).uses == 0


async def test_an_invite_for_togo_lets_a_togolese_number_in_its_circle(harness: Harness, facilitator):
    h = harness
    code = await make_invite(h, facilitator, "food territory=togo")
    kossi = h.sim.add_user("Kossi", language_code="en")
    await begin(h, kossi, code)
    await h.contact(kossi, "+22890123456")
    row = await member_row(h, kossi)
    assert (row["phone_e164"], row["territory_code"], row["status"]) == ("+22890123456", "togo", "active")
    food = await circles.get_by_slug(h.db, "food")
    assert await circles.circle_ids_of(h.db, row["id"]) == {food.id}
    assert (await invites.get(h.db, code)).uses == 1


# -- numbers from elsewhere are held for a facilitator ------------------------------------------------------------

async def _held_german(h: Harness, facilitator):
    await h.command(facilitator, "help")  # Telegram: the bot can only write to people who wrote to it first
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans)
    await h.contact(hans, "+4915123456789")
    return hans


async def test_a_number_from_elsewhere_is_held_and_facilitators_are_told(harness: Harness, facilitator):
    h = harness
    hans = await _held_german(h, facilitator)
    assert "a facilitator will review your request" in h.last(hans.id).text
    row = await member_row(h, hans)
    assert (row["status"], row["territory_code"], row["phone_e164"]) == ("held", None, "+4915123456789")
    report = await h.drain()
    assert report is not None
    notice = h.last(facilitator.id)
    assert "Hans" in notice.text and "+49 1512 3456789" in notice.text
    assert {data for _, data in notice.buttons()} == {
        f"held:ok:{row['id']}:bretagne", f"held:ok:{row['id']}:togo", f"held:no:{row['id']}"}
    # While held, /start says so instead of starting over.
    await h.command(hans, "start")
    assert "still reviewing your number" in h.last(hans.id).text
    assert (await member_row(h, hans))["status"] == "held"


async def test_a_facilitator_places_a_held_member_who_is_then_asked_for_their_organisation(
        harness: Harness, facilitator):
    h = harness
    hans = await _held_german(h, facilitator)
    await h.drain()
    row = await member_row(h, hans)
    notice = h.last(facilitator.id)
    await h.press(facilitator, notice, f"held:ok:{row['id']}:togo")
    row = await member_row(h, hans)
    assert (row["status"], row["territory_code"], row["onboarding_step"]) == ("active", "togo", "organisation")
    assert "Hans" in h.last(facilitator.id).text  # the notice became the verdict
    await h.drain()
    told = h.texts(hans.id)
    assert any("a facilitator placed you on the Togo side" in t for t in told)
    assert "Which organisation do you belong to?" in told[-1]
    await h.text(hans, "Solidarität e.V.")
    assert (await member_row(h, hans))["organisation"] == "Solidarität e.V."
    # A second press (another facilitator, or a double tap) changes nothing.
    await h.press(facilitator, notice, f"held:no:{row['id']}", forge=True)
    assert (await member_row(h, hans))["status"] == "active"


async def test_a_refused_held_member_is_told_and_stays_out(harness: Harness, facilitator):
    h = harness
    hans = await _held_german(h, facilitator)
    await h.drain()
    row = await member_row(h, hans)
    await h.press(facilitator, h.last(facilitator.id), f"held:no:{row['id']}")
    row = await member_row(h, hans)
    assert (row["status"], row["territory_code"]) == ("refused", None)
    await h.drain()
    assert "could not place your number" in h.last(hans.id).text
    await h.command(hans, "circles")
    assert "/start" in h.last(hans.id).text
    assert await circles.circle_ids_of(h.db, row["id"]) == set()


async def test_a_held_member_listed_with_an_organisation_is_asked_its_kind_after_approval(
        harness: Harness, facilitator, clock):
    h = harness
    await h.command(facilitator, "help")
    now = clock.now()
    await invites.create(h.db, code="iListed", circle_id=None, territory_code=None, max_uses=None,
                         expires_at=now + timedelta(days=3), created_by=None, now=now,
                         phones={"+4915123456789": "Zuckerrübe e.V."})
    hans = h.sim.add_user("Hans", language_code="en")
    await begin(h, hans, "iListed")
    await h.contact(hans, "+4915123456789")
    await h.drain()
    row = await member_row(h, hans)
    await h.press(facilitator, h.last(facilitator.id), f"held:ok:{row['id']}:bretagne")
    await h.drain()
    assert "What kind of organisation is Zuckerrübe e.V.?" in h.last(hans.id).text
    await h.tap(hans, "Association")
    row = await member_row(h, hans)
    assert (row["organisation"], row["organisation_kind"], row["onboarding_step"]) == (
        "Zuckerrübe e.V.", "association", "shares")
