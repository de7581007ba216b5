"""For the people who run the server: `passerelle admin circles|members|invites|prompts …`, `backup`, `stats`.

Imports validate every line first and write nothing when one is wrong, naming each bad line. Everything here
may run while the bot runs: SQLite serialises the writers (busy timeout), and the backup uses SQLite's online
backup API, which copies a consistent snapshot without stopping the bot.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sqlite3
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot import resources
from bot.clock import SystemClock
from bot.domain.invites import new_code
from bot.i18n import SUPPORTED_LOCALES
from bot.storage import circles, exchanges, invites, migrate, reports
from bot.storage.database import Database
from bot.terminal_progress import ProgressBar

Print = Callable[[str], None]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,23}$")  # the rule of /newcircle
MAX_PROMPT = 600                                 # the limit of /addprompt


class AdminError(Exception):
    """A problem the operator can fix (bad file, unknown circle): printed as is, exit code 2."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The `admin`, `backup` and `stats` subcommands of `passerelle`."""
    admin = sub.add_parser("admin", help="list, create and import circles, members, invites and prompts")
    area = admin.add_subparsers(dest="area", required=True)

    circle = area.add_parser("circles", help="thematic circles").add_subparsers(dest="action", required=True)
    circle.add_parser("list", help="every circle with its members per territory")
    create = circle.add_parser("create", help="a new circle")
    create.add_argument("slug", help="short identifier used in commands, e.g. water")
    create.add_argument("name", nargs="+", help="its name")

    member = area.add_parser("members", help="members").add_subparsers(dest="action", required=True)
    listing = member.add_parser("list", help="members with territory, organisation and phone")
    listing.add_argument("--circle", help="only the members of this circle")
    imported = member.add_parser("import", help="an invite restricted to the numbers of a CSV (phone,organisation)")
    _invite_options(imported)
    imported.add_argument("csv", help="CSV file with a 'phone' column and optionally 'organisation'")

    invite = area.add_parser("invites", help="invitations").add_subparsers(dest="action", required=True)
    invite.add_parser("list", help="every invitation with its uses")
    _invite_options(invite.add_parser("create", help="an open invitation link"))

    prompt = area.add_parser("prompts", help="facilitators' weekly prompts").add_subparsers(dest="action",
                                                                                            required=True)
    prompt.add_parser("list", help="custom prompts of a circle").add_argument("circle")
    prompt.add_parser("import", help="prompts with translations from CSV (circle,fr,en,ee) or TOML ([[prompt]])"
                      ).add_argument("file")

    backup = sub.add_parser("backup", help="copy the database with SQLite's online backup (safe while the bot runs)")
    backup.add_argument("path", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    sub.add_parser("stats", help="counts of members, circles, replies, calls and the outbox")


def _invite_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--circle", help="circle slug the invite joins (e.g. food)")
    parser.add_argument("--territory", help="only numbers of this territory (e.g. togo)")
    parser.add_argument("--uses", type=int, help="maximum number of uses (default: unlimited)")
    parser.add_argument("--days", type=int, default=60, help="validity in days (default: 60)")


async def run_admin(db_path: Path, args: argparse.Namespace, out: Print = print) -> None:
    """Open (and migrate) the database, then run one `admin` action."""
    db = await Database.open(db_path)
    try:
        await migrate.migrate(db, resources.migrations_dir())
        action = ACTIONS[(args.area, args.action)]
        await action(db, args, out)
    finally:
        await db.close()


# Circles ----------------------------------------------------------------------------------------------

async def list_circles(db: Database, args: argparse.Namespace, out: Print) -> None:
    for circle in await circles.list_open(db):
        people = await circles.members_of(db, circle.id)
        sides = {}
        for person in people:
            sides[person.territory_code] = sides.get(person.territory_code, 0) + 1
        detail = ", ".join(f"{code} {count}" for code, count in sorted(sides.items(), key=str)) or "no member"
        out(f"{circle.slug:<16} {circle.name}  ({detail})")


async def create_circle(db: Database, args: argparse.Namespace, out: Print) -> None:
    name = " ".join(args.name).strip()
    if not SLUG.match(args.slug) or not name or len(name) > 80:
        raise AdminError("a circle needs a slug of 2 to 24 lower-case letters, digits or '-', and a name (80 at most)")
    if await circles.get_by_slug(db, args.slug) is not None:
        raise AdminError(f"a circle named {args.slug!r} already exists")
    async with db.transaction() as tx:
        await circles.create(tx, slug=args.slug, name=name, names={}, now=SystemClock().now())
    out(f"Circle {args.slug} created.")


# Members and invites --------------------------------------------------------------------------------------

async def list_members(db: Database, args: argparse.Namespace, out: Print) -> None:
    circle = await _circle(db, args.circle) if args.circle else None
    rows = await reports.member_rows(db, circle.id if circle else None)
    for row in rows:
        name = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        out(f"{row['telegram_user_id']:>12}  {row['status']:<8} {row['territory_code'] or '—':<10} "
            f"{row['phone_e164'] or '—':<16} {name} ({row['organisation'] or '—'})")
    out(f"{len(rows)} member(s).")


async def import_members(db: Database, args: argparse.Namespace, out: Print) -> None:
    from bot.invite_import import create_listed_invite

    code, problems = await create_listed_invite(db, _read(args.csv), circle_slug=args.circle,
                                                territory=args.territory, uses=args.uses, days=args.days,
                                                now=SystemClock().now())
    if problems:
        raise AdminError(f"nothing imported from {args.csv}:", problems)
    out(f"Invite code: {code}\nShare the link https://t.me/<your bot>?start={code}")


async def list_invites(db: Database, args: argparse.Namespace, out: Print) -> None:
    rows = await reports.invite_rows(db)
    for row in rows:
        uses = f"{row['uses']}/{row['max_uses']}" if row["max_uses"] is not None else f"{row['uses']}/∞"
        out(f"{row['code']}  circle {row['slug'] or '—'}  territory {row['territory_code'] or '—'}  uses {uses}  "
            f"until {(row['expires_at'] or '—')[:10]}  listed numbers {row['listed']}")
    out(f"{len(rows)} invitation(s).")


async def create_invite(db: Database, args: argparse.Namespace, out: Print) -> None:
    circle = await _circle(db, args.circle) if args.circle else None
    if args.territory and args.territory not in {t.code for t in await circles.territories(db)}:
        raise AdminError(f"unknown territory {args.territory!r}")
    code, now = new_code(), SystemClock().now()
    async with db.transaction() as tx:
        await invites.create(tx, code=code, circle_id=circle.id if circle else None, territory_code=args.territory,
                             max_uses=args.uses, expires_at=now + timedelta(days=args.days), created_by=None,
                             now=now)
    out(f"Invite code: {code}\nShare the link https://t.me/<your bot>?start={code}")


# Prompts ------------------------------------------------------------------------------------------------

@dataclass
class PromptRow:
    where: str                  # "line 3" or "prompt 2 (line 7)", for error messages
    order: int                  # position in the file, so that problems are reported in file order
    circle: str
    texts: dict[str, str]


@dataclass
class PromptFile:
    rows: list[PromptRow] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)   # (position in the file, message)


def read_prompts_csv(text: str) -> PromptFile:
    """Header `circle,fr,en,ee` (fr required, en/ee optional); one prompt per line."""
    result = PromptFile()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        unknown = [name for name in header if name not in ("circle", *SUPPORTED_LOCALES)]
        if "circle" not in header or "fr" not in header or unknown:
            result.problems.append((1, "line 1: the header must be circle,fr and optionally en, ee"
                                    + (f" (unknown: {', '.join(unknown)})" if unknown else "")))
            return result
        for values in reader:
            where = f"line {reader.line_num}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                result.problems.append((reader.line_num,
                                        f"{where}: {len(values)} fields where the header has {len(header)}"))
                continue
            cells = {name: value.strip() for name, value in zip(header, values)}
            result.rows.append(PromptRow(where, reader.line_num, cells.pop("circle"),
                                         {k: v for k, v in cells.items() if v}))
    except csv.Error as error:
        result.problems.append((reader.line_num, f"line {reader.line_num}: {error}"))
    return result


def read_prompts_toml(text: str) -> PromptFile:
    """`[[prompt]]` tables with `circle` and `fr` (required), `en`, `ee`."""
    result = PromptFile()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        result.problems.append((0, str(error)))
        return result
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[prompt]]")]
    if set(data) - {"prompt"} or not isinstance(data.get("prompt", []), list):
        result.problems.append((0, "the file must only hold [[prompt]] tables"))
        return result
    for index, table in enumerate(data.get("prompt", [])):
        where = f"prompt {index + 1}" + (f" (line {starts[index]})" if index < len(starts) else "")
        unknown = set(table) - {"circle", *SUPPORTED_LOCALES}
        if unknown or not all(isinstance(v, str) for v in table.values()):
            result.problems.append((index, f"{where}: only text fields circle, fr, en, ee are allowed"
                                    + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else "")))
            continue
        texts = {k: v.strip() for k, v in table.items() if k != "circle" and v.strip()}
        result.rows.append(PromptRow(where, index, table.get("circle", "").strip(), texts))
    return result


async def check_prompts(db: Database, parsed: PromptFile) -> list[str]:
    """Every problem of the file, in file order: syntax, unknown circle, missing French, too long, already there."""
    problems = list(parsed.problems)
    known = {c.slug: c for c in await circles.list_open(db)}
    seen: set[tuple[str, str]] = set()
    for row in parsed.rows:
        circle = known.get(row.circle)
        if circle is None:
            problems.append((row.order, f"{row.where}: unknown circle {row.circle!r}"))
            continue
        if "fr" not in row.texts:
            problems.append((row.order, f"{row.where}: the French text (fr) is required"))
            continue
        too_long = sorted(k for k, v in row.texts.items() if len(v) > MAX_PROMPT)
        if too_long:
            problems.append((row.order, f"{row.where}: longer than {MAX_PROMPT} characters ({', '.join(too_long)})"))
        existing = {p.texts.get("fr") for p in await exchanges.custom_prompts(db, circle.id, include_retired=True)}
        if row.texts["fr"] in existing or (row.circle, row.texts["fr"]) in seen:
            problems.append((row.order, f"{row.where}: this prompt is already in the circle {row.circle}"))
        seen.add((row.circle, row.texts["fr"]))
    if not parsed.rows and not problems:
        problems.append((0, "the file holds no prompt"))
    return [message for _, message in sorted(problems, key=lambda item: item[0])]


async def import_prompts(db: Database, args: argparse.Namespace, out: Print) -> None:
    text = _read(args.file)
    parsed = read_prompts_toml(text) if args.file.lower().endswith(".toml") else read_prompts_csv(text)
    problems = await check_prompts(db, parsed)
    if problems:
        raise AdminError(f"nothing imported from {args.file}:", problems)
    known = {c.slug: c for c in await circles.list_open(db)}
    now = SystemClock().now()
    async with db.transaction() as tx:  # all or nothing
        with ProgressBar(len(parsed.rows), "prompts") as bar:   # drawn only on a terminal
            for row in parsed.rows:
                await exchanges.save_custom_prompt(tx, circle_id=known[row.circle].id, texts=row.texts,
                                                   created_by=None, now=now)
                bar.advance()
    out(f"{len(parsed.rows)} prompt(s) imported.")


async def list_prompts(db: Database, args: argparse.Namespace, out: Print) -> None:
    circle = await _circle(db, args.circle)
    for prompt in await exchanges.custom_prompts(db, circle.id, include_retired=True):
        state = " (retired)" if prompt.retired else ""
        out(f"{prompt.id:>4}{state} " + " | ".join(f"{k}: {v}" for k, v in sorted(prompt.texts.items())))


# Backup and stats -----------------------------------------------------------------------------------------

def backup(db_path: Path, target: Path, *, force: bool = False) -> str:
    """Copy the live database to `target` with the online backup API; returns integrity_check's verdict.

    The copy is written beside the target and renamed into place only once complete and checked, so an
    interrupted backup never leaves a half-written file under the expected name.
    """
    if not db_path.exists():
        raise AdminError(f"no database at {db_path}")
    if target.exists() and not force:
        raise AdminError(f"{target} exists: choose another path or add --force")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(db_path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        # pages=-1 (the default): one step under one read transaction, so the copy is a consistent snapshot;
        # in WAL mode the bot keeps writing meanwhile.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, without -wal/-shm
        verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if verdict != "ok":
        raise AdminError(f"the copy failed its integrity check ({verdict}); {partial} kept for inspection")
    os.replace(partial, target)
    return verdict


async def stats(db_path: Path, out: Print = print) -> None:
    """Print what the server holds (never creates a database that is not there)."""
    if not db_path.exists():
        raise AdminError(f"no database at {db_path}")
    db = await Database.open(db_path)
    try:
        await migrate.migrate(db, resources.migrations_dir())
        version = max(await migrate.applied_versions(db), default=0)
        out(f"database {db_path} ({db_path.stat().st_size // 1024} KiB), schema version {version}")
        for title, counts in (await reports.server_stats(db)).items():
            out(f"{title}: " + (", ".join(f"{k} {n}" for k, n in counts.items()) or "none"))
    finally:
        await db.close()


# Helpers --------------------------------------------------------------------------------------------------

def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except OSError as error:
        raise AdminError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise AdminError(f"{path} is not UTF-8 text: {error.reason}") from error


async def _circle(db: Database, slug: str):
    circle = await circles.get_by_slug(db, slug)
    if circle is None:
        raise AdminError(f"unknown circle {slug!r} (see: passerelle admin circles list)")
    return circle


ACTIONS = {
    ("circles", "list"): list_circles,
    ("circles", "create"): create_circle,
    ("members", "list"): list_members,
    ("members", "import"): import_members,
    ("invites", "list"): list_invites,
    ("invites", "create"): create_invite,
    ("prompts", "list"): list_prompts,
    ("prompts", "import"): import_prompts,
}

