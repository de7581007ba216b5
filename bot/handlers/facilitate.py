"""The facilitators' guided path (issue 11): the facilitation home, and every facilitator action on buttons.

Each action is a `Step` (bot.ui.facilitation): the circle, the side, the member or the question are chosen on
buttons, one screen after the other, and a step skips a question with a single possible answer (one circle).
Typed arguments still work: a command typed with arguments goes to its typed handler (see `guided`). Screens that
wait for text (an announcement, a question, a circle's names) are in bot.handlers.guided_text.

```mermaid
flowchart LR
    home[/facilitate/] --> action
    command[/command without arguments/] --> action
    action --> circle{circle?} --> side{side?} --> who{member / question?} --> done
```

Every press is checked again: the presser must hold the right for the action and the circle it names now (data
can be forged or outdated); refusals answer "This is reserved for facilitators." or "no longer valid".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Update

from bot import role_menus
from bot.delivery import kinds
from bot.delivery.prompts import available_prompt_keys, prompt_text, send_circle_prompts
from bot.domain import question_writer
from bot.domain.facilitation import may_facilitate, may_reach, missing_territories
from bot.domain.prompt_library import prompt_by_key
from bot.domain.weekly import iso_week_key
from bot.handlers import facilitation, reports
from bot.handlers.common import answer_query, is_facilitator, member_of, rights_of, show_screen, translator
from bot.handlers.guided_text import circle_name_button, start_draft, writer_button
from bot.i18n import Translator
from bot.services import PasserelleContext
from bot.storage import circles, exchanges, facilitator_tools, facilitators, members, outbox
from bot.storage.circles import Circle
from bot.storage.facilitator_tools import FacilitatorDraft
from bot.telegram_io import edit_screen
from bot.ui import facilitation as ui
from bot.ui.facilitation import UNSET, WHOLE_CIRCLE, Step, button
from bot.ui.screens import circle_name, territory_name

Handler = Callable[[Update, PasserelleContext], Awaitable[None]]

# Actions of facilitators of every circle (as the typed commands always were), of facilitators of the circle,
# and those members may also take for their own circles.
EVERY_CIRCLE = frozenset({"members", "held", "newcircle", "bind", "invite", ui.EVERYWHERE})
OF_THE_CIRCLE = frozenset({"announce", "promote", "demote", "help", "helped", "send", "prompts", "question", "retire",
                           "edit", "write", "relay", "wskip", "wnext", "wsave", "wstop"})
READING = frozenset({"report", "journal"})
RELAY_MODES = ("auto", "immediate", "digest")


def N_(message: str) -> str:
    return message


RELAY_LABELS = {"auto": N_("Automatic (immediate, digest when busy)"), "immediate": N_("Each reply at once"),
                "digest": N_("A digest per hour")}


def guided(action: str, typed: Handler | None) -> Handler:
    """A command that opens the guided path when sent bare and keeps its typed form when given arguments."""
    async def command(update: Update, context: PasserelleContext) -> None:
        if typed is not None and context.args:
            await typed(update, context)
            return
        await run(update, context, Step(action))
    return command


async def home_command(update: Update, context: PasserelleContext) -> None:
    """/facilitate: what needs attention now in the circles this person facilitates."""
    await run(update, context, Step("home"))


async def on_step(update: Update, context: PasserelleContext) -> None:
    """fx:… buttons: one step of a guided action."""
    step = Step.decode(update.callback_query.data)
    if step is None:
        tr = translator(context.services, await member_of(context, update.effective_user), update.effective_user)
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await run(update, context, step)
    await answer_query(update)


async def _refuse(update: Update, tr: Translator) -> None:
    text = tr.gettext("This is reserved for facilitators.")
    if update.callback_query is not None:
        await answer_query(update, text, alert=True)
    else:
        await update.effective_message.reply_text(text)


async def run(update: Update, context: PasserelleContext, step: Step) -> None:
    """Check the presser's right to the step, fill what has a single answer, and show what comes next."""
    services, user = context.services, update.effective_user
    member = await member_of(context, user)
    tr = translator(services, member, user)
    rights = await rights_of(services, user.id)
    every = await is_facilitator(services, user.id)
    if step.action in READING:
        allowed = await reports.visible_circles(services, user)
    elif step.action in EVERY_CIRCLE:
        allowed = await circles.list_open(services.db) if every else None
    elif step.action in OF_THE_CIRCLE or step.action == "home":
        allowed = [c for c in await circles.list_open(services.db) if may_facilitate(rights, c.id)] if rights else None
    else:
        allowed = None
    if allowed is None:
        await _refuse(update, tr)
        return
    if step.action == "home":
        await _home(update, context, tr, allowed, every)
        return
    if step.action == "held":
        await facilitation.list_held(update, context)
        return
    if step.action == ui.EVERYWHERE:
        await _demote_everywhere(update, context, tr, step)
        return
    if step.action in ("wskip", "wstop") and step.circle_id == 0 and every:
        await circle_name_button(update, context, tr, step)
        return
    if step.action == "newcircle":
        await start_draft(update, context, tr, FacilitatorDraft(user.id, "circle", question_writer.REQUIRED,
                                                                 services.clock.now()))
        return
    if not allowed:
        await show_screen(update, tr.html("You are in no circle for now. Use /circles to join one."))
        return
    if step.circle_id == 0:
        if len(allowed) > 1:
            text, picker = ui.pick_circle(tr, allowed, step)
            if step.action == "demote" and every:   # rights over every circle are withdrawn from here too
                picker = InlineKeyboardMarkup([*picker.inline_keyboard, ui.everywhere_button(tr)])
            await show_screen(update, text, picker)
            return
        step = replace(step, circle_id=allowed[0].id)
    circle = next((c for c in allowed if c.id == step.circle_id), None)
    if circle is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await ACTIONS[step.action](update, context, tr, circle, step)


# -- the home ---------------------------------------------------------------------------------------------------

async def _home(update: Update, context: PasserelleContext, tr: Translator, facilitated: list[Circle],
                every: bool) -> None:
    attention = await _attention(context, tr, facilitated, every)
    territories = await circles.territories(context.services.db)
    await show_screen(update, *ui.home_screen(tr, attention, territories, every=every))


async def _attention(context: PasserelleContext, tr: Translator, facilitated: list[Circle],
                     every: bool) -> ui.Attention:
    """What needs a facilitator now, read from the database (ui.home_screen renders it)."""
    services, now = context.services, context.services.clock.now()
    db, week = services.db, iso_week_key(now)
    codes = [t.code for t in await circles.territories(db)]
    per_circle = []
    for circle in facilitated:
        round_ = await exchanges.round_of_week(db, circle.id, week)
        rights = await facilitators.rights_in_circle(db, circle.id, services.config.admin_ids)
        per_circle.append(ui.CircleAttention(
            circle=circle,
            question=(await prompt_text(db, tr, round_.prompt_key) or "—") if round_ else None,
            answers=await facilitator_tools.replies_by_side(db, round_.id) if round_ else {},
            sides_without_facilitator=missing_territories(rights, codes),
            open_calls=await facilitator_tools.open_call_count(db, circle.id),
            help_requests=len(await facilitator_tools.open_help_requests(db, circle.id))))
    held = len(await members.list_by_status(db, "held")) if every else 0
    return ui.Attention(held=held, circles=per_circle)


# -- one circle's actions --------------------------------------------------------------------------------------

async def _report(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    await _deliver_document(update, context, circle, reports.deliver_report,
                            tr.html("<b>{circle}</b>: the report follows.", circle=circle_name(tr, circle)))


async def _journal(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    await _deliver_document(update, context, circle, reports.deliver_journal,
                            tr.html("<b>{circle}</b>: the journal follows.", circle=circle_name(tr, circle)))


async def _deliver_document(update: Update, context: PasserelleContext, circle: Circle,
                            deliver: Callable[..., Awaitable[None]], follows: str) -> None:
    """A circle's report or journal, from its button (the screen says it follows) or its command."""
    if update.callback_query is not None:
        await answer_query(update)  # now: the document takes a moment, the spinner should not
        await edit_screen(update, follows)
    await deliver(context, update.effective_chat.id,
                  await reports.reach_of(context.services, update.effective_user, circle))


async def _send(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    queued = await send_circle_prompts(context.services, circle, force=True)
    if queued == 0:
        await show_screen(update, tr.html("Everyone in this circle has already received this week's question (or the "
                                    "circle has no prompt)."))
        return
    await show_screen(update, tr.nhtml("The prompt is on its way to {count} chat.", "The prompt is on its way to {count} chats.",
                                 queued))


async def _sides(context: PasserelleContext, circle: Circle, rights) -> tuple[list, bool]:
    """The territories the presser may address in a circle, and whether they may address both at once."""
    territories = await circles.territories(context.services.db)
    return [t for t in territories if may_reach(rights, circle.id, t.code)], may_reach(rights, circle.id, None)


async def _announce(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    rights = await rights_of(context.services, update.effective_user.id)
    sides, whole = await _sides(context, circle, rights)
    if step.choice == UNSET:
        if whole or len(sides) > 1:
            await show_screen(update, *ui.pick_side(tr, circle, sides, step, whole_circle=whole))
            return
        step = replace(step, choice=sides[0].code)
    territory = None if step.choice == WHOLE_CIRCLE else step.choice
    if not may_reach(rights, circle.id, territory):
        await _refuse(update, tr)
        return
    draft = FacilitatorDraft(update.effective_user.id, "announce", "text", context.services.clock.now(),
                             circle.id, territory)
    await start_draft(update, context, tr, draft)


async def _promote(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    services = context.services
    rights = await rights_of(services, update.effective_user.id)
    sides, whole = await _sides(context, circle, rights)
    all_sides = await circles.territories(services.db)
    if step.choice == UNSET:
        # Any side may get a co-facilitator (the other side's first one, typically): a right on the circle suffices.
        await show_screen(update, *ui.pick_side(tr, circle, all_sides, step, whole_circle=whole))
        return
    codes = {t.code for t in all_sides}
    if step.choice not in codes and not (step.choice == WHOLE_CIRCLE and whole):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    territory = None if step.choice == WHOLE_CIRCLE else step.choice
    people = [m for m in await circles.members_of(services.db, circle.id)
              if m.is_active and (territory is None or m.territory_code == territory)]
    if step.target == 0:
        await show_screen(update, *ui.pick_member(tr, circle, people, step, N_("<b>{circle}</b>: who becomes co-facilitator?")))
        return
    target = next((m for m in people if m.id == step.target), None)
    if target is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    caller = await member_of(context, update.effective_user)
    await facilitators.promote_in_circle(services.db, target.id, circle.id, territory, caller.id if caller else None,
                                         services.clock.now())
    await role_menus.refresh_menu(context.bot, services, target.telegram_user_id)
    side = tr.gettext("both sides") if territory is None else territory_name(tr, next(
        t for t in all_sides if t.code == territory))
    await _tell_new_facilitator(context, target, circle)
    await show_screen(update, tr.html("{name} now facilitates {circle} ({side}).", name=target.display_name,
                                circle=circle_name(tr, circle), side=side))


async def _tell_new_facilitator(context: PasserelleContext, target, circle: Circle) -> None:
    reader = translator(context.services, target)
    text = reader.html("You now facilitate the circle <b>{circle}</b>. Your command menu has the facilitators' "
                       "commands; start with /facilitate.", circle=circle_name(reader, circle))
    await outbox.enqueue(context.services.db, chat_id=target.telegram_user_id, member_id=target.id,
                         method="sendMessage", payload={"text": text, "parse_mode": "HTML"},
                         now=context.services.clock.now(),
                         key=kinds.NEW_FACILITATOR.key(circle.id, target.id, context.services.clock.now().isoformat()))


async def _demote(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    services = context.services
    held = await facilitators.circle_rights(services.db, circle.id)
    if step.target == 0:
        # Those who hold a right over every circle may also withdraw such a right (bot.ui.facilitation.EVERYWHERE).
        extra = ui.everywhere_button(tr) if await is_facilitator(services, update.effective_user.id) else []
        if not held:
            await show_screen(update, tr.html("<b>{circle}</b> has no co-facilitator named on it.",
                                        circle=circle_name(tr, circle)), ui.markup([extra]) if extra else None)
            return
        choices = [ui.Choice(ui.question_label(f"{r.display_name} · {r.organisation or '—'}"),
                             Step("demote", circle.id, UNSET, r.member_id).encode()) for r in held]
        rows = ui.paged_rows(choices, step.page, lambda page: Step("demote", circle.id, page=page).encode())
        await show_screen(update, tr.html("<b>{circle}</b>: whose rights end?", circle=circle_name(tr, circle)),
                    InlineKeyboardMarkup([*rows, *([extra] if extra else [])]))
        return
    target = await members.get(services.db, step.target)
    if target is None or not await facilitators.demote_in_circle(services.db, target.id, circle.id):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await role_menus.refresh_menu(context.bot, services, target.telegram_user_id)
    await show_screen(update, tr.html("{name} no longer facilitates {circle}.", name=target.display_name,
                                circle=circle_name(tr, circle)))


async def _demote_everywhere(update: Update, context: PasserelleContext, tr: Translator, step: Step) -> None:
    """Withdraw a right over every circle given with /promote; PASSERELLE_ADMINS are named, never withdrawn."""
    services = context.services
    promoted = [p for p in await facilitators.promoted_everywhere(services.db)
                if not services.is_env_admin(p.telegram_user_id)]   # removing their row would change nothing
    if step.target == 0:
        await show_screen(update, *ui.everywhere_screen(tr, promoted, len(services.config.admin_ids), step))
        return
    chosen = next((p for p in promoted if p.member_id == step.target), None)
    if chosen is None:          # withdrawn meanwhile (a double tap), or forged
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    if step.choice != ui.CONFIRMED:
        await show_screen(update, *ui.confirm_everywhere(tr, chosen))
        return
    if not await facilitators.demote(services.db, chosen.member_id):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    await role_menus.refresh_menu(context.bot, services, chosen.telegram_user_id)
    await show_screen(update, tr.html("{name} no longer facilitates every circle.", name=chosen.display_name))


async def _relay(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    if step.choice in RELAY_MODES:
        await circles.set_relay_mode(context.services.db, circle.id, step.choice)
        circle = replace(circle, relay_mode=step.choice)
    rows = [[button(("• " if mode == circle.relay_mode else "") + tr.gettext(RELAY_LABELS[mode]),
                    Step("relay", circle.id, mode))] for mode in RELAY_MODES]
    await show_screen(update, tr.html("<b>{circle}</b>: how replies reach the other side.", circle=circle_name(tr, circle)),
                ui.markup(rows))


async def _bind(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    """/bindgroup sent alone in a group: the circle, then the side (or both: a shared group), on buttons."""
    if update.effective_chat.type == "private":
        await show_screen(update, tr.html("Usage, in the group: /bindgroup circle [territory|shared]"))
        return
    territories = await circles.territories(context.services.db)
    if step.choice == UNSET:
        await show_screen(update, *ui.pick_side(tr, circle, territories, step, whole_circle=True))
        return
    if step.choice != WHOLE_CIRCLE and step.choice not in {t.code for t in territories}:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    side = "shared" if step.choice == WHOLE_CIRCLE else step.choice
    await show_screen(update, await facilitation.bind_here(update, context, tr, circle, side))


async def _invite(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    """An invitation to a circle (for one side, or both), valid 30 days, without a limit of uses."""
    territories = await circles.territories(context.services.db)
    if step.choice == UNSET:
        await show_screen(update, *ui.pick_side(tr, circle, territories, step, whole_circle=True))
        return
    if step.choice != WHOLE_CIRCLE and step.choice not in {t.code for t in territories}:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    territory = None if step.choice == WHOLE_CIRCLE else step.choice
    await show_screen(update, await facilitation.make_invite(context, tr, circle, territory, None, 30,
                                                       await member_of(context, update.effective_user)))


async def _help(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    """help: the circle's open "translation unclear" requests; helped: one of them marked handled."""
    services = context.services
    if step.action == "helped":
        member = await member_of(context, update.effective_user)
        if not await facilitator_tools.mark_helped(services.db, step.target, circle.id, member.id if member else None,
                                                   services.clock.now()):
            await answer_query(update, tr.gettext("This request was already handled."))
    requests = await facilitator_tools.open_help_requests(services.db, circle.id)
    await show_screen(update, *ui.help_screen(tr, circle, requests))


async def _members(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    if update.callback_query is not None:
        await edit_screen(update, tr.html("<b>{circle}</b>: the members follow.", circle=circle_name(tr, circle)))
    for chunk in await facilitation.member_listing(context.services, tr, circle.slug):
        await context.bot.send_message(update.effective_chat.id, chunk)


# -- questions ---------------------------------------------------------------------------------------------------

async def _questions(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    db = context.services.db
    keys = await available_prompt_keys(db, circle)
    # The circle's own questions first: they are the ones facilitators come to edit.
    keys = [k for k in keys if k.startswith("custom-")] + [k for k in keys if not k.startswith("custom-")]
    choices = [ui.Choice(ui.question_label(await prompt_text(db, tr, key) or key),
                         Step("question", circle.id, key).encode()) for key in keys]
    rows = ui.paged_rows(choices, step.page, lambda page: Step("prompts", circle.id, page=page).encode())
    rows.append([button(tr.gettext("✍️ New question"), Step("write", circle.id))])
    await show_screen(update, tr.nhtml("<b>{circle}</b>: {count} question in rotation. Tap one to read, edit or retire it.",
                                 "<b>{circle}</b>: {count} questions in rotation. Tap one to read, edit or retire it.",
                                 len(choices), circle=circle_name(tr, circle)), InlineKeyboardMarkup(rows))


async def _custom_of(context: PasserelleContext, circle: Circle, key: str):
    """The circle's own custom question behind a key, or None."""
    if not key.startswith("custom-") or not key[7:].isdigit():
        return None
    custom = await exchanges.custom_prompt(context.services.db, int(key[7:]))
    return custom if custom is not None and custom.circle_id == circle.id and not custom.retired else None


async def _question(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    db = context.services.db
    if step.choice not in await available_prompt_keys(db, circle):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    custom = await _custom_of(context, circle, step.choice)
    blocks = []
    for code in question_writer.LANGUAGES:
        if custom is not None:
            text, fallback = question_writer.text_for_readers(custom.texts, code)
        else:
            text, fallback = context.services.i18n.for_locale(code).prompt(prompt_by_key(step.choice).text), False
        blocks.append(ui.language_block(tr, code, text, fallback=fallback))
    rows = [[button(tr.gettext("Retire"), Step("retire", circle.id, step.choice))],
            [button(tr.gettext("◀ Questions"), Step("prompts", circle.id))]]
    if custom is not None:
        rows.insert(0, [button(tr.gettext("Edit"), Step("edit", circle.id, step.choice))])
    await show_screen(update, "\n\n".join(blocks), ui.markup(rows))


async def _retire(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    db = context.services.db
    if step.choice not in await available_prompt_keys(db, circle):
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    custom = await _custom_of(context, circle, step.choice)
    if custom is not None:
        await exchanges.retire_custom_prompt(db, custom.id)
    else:
        await exchanges.retire_builtin(db, circle.id, step.choice)
    await show_screen(update, tr.html("Question retired from <b>{circle}</b>: it will not be asked again.",
                                circle=circle_name(tr, circle)),
                ui.markup([[button(tr.gettext("◀ Questions"), Step("prompts", circle.id))]]))


async def _write(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    draft = FacilitatorDraft(update.effective_user.id, "question", question_writer.REQUIRED,
                             context.services.clock.now(), circle.id)
    await start_draft(update, context, tr, draft)


async def _edit(update: Update, context: PasserelleContext, tr: Translator, circle: Circle, step: Step) -> None:
    custom = await _custom_of(context, circle, step.choice)
    if custom is None:
        await answer_query(update, tr.gettext("This button is no longer valid."))
        return
    draft = FacilitatorDraft(update.effective_user.id, "question", question_writer.REQUIRED,
                             context.services.clock.now(), circle.id, prompt_id=custom.id, texts=dict(custom.texts))
    await start_draft(update, context, tr, draft)


ACTIONS = {
    "report": _report, "journal": _journal, "send": _send, "announce": _announce, "promote": _promote,
    "demote": _demote, "relay": _relay, "bind": _bind, "invite": _invite,
    "help": _help, "helped": _help, "members": _members, "prompts": _questions, "question": _question,
    "retire": _retire, "write": _write, "edit": _edit, "wskip": writer_button, "wnext": writer_button,
    "wsave": writer_button, "wstop": writer_button,
}
