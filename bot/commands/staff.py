"""`kyodo report` (the guideline's evaluation figures, 第3章(3)) and `kyodo audit` (the staff
audit log): read-only staff tools on the database."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime, timedelta


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _since(text: str) -> datetime:
    """`--since 2026-12-01`, `--since 2026-12-01T09:00` (Japan time unless an offset is given),
    or `--since 7d` / `--since 12h`."""
    from bot.staff.views import JST

    t = text.strip()
    for unit, delta in (("d", "days"), ("h", "hours")):
        if t.endswith(unit) and t[:-1].isdigit():
            return datetime.now(UTC) - timedelta(**{delta: int(t[:-1])})
    try:
        at = datetime.fromisoformat(t)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date, a time or a span (2026-12-01, 2026-12-01T09:00, 7d, 12h): {text!r}"
        ) from None
    return (at if at.tzinfo else at.replace(tzinfo=JST)).astimezone(UTC)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="usage figures for the guideline's evaluation (chapter 3 (3)), by period",
        description="Usage figures for the guideline's evaluation (第3章(3)) over a period in Japan "
        "time (default: the last 30 days). Each citizen question is counted once.",
    )
    p.add_argument("--from", dest="start", type=_day, help="first day, YYYY-MM-DD (default: 30 days ago)")
    p.add_argument("--to", dest="end", type=_day, help="last day, YYYY-MM-DD (default: today)")
    p.add_argument("--csv", action="store_true", help="print CSV (item,count,rate) instead of text")
    p.set_defaults(func=_report)

    a = sub.add_parser(
        "audit",
        help="print the staff audit log (Slack decisions, FAQ edits, CLI actions)",
        description="The staff audit log, oldest first: time (Japan), actor, action, target, details.",
    )
    a.add_argument("--since", type=_since, help="from this date/time (Japan time) or span (7d, 12h)")
    a.add_argument("--limit", type=int, default=None, help="only the last N entries")
    a.add_argument("--json", action="store_true", help="one JSON object per line")
    a.set_defaults(func=_audit)


def _factory():
    from bot.settings import Settings
    from bot.storage.db import make_engine, make_session_factory

    return make_session_factory(make_engine(Settings.from_env().database_url))


def _with_schema(fn, *args):
    """Run ``fn(session, *args)`` read-only; a database never migrated gets the usual hint."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from bot.registry import messages as msg
    from bot.registry.suggestions import missing_schema

    try:
        with _factory()() as session:
            return fn(session, *args)
    except (OperationalError, ProgrammingError) as exc:
        if not missing_schema(exc):
            raise
        print(msg.DB_NOT_READY, file=sys.stderr)
        return None


def _report(args: argparse.Namespace) -> int:
    from bot.staff import report
    from bot.staff.views import JST

    today = datetime.now(JST).date()
    end = args.end or today
    start = args.start or (end - timedelta(days=29))
    if start > end:
        print(f"kyodo: --from {start} is after --to {end}", file=sys.stderr)
        return 2
    r = _with_schema(report.report, start, end)
    if r is None:
        return 2
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["from", "to", "item", "count", "rate"])
        for item, count, rate in r.rows():
            w.writerow([start.isoformat(), end.isoformat(), item, count, rate])
    else:
        print(r.text().replace("*", ""))
    return 0


def _audit(args: argparse.Namespace) -> int:
    from bot.staff import audit
    from bot.staff.views import JST

    def rows(session):
        return [
            {
                "at": e.at.astimezone(JST).isoformat(timespec="seconds")
                if e.at.tzinfo
                else e.at.replace(tzinfo=UTC).astimezone(JST).isoformat(timespec="seconds"),
                "actor": e.actor,
                "actor_name": e.actor_name,
                "action": e.action,
                "target": f"{e.target_kind}:{e.target_id}",
                "detail": e.detail or {},
            }
            for e in audit.entries(session, since=args.since, limit=args.limit)
        ]

    found = _with_schema(rows)
    if found is None:
        return 2
    for row in found:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            who = row["actor"] + (f" ({row['actor_name']})" if row["actor_name"] else "")
            detail = " ".join(f"{k}={v}" for k, v in row["detail"].items())
            print("\t".join([row["at"], who, row["action"], row["target"], detail]).rstrip())
    if not found and not args.json:
        print("(no entries)", file=sys.stderr)
    return 0
