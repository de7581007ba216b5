"""Invites limited to the phone numbers of member organisations, imported from a CSV file.

The file has a header with a `phone` column (and optionally `organisation`). Every line is checked first; one bad
line and nothing is imported, with each bad line reported by number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.invites import new_code
from bot.domain.phones import normalise_phone
from bot.domain.territories import describe_choices, resolve_territory
from bot.storage import circles, invites
from bot.storage.database import Database


@dataclass(frozen=True)
class ListedPhone:
    line: int
    e164: str
    region: str                 # the number's country (ISO 3166), e.g. "FR"
    organisation: str | None


@dataclass
class PhoneList:
    entries: list[ListedPhone] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def phones(self) -> dict[str, str | None]:
        """E.164 -> organisation (a number listed twice keeps its last organisation)."""
        return {entry.e164: entry.organisation for entry in self.entries}


def read_phone_list(text: str) -> PhoneList:
    """Parse and validate a CSV of member organisations' numbers (international format, with or without '+')."""
    result = PhoneList()
    reader = csv.DictReader(io.StringIO(text))
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    if "phone" not in columns:
        result.problems.append("line 1: the header must have a 'phone' column")
        return result
    for line_number, row in enumerate(reader, start=2):
        raw = (row.get(columns["phone"]) or "").strip()
        phone = normalise_phone(raw) if raw else None
        if phone is None:
            result.problems.append(f"line {line_number}: {raw!r} is not a valid international phone number")
            continue
        organisation = (row.get(columns.get("organisation", ""), "") or "").strip() or None
        result.entries.append(ListedPhone(line_number, phone.e164, phone.region, organisation))
    if not result.entries and not result.problems:
        result.problems.append("the file lists no phone number")
    return result


def numbers_from_elsewhere(listing: PhoneList, territory_name: str, country: str) -> list[str]:
    """One message per listed number whose country is not the territory's ('line 3: +33… is a FR number…')."""
    return [f"line {entry.line}: {entry.e164} is a number from {entry.region}, not from {territory_name} ({country})"
            for entry in listing.entries if entry.region != country]


async def create_listed_invite(
    db: Database, text: str, *, circle_slug: str | None, territory: str | None, uses: int | None, days: int,
    now: datetime, allow_other_countries: bool = False, on_each_phone: Callable[[], object] = lambda: None,
) -> tuple[str | None, list[str]]:
    """Create an invite restricted to the listed numbers; returns (code, problems) and imports nothing on problems.

    `territory` may be a territory's code, name or country, in any case. Numbers from another country than the
    territory's are refused unless `allow_other_countries` (the CLI then lists them as notes). `on_each_phone` is
    called as each listed number is stored (the CLI's progress bar).
    """
    listing = read_phone_list(text)
    circle = await circles.get_by_slug(db, circle_slug) if circle_slug else None
    if circle_slug and circle is None:
        known = ", ".join(c.slug for c in await circles.list_open(db)) or "none yet"
        listing.problems.append(f"unknown circle {circle_slug!r} (circles: {known})")
    chosen = None
    if territory:
        known_territories = await circles.territories(db)
        chosen = resolve_territory(territory, known_territories)
        if chosen is None:
            listing.problems.append(f"unknown territory {territory!r} (territories: "
                                    f"{describe_choices(known_territories)})")
        elif not allow_other_countries:
            elsewhere = numbers_from_elsewhere(listing, chosen.name, chosen.country)
            listing.problems.extend(f"{message} (add --allow-other-countries to invite it anyway)"
                                    for message in elsewhere)
    if listing.problems:
        return None, listing.problems
    code = new_code()
    async with db.transaction() as tx:
        await invites.create(tx, code=code, circle_id=circle.id if circle else None,
                             territory_code=chosen.code if chosen else None, max_uses=uses,
                             expires_at=now + timedelta(days=days), created_by=None, now=now, phones=listing.phones,
                             on_each_phone=on_each_phone)
    return code, []
