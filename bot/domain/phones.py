"""From a shared phone number to a place in the exchange: territory, time zone, default language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, timezone as phone_timezone


@dataclass(frozen=True)
class VerifiedPhone:
    e164: str
    region: str                  # ISO 3166 alpha-2, e.g. "FR", "TG"
    time_zones: tuple[str, ...]  # IANA zones phonenumbers knows for the number


@dataclass(frozen=True)
class TerritoryRule:
    code: str
    country: str
    default_zone: str
    default_locale: str


@dataclass(frozen=True)
class Placement:
    territory_code: str | None   # None: the country is not one of the exchange's territories (held)
    time_zone: str
    default_locale: str | None

    @property
    def held(self) -> bool:
        return self.territory_code is None


def normalise_phone(raw: str) -> VerifiedPhone | None:
    """Parse a number as Telegram shares it (with or without '+') and return it only if it is valid."""
    digits = raw.strip().replace(" ", "")
    if not digits.startswith("+"):
        # Telegram often sends contact numbers without '+'; without it phonenumbers needs a default region.
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, None)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    region = phonenumbers.region_code_for_number(number)
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != phone_timezone.UNKNOWN_TIMEZONE)
    return VerifiedPhone(phonenumbers.format_number(number, PhoneNumberFormat.E164), region, zones)


def format_international(e164: str) -> str:
    """'+33612345678' -> '+33 6 12 34 56 78' for facilitators' lists."""
    return phonenumbers.format_number(phonenumbers.parse(e164, None), PhoneNumberFormat.INTERNATIONAL)


def place(phone: VerifiedPhone, territories: Sequence[TerritoryRule]) -> Placement:
    """Decide territory, zone and default language from the number's country (configurable map)."""
    rule = next((t for t in territories if t.country == phone.region), None)
    if rule is None:
        return Placement(None, phone.time_zones[0] if phone.time_zones else "UTC", None)
    zone = rule.default_zone if rule.default_zone in phone.time_zones or not phone.time_zones else phone.time_zones[0]
    return Placement(rule.code, zone, rule.default_locale)
