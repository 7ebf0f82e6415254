"""`kyodo match`: match a group description to Koganei's divisions.

    kyodo match "公園の清掃ボランティア"           # readable ranking with reasons
    kyodo match --json --top 3 "子ども食堂"          # one JSON object
    kyodo match --json - < groups.jsonl              # one JSON object per input line, in order
    kyodo match --all                                # every registered group (bot.registry.suggestions)

The JSON-lines contract is stable: each output line is
{"name": str, "matches": [{"department", "division_id", "score", "fields", "reasons"}]}, best first;
a line that cannot be read yields {"name": ..., "matches": [], "error": "..."} and the stream goes on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

ERR_NOT_OBJECT = "1行に1つの JSON オブジェクトを書いてください"
ERR_BAD_JSON = "JSON として読めません: {detail}"
ERR_BAD_VALUE = "{key} の形式が正しくありません"
ERR_NO_DESCRIPTION = "説明文を指定してください（標準入力から読むときは - を指定します）"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "match",
        help="rank the city's divisions for a group's activities, with reasons",
        description="Rank the city's divisions for a group's description (or fields), with reasons.",
    )
    p.add_argument(
        "description",
        nargs="?",
        help="the description; - reads one JSON object per group and line from standard input",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--top",
        type=int,
        default=None,
        help="how many divisions to show (default: 5 for one group, 3 with -)",
    )
    p.add_argument("--field", action="append", default=[], metavar="FIELD", help="a field (may be repeated)")
    p.add_argument("--name", default="", help="the group's name")
    p.add_argument(
        "--all", action="store_true", help="match every registered group and store new suggestions"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.all:
        return run_match_all(args)
    if args.description is None and not args.field:
        print(ERR_NO_DESCRIPTION, file=sys.stderr)
        return 2
    if args.top is not None and args.top < 1:
        print("--top は1以上で指定してください", file=sys.stderr)
        return 2
    from matching import GroupProfile, Matcher

    matcher = Matcher.load()
    if args.description == "-":
        return _stream(matcher, sys.stdin, sys.stdout, args.top or 3)
    profile = GroupProfile(name=args.name, description=args.description or "", fields=list(args.field))
    result = matcher.match(profile, top=args.top or 5)
    if args.json:
        out = result.to_dict()
        if result.message:
            out["message"] = result.message
        if result.unknown_fields:
            out["unknown_fields"] = result.unknown_fields
        print(json.dumps(out, ensure_ascii=False))
        return 0
    _print_human(result)
    return 0


def _print_human(result) -> None:
    from matching.messages import unknown_field_message

    for word, candidates in result.unknown_fields.items():
        print(unknown_field_message(word, candidates))
    if result.message:
        print(result.message)
    for rank, m in enumerate(result.matches, start=1):
        print(f"{rank}. {m.department}  ({m.score:.2f})")
        for reason in m.reasons:
            print(f"   - {reason}")


def _profile_from_line(line: str):
    from matching import GroupProfile

    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(ERR_BAD_JSON.format(detail=exc.msg)) from None
    if not isinstance(obj, dict):
        raise ValueError(ERR_NOT_OBJECT)
    name, description, fields = obj.get("name") or "", obj.get("description") or "", obj.get("fields") or []
    if not isinstance(name, str):
        raise ValueError(ERR_BAD_VALUE.format(key="name"))
    if not isinstance(description, str):
        raise ValueError(ERR_BAD_VALUE.format(key="description"))
    if isinstance(fields, str):
        fields = [fields]
    if not isinstance(fields, list) or not all(
        isinstance(f, str | int) and not isinstance(f, bool) for f in fields
    ):
        raise ValueError(ERR_BAD_VALUE.format(key="fields"))
    return GroupProfile(name=name, description=description, fields=[str(f) for f in fields])


def _stream(matcher, stdin: TextIO, stdout: TextIO, top: int) -> int:
    """One JSON object in, one out, in order, flushed per line (usable as a co-process)."""
    for line in stdin:
        if not line.strip():
            continue
        try:
            profile = _profile_from_line(line)
        except ValueError as exc:
            name = ""
            try:
                obj = json.loads(line)
                if isinstance(obj, dict) and isinstance(obj.get("name"), str):
                    name = obj["name"]
            except json.JSONDecodeError:
                pass
            out = {"name": name, "matches": [], "error": str(exc)}
        else:
            out = matcher.match(profile, top=top).to_dict()
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def run_match_all(args: argparse.Namespace) -> int:
    """`kyodo match --all [--top N] [--json]`: refresh every group's suggestions, print a summary."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bot.registry import messages as msg
    from bot.registry.suggestions import DEFAULT_TOP, missing_schema, refresh_suggestions
    from bot.settings import Settings
    from bot.storage.db import make_engine
    from matching import Matcher

    top = DEFAULT_TOP if getattr(args, "top", None) is None else args.top
    if top < 1:
        print(msg.TOP_INVALID, file=sys.stderr)
        return 2
    from bot.commands.progress import Progress

    engine = make_engine(Settings.from_env().database_url)
    try:
        matcher = Matcher.load()
        try:
            with Progress("match --all") as progress:
                summary = refresh_suggestions(
                    engine, matcher, top=top, workers=min(os.cpu_count() or 1, 4), progress=progress
                )
        except (OperationalError, ProgrammingError) as exc:
            if not missing_schema(exc):
                raise
            print(msg.DB_NOT_READY, file=sys.stderr)
            return 2
    finally:
        engine.dispose()
    if getattr(args, "json", False):
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        print(summary.text())
    return 0
