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


# A join request's deep link names a circle, not an invite: t.me/<bot>?start=c_<slug>. Invite codes always start
# with "i", so the two never collide; slugs are [a-z0-9-], which deep links allow.
CIRCLE_PAYLOAD_PREFIX = "c_"


def circle_start_payload(slug: str) -> str:
    """The /start payload that opens the path into a circle (joined once the person's number is verified)."""
    return CIRCLE_PAYLOAD_PREFIX + slug


def circle_slug_of(payload: str | None) -> str | None:
    """The circle slug a /start payload names, or None when it is an invite code (or nothing)."""
    if payload and payload.startswith(CIRCLE_PAYLOAD_PREFIX) and len(payload) > len(CIRCLE_PAYLOAD_PREFIX):
        return payload[len(CIRCLE_PAYLOAD_PREFIX):]
    return None


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
