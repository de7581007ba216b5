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
def test_ics_parses_back_to_the_same_instant(start: datetime) -> None:
    vevent = only_event(call_to_ics(event(start_utc=start), dtstamp=STAMP))
    assert vevent.decoded("dtstart") == start
    assert vevent.decoded("dtend") == start + timedelta(hours=1)


def test_times_are_utc_instants_without_any_tzid() -> None:
    # A UTC time names one instant whatever the client; a local TZID time may name two (issue 10).
    data = call_to_ics(event(), dtstamp=STAMP)
    assert b"DTSTART:20261203T140000Z" in data
    assert b"DTEND:20261203T150000Z" in data
    assert b"TZID" not in data
    assert Calendar.from_ical(data).walk("VTIMEZONE") == []


# Europe/Paris changes clocks at 01:00 UTC: on 29 March 2026 local 02:00-02:59 does not exist (CET -> CEST), on
# 25 October 2026 local 02:00-02:59 happens twice (CEST, then CET).
CLOCK_CHANGE_CALLS = [
    # (start, minutes): start in, end in, or spanning the skipped hour of 29 March
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 60),    # 01:30 CET -> 03:30 CEST
    (datetime(2026, 3, 29, 0, 0, tzinfo=UTC), 60),     # 01:00 CET -> 03:00 CEST, ends as the hour is skipped
    (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 45),     # starts at 03:00 CEST, right after the skip
    (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), 180),   # 00:00 CET -> 04:00 CEST, across the skip
    # ... and the repeated hour of 25 October
    (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), 60),   # 02:30 CEST -> 02:30 CET: same wall time, one hour
    (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), 60),    # 02:00 CEST -> 02:00 CET
    (datetime(2026, 10, 25, 1, 15, tzinfo=UTC), 30),   # 02:15 CET, the second 02:15 of the night
    (datetime(2026, 10, 25, 0, 45, tzinfo=UTC), 30),   # 02:45 CEST -> 02:15 CET, ends before it starts locally
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), 210),  # 01:30 CEST -> 03:00 CET, across both 02:00s
]


@pytest.mark.parametrize(("start", "minutes"), CLOCK_CHANGE_CALLS)
def test_clock_change_nights_keep_instants_and_durations(start: datetime, minutes: int) -> None:
    vevent = only_event(call_to_ics(event(start_utc=start, duration_minutes=minutes), dtstamp=STAMP))
    assert vevent.decoded("dtstart") == start
    assert vevent.decoded("dtend") == start + timedelta(minutes=minutes)
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == timedelta(minutes=minutes)


@pytest.mark.parametrize(("start", "minutes"), CLOCK_CHANGE_CALLS)
def test_clock_change_nights_read_the_same_without_a_timezone_library(start: datetime, minutes: int) -> None:
    # What a minimal client does: read the raw DTSTART/DTEND lines. Nothing is left to a zone database.
    data = call_to_ics(event(start_utc=start, duration_minutes=minutes), dtstamp=STAMP).decode()
    raw = dict(re.findall(r"^(DTSTART|DTEND):(\d{8}T\d{6}Z)\r?$", data, flags=re.MULTILINE))
    instants = {name: datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) for name, value in raw.items()}
    assert instants == {"DTSTART": start, "DTEND": start + timedelta(minutes=minutes)}


def test_ics_has_the_properties_calendar_apps_need() -> None:
    calendar = Calendar.from_ical(call_to_ics(event(), dtstamp=STAMP))
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
    vevent = only_event(call_to_ics(event(), dtstamp=STAMP))
    assert str(vevent["organizer"]) == "mailto:noreply@passerelle.invalid"
    assert vevent["organizer"].params["CN"] == "Awa Mensah"
    vevent = only_event(call_to_ics(event(organiser_email="awa@example.tg")))
    assert str(vevent["organizer"]) == "mailto:awa@example.tg"


def test_ics_reminds_one_hour_before() -> None:
    vevent = only_event(call_to_ics(event(), dtstamp=STAMP))
    (alarm,) = vevent.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger") == timedelta(hours=-1)
    assert alarm.get("description")


def test_cancelled_call_is_a_cancel_with_a_higher_sequence() -> None:
    calendar = Calendar.from_ical(call_to_ics(event(cancelled=True, sequence=2)))
    assert str(calendar["method"]) == "CANCEL"
    vevent = calendar.walk("VEVENT")[0]
    assert str(vevent["status"]) == "CANCELLED"
    assert int(vevent["sequence"]) == 2
    assert vevent.walk("VALARM") == []


def test_agenda_holds_every_call() -> None:
    events = [
        event(uid=f"call-{i}@passerelle.invalid", start_utc=START + timedelta(days=7 * i))
        for i in range(3)
    ]
    calendar = Calendar.from_ical(calls_to_ics(events, dtstamp=STAMP))
    vevents = calendar.walk("VEVENT")
    assert [str(v["uid"]) for v in vevents] == [e.uid for e in events]
    assert [v.decoded("dtstart") for v in vevents] == [e.start_utc for e in events]


def test_same_call_gives_same_bytes_for_a_given_stamp() -> None:
    assert call_to_ics(event(), dtstamp=STAMP) == call_to_ics(event(), dtstamp=STAMP)


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
