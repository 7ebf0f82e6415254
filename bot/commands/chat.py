"""`kyodo chat`: the whole conversation engine in the terminal.

The same ``handle`` the LINE worker calls, against the database in DATABASE_URL, so anyone can try
every flow on a fresh machine with no credentials. The terminal is a channel like LINE: its
adapter is handlers/terminal.py, composed with the engine by bot.app.chat. Imports wait for the
command to run (start-up speed of every other `kyodo` command).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "chat",
        help="talk to the bot in the terminal (every flow, same engine and database as LINE)",
        description="Talk to Kyodo Bot in the terminal. Type the number of a choice to tap it; "
        "「終了」, exit or Ctrl-D quits. The database is migrated automatically if needed.",
    )
    p.add_argument("--user", default=None, help="who you are in the chat (default: your login name)")
    p.add_argument(
        "--data-dir",
        default=None,
        help="knowledge data directory (default: $KYODO_KNOWLEDGE_DIR, else the shipped data)",
    )
    p.add_argument("--debug", action="store_true", help="log engine errors with tracebacks to stderr")
    p.set_defaults(func=_chat)


def _chat(args: argparse.Namespace) -> int:
    import knowledge
    from bot.app import chat
    from bot.commands.serve import check_data
    from bot.settings import Settings
    from bot.storage import migrate

    # Engine errors are answered politely in the chat; their tracebacks are for --debug.
    logging.basicConfig(level=logging.INFO if args.debug else logging.CRITICAL, stream=sys.stderr)
    if args.data_dir:
        knowledge.use_data_dir(args.data_dir)
    # A broken data file stops here with its cause (bot.cli prints it, exit 2), not later as
    # 「いま回答の準備ができていません」 on every question.
    check_data()
    settings = Settings.from_env()
    _ensure_schema(settings.database_url, migrate)
    name = (args.user or _login_name()).strip()[:60] or "guest"
    return chat(settings, f"cli:{name}", sys.stdin, sys.stdout)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "guest"


def _ensure_schema(url: str, migrate) -> None:
    """Bring the database to the latest schema, saying so (the same as `kyodo db upgrade`)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
    if migrate.current(url) != head:
        print("(データベースを準備しています: kyodo db upgrade)", file=sys.stderr)
        migrate.upgrade(url)
