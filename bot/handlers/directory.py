"""/directory and the directory card: browse the organisations of one's circles, say what one shares and learns.

Every button re-checks what it names against the presser's current state: a hidden card, a peer who left the
circles, a question already answered or a forged tag get "This button is no longer valid.", never content.
"""

from __future__ import annotations

from telegram import Update

from bot import directory as use_cases
from bot.domain.directory import MAX_NOTE_LENGTH, TAGS_BY_KEY, Side
from bot.domain.profile import next_step
from bot.handlers.calls import start_draft_with_peers
from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.handlers.onboarding import ask_next_profile_step, profile_screen
from bot.services import PasserelleContext
from bot.storage import directory, members
from bot.storage.members import Member
from bot.telegram_io import edit_screen, remove_buttons
from bot.ui import directory as ui

# Onboarding and /me steps during which a typed message is a note, and the side it is about.
NOTE_STEPS = {"shares": Side.SHARES, "shares-tags": Side.SHARES, "edit-shares": Side.SHARES,
              "learns": Side.LEARNS, "learns-tags": Side.LEARNS, "edit-learns": Side.LEARNS}


def _side(value: str) -> Side | None:
    try:
        return Side(value)
    except ValueError:
        return None


def _step_name(side: Side) -> str:
    return "shares" if side is Side.SHARES else "learns"


async def _presser(update: Update, context: PasserelleContext) -> Member | None:
    member = await member_of(context, update.effective_user)
    return member if member is not None and member.is_active else None


async def _refuse(update: Update, context: PasserelleContext, member: Member | None) -> None:
    tr = translator(context.services, member, update.effective_user)
    await answer_query(update, tr.gettext("This button is no longer valid."))


async def show_directory(update: Update, context: PasserelleContext) -> None:
    """/directory: the organisations of the member's circles, both sides, first page, no filter."""
    member, tr = await active_member(update, context)
    if member is None:
        return
    text, markup = await use_cases.list_screen(context.services, member, tr, ui.Filters(None, None))
    await update.effective_message.reply_text(text, reply_markup=markup)


async def _filters(context: PasserelleContext, territory: str, tag: str, page: int) -> ui.Filters | None:
    """Filters from button data, or None when they name a territory or a tag that does not exist."""
    codes = await use_cases.territories_by_code(context.services)
    if (territory != ui.ANY and territory not in codes) or (tag != ui.ANY and tag not in TAGS_BY_KEY):
        return None
    return ui.Filters(None if territory == ui.ANY else territory, None if tag == ui.ANY else tag, page)


async def browse(update: Update, context: PasserelleContext) -> None:
    """dl (a page of the list), dm (the practice menu), do (open a card)."""
    services, data = context.services, update.callback_query.data
    member = await _presser(update, context)
    button = ui.ListPage.decode(data) or ui.TagMenu.decode(data) or ui.OpenCard.decode(data)
    filters = None
    if member is not None and button is not None:
        filters = await _filters(context, button.territory, button.tag, getattr(button, "page", 0))
    if filters is None:
        await _refuse(update, context, member)
        return
    tr = translator(services, member)
    if isinstance(button, ui.OpenCard):
        screen = await use_cases.card_screen(services, member, tr, button.member_id, filters)
        if screen is None:
            await _refuse(update, context, member)
            return
    elif isinstance(button, ui.TagMenu):
        screen = ui.tag_menu(tr, filters)
    else:
        screen = await use_cases.list_screen(services, member, tr, filters)
    await answer_query(update)
    await edit_screen(update, *screen)


async def propose_call(update: Update, context: PasserelleContext) -> None:
    """dc:<peer>:<circle> on a card: a /propose draft for that circle with that peer invited."""
    services = context.services
    member = await _presser(update, context)
    button = ui.ProposeCall.decode(update.callback_query.data)
    visible = member is not None and button is not None and any(
        e.member_id == button.member_id for e in await use_cases.visible_to(services, member))
    if not visible or button.circle_id not in await directory.shared_open_circle_ids(
            services.db, member.id, button.member_id):
        await _refuse(update, context, member)
        return
    await answer_query(update)
    await start_draft_with_peers(update, context, member, button.circle_id, [button.member_id])


async def write_note(update: Update, context: PasserelleContext) -> None:
    """dq:<side> from /me: ask for the text of one side again."""
    services = context.services
    member = await _presser(update, context)
    button = ui.WriteNote.decode(update.callback_query.data)
    side = _side(button.side) if button else None
    if member is None or side is None or member.onboarding_step != "done":
        await _refuse(update, context, member)
        return
    tr = translator(services, member)
    await members.update(services.db, member.id, services.clock.now(), onboarding_step=f"edit-{_step_name(side)}")
    await answer_query(update)
    text, markup = ui.ask_note(tr, side, onboarding=False, limit=MAX_NOTE_LENGTH)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def skip_note(update: Update, context: PasserelleContext) -> None:
    """dk:<side> during onboarding: go on without answering (the member can answer later through /me)."""
    services = context.services
    member = await _presser(update, context)
    button = ui.SkipNote.decode(update.callback_query.data)
    side = _side(button.side) if button else None
    if member is None or side is None or member.onboarding_step != _step_name(side):
        await _refuse(update, context, member)
        return
    tr = translator(services, member)
    await members.update(services.db, member.id, services.clock.now(),
                         onboarding_step=next_step(member.onboarding_step, skipped=True))
    await answer_query(update, tr.gettext("Skipped: you can answer later with /me."))
    await remove_buttons(update)
    await ask_next_profile_step(update, context, await members.get(services.db, member.id))


async def receive_note(update: Update, context: PasserelleContext, member: Member) -> None:
    """Typed text while a note is asked (onboarding or /me): saved with suggested tags, then the tag picker."""
    services, message = context.services, update.effective_message
    tr = translator(services, member)
    side = NOTE_STEPS[member.onboarding_step]
    text = (message.text or "").strip()
    if not text or len(text) > MAX_NOTE_LENGTH:
        await message.reply_text(tr.html("Please answer in one message of at most {limit} characters.",
                                         limit=MAX_NOTE_LENGTH))
        return
    tags = await use_cases.save_note(services, member, side, text)
    step = "done" if member.onboarding_step.startswith("edit-") else f"{_step_name(side)}-tags"
    await members.update(services.db, member.id, services.clock.now(), onboarding_step=step)
    text, markup = ui.tag_picker(tr, side, tags)
    await message.reply_text(text, reply_markup=markup)


async def toggle_tag(update: Update, context: PasserelleContext) -> None:
    """dt:<side>:<tag>: add or remove one tag of the member's own note, while its picker is open."""
    services = context.services
    member = await _presser(update, context)
    button = ui.ToggleTag.decode(update.callback_query.data)
    side = _side(button.side) if button else None
    card = await directory.get_card(services.db, member.id) if member is not None else None
    if side is None or card is None or card.tagging is not side or button.tag not in TAGS_BY_KEY:
        await _refuse(update, context, member)
        return
    tags = card.tags(side) ^ {button.tag}
    await directory.set_tags(services.db, member.id, side, tags, services.clock.now())
    await answer_query(update)
    await edit_screen(update, *ui.tag_picker(translator(services, member), side, tags))


async def tags_done(update: Update, context: PasserelleContext) -> None:
    """dd:<side>: the tags are kept and the picker closes; during onboarding the next question follows."""
    services = context.services
    member = await _presser(update, context)
    button = ui.TagsDone.decode(update.callback_query.data)
    side = _side(button.side) if button else None
    if (member is None or side is None
            or not await directory.close_tagging(services.db, member.id, side, services.clock.now())):
        await _refuse(update, context, member)  # a second press of Done (or a forged one)
        return
    card = await directory.get_card(services.db, member.id)
    tr = translator(services, member)
    await answer_query(update)
    await edit_screen(update, ui.saved_note(tr, side, card.tags(side)), None)
    if member.onboarding_step == f"{_step_name(side)}-tags":
        await members.update(services.db, member.id, services.clock.now(),
                             onboarding_step=next_step(member.onboarding_step))
        await ask_next_profile_step(update, context, await members.get(services.db, member.id))


async def hide_card(update: Update, context: PasserelleContext) -> None:
    """dh:1 hides the member's card from the directory (and from pairing's matches); dh:0 shows it again."""
    services = context.services
    member = await _presser(update, context)
    button = ui.HideCard.decode(update.callback_query.data)
    if member is None or button is None or button.hidden not in (0, 1):
        await _refuse(update, context, member)
        return
    tr = translator(services, member)
    await directory.set_hidden(services.db, member.id, bool(button.hidden), services.clock.now())
    await answer_query(update, tr.gettext("Your card is hidden from the directory.") if button.hidden
                       else tr.gettext("Your card is shown in the directory."))
    await edit_screen(update, *await profile_screen(context, member))
