import math
from collections import Counter
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.calendar import CallEvent, call_to_ics, calls_to_ics, video_room_url

START = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)  # 15:00 in Rennes, 14:00 in Lomé
SUMMER_START = datetime(2026, 6, 4, 13, 0, tzinfo=UTC)
STAMP = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
URL = "https://meet.jit.si/Passerelle-0123456789abcdef0123456789abcdef"


def event(**changes: object) -> CallEvent:
    fields: dict[object, object] = {
        "uid": "call-42@passerelle.invalid",
        "start_utc": START,
        "duration_minutes": 60,
        "title": "Passerelle : circuits courts, Bretagne ; Togo",
        "description": "Cercle agriculture paysanne",
        "video_url": URL,
        "organiser_name": "Awa Mensah",
    }
    return CallEvent(**{**fields, **changes})  # type: ignore[arg-type]


def only_event(data: bytes):  # noqa: ANN201 - icalendar's component type
    events = Calendar.from_ical(data).walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.mark.parametrize("start", [START, SUMMER_START])
@pytest.mark.parametrize("zone", ["Europe/Paris", "Africa/Lome"])
def test_ics_parses_back_to_the_same_instant(zone: str, start: datetime) -> None:
    vevent = only_event(call_to_ics(event(start_utc=start), zone, dtstamp=STAMP))
    assert vevent.decoded("dtstart") == start
    assert vevent.decoded("dtend") == start + timedelta(hours=1)


def test_paris_ics_shows_local_time_and_carries_its_vtimezone() -> None:
    data = call_to_ics(event(), "Europe/Paris", dtstamp=STAMP)
    assert b"DTSTART;TZID=Europe/Paris:20261203T150000" in data
    timezones = Calendar.from_ical(data).walk("VTIMEZONE")
    assert [str(tz["tzid"]) for tz in timezones] == ["Europe/Paris"]


@pytest.mark.parametrize("zone", ["Europe/Paris", "Africa/Lome"])
def test_every_tzid_used_has_its_vtimezone(zone: str) -> None:
    # RFC 5545 3.2.19. Lomé (UTC+0 all year) comes out as UTC "Z" times, which need none.
    data = call_to_ics(event(), zone, dtstamp=STAMP)
    used = set(re.findall(rb";TZID=([^:;]+)", data))
    defined = {str(tz["tzid"]).encode() for tz in Calendar.from_ical(data).walk("VTIMEZONE")}
    assert used <= defined


def test_ics_has_the_properties_calendar_apps_need() -> None:
    calendar = Calendar.from_ical(call_to_ics(event(), "Europe/Paris", dtstamp=STAMP))
    assert str(calendar["prodid"]) == "-//Passerelle//Passerelle Bot//FR"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["uid"]) == "call-42@passerelle.invalid"
    assert vevent.decoded("dtstamp") == STAMP
    assert str(vevent["summary"]) == "Passerelle : circuits courts, Bretagne ; Togo"
    assert URL in str(vevent["description"])
    assert str(vevent["url"]) == URL
    assert str(vevent["location"]) == URL
    assert str(vevent["status"]) == "CONFIRMED"
    assert int(vevent["sequence"]) == 0


def test_organiser_is_a_cal_address_with_a_common_name() -> None:
    vevent = only_event(call_to_ics(event(), "Europe/Paris", dtstamp=STAMP))
    assert str(vevent["organizer"]) == "mailto:noreply@passerelle.invalid"
    assert vevent["organizer"].params["CN"] == "Awa Mensah"
    vevent = only_event(call_to_ics(event(organiser_email="awa@example.tg"), "Africa/Lome"))
    assert str(vevent["organizer"]) == "mailto:awa@example.tg"


def test_ics_reminds_one_hour_before() -> None:
    vevent = only_event(call_to_ics(event(), "Europe/Paris", dtstamp=STAMP))
    (alarm,) = vevent.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-1)
    assert alarm.get("description")


def test_cancelled_call_is_a_cancel_with_a_higher_sequence() -> None:
    calendar = Calendar.from_ical(call_to_ics(event(cancelled=True, sequence=2), "Europe/Paris"))
    assert str(calendar["method"]) == "CANCEL"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["status"]) == "CANCELLED"
    assert int(vevent["sequence"]) == 2
    assert vevent.walk("VALARM") == []


def test_agenda_holds_every_call_with_one_vtimezone() -> None:
    events = [
        event(uid=f"call-{i}@passerelle.invalid", start_utc=START + timedelta(days=7 * i))
        for i in range(3)
    ]
    calendar = Calendar.from_ical(calls_to_ics(events, "Europe/Paris", dtstamp=STAMP))
    vevents = calendar.walk("VEVENT")
    assert [str(v["uid"]) for v in vevents] == [e.uid for e in events]
    assert [v.decoded("dtstart") for v in vevents] == [e.start_utc for e in events]
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_same_call_gives_same_bytes_for_a_given_stamp() -> None:
    assert call_to_ics(event(), "Europe/Paris", dtstamp=STAMP) == call_to_ics(
        event(), "Europe/Paris", dtstamp=STAMP
    )


def test_room_names_are_distinct_url_safe_and_unguessable() -> None:
    urls = [video_room_url() for _ in range(2000)]
    assert len(set(urls)) == len(urls)
    names = [u.removeprefix("https://meet.jit.si/") for u in urls]
    assert all(re.fullmatch(r"Passerelle-[0-9a-f]{32}", n) for n in names)
    # 32 hex digits drawn uniformly are 128 random bits: measure bits per digit over all names.
    digits = Counter("".join(n.removeprefix("Passerelle-") for n in names))
    total = sum(digits.values())
    bits_per_digit = -sum(c / total * math.log2(c / total) for c in digits.values())
    assert 32 * bits_per_digit >= 127


def test_room_url_joins_any_base_url_cleanly() -> None:
    url = video_room_url("https://visio.example.org/")
    assert url.startswith("https://visio.example.org/Passerelle-")
