"""`kyodo db upgrade|downgrade|current`: apply, undo or show the Alembic migrations."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database migrations: upgrade, downgrade, current")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    dsub.required = True
    up = dsub.add_parser("upgrade", help="apply all migrations (safe to run repeatedly)")
    up.add_argument("revision", nargs="?", default="head", help="target revision (default: head, the latest)")
    up.set_defaults(func=_upgrade)
    down = dsub.add_parser(
        "downgrade",
        help="undo migrations down to REV (default: -1, the last one); back up the database first",
        description="Undo migrations down to REV: a revision id, -N for N steps back, or base for "
        "an empty schema. Columns and tables a migration added are dropped with their data.",
    )
    down.add_argument(
        "revision", nargs="?", default="-1", metavar="REV", help="target revision (default: -1)"
    )
    down.set_defaults(func=_downgrade)
    cur = dsub.add_parser("current", help="print the current schema revision")
    cur.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.storage import migrate

    settings = Settings.from_env()
    migrate.upgrade(settings.database_url, args.revision)
    print(f"database is at {migrate.current(settings.database_url)}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.storage import migrate

    url = Settings.from_env().database_url
    if migrate.current(url) is None:
        print("kyodo: the database has no migrations to undo", file=sys.stderr)
        return 1
    migrate.downgrade(url, args.revision)
    print(f"database is at {migrate.current(url) or '(empty)'}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.storage import migrate

    print(migrate.current(Settings.from_env().database_url) or "(empty)")
    return 0
