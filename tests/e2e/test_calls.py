"""Cross-border calls end to end: propose in Rennes, vote from both sides, confirm with a link and an .ics,
reminders across a restart, follow-ups, cancellation and moves, and refusals that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.storage import calls, circles, members
from tests.e2e.test_onboarding import join
from tests.support import Harness, start_harness, tick

CALL_TABLES = ("call_proposals", "call_slots", "call_invitees", "call_votes", "call_drafts", "call_followups")


async def people(h: Harness):
    """Two members in Rennes and two in Lomé, all in the sustainable food circle, reading English."""
    users = {}
    for key, first, phone, organisation in (
        ("maël", "Maël", "+33612345678", "Coop <Breizh> & Co"),
        ("gwen", "Gwen", "+33698765432", "Les Jardins de Gwen"),
        ("ama", "Ama", "+22890123456", "Association Dzidzɔ"),
        ("kossi", "Kossi", "+22891234567", "Coopérative Kossi"),
    ):
        users[key] = h.sim.add_user(first, language_code="en")
        await join(h, users[key], phone, organisation, slug="food")
    return users


def bot_messages(h: Harness, user, containing: str = "") -> list:
    return [m for m in h.sim.sent_messages(user.id) if containing in (m.text or m.caption or "")]


async def press(h: Harness, user, data: str, *, forge: bool = False) -> None:
    """Press the newest bot button carrying exactly this data (or forge it on the newest bot message)."""
    history = [m for m in h.sim.chat_history(user.id) if m.from_bot]
    if forge:
        h.sim.press_button(user.id, history[-1].message_id, data, forge=True)
        await h.deliver()
        return
    message = next(m for m in reversed(history) if any(d == data for _, d in m.buttons()))
    await h.press(user, message, data)


async def propose(h: Harness, proposer, topic: str, local_slots: list[datetime], *, typed: list[str] = (),
                  minutes: int = 60, everyone: bool = True) -> calls.Proposal:
    """Play /propose through the pickers (and typed slots), send it, and deliver the invitations."""
    await h.command(proposer, "propose")
    if everyone:
        await h.tap(proposer, "Everyone in the circle")
    await h.text(proposer, topic)
    await press(h, proposer, f"cp:d:{minutes}")
    for local in local_slots:
        await press(h, proposer, f"cp:day:{local:%Y%m%d}")
        await press(h, proposer, f"cp:h:{local:%Y%m%d}:{local:%H}")
        await press(h, proposer, f"cp:m:{local:%Y%m%d}:{local:%H}:{local:%M}")
    for text in typed:
        await h.text(proposer, text)
    await press(h, proposer, "cp:ok")
    await h.drain()
    row = await h.db.fetch_one("SELECT id FROM call_proposals ORDER BY id DESC LIMIT 1")
    return await calls.get_proposal(h.db, row["id"])


async def slot_ids(h: Harness, proposal: calls.Proposal) -> list[int]:
    return [s.slot_id for s in await calls.slots_of(h.db, proposal)]


async def vote(h: Harness, user, proposal, slot_id: int) -> None:
    await press(h, user, f"cv:{proposal.id}:{slot_id}")


async def snapshot(h: Harness) -> dict[str, list[tuple]]:
    return {t: [tuple(r) for r in await h.db.fetch_all(f"SELECT * FROM {t} ORDER BY 1")]  # noqa: S608
            for t in (*CALL_TABLES, "outbox")}


def last_answer(h: Harness) -> str:
    return h.sim.calls("answerCallbackQuery")[-1].params.get("text", "")


async def test_a_winter_proposal_from_rennes_shows_lome_time_one_hour_earlier(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "How we <price> baskets", [datetime(2026, 12, 3, 15, 0)],
                             typed=["2026-12-04 10:30"])
    invitation = bot_messages(h, u["ama"], "proposes a call")[-1].text
    assert "Maël (Coop <Breizh> & Co) proposes a call" in invitation and "How we <price> baskets" in invitation
    # Winter: Paris is UTC+1, Lomé UTC+0 all year.
    assert "Thu 3 Dec, 14:00 in Lomé · 15:00 in Rennes" in invitation
    assert "Fri 4 Dec, 09:30 in Lomé · 10:30 in Rennes" in invitation
    assert "Thu 3 Dec, 15:00 in Rennes · 14:00 in Lomé" in bot_messages(h, u["gwen"], "proposes a call")[-1].text
    starts = [s.start_utc for s in await calls.slots_of(h.db, proposal)]
    assert starts == [datetime(2026, 12, 3, 14, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 30, tzinfo=UTC)]
    # The typed slot was confirmed back before sending.
    assert any("Added: Fri 4 Dec, 10:30" in r.params.get("text", "") for r in h.sim.calls("sendMessage"))


async def test_a_summer_proposal_from_rennes_shows_lome_time_two_hours_earlier(harness: Harness):
    h = harness
    u = await people(h)
    h.clock.set(datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    await propose(h, u["maël"], "Seed exchange", [datetime(2027, 6, 8, 15, 0)])
    invitation = bot_messages(h, u["kossi"], "proposes a call")[-1].text
    assert "Tue 8 Jun, 13:00 in Lomé · 15:00 in Rennes" in invitation


async def test_unfair_slots_are_flagged_when_proposed(harness: Harness):
    h = harness
    u = await people(h)
    await propose(h, u["maël"], "Early birds", [datetime(2026, 12, 3, 8, 30)])  # 07:30 in Lomé
    assert "outside 08:00–20:00 in Lomé" in bot_messages(h, u["ama"], "proposes a call")[-1].text
    assert any("outside 08:00–20:00 in Lomé" in r.params.get("text", "") for r in h.sim.calls("editMessageText"))


async def test_votes_from_both_sides_close_on_the_most_voted_slot_with_link_and_ics(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Pricing", [datetime(2026, 12, 3, 15, 0), datetime(2026, 12, 4, 11, 0)])
    first, second = await slot_ids(h, proposal)
    await vote(h, u["ama"], proposal, second)
    await vote(h, u["gwen"], proposal, second)
    await vote(h, u["kossi"], proposal, first)
    await vote(h, u["kossi"], proposal, second)
    await vote(h, u["kossi"], proposal, first)   # changes his mind: first withdrawn
    assert sorted(await calls.votes(h.db, proposal.id)) == sorted(
        [(m, second) for m in await member_ids(h, u, "ama", "gwen", "kossi")])
    # The voter sees their ticks; the proposer sees the tally live, with names.
    assert "✅ 2. Fri 4 Dec, 10:00" in [label for label, _ in h.last(u["ama"].id).buttons()]
    tally = h.sim.message(u["maël"].id, proposal.tally_message_id).text
    assert "3 of 3 invited answered" in tally and "3 votes: " in tally and "Kossi" in tally

    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    proposal = await calls.get_proposal(h.db, proposal.id)
    assert (proposal.status, proposal.chosen_slot_id) == ("confirmed", second)
    assert proposal.video_url.startswith("https://meet.jit.si/Passerelle-") and len(proposal.video_url) > 50
    for key, local in (("ama", "10:00 in Lomé · 11:00 in Rennes"), ("maël", "11:00 in Rennes · 10:00 in Lomé")):
        confirmation = bot_messages(h, u[key], "Call confirmed")[-1].text
        assert local in confirmation and proposal.video_url in confirmation
        ics = [m for m in h.sim.sent_messages(u[key].id) if m.document][-1]
        assert ics.document["file_name"] == "call.ics"
        event = Calendar.from_ical(ics.document_bytes).walk("VEVENT")[0]
        assert event.decoded("dtstart") == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=60)
        assert local in str(event["description"])  # the local times on each side, as in the confirmation
        assert str(event["url"]) == proposal.video_url and event.walk("VALARM")
        assert "Maël" in str(event["organizer"].params["CN"])
    # The tally lost its buttons; a late vote is refused.
    assert h.sim.message(u["maël"].id, proposal.tally_message_id).buttons() == []
    before = await snapshot(h)
    await press(h, u["ama"], f"cv:{proposal.id}:{first}")
    assert "closed" in last_answer(h) and await snapshot(h) == before


async def member_ids(h: Harness, u, *keys: str) -> list[int]:
    return [(await members.get_by_telegram_id(h.db, u[k].id)).id for k in keys]


async def test_a_tie_goes_to_the_slot_fairest_across_territories(harness: Harness):
    h = harness
    u = await people(h)
    # 08:30 in Rennes is 07:30 in Lomé (unfair); 16:00 in Rennes is fair on both sides.
    proposal = await propose(h, u["maël"], "Tie", [datetime(2026, 12, 3, 8, 30), datetime(2026, 12, 3, 16, 0)])
    early, late = await slot_ids(h, proposal)
    await vote(h, u["ama"], proposal, early)
    await vote(h, u["gwen"], proposal, late)
    await press(h, u["maël"], f"cc:{proposal.id}")
    assert (await calls.get_proposal(h.db, proposal.id)).chosen_slot_id == late


async def test_the_deadline_closes_the_vote_by_itself(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Deadline", [datetime(2026, 12, 9, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    assert proposal.deadline == proposal.created_at + timedelta(days=3)  # far from the slot: three days
    h.clock.set(proposal.deadline - timedelta(seconds=1))
    await tick(h)
    assert (await calls.get_proposal(h.db, proposal.id)).status == "open"
    h.clock.set(proposal.deadline)
    await tick(h)
    await h.drain()
    assert (await calls.get_proposal(h.db, proposal.id)).status == "confirmed"
    assert bot_messages(h, u["kossi"], "Call confirmed")  # invited, did not vote: told all the same


async def test_reminders_arrive_once_each_at_24h_and_1h_across_a_restart(harness: Harness, sim, clock, tmp_path):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Reminders", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    start = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)

    def reminders(user) -> list[str]:
        return [m.text for m in h.sim.sent_messages(user.id) if m.text and "Reminders" in m.text and "⏰" in m.text]

    h.clock.set(start - timedelta(hours=24, seconds=1))
    await tick(h)
    await h.drain()
    assert reminders(u["ama"]) == []
    h.clock.set(start - timedelta(hours=24))
    await tick(h)
    await tick(h)
    await h.drain()
    assert len(reminders(u["ama"])) == len(reminders(u["maël"])) == 1
    assert "14:00 in Lomé · 15:00 in Rennes" in reminders(u["ama"])[0]
    assert "15:00 in Rennes · 14:00 in Lomé" in reminders(u["maël"])[0]

    # The bot stops; it is down when the 1 h reminder falls due, and comes back 30 minutes before the call.
    await h.close()
    clock.set(start - timedelta(minutes=30))
    h2 = await start_harness(sim, tmp_path / "passerelle.sqlite3", clock)
    h.app = h2.app  # the fixture closes the application it holds: now the second one
    await tick(h2)
    await tick(h2)
    await h2.drain()
    assert len(reminders(u["ama"])) == 2 and "Starting soon" in reminders(u["ama"])[-1]
    assert len(reminders(u["kossi"])) == 2
    clock.set(start + timedelta(minutes=5))
    await tick(h2)
    await h2.drain()
    assert len(reminders(u["ama"])) == 2
    keys = [r["dedupe_key"] for r in await h2.db.fetch_all(
        "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'reminder:%'")]
    assert len(keys) == len(set(keys)) == 2 * 4


async def test_a_reminder_missed_while_down_is_skipped_when_the_call_has_started(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Missed", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    h.clock.set(datetime(2026, 12, 3, 14, 1, tzinfo=UTC))
    await tick(h)
    await h.drain()
    assert not [m for m in h.sim.sent_messages(u["ama"].id) if m.text and "⏰" in m.text]


async def test_refused_votes_change_nothing(harness: Harness):
    h = harness
    u = await people(h)
    outsider = h.sim.add_user("Yann", language_code="en")
    await join(h, outsider, "+33611223344", "Elsewhere", slug="circular")
    proposal = await propose(h, u["maël"], "Refusals", [datetime(2026, 12, 3, 15, 0)])
    slot = (await slot_ids(h, proposal))[0]
    other = await propose(h, u["gwen"], "Another", [datetime(2026, 12, 5, 11, 0)])
    other_slot = (await slot_ids(h, other))[0]
    before = await snapshot(h)
    cases = [
        (outsider, f"cv:{proposal.id}:{slot}", "Only the members invited"),      # not invited
        (u["ama"], f"cv:{proposal.id}:{other_slot}", "not part of the proposal"),  # another proposal's slot
        (u["ama"], f"cv:{proposal.id}:999999", "not part of the proposal"),        # no such slot
        (u["ama"], f"cv:424242:{slot}", "does not exist"),                         # no such proposal
        (u["ama"], f"cv:{proposal.id}:x';--", "not valid"),                        # forged data
        (u["ama"], "cv:1", "not valid"),
        (u["maël"], f"cv:{proposal.id}:{slot}", "You proposed"),
        (u["ama"], f"cc:{proposal.id}", "Only the member who proposed"),           # closing someone else's
        (u["ama"], f"cx:{proposal.id}:y", "Only the member who proposed"),
    ]
    for user, data, expected in cases:
        await press(h, user, data, forge=True)
        assert expected in last_answer(h), data
    assert await snapshot(h) == before
    await press(h, u["maël"], f"cx:{proposal.id}")
    await press(h, u["maël"], f"cx:{proposal.id}:y")
    before = await snapshot(h)
    await press(h, u["ama"], f"cv:{proposal.id}:{slot}", forge=True)  # a vote on a cancelled proposal
    assert "closed" in last_answer(h)
    assert await snapshot(h) == before


async def test_past_and_nonexistent_local_times_are_refused_with_a_reason(harness: Harness):
    h = harness
    u = await people(h)
    h.clock.set(datetime(2027, 3, 25, 9, 0, tzinfo=UTC))  # the spring change in Paris is on 28 March 2027
    await h.command(u["maël"], "propose")
    await h.tap(u["maël"], "Everyone in the circle")
    await h.text(u["maël"], "Spring")
    await press(h, u["maël"], "cp:d:60")
    draft_before = await calls.get_draft(h.db, (await members.get_by_telegram_id(h.db, u["maël"].id)).id)
    await h.text(u["maël"], "2027-03-28 02:30")
    assert "does not exist in Paris" in h.last(u["maël"].id).text
    await h.text(u["maël"], "2027-03-20 15:00")
    assert "already passed" in h.last(u["maël"].id).text
    await h.text(u["maël"], "25/03 10:30")  # 09:30 UTC today: half an hour ahead
    assert "too soon" in h.last(u["maël"].id).text
    await h.text(u["maël"], "sometime soonish")
    assert "did not understand" in h.last(u["maël"].id).text
    await press(h, u["maël"], "cp:m:20270320:15:00", forge=True)  # a day the picker never offered
    assert "no longer valid" in last_answer(h)
    draft = await calls.get_draft(h.db, draft_before.member_id)
    assert draft.slots == [] and (await h.db.fetch_all("SELECT * FROM call_proposals")) == []
    assert "cp:ok" not in [d for _, d in h.last(u["maël"].id).buttons()]


async def test_cancelling_a_confirmed_call_tells_everyone_and_stops_its_reminders(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Cancelled", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    await h.command(u["maël"], "sessions")
    await press(h, u["maël"], f"cx:{proposal.id}")
    await press(h, u["maël"], f"cx:{proposal.id}:y")
    await h.drain()
    assert "is cancelled" in bot_messages(h, u["ama"], "Cancelled")[-1].text
    cancel_ics = [m for m in h.sim.sent_messages(u["ama"].id) if m.document][-1]
    assert b"METHOD:CANCEL" in cancel_ics.document_bytes and b"SEQUENCE:1" in cancel_ics.document_bytes
    h.clock.set(datetime(2026, 12, 3, 13, 30, tzinfo=UTC))
    await tick(h)
    await h.drain()
    assert not [m for m in h.sim.sent_messages(u["ama"].id) if m.text and "⏰" in m.text]


async def test_moving_a_call_sends_the_new_time_and_new_reminders(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Moved", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await h.drain()
    h.clock.set(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))  # the 24 h reminder of the old time goes out
    await tick(h)
    await h.drain()
    await h.command(u["maël"], "sessions")
    await press(h, u["maël"], f"cr:{proposal.id}")
    await press(h, u["maël"], "cp:day:20261205")
    await press(h, u["maël"], "cp:h:20261205:11")
    await press(h, u["maël"], "cp:m:20261205:11:00")
    await press(h, u["maël"], "cp:ok")
    await h.drain()
    moved = bot_messages(h, u["ama"], "has moved")[-1].text
    assert "Sat 5 Dec, 10:00 in Lomé · 11:00 in Rennes" in moved
    event = Calendar.from_ical([m for m in h.sim.sent_messages(u["ama"].id) if m.document][-1].document_bytes)
    assert event.walk("VEVENT")[0].decoded("dtstart") == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert event.walk("VEVENT")[0]["SEQUENCE"] == 1
    h.clock.set(datetime(2026, 12, 4, 10, 0, tzinfo=UTC))
    await tick(h)
    await h.drain()
    reminders = [m.text for m in h.sim.sent_messages(u["ama"].id) if m.text and "⏰" in m.text]
    assert len(reminders) == 2 and "Sat 5 Dec, 10:00" in reminders[-1]


async def test_after_the_call_the_practice_discovered_goes_to_the_journal(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Journal", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    h.clock.set(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # the 60-minute call ended
    await tick(h)
    await tick(h)
    await h.drain()
    assert len(bot_messages(h, u["ama"], "take place?")) == 1
    await press(h, u["ama"], f"cf:{proposal.id}:y")
    question = h.last(u["ama"].id)
    assert "Which practice" in question.text
    h.sim.send_text(u["ama"].id, "A <shared> seed bank", reply_to=question.message_id)
    await h.deliver()
    await press(h, u["gwen"], f"cf:{proposal.id}:n")
    entries = await calls.journal_entries(h.db, proposal.circle_id)
    ama = await members.get_by_telegram_id(h.db, u["ama"].id)
    assert [(e.member_id, e.territory_code, e.text) for e in entries] == [(ama.id, "togo", "A <shared> seed bank")]
    rows = await h.db.fetch_all("SELECT member_id, took_place FROM call_followups WHERE took_place IS NOT NULL")
    assert len(rows) == 2


async def test_sessions_and_agenda_list_the_calls(harness: Harness):
    h = harness
    u = await people(h)
    proposal = await propose(h, u["maël"], "Agenda", [datetime(2026, 12, 3, 15, 0)])
    await vote(h, u["ama"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["maël"], f"cc:{proposal.id}")
    await propose(h, u["gwen"], "Still voting", [datetime(2026, 12, 9, 15, 0)])
    await h.command(u["ama"], "sessions")
    listing = h.last(u["ama"].id).text
    assert "Upcoming calls" in listing and "Agenda" in listing and "Thu 3 Dec, 14:00 in Lomé" in listing
    assert "Being voted on" in listing and "Still voting" in listing
    await h.command(u["kossi"], "agenda")
    agenda = h.last(u["kossi"].id)
    events = Calendar.from_ical(agenda.document_bytes).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [datetime(2026, 12, 3, 14, 0, tzinfo=UTC)]


async def test_a_draft_left_half_way_does_not_swallow_later_messages(harness: Harness):
    h = harness
    u = await people(h)
    await h.command(u["maël"], "propose")
    await h.tap(u["maël"], "Everyone in the circle")
    h.clock.advance(hours=2)
    await h.text(u["maël"], "Just chatting")
    draft = await calls.get_draft(h.db, (await members.get_by_telegram_id(h.db, u["maël"].id)).id)
    assert draft.topic is None


async def test_forget_leaves_no_call_row_about_the_member(harness: Harness):
    from tests.e2e.test_privacy import rows_mentioning

    h = harness
    u = await people(h)
    h.clock.advance(days=7)  # a cycle of peer pairs too: introductions name their peers
    await tick(h)
    proposal = await propose(h, u["ama"], "Forget me", [datetime(2026, 12, 10, 15, 0)])
    await vote(h, u["kossi"], proposal, (await slot_ids(h, proposal))[0])
    await press(h, u["ama"], f"cc:{proposal.id}")
    h.clock.set(datetime(2026, 12, 10, 16, 0, tzinfo=UTC))  # 15:00 in Lomé, for an hour
    await tick(h)
    await h.drain()
    await press(h, u["kossi"], f"cf:{proposal.id}:y")
    await h.text(u["kossi"], "Seed bank")
    for key, phone, organisation in (("ama", "+22890123456", "Dzidzɔ"), ("kossi", "+22891234567", "Kossi")):
        row = await members.get_by_telegram_id(h.db, u[key].id)
        needles = (phone, organisation, u[key].first_name)
        assert await rows_mentioning(h, member_id=row.id, telegram_id=u[key].id, needles=needles)
        await h.command(u[key], "forget")
        await h.tap(u[key], "Yes, erase everything")
        assert await rows_mentioning(h, member_id=row.id, telegram_id=u[key].id, needles=needles) == []
    # The call stays for the others, without its proposer.
    assert (await calls.get_proposal(h.db, proposal.id)).proposer_id is None
    remaining = await calls.participants(h.db, await calls.get_proposal(h.db, proposal.id))
    assert sorted(m.first_name for m in remaining) == ["Gwen", "Maël"]


# Peer pairs across the border.

def introductions(h: Harness, user) -> list:
    return [m for m in h.sim.sent_messages(user.id) if m.text and m.text.startswith("🤝")]


async def test_pair_cycles_are_recorded_and_each_introduction_is_sent_once(harness: Harness):
    h = harness
    u = await people(h)
    food = await circles.get_by_slug(h.db, "food")
    gwen = await members.get_by_telegram_id(h.db, u["gwen"].id)
    await h.command(u["gwen"], "pairing")
    await h.tap(u["gwen"], "Pause peer pairs")
    assert await calls.is_paused(h.db, gwen.id)

    h.clock.advance(days=6)
    await tick(h)
    assert await calls.last_cycle(h.db, food.id) is None  # newcomers first meet the circle for a week
    h.clock.advance(days=1)
    await tick(h)
    await tick(h)
    await h.drain()
    cycle = await calls.last_cycle(h.db, food.id)
    groups = list((await calls.groups_of_cycle(h.db, cycle.id)).values())
    territory = {m.id: m.territory_code for m in await circles.members_of(h.db, food.id)}
    assert cycle.cycle_index == 0 and all(len({territory[m] for m in g}) == 2 for g in groups)
    assert gwen.id not in {m for g in groups for m in g}  # paused: left out
    assert sorted(len(g) for g in groups) == [3]          # one Breton with both Togolese: a trio
    assert [len(introductions(h, u[k])) for k in ("maël", "ama", "kossi", "gwen")] == [1, 1, 1, 0]
    intro = introductions(h, u["maël"])[0].text
    assert "Ama (Association Dzidzɔ), Lomé" in intro and "Kossi" in intro

    # Restarted ticks send nothing twice; the cycle ends with "did you meet?", then the next cycle starts.
    await tick(h)
    await h.drain()
    assert len(introductions(h, u["ama"])) == 1
    await h.command(u["gwen"], "pairing")
    await h.tap(u["gwen"], "Resume peer pairs")
    h.clock.set(cycle.ends_at)
    await tick(h)
    await h.drain()
    check = [m for m in h.sim.sent_messages(u["ama"].id) if m.text and "Did you meet" in m.text]
    assert len(check) == 1
    group_id = next(iter(await calls.groups_of_cycle(h.db, cycle.id)))
    await press(h, u["ama"], f"pm:{group_id}:y")
    row = await h.db.fetch_one("SELECT met FROM pair_group_members WHERE group_id = ? AND member_id = ?",
                               (group_id, (await members.get_by_telegram_id(h.db, u["ama"].id)).id))
    assert row["met"] == 1
    second = await calls.last_cycle(h.db, food.id)
    assert second.cycle_index == 1
    history = await calls.pair_history(h.db, food.id)
    assert len(history) == 3 and all(len(g) == 2 for g in history[1:])  # Gwen is back: two pairs
    assert len(introductions(h, u["gwen"])) == 1


async def test_propose_a_call_from_an_introduction_invites_the_peers(harness: Harness):
    h = harness
    u = await people(h)
    h.clock.advance(days=7)
    await tick(h)
    await h.drain()
    group_id = next(iter((await calls.groups_of_cycle(
        h.db, (await calls.last_cycle(h.db, (await circles.get_by_slug(h.db, "food")).id)).id))))
    member_ids = await calls.group_member_ids(h.db, group_id)
    first = await members.get(h.db, member_ids[0])
    who = next(k for k in u if u[k].id == first.telegram_user_id)
    await press(h, u[who], f"cp:g:{group_id}")
    await h.text(u[who], "Our first call")
    await press(h, u[who], "cp:d:45")
    await h.text(u[who], "2026-12-08 15:00")
    await press(h, u[who], "cp:ok")
    proposal = (await calls.calls_of(h.db, member_ids[0]))[-1]
    assert await calls.invitee_ids(h.db, proposal.id) == set(member_ids[1:])
