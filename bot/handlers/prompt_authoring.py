"""Facilitators and the weekly prompts: write, edit and retire prompts of a circle; send now; relay mode."""

from __future__ import annotations

from telegram import Update

from bot.delivery.prompts import available_prompt_keys, prompt_text, send_circle_prompts
from bot.domain.framing import assess_framing
from bot.domain.prompt_library import prompt_by_key
from bot.domain.facilitation import may_facilitate
from bot.handlers.common import can_facilitate, member_of, rights_of, translator
from bot.handlers.facilitation import refuse_unless_facilitator
from bot.i18n import SUPPORTED_LOCALES
from bot.services import PasserelleContext
from bot.storage import circles, exchanges
from bot.ui.callbacks import parse_int
from bot.ui.text import split_lines

RELAY_MODES = ("auto", "immediate", "digest")


def N_(message: str) -> str:
    """Mark for extraction; translated where shown."""
    return message


def parse_translations(text: str) -> dict[str, str]:
    """Lines 'fr: …', 'en: …', 'ee: …' after the command line; other lines continue the previous language."""
    texts: dict[str, str] = {}
    current = None
    for line in text.splitlines()[1:]:
        head, _, rest = line.partition(":")
        if head.strip().lower() in SUPPORTED_LOCALES and rest.strip():
            current = head.strip().lower()
            texts[current] = rest.strip()
        elif current and line.strip():
            texts[current] += " " + line.strip()
    return {locale: body[:600] for locale, body in texts.items()}


async def refuse_unless_facilitating_some_circle(update: Update, context: PasserelleContext) -> bool:
    """True (and refused) for anyone who facilitates no circle at all; the circle itself is checked once named."""
    if await rights_of(context.services, update.effective_user.id):
        return False
    return await refuse_unless_facilitator(update, context)


async def _circle_arg(update: Update, context: PasserelleContext, usage: str):
    """The circle named first in the arguments, if the caller facilitates it (else None, and an answer sent)."""
    tr = translator(context.services, await member_of(context, update.effective_user), update.effective_user)
    rights = await rights_of(context.services, update.effective_user.id)
    facilitated = [c for c in await circles.list_open(context.services.db) if may_facilitate(rights, c.id)]
    args = context.args or []
    circle = await circles.get_by_slug(context.services.db, args[0]) if args else None
    if circle is None:
        await update.effective_message.reply_text(tr.html("{usage}\nCircles: {circles}", usage=tr.gettext(usage),
                                                          circles=", ".join(c.slug for c in facilitated)))
    elif circle.id not in {c.id for c in facilitated}:
        await update.effective_message.reply_text(tr.gettext("This is reserved for facilitators."))
        circle = None
    return tr, circle


async def add_prompt(update: Update, context: PasserelleContext) -> None:
    """/addprompt <circle> then lines 'fr: …' 'en: …' 'ee: …' (French required)."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    tr, circle = await _circle_arg(update, context, N_("/addprompt circle\nfr: …\nen: …\nee: …"))
    if circle is None:
        return
    await _save(update, context, tr, circle.id, None)


async def edit_prompt(update: Update, context: PasserelleContext) -> None:
    """/editprompt <id> then the language lines: replaces the texts of a custom prompt."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    services = context.services
    tr = translator(services, await member_of(context, update.effective_user), update.effective_user)
    raw = (context.args or [""])[0]
    prompt = await exchanges.custom_prompt(services.db, parse_int(raw)) if parse_int(raw) is not None else None
    if prompt is not None and not await can_facilitate(services, update.effective_user.id, prompt.circle_id):
        await update.effective_message.reply_text(tr.gettext("This is reserved for facilitators."))
        return
    if prompt is None:
        await update.effective_message.reply_text(tr.html("Usage: /editprompt number (see /prompts circle), then "
                                                          "one line per language: fr: …, en: …, ee: …"))
        return
    await _save(update, context, tr, prompt.circle_id, prompt.id)


async def _save(update: Update, context: PasserelleContext, tr, circle_id: int, prompt_id: int | None) -> None:
    services = context.services
    texts = parse_translations(update.effective_message.text or "")
    if "fr" not in texts:
        await update.effective_message.reply_text(tr.html(
            "Write the prompt on the following lines, one per language, French required:\nfr: …\nen: …\nee: …"))
        return
    member = await member_of(context, update.effective_user)
    saved = await exchanges.save_custom_prompt(services.db, circle_id=circle_id, texts=texts,
                                               created_by=member.id if member else None,
                                               now=services.clock.now(), prompt_id=prompt_id)
    warning = ""
    if any(assess_framing(text, locale).is_equipment_centred for locale, text in texts.items()):
        warning = "\n" + tr.html("Note: this wording speaks mostly of equipment or money; a question about how "
                                 "people organise themselves lets both sides learn more.")
    await update.effective_message.reply_text(tr.html(
        "Prompt {number} saved ({languages}).", number=saved, languages=", ".join(sorted(texts))) + warning)


async def list_prompts(update: Update, context: PasserelleContext) -> None:
    """/prompts <circle>: the circle's prompts in rotation order, with their keys."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    tr, circle = await _circle_arg(update, context, N_("/prompts circle"))
    if circle is None:
        return
    used = {r.prompt_key for r in await exchanges.rounds_of(context.services.db, circle.id)}
    lines = []
    for key in await available_prompt_keys(context.services.db, circle):
        text = await prompt_text(context.services.db, tr, key) or ""
        lines.append(tr.html("<b>{key}</b>{used}: {text}", key=key.removeprefix("custom-"),
                             used=" ✓" if key in used else "", text=text))
    for chunk in split_lines(lines or [tr.gettext("This circle has no prompt yet: add one with /addprompt.")]):
        await update.effective_message.reply_text(chunk)


async def retire_prompt(update: Update, context: PasserelleContext) -> None:
    """/retireprompt <circle> <key or number>."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    tr, circle = await _circle_arg(update, context, N_("/retireprompt circle key"))
    if circle is None:
        return
    key = (context.args or ["", ""])[1] if len(context.args or []) > 1 else ""
    db = context.services.db
    if parse_int(key) is not None and (custom := await exchanges.custom_prompt(db, parse_int(key))) \
            and custom.circle_id == circle.id:
        await exchanges.retire_custom_prompt(db, custom.id)
    elif prompt_by_key(key) is not None and prompt_by_key(key).theme == circle.theme:
        await exchanges.retire_builtin(db, circle.id, key)
    else:
        await update.effective_message.reply_text(tr.html("No prompt {key} in this circle (see /prompts).", key=key))
        return
    await update.effective_message.reply_text(tr.html("Prompt {key} retired.", key=key))


async def send_prompt_now(update: Update, context: PasserelleContext) -> None:
    """/sendprompt <circle>: this week's prompt now, to those who have not had it."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    tr, circle = await _circle_arg(update, context, N_("/sendprompt circle"))
    if circle is None:
        return
    queued = await send_circle_prompts(context.services, circle, force=True)
    if queued == 0:
        await update.effective_message.reply_text(tr.html(
            "Everyone in this circle has already received this week's question (or the circle has no prompt)."))
        return
    await update.effective_message.reply_text(tr.nhtml("The prompt is on its way to {count} chat.",
                                                       "The prompt is on its way to {count} chats.", queued))


async def set_relay_mode(update: Update, context: PasserelleContext) -> None:
    """/relaymode <circle> auto|immediate|digest."""
    if await refuse_unless_facilitating_some_circle(update, context):
        return
    tr, circle = await _circle_arg(update, context, N_("/relaymode circle auto|immediate|digest"))
    if circle is None:
        return
    mode = (context.args or ["", ""])[1] if len(context.args or []) > 1 else ""
    if mode not in RELAY_MODES:
        await update.effective_message.reply_text(tr.html("Usage: /relaymode circle auto|immediate|digest"))
        return
    await circles.set_relay_mode(context.services.db, circle.id, mode)
    await update.effective_message.reply_text(tr.html("Relay mode of {circle}: {mode}.", circle=circle.slug, mode=mode))
