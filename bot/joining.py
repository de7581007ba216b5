"""Verifying a member's own phone number and placing them in the exchange (the rules behind the contact button).

Kept out of the handler so that the handler only translates an outcome into a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.domain import invites as invite_rules
from bot.domain.invites import InviteRefusal
from bot.domain.phones import Placement, TerritoryRule, VerifiedPhone, normalise_phone, place
from bot.storage import circles, invites, members
from bot.storage.circles import Territory
from bot.storage.database import Database
from bot.storage.members import Member


class PhoneRefusal(Enum):
    NOT_OWN = "not_own"        # a forwarded contact, or someone else's
    INVALID = "invalid"
    TAKEN = "taken"            # another member verified this number


@dataclass(frozen=True)
class PhoneOutcome:
    refusal: PhoneRefusal | InviteRefusal | None
    phone: VerifiedPhone | None = None
    placement: Placement | None = None
    territory: Territory | None = None


def chosen_locale(member: Member, placement: Placement) -> str:
    """An explicit choice or a supported Telegram language wins over the territory's default language."""
    if member.locale_source in ("choice", "telegram") or not placement.default_locale:
        return member.locale
    return placement.default_locale


async def verify_and_place(db: Database, member: Member, *, contact_owner: int | None, sender: int,
                           raw_phone: str, now: datetime) -> PhoneOutcome:
    """Check the shared contact and any pending invite; store the verified number only when everything holds."""
    # Telegram sets contact.user_id itself; a forwarded or typed-in contact has another or no user_id.
    if contact_owner != sender:
        return PhoneOutcome(PhoneRefusal.NOT_OWN)
    phone = normalise_phone(raw_phone)
    if phone is None:
        return PhoneOutcome(PhoneRefusal.INVALID)
    other = await members.get_by_phone(db, phone.e164)
    if other is not None and other.id != member.id:
        return PhoneOutcome(PhoneRefusal.TAKEN)
    territories = await circles.territories(db)
    placement = place(phone, [TerritoryRule(t.code, t.country, t.default_zone, t.default_locale) for t in territories])
    territory = next((t for t in territories if t.code == placement.territory_code), None)
    invite = await invites.get(db, member.pending_invite_code) if member.pending_invite_code else None
    listed_organisation = None
    if invite is not None:
        listed, listed_organisation = await invites.listed_organisation(db, invite.code, phone.e164)
        refusal = invite_rules.refusal_for_phone(
            invite_territory=invite.territory_code, member_territory=placement.territory_code,
            restricted_to_list=invite.restricted_to_list, listed=listed)
        if refusal is not None:
            await members.update(db, member.id, now, pending_invite_code=None)
            return PhoneOutcome(refusal)
    async with db.transaction() as tx:
        # Counted in the same transaction as the number is stored: two people cannot take the last use.
        if invite is not None and not await invites.consume(tx, invite.code):
            await members.update(tx, member.id, now, pending_invite_code=None)
            return PhoneOutcome(InviteRefusal.EXHAUSTED)
        await members.update(
            tx, member.id, now, phone_e164=phone.e164, phone_region=phone.region,
            territory_code=placement.territory_code, time_zone=placement.time_zone,
            locale=chosen_locale(member, placement), status="held" if placement.held else "active",
            onboarding_step="held" if placement.held else "organisation",
            organisation=listed_organisation or member.organisation, pending_invite_code=None)
        if invite is not None and invite.circle_id is not None:
            await circles.join(tx, member.id, invite.circle_id, now)
        if member.pending_circle_id is not None and not placement.held:
            # The circle a join request's link named: the person asked for it before they could be verified.
            await circles.join(tx, member.id, member.pending_circle_id, now)
            await members.update(tx, member.id, now, pending_circle_id=None)
    return PhoneOutcome(None, phone, placement, territory)
