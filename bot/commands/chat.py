"""`kyodo chat`: a simple terminal question-and-answer loop over the knowledge answerer.

Deliberately small: a later issue replaces it with the full conversation engine (consultation
flows). Works with a terminal or with piped input (no TTY needed).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.commands.knowledge import add_data_dir_option, load_answerer

PROMPT = "あなた> "
GREETING = (
    "協働ボットです。小金井市協働推進基本指針について、お気軽にご質問ください。\n"
    "（番号を入力すると候補の質問を選べます。終わるときは「やめる」または exit と入力してください）"
)
GOODBYE = "ご利用ありがとうございました。"
QUIT_WORDS = frozenset({"やめる", "終わり", "おわり", "終了", "exit", "quit", "q"})


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="talk to the bot in the terminal")
    add_data_dir_option(p)
    p.set_defaults(func=_chat)


def _chat(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    from knowledge.normalize import normalize

    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = stdin.isatty()
    answerer = load_answerer(args.data_dir)
    if answerer is None:
        return 2
    choices: list[str] = []
    print(GREETING, file=out)
    while True:
        if interactive:
            out.write(PROMPT)
            out.flush()
        line = stdin.readline()
        if not line:  # Ctrl-D / end of input
            break
        text = normalize(line)
        if text.lower() in QUIT_WORDS:
            break
        if text.isdigit() and choices and 1 <= int(text) <= len(choices):
            text = choices[int(text) - 1]
            print(f"（{text}）", file=out)
        answer = answerer.answer(text)
        print(f"ボット> {answer.text}", file=out)
        choices = list(answer.suggestions)
        if choices:
            print("関連する質問:" if answer.answered else "候補:", file=out)
            for i, s in enumerate(choices, 1):
                print(f"  {i}. {s}", file=out)
        print("", file=out)
        out.flush()
    print(GOODBYE, file=out)
    return 0
