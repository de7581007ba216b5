"""Command line: passerelle run | migrate | demo | invite | admin | backup | stats.

Startup failures become one stderr line and an exit code."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from collections.abc import Sequence

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot import logs, resources
from bot.config import Config, ConfigError
from bot.i18n import CatalogError, I18n
from bot.storage.migrate import MigrationError

EXIT_CONFIG, EXIT_STARTUP = 2, 3
EXIT_CONFLICT = 4  # stopped itself: another process polls with the same token (systemd: RestartPreventExitStatus=4)


def main(argv: Sequence[str] | None = None) -> int:
    # RetryAfter.retry_after is a timedelta with this opt-in; without it PTB warns on every read.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = argparse.ArgumentParser(prog="passerelle", description="Passerelle Telegram bot")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot with long polling (needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    demo = sub.add_parser("demo", help="run the bot against the bundled Bot API simulator and print a transcript")
    demo.add_argument("--db", help="SQLite file for the demo (default: a temporary file)")
    invite = sub.add_parser("invite", help="create an invite limited to the numbers of a CSV file (phone,organisation)")
    invite.add_argument("--csv", required=True, help="CSV file with a 'phone' column and optionally 'organisation'")
    invite.add_argument("--circle", help="circle slug the invite joins (e.g. food)")
    invite.add_argument("--territory", help="only numbers of this territory (e.g. togo)")
    invite.add_argument("--uses", type=int, help="maximum number of uses (default: unlimited)")
    invite.add_argument("--days", type=int, default=60, help="validity in days (default: 60)")
    from bot import admin

    admin.add_parsers(sub)
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return run(Config.from_env(os.environ))
        if args.command == "migrate":
            return asyncio.run(migrate_only(Config.from_env(os.environ, require_token=False)))
        if args.command == "invite":
            return asyncio.run(import_invite(Config.from_env(os.environ, require_token=False), args))
        if args.command in ("admin", "backup", "stats"):
            return run_admin_command(Config.from_env(os.environ, require_token=False), args)
        from bot.devtools.demo import run_demo

        return run_demo(db_path=args.db)
    except ConfigError as error:
        print(f"passerelle: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (CatalogError, MigrationError) as error:
        print(f"passerelle: {error}", file=sys.stderr)
        return EXIT_STARTUP


def run(config: Config) -> int:
    """Long polling until SIGINT/SIGTERM; PTB runs post_init/post_shutdown around it."""
    from bot.app import build_application

    logs.configure(config.token)
    try:
        _check_db_path(config)
        application = build_application(config, i18n=I18n.load(resources.locales_dir()))
        # bootstrap_retries=0: an unreachable API or a wrong token fails at start instead of retrying forever.
        application.run_polling(bootstrap_retries=0, close_loop=False, allowed_updates=ALLOWED_UPDATES)
        fatal_stop = application.bot_data.services.fatal_stop
        if fatal_stop is not None:
            print(f"passerelle: stopped: {fatal_stop}.", file=sys.stderr)
            return EXIT_CONFLICT
    except InvalidToken:
        print("passerelle: Telegram refused the token (TELEGRAM_BOT_TOKEN): check it with @BotFather.",
              file=sys.stderr)
        return EXIT_STARTUP
    except (NetworkError, OSError) as error:
        if isinstance(error, OSError) and not isinstance(error, ConnectionError):
            print(f"passerelle: cannot use the database {config.db_path}: {error}", file=sys.stderr)
        else:
            print(f"passerelle: cannot reach the Bot API at {config.api_url}: {_safe(error, config)}", file=sys.stderr)
        return EXIT_STARTUP
    except sqlite3.Error as error:
        print(f"passerelle: cannot use the database {config.db_path}: {error}", file=sys.stderr)
        return EXIT_STARTUP
    except TelegramError as error:
        print(f"passerelle: the Bot API refused to start: {_safe(error, config)}", file=sys.stderr)
        return EXIT_STARTUP
    return 0


ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "chat_join_request", "my_chat_member"]


def _safe(error: BaseException, config: Config) -> str:
    return str(error).replace(config.token, "<token>") if config.token else str(error)


def _check_db_path(config: Config) -> None:
    """Fail before contacting Telegram when the database cannot be opened for writing."""
    connection = sqlite3.connect(config.db_path, timeout=5)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
    finally:
        connection.close()


async def migrate_only(config: Config) -> int:
    from bot.storage import migrate
    from bot.storage.database import Database

    try:
        db = await Database.open(config.db_path)
    except sqlite3.Error as error:
        print(f"passerelle: cannot use the database {config.db_path}: {error}", file=sys.stderr)
        return EXIT_STARTUP
    try:
        applied = await migrate.migrate(db, resources.migrations_dir())
    finally:
        await db.close()
    print(f"{len(applied)} migration(s) applied." if applied else "The database is up to date.")
    return 0


async def import_invite(config: Config, args: argparse.Namespace) -> int:
    """passerelle invite --csv FILE: print the invite code, or every bad line and import nothing."""
    from bot.clock import SystemClock
    from bot.invite_import import create_listed_invite
    from bot.storage import migrate
    from bot.storage.database import Database

    try:
        text = open(args.csv, encoding="utf-8-sig").read()
    except OSError as error:
        print(f"passerelle: cannot read {args.csv}: {error.strerror}", file=sys.stderr)
        return EXIT_CONFIG
    db = await Database.open(config.db_path)
    try:
        await migrate.migrate(db, resources.migrations_dir())
        code, problems = await create_listed_invite(
            db, text, circle_slug=args.circle, territory=args.territory, uses=args.uses, days=args.days,
            now=SystemClock().now())
    finally:
        await db.close()
    if problems:
        print(f"passerelle: nothing imported from {args.csv}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"Invite code: {code}\nShare the link https://t.me/<your bot>?start={code}")
    return 0


def run_admin_command(config: Config, args: argparse.Namespace) -> int:
    """passerelle admin … | backup PATH | stats: a problem the operator can fix is printed, exit code 2."""
    from pathlib import Path

    from bot import admin

    try:
        if args.command == "backup":
            admin.backup(config.db_path, Path(args.path), force=args.force)
            print(f"Backup written to {args.path} (integrity check: ok).")
        elif args.command == "stats":
            asyncio.run(admin.stats(config.db_path))
        else:
            asyncio.run(admin.run_admin(config.db_path, args))
    except admin.AdminError as error:
        print(f"passerelle: {error}", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_CONFIG
    except sqlite3.Error as error:
        print(f"passerelle: cannot use the database {config.db_path}: {error}", file=sys.stderr)
        return EXIT_STARTUP
    return 0


if __name__ == "__main__":
    sys.exit(main())
