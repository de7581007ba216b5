"""Calendar files (.ics, RFC 5545) for cross-border calls, and unguessable video room links."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import ModuleType

from icalendar import Alarm, Calendar, Event, vCalAddress

PRODID = "-//Passerelle//Passerelle Bot//FR"
# RFC 5545 makes ORGANIZER a cal-address (a URI). Members have no e-mail in the bot, so we use an
# address under .invalid (RFC 2606): it can never be delivered to, and no calendar app mails it.
PLACEHOLDER_EMAIL = "noreply@passerelle.invalid"
ROOM_PREFIX = "Passerelle-"


@dataclass(frozen=True)
class CallEvent:
    uid: str
    start_utc: datetime
    duration_minutes: int
    title: str
    description: str
    video_url: str
    organiser_name: str
    organiser_email: str | None = None
    sequence: int = 0  # raise it on every change, so calendars replace rather than duplicate
    cancelled: bool = False


def call_to_ics(event: CallEvent, *, dtstamp: datetime | None = None) -> bytes:
    """One call as an .ics file; METHOD:CANCEL when the call is cancelled."""
    method = "CANCEL" if event.cancelled else "PUBLISH"
    return _calendar([event], method, dtstamp or datetime.now(UTC))


def calls_to_ics(events: Iterable[CallEvent], *, dtstamp: datetime | None = None) -> bytes:
    """Several calls as one agenda .ics; cancelled ones stay in it with STATUS:CANCELLED."""
    return _calendar(list(events), "PUBLISH", dtstamp or datetime.now(UTC))


def video_room_url(base_url: str = "https://meet.jit.si", rng: ModuleType = secrets) -> str:
    """A fresh video room link whose name cannot be guessed (128 random bits)."""
    # Hex rather than token_urlsafe: Jitsi folds room names to lower case, which would silently
    # cut the entropy of mixed-case names, and '-'/'_' are awkward in some room-name validators.
    return f"{base_url.rstrip('/')}/{ROOM_PREFIX}{rng.token_hex(16)}"


def _calendar(events: list[CallEvent], method: str, dtstamp: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(_vevent(event, dtstamp))
    return calendar.to_ical()


def _vevent(event: CallEvent, dtstamp: datetime) -> Event:
    # Issue 10: times are written in UTC ("...Z"), never as local TZID times. A local time in Paris's repeated
    # hour (02:00-02:59 on the night clocks go back) names two instants, and calendar apps resolve it
    # differently (ical.js and python icalendar were an hour apart, a 60-minute call came out 0 minutes long).
    # A UTC time names one instant; every app shows it in its owner's own zone, which is what members want.
    start = event.start_utc.astimezone(UTC)
    end = start + timedelta(minutes=event.duration_minutes)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", dtstamp.astimezone(UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.title)
    vevent.add("description", f"{event.description}\n\n{event.video_url}".strip())
    vevent.add("url", event.video_url)
    vevent.add("location", event.video_url)
    vevent.add("organizer", _organiser(event))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    if not event.cancelled:  # an alarm for a call that will not happen would only confuse
        vevent.add_component(_alarm(event.title))
    return vevent


def _organiser(event: CallEvent) -> vCalAddress:
    return vCalAddress.new(event.organiser_email or PLACEHOLDER_EMAIL, cn=event.organiser_name)


def _alarm(title: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)  # DISPLAY alarms require a DESCRIPTION (RFC 5545 3.6.6)
    alarm.add("trigger", timedelta(hours=-1))
    return alarm
