"""What each screen says and which buttons it has, rendered for one reader (Telegram HTML, user text escaped)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.domain.invites import InviteRefusal
from bot.domain.profile import ORGANISATION_KINDS
from bot.i18n import SUPPORTED_LOCALES, Translator
from bot.storage.circles import Circle, Territory
from bot.storage.members import Member
from bot.ui.callbacks import pack

Screen = tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup | None]


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


# Names stored in the database for built-in circles and territories (migrations/0001) are English msgids.
BUILTIN_NAMES = (N_("Sustainable food"), N_("Social and professional insertion"), N_("Circular economy"),
                 N_("Brittany"), N_("Togo"))


def circle_name(tr: Translator, circle: Circle) -> str:
    """Built-in circles are translated by the catalogs; facilitators' circles by the names they gave."""
    if circle.builtin:
        return tr.gettext(circle.name)
    return circle.names.get(tr.locale) or circle.name


def territory_name(tr: Translator, territory: Territory | None) -> str:
    return tr.gettext(territory.name) if territory else tr.gettext("outside the exchange's territories")


def language_buttons(current: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(("• " if code == current else "") + _native_name(code), callback_data=pack("lang", code))
        for code in SUPPORTED_LOCALES
    ]


def _native_name(code: str) -> str:
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def welcome(tr: Translator, first_name: str) -> Screen:
    text = tr.html(
        "Welcome {name}!\n\n"
        "<b>Passerelle</b> links organisations of the social and solidarity economy in Brittany and Togo, "
        "circle by circle (sustainable food, insertion, circular economy…).\n"
        "Each week a question invites both sides to tell how they organise a practice; the answers cross the border.\n"
        "Nobody is the one who knows: we learn from each other, as equals.\n\n"
        "To take part, your name, your organisation and your replies will be shared with the members of your circles. "
        "Your phone number is only seen by the facilitators. Do you agree?",
        name=first_name,
    )
    markup = InlineKeyboardMarkup([
        language_buttons(tr.locale),
        [InlineKeyboardButton(tr.gettext("Yes, I agree"), callback_data=pack("consent", "yes")),
         InlineKeyboardButton(tr.gettext("No thanks"), callback_data=pack("consent", "no"))],
    ])
    return text, markup


def phone_request(tr: Translator) -> Screen:
    text = tr.html(
        "Thank you. Now share <b>your own</b> phone number with the button below: its country places you in "
        "your territory, time zone and language."
    )
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(tr.gettext("📱 Share my number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True,
    )
    return text, keyboard


def placed(tr: Translator, member_territory: Territory, zone: str, phone: str, now: datetime) -> str:
    return tr.html(
        "Number {phone} verified. You are on the <b>{territory}</b> side, time zone of {zone} "
        "(it is {local_time} there now), language: {language}.\nYou can change this later with /me.",
        phone=phone, territory=territory_name(tr, member_territory), zone=tr.zone_name(zone),
        local_time=tr.time(now, zone), language=tr.language_name(tr.locale),
    )


def ask_organisation(tr: Translator) -> str:
    return tr.html("Which organisation do you belong to? Send its name in a message.")


def kind_keyboard(tr: Translator, prefix: str = "kind") -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(tr.gettext(label), callback_data=pack(prefix, key))
               for key, label in ORGANISATION_KINDS.items()]
    return InlineKeyboardMarkup([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def ask_kind(tr: Translator, organisation: str) -> Screen:
    return tr.html("What kind of organisation is <b>{organisation}</b>?", organisation=organisation), kind_keyboard(tr)


def circle_picker(tr: Translator, circles: Sequence[Circle], chosen: set[int], *, onboarding: bool) -> Screen:
    if onboarding:
        text = tr.html("Choose the circles you want to take part in (tap to select or unselect), "
                       "then press <b>Done</b>.")
    else:
        text = tr.html("Your circles: tap a circle to join or leave it, then press <b>Done</b>.")
    rows = [[InlineKeyboardButton(("✅ " if c.id in chosen else "▫️ ") + circle_name(tr, c),
                                  callback_data=pack("circ", "t", c.id))] for c in circles]
    rows.append([InlineKeyboardButton(tr.gettext("Done"), callback_data=pack("circ", "done"))])
    return text, InlineKeyboardMarkup(rows)


def joined_summary(tr: Translator, circles: Iterable[Circle]) -> str:
    names = [circle_name(tr, c) for c in circles]
    if not names:
        return tr.html("You are in no circle for now. Use /circles to join one.")
    return tr.nhtml(
        "You are in the circle {circles}. Each week you will receive a question about practices; reply to it and "
        "your answer reaches the members on the other side.",
        "You are in the circles {circles}. Each week you will receive a question about practices; reply to it and "
        "your answer reaches the members on the other side.",
        len(names), circles=", ".join(names),
    )


def group_invitation(tr: Translator, circle: Circle, link: str) -> Screen:
    text = tr.html(
        "The circle {circle} has a Telegram group. This link is personal: the bot lets only you in with it.",
        circle=circle_name(tr, circle),
    )
    return text, InlineKeyboardMarkup([[InlineKeyboardButton(tr.gettext("Join the group"), url=link)]])


def invite_refusal(tr: Translator, refusal: InviteRefusal) -> str:
    messages = {
        InviteRefusal.UNKNOWN: N_("This invitation link is not valid. Ask your facilitator for a new one, "
                               "or send /start to join without it."),
        InviteRefusal.EXPIRED: N_("This invitation has expired. Ask your facilitator for a new one."),
        InviteRefusal.EXHAUSTED: N_("This invitation has already been used as many times as allowed. "
                                 "Ask your facilitator for a new one."),
        InviteRefusal.WRONG_TERRITORY: N_("This invitation is for members of another territory. "
                                       "Send /start to join without it."),
        InviteRefusal.NOT_LISTED: N_("This invitation is reserved for the numbers listed by your facilitator, "
                                  "and yours is not among them. Send /start to join without it."),
    }
    return tr.html(messages[refusal])


def profile(tr: Translator, member: Member, territory: Territory | None, circles: Sequence[Circle],
            card_lines: Sequence[str] = (), card_rows: Sequence[list[InlineKeyboardButton]] = ()) -> Screen:
    """/me; the member's directory card (bot.ui.directory) comes as lines and rows of buttons below the profile."""
    kind = ORGANISATION_KINDS.get(member.organisation_kind or "")
    text = tr.html(
        "<b>{name}</b>\nOrganisation: {organisation} ({kind})\nTerritory: {territory}\nTime zone: {zone}\n"
        "Language: {language}\nCircles: {circles}",
        name=member.display_name, organisation=member.organisation or "—", kind=tr.gettext(kind) if kind else "—",
        territory=territory_name(tr, territory), zone=tr.zone_name(member.time_zone or "UTC"),
        language=tr.language_name(member.locale), circles=", ".join(circle_name(tr, c) for c in circles) or "—",
    )
    markup = InlineKeyboardMarkup([
        language_buttons(member.locale),
        [InlineKeyboardButton(tr.gettext("Organisation"), callback_data=pack("me", "org")),
         InlineKeyboardButton(tr.gettext("Kind"), callback_data=pack("me", "kind")),
         InlineKeyboardButton(tr.gettext("Time zone"), callback_data=pack("me", "tz"))],
        *card_rows,
    ])
    return "\n".join([text, "", *card_lines]) if card_lines else text, markup
