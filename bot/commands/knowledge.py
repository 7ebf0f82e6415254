"""`kyodo ask`: answer questions about the collaboration guideline from the command line.

``kyodo ask --json -`` is a stable contract used by other tools: one question per input line, one
JSON object per output line, in order, flushed per line::

    {"question": str, "answered": bool, "text": str, "sources": [{"id": str, "title": str}],
     "score": float, "suggestions": [str], "faq_id", "reason", "kind", "activity", "lang"}

(fields after "suggestions" were added later, in that order, and are never removed; "lang" is the
language of the reply: "ja", "en" for English or romaji questions, "other" for other languages.)

The knowledge package is imported inside the command, so registering it costs nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="answer a question about the collaboration guideline",
        description="Answer questions about the collaboration guideline. With QUESTION -, read one "
        "question per line from standard input.",
    )
    p.add_argument("question", nargs="+", help="the question, or - to read one question per line from stdin")
    p.add_argument("--json", action="store_true", help="print JSON (one object per line with -)")
    add_data_dir_option(p)
    p.set_defaults(func=_ask)


def add_data_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir",
        default=None,
        help="directory with guideline.yaml, faq.yaml, synonyms.yaml (default: $KYODO_KNOWLEDGE_DIR, "
        "else the shipped data)",
    )


def load_answerer(data_dir: str | None):
    """The answerer, or None after printing every data problem to stderr."""
    from knowledge import Answerer, DataError

    try:
        return Answerer.load(data_dir)
    except DataError as exc:
        print(f"kyodo: {exc}", file=sys.stderr)
        return None


def _record(question: str, answer) -> dict[str, object]:
    return {"question": question, **answer.to_dict()}


def render_text(answer) -> list[str]:
    """Plain-text lines for a terminal: the answer, then its suggestions as numbered choices.

    (For an "unsure" answer the text already lists the candidates; the numbered list replaces it.)
    """
    from knowledge import messages

    if getattr(answer, "lang", "ja") == "en":
        from knowledge import messages_en as messages
    maybe = answer.reason in ("unsure", "doubt")  # もしかして, by the rules or the verifier
    if maybe and answer.suggestions:
        lines = [messages.UNSURE]
    else:
        lines = [answer.text]
        if answer.suggestions:
            lines += ["", messages.RELATED_HEADING]
    lines += [f"  {i}. {s}" for i, s in enumerate(answer.suggestions, 1)]
    last = answer.text.rsplit("\n", 1)[-1]
    # the "none of these?" line (it names the city's desk, so it is matched on how it starts)
    else_start = getattr(messages, "UNSURE_ELSE_START", None) or messages.UNSURE_ELSE[:20]
    if maybe and last.startswith(else_start):
        lines.append(last)
    return lines


def _print_human(answer, out: TextIO) -> None:
    print("\n".join(render_text(answer)), file=out)


def _ask(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    from knowledge import DataError

    try:
        return _ask_all(args, stdin, stdout)
    except DataError as exc:  # faq_en.yaml is read on the first English question
        print(f"kyodo: {exc}", file=sys.stderr)
        return 2


def _ask_all(args: argparse.Namespace, stdin: TextIO | None, stdout: TextIO | None) -> int:
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    answerer = load_answerer(args.data_dir)
    if answerer is None:
        return 2
    if args.question == ["-"]:
        for line in stdin:
            question = line.rstrip("\r\n")
            answer = answerer.answer(question)
            if args.json:
                out.write(json.dumps(_record(question, answer), ensure_ascii=False) + "\n")
            else:
                _print_human(answer, out)
                out.write("\n")
            out.flush()
        return 0
    question = " ".join(args.question)
    answer = answerer.answer(question)
    if args.json:
        out.write(json.dumps(_record(question, answer), ensure_ascii=False) + "\n")
    else:
        _print_human(answer, out)
    out.flush()
    return 0
