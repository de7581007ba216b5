"""The bot's heartbeat: when Telegram last answered it, read by `passerelle health` from another process."""

from __future__ import annotations

from datetime import datetime

from bot.storage.database import Queryable

BOT_API = "bot_api"


async def record(db: Queryable, at: datetime, name: str = BOT_API) -> None:
    await db.execute("INSERT INTO heartbeat (name, at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at",
                     (name, at.isoformat()))


async def last(db: Queryable, name: str = BOT_API) -> datetime | None:
    row = await db.fetch_one("SELECT at FROM heartbeat WHERE name = ?", (name,))
    return datetime.fromisoformat(row["at"]) if row else None
