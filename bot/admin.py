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
from bot.domain.territories import describe_choices, resolve_territory
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
    add_invite_options(imported, listed=True)
    imported.add_argument("csv", help="CSV file with a 'phone' column and optionally 'organisation'")

    invite = area.add_parser("invites", help="invitations").add_subparsers(dest="action", required=True)
    invite.add_parser("list", help="every invitation with its uses")
    add_invite_options(invite.add_parser("create", help="an open invitation link"))

    prompt = area.add_parser("prompts", help="facilitators' weekly prompts").add_subparsers(dest="action",
                                                                                            required=True)
    prompt.add_parser("list", help="custom prompts of a circle").add_argument("circle")
    prompt.add_parser("import", help="prompts with translations from CSV (circle,fr,en,ee) or TOML ([[prompt]])"
                      ).add_argument("file")

    backup = sub.add_parser("backup", help="copy the database with SQLite's online backup (safe while the bot runs)")
    backup.add_argument("path", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")
    sub.add_parser("stats", help="counts of members, circles, replies, calls and the outbox")


def add_invite_options(parser: argparse.ArgumentParser, *, listed: bool = False) -> None:
    """--circle, --territory, --uses, --days (and for a list of numbers --allow-other-countries)."""
    parser.add_argument("--circle", help="circle slug the invite joins (e.g. food)")
    parser.add_argument("--territory", help="the territory the invite places people in: its code, name or "
                                            "country, e.g. togo, Togo or TG")
    parser.add_argument("--uses", type=positive_int, help="maximum number of uses, 1 or more (default: unlimited)")
    parser.add_argument("--days", type=positive_int, default=60, help="validity in days, 1 or more (default: 60)")
    if listed:
        parser.add_argument("--allow-other-countries", action="store_true",
                            help="accept listed numbers from another country than the territory's (they are "
                                 "listed as notes)")


def positive_int(text: str) -> int:
    """argparse type for --uses/--days: an invite nobody can use (0, -1) is refused."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return value


# Actions that only read: they never create, migrate or write the database (a mistyped PASSERELLE_DB must not
# leave a new empty database behind).
READ_ONLY = {("circles", "list"), ("members", "list"), ("invites", "list"), ("prompts", "list")}


async def run_admin(db_path: Path, args: argparse.Namespace, out: Print = print) -> None:
    """Open the database (migrating it for actions that write), then run one `admin` action."""
    read_only = (args.area, args.action) in READ_ONLY
    db = await (open_existing(db_path) if read_only else open_and_migrate(db_path))
    try:
        action = ACTIONS[(args.area, args.action)]
        await action(db, args, out)
    finally:
        await db.close()


async def open_and_migrate(db_path: Path) -> Database:
    """The database for a command that writes: created if missing, brought up to date."""
    db = await Database.open(db_path)
    try:
        await migrate.migrate(db, resources.migrations_dir())
    except BaseException:
        await db.close()
        raise
    return db


async def open_existing(db_path: Path) -> Database:
    """The database for a command that only reads: it must exist, be a Passerelle database and be up to date."""
    check_existing_database(db_path)
    db = await Database.open(db_path)
    try:
        applied = set(await _applied_versions(db))
        known = {m.version for m in migrate.discover(resources.migrations_dir())}
        if not applied:
            raise AdminError(f"{db_path} is not a Passerelle database (no schema_migrations table): "
                             "check PASSERELLE_DB")
        if known - applied:
            raise AdminError(f"the database {db_path} is at schema version {max(applied)} and this Passerelle "
                             f"needs {max(known)}: run `passerelle migrate` first (or start the bot)")
    except BaseException:
        await db.close()
        raise
    return db


async def _applied_versions(db: Database) -> list[int]:
    # Read the ledger without creating it (migrate.applied_versions creates the table).
    if await db.fetch_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") is None:
        return []
    return [row["version"] for row in await db.fetch_all("SELECT version FROM schema_migrations")]


def check_existing_database(db_path: Path) -> None:
    """Refuse a missing, empty or non-file database path before anything opens (and so creates) it."""
    if not db_path.exists():
        raise AdminError(f"no database at {db_path}: check PASSERELLE_DB (the bot creates the database at its "
                         "first start, `passerelle migrate` too)")
    if not db_path.is_file():
        raise AdminError(f"{db_path} is not a file: PASSERELLE_DB must name the database file")
    if db_path.stat().st_size == 0:
        raise AdminError(f"{db_path} is empty (0 bytes), not a Passerelle database: check PASSERELLE_DB")


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
    from bot.invite_import import create_listed_invite, read_phone_list

    text = _read(args.csv)
    with ProgressBar(len(read_phone_list(text).phones), "numbers") as bar:   # drawn only on a terminal
        code, problems = await create_listed_invite(db, text, circle_slug=args.circle, territory=args.territory,
                                                    uses=args.uses, days=args.days, now=SystemClock().now(),
                                                    allow_other_countries=args.allow_other_countries,
                                                    on_each_phone=bar.advance)
    if problems:
        raise AdminError(f"nothing imported from {args.csv}:", problems)
    for note in await _numbers_from_elsewhere(db, text, args.territory):
        out(f"note: {note}")
    out(f"Invite code: {code}\nShare the link https://t.me/<your bot>?start={code}")


async def _numbers_from_elsewhere(db: Database, text: str, territory: str | None) -> list[str]:
    from bot.invite_import import numbers_from_elsewhere, read_phone_list

    chosen = resolve_territory(territory, await circles.territories(db)) if territory else None
    return numbers_from_elsewhere(read_phone_list(text), chosen.name, chosen.country) if chosen else []


async def list_invites(db: Database, args: argparse.Namespace, out: Print) -> None:
    rows = await reports.invite_rows(db)
    for row in rows:
        uses = f"{row['uses']}/{row['max_uses']}" if row["max_uses"] is not None else f"{row['uses']}/∞"
        out(f"{row['code']}  circle {row['slug'] or '—'}  territory {row['territory_code'] or '—'}  uses {uses}  "
            f"until {(row['expires_at'] or '—')[:10]}  listed numbers {row['listed']}")
    out(f"{len(rows)} invitation(s).")


async def create_invite(db: Database, args: argparse.Namespace, out: Print) -> None:
    circle = await _circle(db, args.circle) if args.circle else None
    territory = await _territory(db, args.territory) if args.territory else None
    code, now = new_code(), SystemClock().now()
    async with db.transaction() as tx:
        await invites.create(tx, code=code, circle_id=circle.id if circle else None,
                             territory_code=territory.code if territory else None,
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
    interrupted or failed backup never leaves a half-written file under the expected name, nor a `.partial`.
    """
    check_existing_database(db_path)
    check_backup_target(db_path, target, force=force)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        verdict = _copy_and_check(db_path, partial)
        if verdict != "ok":
            raise AdminError(f"the copy failed its integrity check ({verdict}); {db_path} may be damaged")
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        raise AdminError(f"cannot write the backup {target}: {_reason(error)}") from error
    finally:
        _remove_quietly(partial)
    return verdict


def check_backup_target(db_path: Path, target: Path, *, force: bool) -> None:
    """Refuse a folder, the live database itself (or its -wal/-shm), a missing folder, an existing file."""
    if target.is_dir():
        raise AdminError(f"{target} is a folder: give the backup a file name, "
                         f"e.g. {target / 'passerelle-backup.sqlite3'}")
    live = db_path.resolve()
    if target.resolve() in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        raise AdminError(f"{target} is the live database (PASSERELLE_DB) itself: choose another path")
    if not target.parent.is_dir():
        raise AdminError(f"cannot write the backup {target}: the folder {target.parent} does not exist")
    if target.exists() and not force:
        raise AdminError(f"{target} exists: choose another path or add --force")
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise AdminError(f"cannot write the backup {target}: permission denied")


BACKUP_STEPS = 100   # the copy goes in about this many steps, each one moving the progress bar


def _copy_and_check(db_path: Path, partial: Path) -> str:
    source = sqlite3.connect(db_path, timeout=30, isolation_level=None)  # it exists (checked): not created here
    try:
        copy = sqlite3.connect(partial)
        try:
            # One read transaction held over every step: each step reuses it, so the copy is one consistent
            # snapshot even in several steps (without it, a write by the bot between two steps would restart the
            # copy, forever under a steady flow of writes). In WAL mode the bot keeps writing meanwhile.
            source.execute("BEGIN")
            pages = source.execute("PRAGMA page_count").fetchone()[0]
            with ProgressBar(pages, "pages") as bar:   # drawn only on a terminal
                source.backup(copy, pages=max(1, pages // BACKUP_STEPS),
                              progress=lambda status, remaining, total: bar.move_to(total - remaining))
            source.execute("COMMIT")
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file, without -wal/-shm
            return copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()


def _remove_quietly(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal")):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass  # nothing was written there (read-only file system)


def _reason(error: BaseException) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


async def stats(db_path: Path, out: Print = print) -> None:
    """Print what the server holds (never creates nor migrates a database)."""
    db = await open_existing(db_path)
    try:
        version = max(await _applied_versions(db), default=0)
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
        known = ", ".join(c.slug for c in await circles.list_open(db)) or "none yet"
        raise AdminError(f"unknown circle {slug!r} (circles: {known})")
    return circle


async def _territory(db: Database, value: str):
    known = await circles.territories(db)
    territory = resolve_territory(value, known)
    if territory is None:
        raise AdminError(f"unknown territory {value!r} (territories: {describe_choices(known)})")
    return territory


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

