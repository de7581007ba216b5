"""Rules of facilitators' invite codes."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import Enum


class InviteRefusal(Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    WRONG_TERRITORY = "wrong_territory"
    NOT_LISTED = "not_listed"


def new_code() -> str:
    """An unguessable code usable in a t.me deep link (only [A-Za-z0-9_-], well under 64 characters)."""
    return "i" + secrets.token_urlsafe(9)


def refusal_at_start(
    *, exists: bool, expires_at: datetime | None, max_uses: int | None, uses: int, now: datetime
) -> InviteRefusal | None:
    """Why an invite cannot be used now, or None when it can."""
    if not exists:
        return InviteRefusal.UNKNOWN
    if expires_at is not None and now >= expires_at:
        return InviteRefusal.EXPIRED
    if max_uses is not None and uses >= max_uses:
        return InviteRefusal.EXHAUSTED
    return None


def refusal_for_phone(
    *, invite_territory: str | None, member_territory: str | None, restricted_to_list: bool, listed: bool
) -> InviteRefusal | None:
    """Why a verified number may not use the invite (territory or phone-list restriction)."""
    if invite_territory is not None and invite_territory != member_territory:
        return InviteRefusal.WRONG_TERRITORY
    if restricted_to_list and not listed:
        return InviteRefusal.NOT_LISTED
    return None
