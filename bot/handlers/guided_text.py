"""Guided screens that wait for a facilitator's text: an announcement, a question in three languages (French
first, English and Ewe skippable, each checked by the framing check as it arrives, a preview, then save) and a new
circle's names per language. The draft is stored (storage.facilitator_tools), so a restart loses nothing; any
command leaves it, and text older than DRAFT_WINDOW is not taken for it.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.domain import question_writer
from bot.domain.announcements import parse_announcement
from bot.domain.facilitation import may_facilitate, may_reach
from bot.domain.framing import assess_framing, suggest_practice_angle
from bot.handlers import announcements
from bot.handlers.common import answer_query, is_facilitator, member_of, rights_of, show_screen, translator
from bot.i18n import SUPPORTED_LOCALES, SafeHtml, Translator
from bot.services import PasserelleContext
from bot.storage import circles, exchanges, facilitator_tools
from bot.storage.circles import Circle
from bot.storage.facilitator_tools import FacilitatorDraft
from bot.ui import facilitation as ui
from bot.ui.exchanges import suggestion_text
from bot.ui.facilitation import Step, button
from bot.ui.screens import circle_name, territory_name

DRAFT_WINDOW = timedelta(hours=2)   # a text sent later is not taken as the answer to a forgotten screen


async def start_draft(update: Update, context: PasserelleContext, tr: Translator, draft: FacilitatorDraft) -> None:
    await facilitator_tools.save_draft(context.services.db, draft)
    await show_screen(update, *await _ask(context, tr, draft))


async def _ask(context: PasserelleContext, tr: Translator, draft: FacilitatorDraft) -> tuple[str, InlineKeyboardMarkup]:
    """The screen asking for the text the draft waits for."""
    stop = [button(tr.gettext("Cancel"), Step("wstop", draft.circle_id or 0))]
    if draft.kind == "circle":
        language = tr.language_name(draft.step)
        if not question_writer.may_skip(draft.step):
            return tr.html("Send the name of the new circle in <b>{language}</b> (required).",
                           language=language), ui.markup([stop])
        skip = button(tr.gettext("Skip: {language} readers get the French", language=language),
                      Step("wskip", 0, draft.step))
        return tr.html("Send the name of the new circle in <b>{language}</b>, or skip: readers of {language} then "
                       "see the French name.", language=language), ui.markup([[skip], stop])
    circle = await circles.get(context.services.db, draft.circle_id)
    if draft.kind == "announce":
        territories = {t.code: t for t in await circles.territories(context.services.db)}
        side = territory_name(tr, territories[draft.territory_code]) if draft.territory_code else tr.gettext(
            "both sides")
        return tr.html("Write the announcement to <b>{circle}</b> ({side}) in one message. Everyone reads it as "
                       "written; to give a language its own text, start lines with fr:, en: or ee:.",
                       circle=circle_name(tr, circle), side=side), ui.markup([stop])
    language = tr.language_name(draft.step)
    lines = [tr.html("<b>{circle}</b> · new question", circle=circle_name(tr, circle)) if draft.prompt_id is None
             else tr.html("<b>{circle}</b> · question being edited", circle=circle_name(tr, circle))]
    if draft.step == question_writer.REQUIRED:
        lines.append(tr.html("Send the question in <b>{language}</b> (required).", language=language))
    else:
        lines.append(tr.html("Send the question in <b>{language}</b>, or skip: readers of {language} then receive "
                             "the French text.", language=language))
    rows = []
    current = draft.texts.get(draft.step)
    if current:
        lines.append(tr.html("Current text: {text}", text=current))
        rows.append([button(tr.gettext("Keep this text"), Step("wnext", draft.circle_id, draft.step))])
    if question_writer.may_skip(draft.step):
        rows.append([button(tr.gettext("Skip: {language} readers get the French", language=language),
                            Step("wskip", draft.circle_id, draft.step))])
    return "\n\n".join(lines), ui.markup([*rows, stop])


def _preview(tr: Translator, circle: Circle, draft: FacilitatorDraft) -> tuple[str, InlineKeyboardMarkup]:
    blocks = [tr.html("<b>{circle}</b> · what members will receive, per language:", circle=circle_name(tr, circle))]
    for code in question_writer.LANGUAGES:
        text, fallback = question_writer.text_for_readers(draft.texts, code)
        blocks.append(ui.language_block(tr, code, text, fallback=fallback))
    rows = [[button(tr.gettext("Save"), Step("wsave", circle.id))],
            [button(tr.gettext("Cancel"), Step("wstop", circle.id))]]
    return "\n\n".join(blocks), ui.markup(rows)


async def writer_button(update: Update, context: PasserelleContext, tr: Translator, circle: Circle,
                         step: Step) -> None:
    """wskip / wnext / wsave / wstop: the writer's buttons, valid only for the step the draft is at."""
    services = context.services
    draft = await facilitator_tools.get_draft(services.db, update.effective_user.id)
    current = draft is not None and draft.circle_id in (circle.id, None)
    if step.action == "wstop":
        if current:
            await facilitator_tools.delete_draft(services.db, draft.telegram_user_id)
        await show_screen(update, tr.gettext("Cancelled: nothing was saved."))
        return
    if not current or draft.kind != "question" or (step.action != "wsave" and draft.step != step.choice) \
            or (step.action == "wsave" and draft.step != question_writer.PREVIEW):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    if step.action == "wsave":
        await _save_question(update, context, tr, circle, draft)
        return
    if step.action == "wskip":
        draft.texts.pop(draft.step, None)
    await _advance(update, context, tr, circle, draft)


async def _advance(update: Update, context: PasserelleContext, tr: Translator, circle: Circle,
                   draft: FacilitatorDraft) -> None:
    draft.step, draft.updated_at = question_writer.next_step(draft.step), context.services.clock.now()
    await facilitator_tools.save_draft(context.services.db, draft)
    if draft.step == question_writer.PREVIEW:
        await show_screen(update, *_preview(tr, circle, draft))
    else:
        await show_screen(update, *await _ask(context, tr, draft))


async def _save_question(update: Update, context: PasserelleContext, tr: Translator, circle: Circle,
                         draft: FacilitatorDraft) -> None:
    services = context.services
    member = await member_of(context, update.effective_user)
    async with services.db.transaction() as tx:
        await exchanges.save_custom_prompt(tx, circle_id=circle.id, texts=draft.texts,
                                           created_by=member.id if member else None, now=services.clock.now(),
                                           prompt_id=draft.prompt_id)
        await facilitator_tools.delete_draft(tx, draft.telegram_user_id)
    languages = ", ".join(tr.language_name(code) for code in question_writer.LANGUAGES if draft.texts.get(code))
    await show_screen(update, tr.html("Question saved in <b>{circle}</b> ({languages}). It joins the rotation.",
                                circle=circle_name(tr, circle), languages=languages),
                ui.markup([[button(tr.gettext("◀ Questions"), Step("prompts", circle.id))]]))


async def leave_on_command(update: Update, context: PasserelleContext) -> None:
    """Any command leaves a guided screen that waits for text: the next plain message is not taken for it.

    Without this, a facilitator who left a question half-written and later wrote an answer to the weekly question
    would see it taken for the question's next language."""
    user = update.effective_user
    # A read first: most commands come from people with no draft, and need not wait for the database's writer.
    if user is not None and await facilitator_tools.get_draft(context.services.db, user.id) is not None:
        await facilitator_tools.delete_draft(context.services.db, user.id)


async def receive_text(update: Update, context: PasserelleContext) -> None:
    """Text a guided screen waits for (an announcement, a question, a circle's name); other text goes on."""
    services, message, user = context.services, update.effective_message, update.effective_user
    if not message.text or user is None:
        return
    draft = await facilitator_tools.get_draft(services.db, user.id)
    if draft is None:
        return
    if services.clock.now() - draft.updated_at > DRAFT_WINDOW:
        await facilitator_tools.delete_draft(services.db, user.id)
        return
    replied = message.reply_to_message
    if replied is not None and await exchanges.round_for_message(services.db, message.chat_id, replied.message_id):
        return  # an answer to the weekly question, written by a facilitator who is also a member
    tr = translator(services, await member_of(context, user), user)
    rights = await rights_of(services, user.id)
    if draft.kind == "announce":
        allowed = may_reach(rights, draft.circle_id, draft.territory_code)
    elif draft.kind == "question":
        allowed = may_facilitate(rights, draft.circle_id)
    else:
        allowed = await is_facilitator(services, user.id)
    if not allowed:
        await facilitator_tools.delete_draft(services.db, user.id)
        return
    if draft.kind == "announce":
        await _receive_announcement(update, context, tr, draft)
    elif draft.kind == "circle":
        await _receive_circle_name(update, context, tr, draft)
    else:
        await _receive_question(update, context, tr, draft)
    raise ApplicationHandlerStop


async def _receive_announcement(update: Update, context: PasserelleContext, tr: Translator,
                                draft: FacilitatorDraft) -> None:
    services = context.services
    texts = parse_announcement(update.effective_message.text.splitlines(), SUPPORTED_LOCALES)
    circle = await circles.get(services.db, draft.circle_id)
    if not texts or circle is None:
        await update.effective_message.reply_text(tr.gettext("Please send the announcement as text."))
        return
    await facilitator_tools.delete_draft(services.db, draft.telegram_user_id)
    member = await member_of(context, update.effective_user)
    await announcements.send_preview(context, update.effective_chat.id, tr, circle, draft.territory_code, texts,
                                     member.id if member else None)


async def _receive_circle_name(update: Update, context: PasserelleContext, tr: Translator,
                               draft: FacilitatorDraft) -> None:
    """A new circle's name in the language asked (French, then English and Ewe, each skippable)."""
    name = " ".join(update.effective_message.text.split())
    if not name or len(name) > 80 or draft.step not in question_writer.LANGUAGES:
        await update.effective_message.reply_text(tr.gettext("Please send a name of at most 80 characters."))
        return
    draft.texts[draft.step] = name
    await _next_circle_name(update, context, tr, draft)


async def _next_circle_name(update: Update, context: PasserelleContext, tr: Translator,
                            draft: FacilitatorDraft) -> None:
    services = context.services
    draft.step, draft.updated_at = question_writer.next_step(draft.step), services.clock.now()
    if draft.step != question_writer.PREVIEW:
        await facilitator_tools.save_draft(services.db, draft)
        await show_screen(update, *await _ask(context, tr, draft))
        return
    # Named by its French name; the other languages' names are shown to their readers (circle_name).
    name = draft.texts[question_writer.REQUIRED]
    slug = await _free_slug(services, name)
    async with services.db.transaction() as tx:
        await circles.create(tx, slug=slug, name=name, names=dict(draft.texts), now=services.clock.now())
        await facilitator_tools.delete_draft(tx, draft.telegram_user_id)
    await show_screen(update, tr.html("Circle <b>{name}</b> created ({slug}).",
                                name=draft.texts.get(tr.locale) or name, slug=slug))


async def circle_name_button(update: Update, context: PasserelleContext, tr: Translator, step: Step) -> None:
    """wskip / wstop while a new circle is being named."""
    services = context.services
    draft = await facilitator_tools.get_draft(services.db, update.effective_user.id)
    if step.action == "wstop":
        if draft is not None and draft.kind == "circle":
            await facilitator_tools.delete_draft(services.db, draft.telegram_user_id)
        await show_screen(update, tr.gettext("Cancelled: nothing was saved."))
        return
    if draft is None or draft.kind != "circle" or draft.step != step.choice \
            or not question_writer.may_skip(draft.step):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await _next_circle_name(update, context, tr, draft)


async def _free_slug(services, name: str) -> str:
    """A short ASCII slug from a name ("Gestion de l'eau" -> "gestion-de-l-eau"), numbered when taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = "-".join("".join(ch if ch.isalnum() else " " for ch in ascii_name).split())[:20].strip("-") or "circle"
    base = base if len(base) > 1 else f"circle-{base}"
    slug, number = base, 2
    while await circles.get_by_slug(services.db, slug) is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


async def _receive_question(update: Update, context: PasserelleContext, tr: Translator,
                            draft: FacilitatorDraft) -> None:
    services = context.services
    circle = await circles.get(services.db, draft.circle_id)
    if draft.step not in question_writer.LANGUAGES or circle is None:
        await update.effective_message.reply_text(tr.gettext("Use the buttons above to save or cancel."))
        return
    text = question_writer.clean(update.effective_message.text)
    if text is None:
        await update.effective_message.reply_text(tr.html(
            "Please send the question in one message of at most {limit} characters.",
            limit=question_writer.MAX_LENGTH))
        return
    draft.texts[draft.step] = text
    draft.updated_at = services.clock.now()
    assessment = assess_framing(text, draft.step)
    if not assessment.is_equipment_centred:
        await _advance(update, context, tr, circle, draft)
        return
    await facilitator_tools.save_draft(services.db, draft)
    note = [tr.html("Note: this wording speaks mostly of equipment or money; a question about how people organise "
                    "themselves lets both sides learn more."),
            # The nudge members get, naming the means the wording mentions (shared with the replies' screen).
            tr.html("<i>{suggestion}</i>",
                    suggestion=SafeHtml(suggestion_text(tr, suggest_practice_angle(assessment, circle.theme or "")))),
            tr.html("Send another wording to replace it, or keep this one.")]
    await update.effective_message.reply_text("\n\n".join(note), reply_markup=ui.markup([
        [button(tr.gettext("Keep this text"), Step("wnext", circle.id, draft.step))],
        [button(tr.gettext("Cancel"), Step("wstop", circle.id))]]))
