"""Populate a database with verified members quickly, for fault tests and benchmarks (not used by the bot).

Members are written through the storage functions (the same rows onboarding would leave), and each one is a
simulator user who has written to the bot once: Telegram only lets a bot write to people who wrote first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.devtools.simulator import BotApiSimulator
from bot.storage import circles, members
from bot.storage.database import Database


@dataclass(frozen=True)
class Seeded:
    telegram_user_id: int
    member_id: int
    territory_code: str


async def seed_members(db: Database, sim: BotApiSimulator, count: int, now: datetime, *,
                       circle_slugs: tuple[str, ...] = ("food",), start: int = 0) -> list[Seeded]:
    """`count` active members, alternately in Brittany (French) and Togo (French or Ewe), in these circles."""
    circle_ids = [(await circles.get_by_slug(db, slug)).id for slug in circle_slugs]
    seeded = []
    async with db.transaction() as tx:
        for index in range(start, start + count):
            user = sim.add_user(f"Member{index}", language_code="fr")
            sim.send_text(user.id, "/start")  # opens the private chat; the update is discarded below
            togo = index % 2 == 1
            member = await members.create(tx, telegram_user_id=user.id, first_name=user.first_name, last_name=None,
                                          locale="ee" if togo and index % 4 == 1 else "fr", locale_source="choice",
                                          now=now)
            territory = "togo" if togo else "bretagne"
            await members.update(tx, member.id, now, status="active", onboarding_step="done",
                                 territory_code=territory, time_zone="Africa/Lome" if togo else "Europe/Paris",
                                 phone_e164=f"+{228 if togo else 33}9{index:08d}", phone_region="TG" if togo else "FR",
                                 organisation=f"Org {index}", consent_at=now.isoformat())
            for circle_id in circle_ids:
                await circles.join(tx, member.id, circle_id, now)
            seeded.append(Seeded(user.id, member.id, territory))
    sim.take_updates()
    return seeded
