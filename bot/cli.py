"""The `kyodo` command line. Each command group lives in its own module with a
``register(subparsers)`` function, so the CLI grows without one file becoming a bottleneck,
and heavy imports (SDKs, the knowledge index) happen only inside the command that needs them."""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = [
    "bot.commands.knowledge",  # ask
    "bot.commands.chat",  # chat (the conversation engine in the terminal)
    "bot.commands.matching",  # match
    "bot.commands.groups",  # groups import/list/export
    "bot.commands.db",  # db upgrade/current
    "bot.commands.data",  # data purge (personal-data retention)
    "bot.commands.staff",  # report, audit
    "bot.commands.serve",  # serve, worker (LINE webhook and delivery)
    "bot.commands.line",  # line richmenu
    "bot.commands.slack",  # slack socket/worker
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kyodo",
        description="Kyodo Bot: the city's collaboration guideline on LINE, Slack and the terminal",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.settings import Settings, SettingsError

    try:
        # One settings object for every command: the city's data directories mean the same in
        # `serve`, `worker`, `ask`, `chat`, `match`... (a command's --data-dir still overrides).
        Settings.from_env().use_data_dirs()
        return int(args.func(args) or 0)
    except SettingsError as exc:
        print(f"kyodo: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `kyodo ask --json - | head`
        sys.stderr.close()
        return 0
    except Exception as exc:
        if not is_data_error(exc):
            raise
        print(f"kyodo: {exc}", file=sys.stderr)
        return 2


def is_data_error(exc: BaseException) -> bool:
    """A data file staff edit is broken (knowledge or matching): the message names the file, the
    entry and the problem, so the CLI prints it and stops with status 2, without a traceback."""
    for name in ("knowledge.loader", "matching.loader"):
        module = sys.modules.get(name)  # not imported: the error cannot be one of its
        if module is not None and isinstance(exc, module.DataError):
            return True
    return False


if __name__ == "__main__":
    raise SystemExit(main())
