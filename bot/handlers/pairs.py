"""Peer pairs: /pairing to pause or resume, and the end-of-cycle "did you meet?" answers."""

from __future__ import annotations

from telegram import Update

from bot.handlers.common import active_member, answer_query, member_of, translator
from bot.services import PasserelleContext
from bot.storage import calls
from bot.ui import calls as screens
from bot.ui.callbacks import parse, parse_int
from bot.telegram_io import edit_screen, remove_buttons


async def show_pairing(update: Update, context: PasserelleContext) -> None:
    """/pairing: whether the member takes part in peer pairs, with a button to pause or resume."""
    member, tr = await active_member(update, context)
    if member is None:
        return
    text, markup = screens.pairing_status(tr, await calls.is_paused(context.services.db, member.id))
    await update.effective_message.reply_text(text, reply_markup=markup)


async def toggle_pairing(update: Update, context: PasserelleContext) -> None:
    """pp:on|off — resume or pause; it applies from the next cycle."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, "pp", 1)
    if member is None or not member.is_active or parts is None or parts[0] not in ("on", "off"):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    paused = parts[0] == "off"
    await calls.set_paused(services.db, member.id, paused, services.clock.now())
    await answer_query(update, tr.gettext("Peer pairs paused.") if paused else tr.gettext("Peer pairs resumed."))
    text, markup = screens.pairing_status(tr, paused)
    await edit_screen(update, text, markup)


async def answer_met(update: Update, context: PasserelleContext) -> None:
    """pm:<group>:y|n — the member's answer to "did you meet?" at the end of a cycle."""
    services = context.services
    member = await member_of(context, update.effective_user)
    tr = translator(services, member, update.effective_user)
    parts = parse(update.callback_query.data, "pm", 2)
    group_id = parse_int(parts[0]) if parts and parts[1] in ("y", "n") else None
    if member is None or group_id is None or not await calls.set_met(services.db, group_id, member.id,
                                                                      parts[1] == "y"):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await answer_query(update, tr.gettext("Thank you!"))
    await remove_buttons(update)
