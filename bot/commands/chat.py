"""`kyodo chat`: the whole conversation engine in the terminal.

The same ``handle`` the LINE worker calls, against the database in DATABASE_URL, so anyone can try
every flow on a fresh machine with no credentials. Choices are numbered: typing the number taps
the button (a postback, exactly as on LINE). Works with piped stdin, for scripts and tests.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from typing import TextIO

QUIT_WORDS = {"終了", "exit", "quit", ":q"}


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
        default=os.environ.get("KYODO_KNOWLEDGE_DIR") or None,
        help="knowledge data directory (default: the shipped data; env KYODO_KNOWLEDGE_DIR)",
    )
    p.add_argument("--debug", action="store_true", help="log engine errors with tracebacks to stderr")
    p.set_defaults(func=_chat)


def _chat(args: argparse.Namespace) -> int:
    from bot.engine import services
    from bot.settings import Settings
    from bot.storage import migrate

    # Engine errors are answered politely in the chat; their tracebacks are for --debug.
    logging.basicConfig(level=logging.INFO if args.debug else logging.CRITICAL, stream=sys.stderr)
    services.configure(data_dir=args.data_dir)
    settings = Settings.from_env()
    _ensure_schema(settings.database_url, migrate)
    name = (args.user or _login_name()).strip()[:60] or "guest"
    return run_chat(settings.database_url, f"cli:{name}", sys.stdin, sys.stdout)


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


class Renderer:
    """Turns replies into numbered text and remembers which number means which choice."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.options: list = []

    def show(self, replies) -> None:
        from bot.engine.citations import citation_line

        self.options = []
        for reply in replies:
            if reply.text:
                self._print("ボット> " + reply.text.replace("\n", "\n       "))
            citation = citation_line(reply.sources, reply.text)
            if citation:
                self._print("       " + citation)
            for card in reply.cards:
                head = f"  ┌ {card.title}" + (f"（{card.subtitle}）" if card.subtitle else "")
                self._print(head)
                for line in card.lines:
                    self._print(f"  │ {line}")
                if card.actions:
                    self._print("  └ " + "  ".join(self._number(a) for a in card.actions))
        choices = [c for r in replies for c in r.choices]
        if choices:
            self._print("  " + "  ".join(self._number(c) for c in choices))

    def _number(self, choice) -> str:
        self.options.append(choice)
        return f"[{len(self.options)}] {choice.label}"

    def pick(self, typed: str):
        """The choice for a typed number, or None."""
        from knowledge.normalize import normalize

        key = normalize(typed).strip()
        if key.isdigit() and 1 <= int(key) <= len(self.options):
            return self.options[int(key) - 1]
        return None

    def looks_like_number(self, typed: str) -> bool:
        """A short bare number (1-2 digits) while options are shown: meant as an option, not as
        text. Longer numbers (a phone number in the contact step) go to the bot as typed."""
        from knowledge.normalize import normalize

        key = normalize(typed).strip()
        return bool(self.options) and key.isdigit() and len(key) <= 2

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def run_chat(database_url: str, user_id: str, stdin: TextIO, stdout: TextIO) -> int:
    from datetime import UTC, datetime

    from bot.engine.router import handle
    from bot.engine.types import Incoming
    from bot.storage.db import make_engine, make_session_factory, transaction

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    renderer = Renderer(stdout)
    interactive = stdin.isatty() and stdout.isatty()

    def send(**kw) -> None:
        incoming = Incoming(channel="cli", user_id=user_id, **kw)
        with transaction(factory) as session:
            replies = handle(session, incoming, now=datetime.now(UTC))
        renderer.show(replies)

    try:
        print(
            "協働ボットとの会話です。番号を入力するとボタンを押したことになります。「終了」で終わります。",
            file=stdout,
        )
        send(kind="follow")
        while True:
            if interactive:
                try:
                    line = input("あなた> ")
                except EOFError:
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
                line = line.rstrip("\n")
                print(f"あなた> {line}", file=stdout)
            if line.strip() in QUIT_WORDS:
                break
            choice = renderer.pick(line)
            if choice is None and renderer.looks_like_number(line):
                # A mistyped option number is not a message to the bot (nor a group's name).
                print(f"（1〜{len(renderer.options)} の番号か、文字で入力してください）", file=stdout)
                continue
            if choice is not None and choice.data:
                send(kind="postback", data=choice.data)
            elif choice is not None:
                send(kind="text", text=choice.text or choice.label)
            else:
                send(kind="text", text=line)
    finally:
        engine.dispose()
    print("ご利用ありがとうございました。", file=stdout)
    return 0
