"""Naming a territory the way operators do: by its code, its name or its country, in any case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class NamedTerritory(Protocol):
    code: str      # 'bretagne'
    name: str      # 'Brittany'
    country: str   # 'FR': the country of its members' phone numbers


def resolve_territory(value: str, territories: Sequence[NamedTerritory]) -> NamedTerritory | None:
    """The territory `value` names ('togo', 'Togo', 'TG', 'bretagne', 'Brittany', 'fr'), or None."""
    wanted = value.strip().casefold()
    for territory in territories:
        if wanted in (territory.code.casefold(), territory.name.casefold(), territory.country.casefold()):
            return territory
    return None


def describe_choices(territories: Sequence[NamedTerritory]) -> str:
    """'bretagne (Brittany, FR), togo (Togo, TG)': the valid values, for an error message."""
    return ", ".join(f"{t.code} ({t.name}, {t.country})" for t in territories)
