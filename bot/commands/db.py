"""`kyodo db upgrade|current`: apply or show the Alembic migrations."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database migrations")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION")
    dsub.required = True
    up = dsub.add_parser("upgrade", help="apply all migrations (safe to run repeatedly)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
    cur = dsub.add_parser("current", help="print the current schema revision")
    cur.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.storage import migrate

    settings = Settings.from_env()
    migrate.upgrade(settings.database_url, args.revision)
    print(f"database is at {migrate.current(settings.database_url)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    from bot.settings import Settings
    from bot.storage import migrate

    print(migrate.current(Settings.from_env().database_url) or "(empty)")
    return 0
