"""Verifying a member's own phone number and placing them in the exchange (the rules behind the contact button),
and a facilitator's decision on a member held for a number from outside the territories.

Kept out of the handler so that the handler only translates an outcome into a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.domain import invites as invite_rules
from bot.domain.invites import InviteRefusal
from bot.domain.phones import Placement, TerritoryRule, VerifiedPhone, normalise_phone, place
from bot.i18n import Translator
from bot.services import Services
from bot.storage import circles, invites, members, outbox
from bot.storage.circles import Territory
from bot.storage.database import Database
from bot.storage.members import Member
from bot.ui import screens


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


async def decide_held(services: Services, member_id: int, territory: Territory | None) -> Member | None:
    """A facilitator places a held member on a side (a territory) or refuses them (None).

    The new status, the note to the member and, when placed, their next onboarding question are written in one
    transaction: a crash between them cannot leave a placed member who is never told, nor told twice. Returns
    the member as they were, or None when they are no longer held (another facilitator decided first).
    """
    now = services.clock.now()
    async with services.db.transaction() as tx:
        target = await members.get(tx, member_id)
        if target is None or target.status != "held":
            return None
        tr = services.i18n.for_locale(target.locale, target.phone_region)
        if territory is None:
            await members.update(tx, target.id, now, status="refused", onboarding_step=None)
            note = tr.html("A facilitator could not place your number in one of the exchange's territories. "
                           "You can write to them if you think this is a mistake.")
        else:
            # Like ask_next_profile_step: an organisation already known (from the invite's list) is not asked again.
            await members.update(tx, target.id, now, status="active", territory_code=territory.code,
                                 onboarding_step="kind" if target.organisation else "organisation")
            note = tr.html("Good news: a facilitator placed you on the <b>{territory}</b> side.",
                           territory=screens.territory_name(tr, territory))
        await outbox.enqueue(tx, chat_id=target.telegram_user_id, member_id=target.id, method="sendMessage",
                             payload={"text": note, "parse_mode": "HTML"}, now=now,
                             dedupe_key=f"held-decision:{target.id}")
        if territory is not None:
            await outbox.enqueue(tx, chat_id=target.telegram_user_id, member_id=target.id, method="sendMessage",
                                 payload=_next_profile_question(tr, target), now=now, dedupe_key=f"ask-org:{target.id}")
        return target


def _next_profile_question(tr: Translator, member: Member) -> dict:
    if member.organisation:
        text, markup = screens.ask_kind(tr, member.organisation)
        return {"text": text, "parse_mode": "HTML", "reply_markup": markup.to_dict()}
    return {"text": screens.ask_organisation(tr), "parse_mode": "HTML"}
