"""`kyodo --help` speaks one language (English, the operator's), and `kyodo db downgrade` exists
(issue 12, item 22)."""

from __future__ import annotations

import argparse
import re

from bot.cli import build_parser
from tests.bot.registry.test_cli import kyodo

KANA = re.compile("[\u3040-\u30ff]")  # hiragana and katakana: a Japanese sentence, not an example word


def _texts(parser: argparse.ArgumentParser, path: str = "kyodo"):
    yield path, parser.description or ""
    for action in parser._actions:
        yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help or ""
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"{path} {choice.dest}", choice.help or ""
            for name, sub in action.choices.items():
                yield from _texts(sub, f"{path} {name}")


def test_help_is_english_throughout():
    japanese = [(where, text) for where, text in _texts(build_parser()) if KANA.search(text)]
    assert japanese == []


def test_db_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert kyodo(url, tmp_path, "db", "upgrade").returncode == 0
    head = kyodo(url, tmp_path, "db", "current").stdout.strip()
    down = kyodo(url, tmp_path, "db", "downgrade")
    assert down.returncode == 0, down.stderr
    assert kyodo(url, tmp_path, "db", "current").stdout.strip() not in (head, "")
    assert kyodo(url, tmp_path, "db", "downgrade", "base").returncode == 0
    assert kyodo(url, tmp_path, "db", "current").stdout.strip() == "(empty)"
    assert kyodo(url, tmp_path, "db", "downgrade").returncode == 1
    assert kyodo(url, tmp_path, "db", "upgrade").returncode == 0
    assert kyodo(url, tmp_path, "db", "current").stdout.strip() == head
