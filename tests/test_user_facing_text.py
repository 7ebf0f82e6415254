"""Everything a citizen or staff member reads is in the messages modules (issue 12, item 23): the
channels (handlers/), the notices, the staff side and the delivery path hold no Japanese sentence
of their own. Words the bot *reads* (command aliases, period words) are input vocabulary, listed
here. (The engine's flows keep their input words, e.g. はい/いいえ, next to the code that reads them.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KANA = re.compile("[\u3040-\u30ff]")
# Input vocabulary and markers the code looks for (not shown to anyone), by file.
READ_NOT_SHOWN = {
    "handlers/slack/listeners.py",  # /kyodo sub-command aliases (ヘルプ, 団体一覧, 所属 ...)
    "bot/staff/report.py",  # period words of `/kyodo report` (今週, 先月 ...)
    "bot/engine/citations.py",  # the answerer's own citation markers (（出典：)
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = getattr(node, "body", [])
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def japanese_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and KANA.search(node.value)
    ]


def test_no_japanese_sentences_outside_the_messages_modules():
    found = []
    paths = [
        *(ROOT / "handlers").rglob("*.py"),
        *(ROOT / "bot" / "staff").rglob("*.py"),
        *(ROOT / "bot" / "messaging").rglob("*.py"),
        ROOT / "bot" / "engine" / "notify.py",
        ROOT / "bot" / "app.py",
    ]
    for path in sorted(paths):
        rel = path.relative_to(ROOT).as_posix()
        if path.name == "messages.py" or rel in READ_NOT_SHOWN:
            continue
        found += [f"{rel}:{line}: {text[:40]}" for line, text in japanese_literals(path)]
    assert found == []
