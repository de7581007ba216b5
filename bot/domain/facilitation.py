"""Who may facilitate what: rights are global, per circle, or per circle and territory.

A right with circle None covers every circle (PASSERELLE_ADMINS and the older `facilitators` table); one with
territory None covers every territory of its circle. Pure rules, tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Right:
    circle_id: int | None      # None: every circle
    territory: str | None      # None: every territory of the circle(s)
    holder_territory: str | None = None   # the holder's own side (what a circle-wide right covers in reports)


def may_facilitate(rights: Iterable[Right], circle_id: int, territory: str | None = None) -> bool:
    """Whether some right covers the circle (and, when given, that territory of it)."""
    return any(r.circle_id in (None, circle_id) and (territory is None or r.territory in (None, territory))
               for r in rights)


def may_reach(rights: Iterable[Right], circle_id: int, territory: str | None) -> bool:
    """Whether the holder may speak to a circle's territory (None: the whole circle needs a circle-wide right)."""
    rights = list(rights)
    if territory is None:
        return any(r.circle_id in (None, circle_id) and r.territory is None for r in rights)
    return may_facilitate(rights, circle_id, territory)


def covered_territories(rights: Iterable[Right], territories: Sequence[str]) -> set[str]:
    """The territories of a circle that have a facilitator of their own.

    A right for one territory covers it; a right over every territory covers its holder's own side (a facilitator
    in Rennes for the whole circle does not make the Togo side facilitated).
    """
    covered = set()
    for right in rights:
        side = right.territory or right.holder_territory
        if side in territories:
            covered.add(side)
    return covered


def missing_territories(rights: Iterable[Right], territories: Sequence[str]) -> list[str]:
    """The territories of a circle without a facilitator, in the given order."""
    covered = covered_territories(rights, territories)
    return [code for code in territories if code not in covered]
