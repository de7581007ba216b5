"""Command line: passerelle run | migrate | health | demo | invite | admin | backup | stats.

Every path ends in one line on stderr and a documented exit code, never a traceback (an import's bad lines
follow that line, one per line):

  0  done (`health`: healthy)
  1  `health`: unhealthy; any other command: an unexpected error (a bug: the line names the exception)
  2  a problem the operator can fix: configuration, arguments, an input file, a backup target, a missing database
  3  the bot cannot start or work: token refused, Bot API unreachable or answering nonsense, database unusable
  4  stopped itself: another instance polls with the same token (systemd: RestartPreventExitStatus=4)
  130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from collections.abc import Sequence
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot import logs, resources
from bot.config import Config, ConfigError
from bot.i18n import CatalogError, I18n
from bot.storage.migrate import MigrationError

EXIT_UNHEALTHY = EXIT_UNEXPECTED = 1
EXIT_CONFIG, EXIT_STARTUP = 2, 3
EXIT_CONFLICT = 4  # stopped itself: another process polls with the same token (systemd: RestartPreventExitStatus=4)
EXIT_INTERRUPTED = 130

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "chat_join_request", "my_chat_member"]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the command and where to find the valid values."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_CONFIG, f"{self.prog}: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from bot import admin

    parser = OneLineParser(prog="passerelle", description="Passerelle Telegram bot")
    parser.add_argument("--version", action="version", version=f"passerelle {version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot: long polling, or webhook mode when PASSERELLE_WEBHOOK_URL is set "
                               "(needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    health = sub.add_parser("health", help="exit 0 if the database is usable and Telegram answered the running "
                                           "bot recently, else print why and exit 1")
    health.add_argument("--max-age", type=admin.positive_int, default=300, metavar="SECONDS",
                        help="how long ago Telegram may last have answered the bot (default: 300)")
    demo = sub.add_parser("demo", help="run the bot against the bundled Bot API simulator and print a transcript")
    demo.add_argument("--db", help="SQLite file for the demo (default: a temporary file)")
    invite = sub.add_parser("invite", help="create an invite limited to the numbers of a CSV file (phone,organisation)")
    invite.add_argument("--csv", required=True, help="CSV file with a 'phone' column and optionally 'organisation'")
    admin.add_invite_options(invite, listed=True)
    admin.add_parsers(sub)
    return parser


def version() -> str:
    try:
        return metadata.version("passerelle")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    # RetryAfter.retry_after is a timedelta with this opt-in; without it PTB warns on every read.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except KeyboardInterrupt:
        print("passerelle: interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ConfigError as error:
        print(f"passerelle: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (CatalogError, MigrationError) as error:
        print(f"passerelle: {error}", file=sys.stderr)
        return EXIT_STARTUP
    except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
        print(f"passerelle: unexpected error ({type(error).__name__}: {error}); please report it.", file=sys.stderr)
        return EXIT_UNEXPECTED


def dispatch(args: argparse.Namespace) -> int:
    from bot import admin

    if args.command == "run":
        return run(Config.from_env(os.environ))
    if args.command == "demo":
        from bot.devtools.demo import run_demo

        try:
            return run_demo(db_path=args.db)
        except sqlite3.Error as error:
            print(f"passerelle: {database_problem(Path(args.db or 'demo.sqlite3'), error, '--db')}", file=sys.stderr)
            return EXIT_CONFIG
    config = Config.from_env(os.environ, require_token=False)
    try:
        if args.command == "migrate":
            return asyncio.run(migrate_only(config))
        if args.command == "health":
            return asyncio.run(check_health(config, timedelta(seconds=args.max_age)))
        if args.command == "invite":
            args.area, args.action = "members", "import"
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
        print(f"passerelle: {database_problem(config.db_path, error)}", file=sys.stderr)
        return EXIT_STARTUP
    return 0


def database_problem(db_path: Path, error: BaseException, setting: str = "PASSERELLE_DB") -> str:
    """'cannot use the database X: <why>', naming a missing folder rather than SQLite's vague words."""
    if db_path.is_dir():
        return f"cannot use the database {db_path}: it is a folder ({setting} must name the database file)"
    if not db_path.parent.is_dir():
        return f"cannot use the database {db_path}: the folder {db_path.parent} does not exist (check {setting})"
    return f"cannot use the database {db_path}: {error}"


def run(config: Config) -> int:
    """Long polling (or the webhook server) until SIGINT/SIGTERM; PTB runs post_init/post_shutdown around it."""
    from bot.app import build_application

    logs.configure(config.token)
    try:
        _check_db_path(config)
        application = build_application(config, i18n=I18n.load(resources.locales_dir()))
        try:
            _run_until_stopped(application, config)
        finally:
            _release_database(application)
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
            print(f"passerelle: cannot use {_os_subject(error, config)}: {_reason(error)}", file=sys.stderr)
        else:
            print(f"passerelle: cannot reach the Bot API at {config.api_url}: {_safe(error, config)}", file=sys.stderr)
        return EXIT_STARTUP
    except sqlite3.Error as error:
        print(f"passerelle: {database_problem(config.db_path, error)}", file=sys.stderr)
        return EXIT_STARTUP
    except TelegramError as error:
        print(f"passerelle: the Bot API refused to start: {_safe(error, config)}", file=sys.stderr)
        return EXIT_STARTUP
    except (CatalogError, MigrationError, KeyboardInterrupt):
        raise
    except Exception as error:  # noqa: BLE001 - e.g. a getMe answer PTB cannot parse (another Bot API server)
        print(f"passerelle: unexpected answer at start from the Bot API at {config.api_url} or the database "
              f"{config.db_path}: {type(error).__name__}: {_safe(error, config)}", file=sys.stderr)
        return EXIT_STARTUP
    return 0


def _run_until_stopped(application, config: Config) -> None:
    # bootstrap_retries=0: an unreachable API or a wrong token fails at start instead of retrying forever.
    if config.webhook_url is None:
        application.run_polling(bootstrap_retries=0, close_loop=False, allowed_updates=ALLOWED_UPDATES)
        return
    import secrets
    from urllib.parse import urlsplit

    # A new secret at every start: Telegram sends it back in X-Telegram-Bot-Api-Secret-Token with each update,
    # and PTB's webhook server refuses requests without it (only Telegram can post updates).
    application.run_webhook(listen=config.webhook_listen, port=config.webhook_port,
                            url_path=urlsplit(config.webhook_url).path.lstrip("/"), webhook_url=config.webhook_url,
                            secret_token=secrets.token_urlsafe(32), allowed_updates=ALLOWED_UPDATES,
                            bootstrap_retries=0, close_loop=False)


def _release_database(application) -> None:
    # PTB skips post_shutdown when its own shutdown fails (e.g. SIGTERM while the start still waits on Telegram);
    # the database must still be let go, or its worker thread keeps the process alive.
    services = application.bot_data.services
    if services._db is not None:
        services._db.stop_now()
        services.attach_db(None)


def _os_subject(error: OSError, config: Config) -> str:
    # The webhook server's port is the other OSError of a start (address in use, permission denied).
    if config.webhook_url is not None and error.filename is None and "address" in str(error).lower():
        return f"the webhook address {config.webhook_listen}:{config.webhook_port} (PASSERELLE_WEBHOOK_LISTEN/PORT)"
    return f"the database {config.db_path}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


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

    db = await Database.open(config.db_path)
    try:
        applied = await migrate.migrate(db, resources.migrations_dir())
    finally:
        await db.close()
    print(f"{len(applied)} migration(s) applied to {config.db_path}." if applied
          else f"The database {config.db_path} is up to date.")
    return 0


async def check_health(config: Config, max_age: timedelta) -> int:
    """`passerelle health`: one line on stdout, exit 0 when healthy; one line on stderr, exit 1 when not."""
    from bot import health
    from bot.admin import AdminError
    from bot.clock import SystemClock

    try:
        healthy, line = await health.check(config.db_path, SystemClock().now(), max_age)
    except AdminError as error:
        healthy, line = False, f"unhealthy: {error}"
    except sqlite3.Error as error:
        healthy, line = False, f"unhealthy: {database_problem(config.db_path, error)}"
    print(line, file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else EXIT_UNHEALTHY


if __name__ == "__main__":
    sys.exit(main())
