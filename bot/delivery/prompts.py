"""Weekly prompts: at each tick, queue the prompt of every member whose local slot has come this week.

The database is the truth: a round (circle, ISO week) is created once with its prompt and opening territory, and
a delivery row per chat makes sure nobody gets a week's prompt twice, across restarts. A prompt missed while the
bot was down is sent at the next tick if its week is not over (bot.domain.weekly.prompt_due).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from telegram.ext import Application

from bot.delivery import kinds
from bot.domain import weekly
from bot.domain.reciprocity import read_balance, report_weeks
from bot.domain.prompt_library import prompt_by_key, prompts_for_theme
from bot.i18n import Translator
from bot.services import Services
from bot.storage import circles, exchanges, outbox, reports
from bot.storage.circles import Circle, Territory
from bot.storage.database import Queryable
from bot.storage.exchanges import Round
from bot.storage.members import Member
from bot.ui import exchanges as ui

logger = logging.getLogger(__name__)


async def available_prompt_keys(db: Queryable, circle: Circle) -> list[str]:
    """The circle's prompts in library order: built-in ones of its theme not retired, then custom ones."""
    retired = await exchanges.retired_builtin_keys(db, circle.id)
    builtin = [p.key for p in prompts_for_theme(circle.theme or "") if p.key not in retired]
    return builtin + [p.key for p in await exchanges.custom_prompts(db, circle.id)]


async def prompt_text(db: Queryable, tr: Translator, key: str) -> str | None:
    """A prompt in the reader's language: built-ins from the catalogs (never machine-translated)."""
    builtin = prompt_by_key(key)
    if builtin is not None:
        return tr.prompt(builtin.text)
    if key.startswith("custom-") and key[7:].isdigit():
        custom = await exchanges.custom_prompt(db, int(key[7:]))
        if custom is not None and custom.texts:
            return custom.texts.get(tr.locale) or custom.texts.get("fr") or next(iter(custom.texts.values()))
    return None


async def ensure_round(db: Queryable, circle: Circle, week_key: str, territories: list[str], now: datetime
                       ) -> Round | None:
    """The circle's round for a week, created with the next prompt (rotation) and opener (reciprocity)."""
    existing = await exchanges.round_of_week(db, circle.id, week_key)
    if existing is not None:
        return existing
    keys = await available_prompt_keys(db, circle)
    if not keys or not territories:
        return None
    history = await exchanges.rounds_of(db, circle.id)
    prompt_key = weekly.choose_next_prompt(keys, [r.prompt_key for r in history])
    # Reciprocity: the side that answered clearly less over the last weeks is invited to open (what /report
    # announces); when the sides are balanced, opening simply alternates.
    counts = Counter(fact.territory for fact in await reports.reply_facts(db, circle.id, report_weeks(now)))
    quieter = read_balance(dict(counts), sorted(territories)).quieter
    opener = quieter or weekly.opening_territory(sorted(territories), len(history),
                                                 [r.opener_territory for r in history])
    return await exchanges.create_round(db, circle_id=circle.id, week_key=week_key, prompt_key=prompt_key,
                                       opener=opener, now=now)


async def send_due_prompts(services: Services, application: Application | None = None, *, force: bool = False) -> int:
    """Queue every prompt due now; returns how many were queued. `force` ignores the weekly hour (sent now)."""
    queued = 0
    for circle in await circles.list_open(services.db):
        queued += await send_circle_prompts(services, circle, force=force)
    return queued


async def send_circle_prompts(services: Services, circle: Circle, *, force: bool = False) -> int:
    db, now = services.db, services.clock.now()
    slot = weekly.WeeklySlot(circle.prompt_weekday, circle.prompt_hour, circle.prompt_minute)
    # Someone still choosing their circles gets the week's question once they have finished (Done).
    people = [m for m in await circles.members_of(db, circle.id)
              if m.reachable and not m.is_paused(now.isoformat()) and m.time_zone and m.onboarding_step == "done"]
    territories = sorted({m.territory_code for m in people if m.territory_code})
    if len(territories) < 1:
        return 0
    last_weeks = await exchanges.last_weeks_delivered(db, circle.id)
    territory_rows = {t.code: t for t in await circles.territories(db)}
    queued = 0
    async with db.transaction() as tx:
        for member in people:
            week_key = _due_week(now, member, slot, last_weeks.get(member.id), force)
            if week_key is None:
                continue
            round_ = await ensure_round(tx, circle, week_key, territories, now)
            if round_ is None:
                return queued
            queued += await _queue_prompt(tx, services, circle, round_, member, territory_rows, now)
        queued += await _post_in_groups(tx, services, circle, territories, territory_rows, now)
    return queued


def _due_week(now: datetime, member: Member, slot: weekly.WeeklySlot, last_week: str | None, force: bool
              ) -> str | None:
    if force:
        week_key = weekly.iso_week_key(now.astimezone(_zone(member.time_zone)))
        return None if last_week is not None and last_week >= week_key else week_key
    return weekly.prompt_due(now, member.time_zone, slot, last_week)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


async def _queue_prompt(tx: Queryable, services: Services, circle: Circle, round_: Round, member: Member,
                        territories: dict[str, Territory], now: datetime) -> int:
    tr = services.i18n.for_locale(member.locale, member.phone_region)
    text = await prompt_text(tx, tr, round_.prompt_key)
    key = kinds.WEEKLY_PROMPT.key(round_.id, member.telegram_user_id)
    if text is None or not await exchanges.record_delivery(tx, round_id=round_.id, chat_id=member.telegram_user_id,
                                                           member_id=member.id, outbox_key=key.text, now=now):
        return 0
    message = ui.prompt_message(tr, circle, text, territories[round_.opener_territory], member.territory_code)
    await outbox.enqueue(tx, chat_id=member.telegram_user_id, member_id=member.id, method="sendMessage",
                         payload={"text": message, "parse_mode": "HTML"}, key=key, now=now)
    return 1


async def _post_in_groups(tx: Queryable, services: Services, circle: Circle, territories: list[str],
                          territory_rows: dict[str, Territory], now: datetime) -> int:
    """A linked group gets the round's prompt once it exists, in its territory's default language."""
    posted = 0
    for group in await circles.groups_of(tx, circle.id):
        territory = territory_rows.get(group.territory_code or "") or territory_rows.get(territories[0])
        week_key = weekly.iso_week_key(now.astimezone(_zone(territory.default_zone)))
        round_ = await exchanges.round_of_week(tx, circle.id, week_key)
        key = kinds.WEEKLY_PROMPT.key(round_.id if round_ else "", group.chat_id)
        if round_ is None or not await exchanges.record_delivery(tx, round_id=round_.id, chat_id=group.chat_id,
                                                                 member_id=None, outbox_key=key.text, now=now):
            continue
        tr = services.i18n.for_locale(territory.default_locale)
        text = await prompt_text(tx, tr, round_.prompt_key)
        message = ui.prompt_message(tr, circle, text or "", territory_rows[round_.opener_territory],
                                    group.territory_code)
        payload = {"text": message, "parse_mode": "HTML"}
        if group.thread_id:
            payload["message_thread_id"] = group.thread_id
        await outbox.enqueue(tx, chat_id=group.chat_id, method="sendMessage", payload=payload, key=key, now=now)
        posted += 1
    return posted
