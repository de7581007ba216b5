"""Invites limited to the phone numbers of member organisations, imported from a CSV file.

The file has a header with a `phone` column (and optionally `organisation`). Every line is checked first; one bad
line and nothing is imported, with each bad line reported by number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.invites import new_code
from bot.domain.phones import normalise_phone
from bot.storage import circles, invites
from bot.storage.database import Database


@dataclass
class PhoneList:
    phones: dict[str, str | None] = field(default_factory=dict)  # E.164 -> organisation
    problems: list[str] = field(default_factory=list)


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
        result.phones[phone.e164] = organisation
    if not result.phones and not result.problems:
        result.problems.append("the file lists no phone number")
    return result


async def create_listed_invite(
    db: Database, text: str, *, circle_slug: str | None, territory: str | None, uses: int | None, days: int,
    now: datetime,
) -> tuple[str | None, list[str]]:
    """Create an invite restricted to the listed numbers; returns (code, problems) and imports nothing on problems."""
    listing = read_phone_list(text)
    circle = await circles.get_by_slug(db, circle_slug) if circle_slug else None
    if circle_slug and circle is None:
        listing.problems.append(f"unknown circle {circle_slug!r}")
    if territory and territory not in {t.code for t in await circles.territories(db)}:
        listing.problems.append(f"unknown territory {territory!r}")
    if listing.problems:
        return None, listing.problems
    code = new_code()
    async with db.transaction() as tx:
        await invites.create(tx, code=code, circle_id=circle.id if circle else None, territory_code=territory,
                             max_uses=uses, expires_at=now + timedelta(days=days), created_by=None, now=now,
                             phones=listing.phones)
    return code, []
