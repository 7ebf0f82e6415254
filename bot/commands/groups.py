"""`kyodo groups import|list|export|show|delete|distinct`: the registry of groups for staff.

The CLI is a staff tool, so it acts with ``admin=True`` (owner checks are for LINE users).
Heavy imports (SQLAlchemy models, the matching library) happen inside the commands.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

from bot.registry import messages as msg


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("groups", help="the registry of groups: import, list, export, show, delete, distinct")
    gsub = p.add_subparsers(dest="groups_command", metavar="ACTION")
    gsub.required = True

    imp = gsub.add_parser(
        "import", help="import groups from a CSV file (name,kind,fields,description,contact)"
    )
    imp.add_argument("file", type=Path, help="a UTF-8 CSV file (a BOM is fine)")
    imp.add_argument("--owner", help="the owner recorded for the groups (default: import:<file name>)")
    imp.add_argument(
        "--skip-invalid", action="store_true", help="skip rows with problems and import the valid ones"
    )
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(func=_import)

    ls = gsub.add_parser("list", help="list the registered groups")
    ls.add_argument("--field", help="only groups of this field (number, short label or word, e.g. 環境保全)")
    ls.add_argument("--kind", help="only groups of this kind (e.g. NPO法人, 自治会)")
    ls.add_argument("--json", action="store_true", help="one JSON object per group and line")
    ls.add_argument(
        "--flagged", action="store_true", help="only groups flagged as probable duplicates (resolve with distinct or delete)"
    )
    ls.set_defaults(func=_list)

    exp = gsub.add_parser("export", help="write every group as CSV, in the import format")
    exp.add_argument("--output", "-o", type=Path, help="output file (default: standard output)")
    exp.set_defaults(func=_export)

    show = gsub.add_parser("show", help="show one group and its suggestions (JSON)")
    show.add_argument("id", type=int)
    show.set_defaults(func=_show)

    rm = gsub.add_parser("delete", help="delete a group and its suggestions (audited)")
    rm.add_argument("id", type=int)
    rm.set_defaults(func=_delete)

    dist = gsub.add_parser(
        "distinct", help="clear a possible-duplicate flag once the groups are known to differ (audited)"
    )
    dist.add_argument("id", type=int)
    dist.set_defaults(func=_distinct)


def _needs_schema(func):
    """Turn "no such table" into the polite hint to run `kyodo db upgrade` (exit status 2)."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from bot.registry.suggestions import missing_schema

        try:
            return func(args)
        except (OperationalError, ProgrammingError) as exc:
            if not missing_schema(exc):
                raise
            print(msg.DB_NOT_READY, file=sys.stderr)
            return 2

    return wrapper


def _factory():
    from bot.settings import Settings
    from bot.storage.db import make_engine, make_session_factory

    return make_session_factory(make_engine(Settings.from_env().database_url))


@_needs_schema
def _import(args: argparse.Namespace) -> int:
    from bot.registry import groups as registry
    from bot.staff.audit import audit, cli_actor
    from bot.storage.db import transaction

    if not args.file.is_file():
        print(msg.CLI_FILE_NOT_FOUND.format(path=args.file), file=sys.stderr)
        return 2
    from bot.commands.progress import Progress

    with transaction(_factory()) as session, Progress("groups import") as progress:
        result = registry.import_groups_csv(
            session, args.file, owner=args.owner, skip_invalid=args.skip_invalid, progress=progress
        )
        if result.imported:
            audit(
                session,
                cli_actor(),
                "groups_import",
                "file",
                args.file.name[:60],
                added=len(result.added),
                skipped=len({line for line, _ in result.report.problems}),
            )
        duplicates = [
            {
                "line": row.line,
                "id": a.group.id,
                "name": a.group.name,
                "duplicate_of_id": a.duplicate_of.id,
                "duplicate_of_name": a.duplicate_of.name,
            }
            for row, a in zip(result.report.rows, result.added, strict=False)
            if a.duplicate_of is not None
        ]
    problems = [{"line": line, "problem": p} for line, p in result.report.problems]
    if args.json:
        print(
            json.dumps(
                {
                    "imported": len(result.added) if result.imported else 0,
                    "problems": problems,
                    "duplicates": duplicates,
                },
                ensure_ascii=False,
            )
        )
    else:
        for item in problems:
            print(msg.CSV_LINE.format(line=item["line"], problem=item["problem"]), file=sys.stderr)
        if result.imported:
            if problems:
                print(msg.CSV_SKIPPED.format(count=len({p["line"] for p in problems})))
            print(msg.CSV_IMPORTED.format(count=len(result.added)))
            if duplicates:
                print(msg.CSV_DUPLICATES.format(count=len(duplicates)))
                for d in duplicates:
                    print(
                        msg.CLI_DUPLICATE_LINE.format(
                            line=d["line"],
                            name=d["name"],
                            id=d["id"],
                            other=d["duplicate_of_name"],
                            other_id=d["duplicate_of_id"],
                        )
                    )
        elif problems and not any(p["line"] == 1 for p in problems):
            print(msg.CSV_NOTHING_IMPORTED.format(count=len({p["line"] for p in problems})), file=sys.stderr)
    return 0 if result.imported else 1


@_needs_schema
def _list(args: argparse.Namespace) -> int:
    from bot.registry import groups as registry

    session = _factory()()
    try:
        try:
            groups = registry.list_groups(
                session, field_word=args.field, kind=args.kind, flagged=getattr(args, "flagged", False)
            )
            first = next(groups, None)
        except registry.InvalidGroup as exc:
            print("\n".join(exc.problems), file=sys.stderr)
            return 2
        if first is None:
            if not args.json:
                print(msg.CLI_NO_GROUPS)
            return 0
        labels = registry.field_labels()
        for group in _chain(first, groups):
            if args.json:
                print(json.dumps(_group_json(group, labels), ensure_ascii=False))
            else:
                flag = msg.CLI_FLAGGED.format(other_id=group.duplicate_of_id) if group.duplicate_of_id else ""
                fields = "、".join(labels.get(n, str(n)) for n in group.fields or [])
                print(f"{group.id}\t{group.name}\t{group.kind}\t{fields}{flag}")
    finally:
        session.close()
    return 0


def _chain(first, rest):
    yield first
    yield from rest


def _group_json(group, labels: dict[int, str]) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "kind": group.kind,
        "fields": list(group.fields or []),
        "field_labels": [labels.get(n, str(n)) for n in group.fields or []],
        "description": group.description,
        "contact": group.contact,
        "owner": group.owner,
        "duplicate_of_id": group.duplicate_of_id,
        "created_at": group.created_at.isoformat() if group.created_at else None,
        "updated_at": group.updated_at.isoformat() if group.updated_at else None,
    }


@_needs_schema
def _export(args: argparse.Namespace) -> int:
    from bot.registry import groups as registry

    session = _factory()()
    try:
        rows = registry.export_rows(session)
        if args.output:
            # utf-8-sig: Excel opens the file with the right encoding; import accepts the BOM.
            with args.output.open("w", encoding="utf-8-sig", newline="") as out:
                count = registry.write_groups_csv(rows, out)
            print(msg.CLI_EXPORTED.format(count=count, path=args.output), file=sys.stderr)
        else:
            registry.write_groups_csv(rows, sys.stdout)
    finally:
        session.close()
    return 0


@_needs_schema
def _show(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.registry import groups as registry
    from bot.storage.models import Suggestion

    session = _factory()()
    try:
        try:
            group = registry.get_group(session, args.id)
        except registry.GroupNotFound as exc:
            print(exc, file=sys.stderr)
            return 1
        data = _group_json(group, registry.field_labels())
        data["suggestions"] = [
            {
                "division_id": s.division_id,
                "rank": s.rank,
                "score": s.score,
                "status": s.status,
                "stale": s.stale,
                "reasons": s.reasons,
            }
            for s in session.scalars(
                select(Suggestion)
                .where(Suggestion.group_id == group.id)
                .order_by(Suggestion.stale, Suggestion.rank)
            )
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
    finally:
        session.close()
    return 0


@_needs_schema
def _delete(args: argparse.Namespace) -> int:
    from bot.app import slack_renderer
    from bot.registry import groups as registry
    from bot.staff.audit import audit, cli_actor
    from bot.staff.erasure import erase_groups
    from bot.storage.db import transaction

    slack_renderer()  # the opportunities' lists that named the group are rendered again
    try:
        with transaction(_factory()) as session:
            erase_groups(session, [args.id])  # its posts in the divisions' channels say it is gone
            registry.delete_group(session, args.id, actor="cli", admin=True)
            audit(session, cli_actor(), "group_delete", "group", args.id)
    except registry.GroupNotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    print(msg.CLI_DELETED.format(group_id=args.id))
    return 0


@_needs_schema
def _distinct(args: argparse.Namespace) -> int:
    from bot.registry import groups as registry
    from bot.staff.audit import audit, cli_actor
    from bot.storage.db import transaction

    try:
        with transaction(_factory()) as session:
            registry.clear_duplicate_flag(session, args.id, actor="cli", admin=True)
            audit(session, cli_actor(), "group_distinct", "group", args.id)
    except registry.GroupNotFound as exc:
        print(exc, file=sys.stderr)
        return 1
    print(msg.CLI_DISTINCT.format(group_id=args.id))
    return 0
