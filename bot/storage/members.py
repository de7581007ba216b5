"""Members: people who started the bot, their verified phone, territory, language and profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.database import Queryable, Transaction


@dataclass(frozen=True)
class Member:
    id: int
    telegram_user_id: int
    first_name: str
    last_name: str | None
    locale: str
    locale_source: str
    time_zone: str | None
    phone_e164: str | None
    phone_region: str | None
    territory_code: str | None
    status: str
    onboarding_step: str | None
    pending_invite_code: str | None
    consent_at: str | None
    organisation: str | None
    organisation_kind: str | None
    reachable: bool
    created_at: str
    updated_at: str  # the last `update`: when a question asked from /me was asked (its step set)
    paused_until: str | None = None
    pending_circle_id: int | None = None  # a circle named by a join request's deep link, joined once verified

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    def is_paused(self, now_iso: str) -> bool:
        return self.paused_until is not None and self.paused_until > now_iso


def _member(row) -> Member | None:
    if row is None:
        return None
    return Member(
        id=row["id"], telegram_user_id=row["telegram_user_id"], first_name=row["first_name"],
        last_name=row["last_name"], locale=row["locale"], locale_source=row["locale_source"], time_zone=row["time_zone"], phone_e164=row["phone_e164"],
        phone_region=row["phone_region"], territory_code=row["territory_code"], status=row["status"],
        onboarding_step=row["onboarding_step"], pending_invite_code=row["pending_invite_code"],
        consent_at=row["consent_at"], organisation=row["organisation"], organisation_kind=row["organisation_kind"],
        reachable=bool(row["reachable"]), created_at=row["created_at"], updated_at=row["updated_at"],
        paused_until=row["paused_until"],
        pending_circle_id=row["pending_circle_id"],
    )


async def get_by_telegram_id(db: Queryable, telegram_user_id: int) -> Member | None:
    return _member(await db.fetch_one("SELECT * FROM members WHERE telegram_user_id = ?", (telegram_user_id,)))


async def get(db: Queryable, member_id: int) -> Member | None:
    return _member(await db.fetch_one("SELECT * FROM members WHERE id = ?", (member_id,)))


async def get_by_phone(db: Queryable, phone_e164: str) -> Member | None:
    return _member(await db.fetch_one("SELECT * FROM members WHERE phone_e164 = ?", (phone_e164,)))


async def create(
    db: Queryable, *, telegram_user_id: int, first_name: str, last_name: str | None, locale: str, locale_source: str,
    now: datetime, pending_invite_code: str | None = None,
) -> Member:
    """Record someone who started the bot (not yet verified)."""
    await _write(
        db,
        """INSERT INTO members (telegram_user_id, first_name, last_name, locale, locale_source, onboarding_step,
                                pending_invite_code, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'consent', ?, ?, ?)""",
        (telegram_user_id, first_name, last_name, locale, locale_source, pending_invite_code, now.isoformat(),
         now.isoformat()),
    )
    member = await get_by_telegram_id(db, telegram_user_id)
    assert member is not None
    return member


# Columns a caller may change through update(); anything else is a programming error.
UPDATABLE = frozenset({
    "first_name", "last_name", "locale", "locale_source", "time_zone", "phone_e164", "phone_region", "territory_code", "status",
    "onboarding_step", "pending_invite_code", "pending_circle_id", "consent_at", "organisation", "organisation_kind", "reachable",
    "paused_until",
})


async def update(db: Queryable, member_id: int, now: datetime, **changes: object) -> None:
    """Change some columns of a member."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    assignments = ", ".join(f"{column} = ?" for column in changes)
    await _write(
        db,
        f"UPDATE members SET {assignments}, updated_at = ? WHERE id = ?",  # noqa: S608 - columns are whitelisted
        (*changes.values(), now.isoformat(), member_id),
    )


async def mark_unreachable(db: Queryable, telegram_user_id: int) -> None:
    await _write(db, "UPDATE members SET reachable = 0 WHERE telegram_user_id = ?", (telegram_user_id,))


async def mark_reachable(db: Queryable, telegram_user_id: int) -> None:
    await _write(db, "UPDATE members SET reachable = 1 WHERE telegram_user_id = ? AND reachable = 0",
                 (telegram_user_id,))


async def list_by_status(db: Queryable, status: str) -> list[Member]:
    rows = await db.fetch_all("SELECT * FROM members WHERE status = ? ORDER BY created_at", (status,))
    return [m for m in map(_member, rows) if m]


async def forget(tx: Transaction, member: Member) -> None:
    """Erase a member and everything attributed to them, inside the caller's transaction (the use case's: a crash
    half-way must leave everything or nothing). Cascades remove memberships, links, votes, their outbox rows."""
    if member.phone_e164:
        await tx.execute("DELETE FROM invite_phones WHERE phone_e164 = ?", (member.phone_e164,))
    # Messages about them addressed to others (facilitators' "held:<member>:<admin>" notices carry their name and
    # phone) and any message to their chat not tied to their row: the cascade on member_id misses both.
    await tx.execute("DELETE FROM outbox WHERE chat_id = ? OR dedupe_key LIKE ?",
                     (member.telegram_user_id, f"held:{member.id}:%"))
    from bot.storage import calls, decisions, exchanges, facilitator_tools, journal  # they import members: a cycle

    await calls.forget_traces(tx, member.id)
    await decisions.forget_traces(tx, member.id)
    await facilitator_tools.forget_chat(tx, member.telegram_user_id)
    await exchanges.forget_relays(tx, member.id)
    await journal.anonymise(tx, member.id)  # the circle keeps what they shared, without their name
    await _write(tx, "DELETE FROM members WHERE id = ?", (member.id,))


async def _write(db: Queryable, sql: str, params: tuple) -> None:
    """Every write to members goes through here: a member read before it is stale after it (db.memory)."""
    try:
        await db.execute(sql, params)
    finally:
        db.memory.members_version += 1


async def count(db: Queryable) -> int:
    row = await db.fetch_one("SELECT count(*) AS n FROM members")
    return int(row["n"]) if row else 0
