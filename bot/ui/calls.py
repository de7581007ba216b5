"""Screens of cross-border calls and peer pairs, rendered for one reader: every time in their zone, the other
territories' local time beside it, user text escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.slots import Slot, unfair_territories
from bot.domain.directory import Card, brings
from bot.i18n import SafeHtml, Translator
from bot.storage.calls import Draft, Proposal
from bot.storage.circles import Circle, Territory
from bot.storage.members import Member
from bot.ui.callbacks import pack
from bot.ui.directory import what_each_brings
from bot.ui.screens import Screen, circle_name

MAX_SLOTS = 5
DURATIONS = (30, 45, 60, 90)
PICKER_DAYS = 14
PICKER_HOURS = range(7, 22)
PICKER_MINUTES = (0, 30)


@dataclass(frozen=True)
class Place:
    """Where a time is read: a zone and the name shown beside it."""

    zone: str
    city: str


def reader_place(tr: Translator, member: Member, territories: Sequence[Territory]) -> Place:
    """The member's own zone, named after their territory's city when it is that territory's zone."""
    zone = member.time_zone or "UTC"
    territory = next((t for t in territories if t.code == member.territory_code), None)
    if territory is not None and territory.default_zone == zone:
        return Place(zone, territory.city)
    return Place(zone, tr.zone_name(zone))


def other_places(reader: Place, territories: Sequence[Territory]) -> list[Place]:
    return [Place(t.default_zone, t.city) for t in territories if t.default_zone != reader.zone]


def when(tr: Translator, start: datetime, reader: Place, others: Sequence[Place]) -> SafeHtml:
    """'Thu 3 Dec, 15:00 in Rennes · 14:00 in Lomé' (the date repeated where it differs)."""
    parts = [tr.html("{time} in {city}", time=tr.datetime(start, reader.zone), city=reader.city)]
    own_day = tr.datetime(start, reader.zone, "yyyyMMdd")
    for place in others:
        same_day = tr.datetime(start, place.zone, "yyyyMMdd") == own_day
        shown = tr.time(start, place.zone) if same_day else tr.datetime(start, place.zone)
        parts.append(tr.html("{time} in {city}", time=shown, city=place.city))
    return SafeHtml(" · ".join(parts))


def unfair_note(tr: Translator, start: datetime, duration: int, territories: Sequence[Territory]) -> SafeHtml:
    """A warning when part of the call falls outside 08:00-20:00 somewhere; empty when fair to all."""
    zones = {t.code: t.default_zone for t in territories}
    cities = [t.city for t in territories if t.code in unfair_territories(start, duration, zones)]
    if not cities:
        return SafeHtml("")
    return tr.html(" ⚠️ outside 08:00–20:00 in {cities}", cities=", ".join(cities))


def person(tr: Translator, member: Member | None) -> SafeHtml:
    if member is None:
        return tr.html("a former member")
    if member.organisation:
        return tr.html("{name} ({organisation})", name=member.display_name, organisation=member.organisation)
    return tr.html("{name}", name=member.display_name)


def _cancel_row(tr: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(tr.gettext("Cancel"), callback_data=pack("cp", "x"))]


# /propose, step by step.

def circle_choice(tr: Translator, circles: Sequence[Circle]) -> Screen:
    rows = [[InlineKeyboardButton(circle_name(tr, c), callback_data=pack("cp", "c", c.id))] for c in circles]
    return tr.html("Propose a call: which circle is it for?"), InlineKeyboardMarkup([*rows, _cancel_row(tr)])


def peer_choice(tr: Translator, circle: Circle, peers: Sequence[Member], chosen: set[int],
                cities: Mapping[str, str]) -> Screen:
    text = tr.html("Invite the whole circle {circle}, or tap the peers to invite, then <b>Done</b>.",
                   circle=circle_name(tr, circle))
    everyone = tr.ngettext("Everyone in the circle ({count} person)", "Everyone in the circle ({count} people)",
                           len(peers))
    rows = [[InlineKeyboardButton(everyone, callback_data=pack("cp", "all"))]]
    for peer in peers:
        label = ("✅ " if peer.id in chosen else "▫️ ") + peer.display_name
        city = cities.get(peer.territory_code or "")
        rows.append([InlineKeyboardButton(f"{label} · {city}" if city else label,
                                          callback_data=pack("cp", "p", peer.id))])
    if chosen:
        rows.append([InlineKeyboardButton(tr.gettext("Done"), callback_data=pack("cp", "pd"))])
    return text, InlineKeyboardMarkup([*rows, _cancel_row(tr)])


def ask_topic(tr: Translator) -> Screen:
    return (tr.html("What is the call about? Send the topic in a message (for example: "
                    "<i>how we price vegetable baskets</i>)."),
            InlineKeyboardMarkup([_cancel_row(tr)]))


def duration_choice(tr: Translator, topic: str) -> Screen:
    buttons = [InlineKeyboardButton(tr.gettext("{minutes} min", minutes=m), callback_data=pack("cp", "d", m))
               for m in DURATIONS]
    return (tr.html("Topic: <b>{topic}</b>\nHow long will the call last?", topic=topic),
            InlineKeyboardMarkup([buttons, _cancel_row(tr)]))


def slot_builder(tr: Translator, draft: Draft, reader: Place, territories: Sequence[Territory],
                 today: date, *, note: str = "") -> Screen:
    """The candidate slots so far, a day picker for the next ones, and send/cancel."""
    others = other_places(reader, territories)
    single = draft.reschedule_of is not None
    lines = [note] if note else []
    if single:
        lines.append(tr.html("Choose the new time of the call, in your local time ({city}).", city=reader.city))
    else:
        lines.append(tr.html("Candidate slots (1 to {limit}), in your local time ({city}):",
                             limit=MAX_SLOTS, city=reader.city))
    for index, start in enumerate(draft.slots, 1):
        lines.append(f"{index}. " + when(tr, start, reader, others)
                     + unfair_note(tr, start, draft.duration_minutes or 60, territories))
    if not draft.slots:
        lines.append(tr.html("<i>none yet</i>"))
    rows: list[list[InlineKeyboardButton]] = []
    if len(draft.slots) < (1 if single else MAX_SLOTS):
        lines.append(tr.html("Pick a day below, or type a slot such as <i>mardi 15h</i> or <i>2026-12-03 15:00</i>."))
        days = [today + timedelta(days=i) for i in range(PICKER_DAYS)]
        buttons = [InlineKeyboardButton(_day_label(tr, d), callback_data=pack("cp", "day", f"{d:%Y%m%d}"))
                   for d in days]
        rows += [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    if draft.slots:
        rows.append([InlineKeyboardButton(tr.gettext("✖ {number}", number=i), callback_data=pack("cp", "rm", i - 1))
                     for i in range(1, len(draft.slots) + 1)])
        label = tr.gettext("Move the call") if single else tr.gettext("Send the proposal")
        rows.append([InlineKeyboardButton(label, callback_data=pack("cp", "ok"))])
    return "\n".join(lines), InlineKeyboardMarkup([*rows, _cancel_row(tr)])


def _day_label(tr: Translator, day: date) -> str:
    # Babel formats a date through a datetime; noon UTC is the same calendar day in every zone we serve.
    return tr.datetime(datetime(day.year, day.month, day.day, 12), "UTC", "EEE d MMM")


def hour_picker(tr: Translator, day: date) -> Screen:
    # Hours as the reader's locale writes them (15:00, 3:00 PM), not the French "15h" for everyone.
    buttons = [InlineKeyboardButton(tr.hour(h), callback_data=pack("cp", "h", f"{day:%Y%m%d}", f"{h:02d}"))
               for h in PICKER_HOURS]
    per_row = 5 if all(len(b.text) <= 5 for b in buttons) else 3   # "3:00 PM" needs wider buttons
    rows = [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]
    rows.append([InlineKeyboardButton(tr.gettext("◀ Back"), callback_data=pack("cp", "s"))])
    return tr.html("{day}: at what time (your local time)?", day=_day_label(tr, day)), InlineKeyboardMarkup(rows)


def minute_picker(tr: Translator, day: date, hour: int) -> Screen:
    buttons = [InlineKeyboardButton(f"{hour:02d}:{m:02d}",
                                    callback_data=pack("cp", "m", f"{day:%Y%m%d}", f"{hour:02d}", f"{m:02d}"))
               for m in PICKER_MINUTES]
    return (tr.html("{day}: at what time (your local time)?", day=_day_label(tr, day)),
            InlineKeyboardMarkup([buttons, [InlineKeyboardButton(tr.gettext("◀ Back"),
                                                                 callback_data=pack("cp", "day", f"{day:%Y%m%d}"))]]))


# Voting.

def invitation(tr: Translator, proposal: Proposal, proposer: Member | None, circle: Circle, slots: Sequence[Slot],
               mine: set[int], reader: Place, territories: Sequence[Territory]) -> Screen:
    """The proposal as one invitee reads it, with a toggle per slot."""
    others = other_places(reader, territories)
    lines = [tr.html("📞 {proposer} proposes a call in the circle {circle}: <b>{topic}</b> ({minutes} min).",
                     proposer=person(tr, proposer), circle=circle_name(tr, circle), topic=proposal.topic,
                     minutes=proposal.duration_minutes),
             tr.html("Tick every slot you can make; you can change your answer until {deadline}.",
                     deadline=when(tr, proposal.deadline, reader, []))]
    for index, slot in enumerate(slots, 1):
        lines.append(f"{index}. " + when(tr, slot.start_utc, reader, others)
                     + unfair_note(tr, slot.start_utc, slot.duration_minutes, territories))
    buttons = [[InlineKeyboardButton(("✅ " if slot.slot_id in mine else "▫️ ")
                                     + f"{index}. {tr.datetime(slot.start_utc, reader.zone)}",
                                     callback_data=pack("cv", proposal.id, slot.slot_id))]
               for index, slot in enumerate(slots, 1)]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def tally(tr: Translator, proposal: Proposal, circle: Circle, slots: Sequence[Slot],
          voters: Mapping[int, Sequence[str]], answered: int, invited: int, reader: Place,
          territories: Sequence[Territory]) -> Screen:
    """The proposer's live view of the votes, with close and cancel while voting is open."""
    others = other_places(reader, territories)
    lines = [tr.html("Your call proposal in {circle}: <b>{topic}</b>", circle=circle_name(tr, circle),
                     topic=proposal.topic)]
    if proposal.is_open:
        lines.append(tr.nhtml("{answered} of {count} invited answered. Voting closes by itself on {deadline}.",
                              "{answered} of {count} invited answered. Voting closes by itself on {deadline}.",
                              invited, answered=answered, deadline=when(tr, proposal.deadline, reader, [])))
    elif proposal.status == "confirmed":
        lines.append(tr.html("✅ Call confirmed: <b>{topic}</b> ({circle})", topic=proposal.topic,
                             circle=circle_name(tr, circle)))
    elif proposal.status == "cancelled":
        lines.append(tr.html("❌ The call proposal <b>{topic}</b> was cancelled.", topic=proposal.topic))
    else:
        lines.append(closed_without_slot(tr, proposal))
    for index, slot in enumerate(slots, 1):
        names = voters.get(slot.slot_id, ())
        votes = tr.ngettext("{count} vote", "{count} votes", len(names))
        line = f"{index}. " + when(tr, slot.start_utc, reader, others) + tr.html(" — {votes}", votes=votes)
        if names:
            line += tr.html(": {names}", names=", ".join(names))
        lines.append(line)
    if not proposal.is_open:
        return "\n".join(lines), None
    return "\n".join(lines), InlineKeyboardMarkup([
        [InlineKeyboardButton(tr.gettext("Close the vote now"), callback_data=pack("cc", proposal.id))],
        [InlineKeyboardButton(tr.gettext("Cancel the call"), callback_data=pack("cx", proposal.id))],
    ])


def confirm_cancel(tr: Translator, proposal: Proposal) -> Screen:
    return (tr.html("Cancel the call <b>{topic}</b> for everyone?", topic=proposal.topic),
            InlineKeyboardMarkup([[
                InlineKeyboardButton(tr.gettext("Yes, cancel it"), callback_data=pack("cx", proposal.id, "y")),
                InlineKeyboardButton(tr.gettext("No, keep it"), callback_data=pack("cx", proposal.id, "n"))]]))


# Messages to every participant.

def confirmation(tr: Translator, proposal: Proposal, circle: Circle, start: datetime, names: Sequence[str],
                 reader: Place, territories: Sequence[Territory], *, moved: bool = False) -> str:
    if moved:
        head = tr.html("🔁 The call <b>{topic}</b> ({circle}) has moved:", topic=proposal.topic,
                       circle=circle_name(tr, circle))
    else:
        head = tr.html("✅ Call confirmed: <b>{topic}</b> ({circle})", topic=proposal.topic,
                       circle=circle_name(tr, circle))
    return "\n".join([
        head,
        "🕒 " + when(tr, start, reader, other_places(reader, territories)),
        tr.html("With: {names}", names=", ".join(names)),
        tr.html("Video call: {url}", url=proposal.video_url or ""),
        tr.html("The calendar file below adds it to your phone's calendar."),
    ])


def ics_caption(tr: Translator, proposal: Proposal) -> str:
    return tr.html("📅 {topic}", topic=proposal.topic)


def closed_without_slot(tr: Translator, proposal: Proposal) -> str:
    return tr.html("The vote on the call <b>{topic}</b> closed without any slot chosen, so no call is planned. "
                   "Anyone can propose new slots with /propose.", topic=proposal.topic)


def cancelled(tr: Translator, proposal: Proposal, start: datetime | None, reader: Place,
              territories: Sequence[Territory]) -> str:
    if start is None:
        return tr.html("❌ The call proposal <b>{topic}</b> was cancelled.", topic=proposal.topic)
    return tr.html("❌ The call <b>{topic}</b> of {when} is cancelled.", topic=proposal.topic,
                   when=when(tr, start, reader, other_places(reader, territories)))


def reminder(tr: Translator, kind: str, proposal: Proposal, start: datetime, reader: Place,
             territories: Sequence[Territory]) -> str:
    at = when(tr, start, reader, other_places(reader, territories))
    # Worded to stay true when a reminder comes late (sent after a restart): no "tomorrow", no "in one hour".
    if kind == "1h":
        head = tr.html("⏰ Starting soon: call <b>{topic}</b>, {when}.", topic=proposal.topic, when=at)
    else:
        head = tr.html("⏰ Reminder: call <b>{topic}</b>, {when}.", topic=proposal.topic, when=at)
    return head + "\n" + tr.html("Video call: {url}", url=proposal.video_url or "")


def followup_question(tr: Translator, proposal: Proposal) -> Screen:
    return (tr.html("Did the call <b>{topic}</b> take place?", topic=proposal.topic),
            InlineKeyboardMarkup([[
                InlineKeyboardButton(tr.gettext("Yes"), callback_data=pack("cf", proposal.id, "y")),
                InlineKeyboardButton(tr.gettext("No"), callback_data=pack("cf", proposal.id, "n"))]]))


def practice_question(tr: Translator) -> tuple[str, ForceReply]:
    return (tr.html("Wonderful! Which practice did you discover? Reply with a few words: they go into the "
                    "circle's journal."),
            ForceReply(input_field_placeholder=tr.gettext("One practice we discovered…")))


def sessions(tr: Translator, upcoming: Sequence[tuple[Proposal, datetime]], voting: Sequence[Proposal],
             past: Sequence[tuple[Proposal, datetime]], my_id: int, reader: Place,
             territories: Sequence[Territory]) -> Screen:
    """/sessions: upcoming calls (with their link), proposals being voted on, the last past calls."""
    others = other_places(reader, territories)
    if not (upcoming or voting or past):
        return tr.html("No calls yet. Propose one with /propose."), None
    lines: list[str] = []
    rows: list[list[InlineKeyboardButton]] = []
    if upcoming:
        lines.append(tr.html("<b>Upcoming calls</b>"))
        for proposal, start in upcoming:
            lines.append(tr.html("• <b>{topic}</b>, {when}\n  {url}", topic=proposal.topic,
                                 when=when(tr, start, reader, others), url=proposal.video_url or ""))
            if proposal.proposer_id == my_id:
                rows.append([
                    InlineKeyboardButton(tr.gettext("Move: {topic}", topic=proposal.topic[:30]),
                                         callback_data=pack("cr", proposal.id)),
                    InlineKeyboardButton(tr.gettext("Cancel: {topic}", topic=proposal.topic[:30]),
                                         callback_data=pack("cx", proposal.id))])
    if voting:
        lines.append(tr.html("<b>Being voted on</b>"))
        lines += [tr.html("• <b>{topic}</b>, until {deadline}", topic=p.topic,
                          deadline=when(tr, p.deadline, reader, [])) for p in voting]
    if past:
        lines.append(tr.html("<b>Past calls</b>"))
        lines += [tr.html("• {topic}, {when}", topic=p.topic, when=tr.datetime(start, reader.zone))
                  for p, start in past]
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


# Peer pairs.

def introduction(tr: Translator, circle: Circle, group_id: int, peers: Sequence[Member], notes: Mapping[int, str],
                 cities: Mapping[str, str], cards: Mapping[int, Card] | None = None, reader_id: int | None = None
                 ) -> Screen:
    """A new cycle: who the reader is paired with, what each wrote about their practice, what each can bring the
    other (directory cards), and an invitation."""
    cards = cards or {}
    lines = [tr.html("🤝 New cycle of peer pairs in {circle}. For the next four weeks you are paired with:",
                     circle=circle_name(tr, circle))]
    for peer in peers:
        lines.append("• " + person(tr, peer) + tr.html(", {city}", city=cities.get(peer.territory_code or "", "")))
        if peer.id in notes:
            lines.append(tr.html("  <i>“{note}”</i>", note=_shorten(notes[peer.id])))
        mine, theirs = cards.get(reader_id or -1), cards.get(peer.id)
        lines += what_each_brings(tr, peer.first_name, brings(mine, theirs), brings(theirs, mine))
    lines.append(tr.html("Propose them a call: choose a few slots and they will vote."))
    return "\n".join(lines), InlineKeyboardMarkup([[
        InlineKeyboardButton(tr.gettext("Propose a call"), callback_data=pack("cp", "g", group_id))]])


def _shorten(text: str, limit: int = 280) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pair_check(tr: Translator, circle: Circle, group_id: int, peers: Sequence[Member]) -> Screen:
    names = ", ".join(p.display_name for p in peers)
    return (tr.html("The cycle of peer pairs in {circle} ends. Did you meet {names}?",
                    circle=circle_name(tr, circle), names=names),
            InlineKeyboardMarkup([[
                InlineKeyboardButton(tr.gettext("Yes, we met"), callback_data=pack("pm", group_id, "y")),
                InlineKeyboardButton(tr.gettext("Not this time"), callback_data=pack("pm", group_id, "n"))]]))


def pairing_status(tr: Translator, paused: bool) -> Screen:
    if paused:
        text = tr.html("Peer pairs are <b>paused</b> for you: you are left out of the next cycles.")
        button = InlineKeyboardButton(tr.gettext("Resume peer pairs"), callback_data=pack("pp", "on"))
    else:
        text = tr.html("Every four weeks you are paired with a peer organisation from the other territory of each "
                       "of your circles.")
        button = InlineKeyboardButton(tr.gettext("Pause peer pairs"), callback_data=pack("pp", "off"))
    return text, InlineKeyboardMarkup([[button]])
