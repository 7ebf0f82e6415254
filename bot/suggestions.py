"""Group -> division suggestions: made once per pair, refreshed only when something changed.

A division should hear about a group once, and again only when there is something new to say.
So each suggestion row records what it was computed from:

* ``group_fingerprint``: hash of the group's name, kind, fields and description;
* ``division_fingerprint``: ``Division.fingerprint`` from the matching library.

and each group records ``match_fingerprint``: the hash of its profile together with the whole
division catalogue at the last run. A run (``kyodo match --all``) skips every group whose
``match_fingerprint`` still holds, compared in memory, so an unchanged registry costs one
streaming read. Groups that changed (or all groups, when a division changed) are matched with
``Matcher.match_many`` in chunks, and their pairs are

* **new**: inserted with status ``new``;
* **refreshed**: fingerprints differ (or the pair had gone stale): score, reasons and
  fingerprints updated, ``status`` kept (a decision a division took is never undone);
* **unchanged**: same fingerprints and rank: not written at all;
* **stale**: no longer ranked: ``stale = true``, the row is kept with its status.

Writes are upserts on the (group_id, division_id) unique key (``INSERT .. ON CONFLICT DO
UPDATE``, on SQLite and PostgreSQL alike), so two runs at the same time can never create a
second row for a pair. Reads and writes are separate short transactions per chunk, so a run
never holds a read snapshot it would later have to upgrade to a write lock (SQLite).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.db import utcnow
from bot.models import Group, Suggestion

DEFAULT_TOP = 3
CHUNK = 2000

GROUPS = Group.__table__
SUGGESTIONS = Suggestion.__table__


class _Division(Protocol):
    id: str
    fingerprint: str


class _Matcher(Protocol):  # the part of matching.Matcher this module uses
    divisions: Sequence[_Division]

    def match_many(self, profiles: Sequence[Any], top: int = ...) -> list[Any]: ...


@dataclass
class RefreshSummary:
    groups_total: int = 0
    groups_matched: int = 0
    groups_unchanged: int = 0
    groups_flagged: int = 0  # flagged as probable duplicates: left out until a person decides
    groups_incomplete: int = 0  # neither description nor fields: nothing to match on
    new: int = 0
    refreshed: int = 0
    unchanged: int = 0
    stale: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data

    def text(self) -> str:
        from bot import registry_messages as msg

        return msg.MATCH_ALL_SUMMARY.format(**asdict(self))


def group_fingerprint(name: str, kind: str, fields: Iterable[int], description: str) -> str:
    """What a suggestion for this group depends on (not contact or owner).

    Called for every group on every run, so it is kept cheap: a separator-joined string
    (the unit separator cannot occur in normalised text) rather than a JSON document.
    """
    payload = f"{name}\x1f{kind}\x1f{sorted(fields or [])}\x1f{description}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def catalogue_fingerprint(matcher: _Matcher) -> str:
    """Changes whenever any division is added, removed or edited (or the matcher's version)."""
    import matching

    parts = sorted(f"{d.id}={d.fingerprint}" for d in matcher.divisions)
    parts.append(f"matching={getattr(matching, '__version__', '')}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _fit(fingerprint: str) -> str:
    """Store Division.fingerprint as is when it fits the column, else its SHA-256."""
    fingerprint = str(fingerprint)
    return fingerprint if len(fingerprint) <= 64 else hashlib.sha256(fingerprint.encode()).hexdigest()


def _state(group_fp: str, catalogue_fp: str) -> str:
    return hashlib.sha256(f"{group_fp}:{catalogue_fp}".encode()).hexdigest()


_JSON = json.JSONEncoder(ensure_ascii=False)


class _Writer:
    """Bulk writes as plain driver ``executemany`` calls.

    A run writes up to ~150,000 rows; going through SQLAlchemy's per-row parameter processing
    (JSON and datetime bind processors, compiled-parameter dictionaries) cost more than the
    database itself. The statements are the same on SQLite (>= 3.24) and PostgreSQL except for
    the placeholder style and an explicit ``::json`` cast; JSON is serialised here once per row
    and timestamps once per chunk, with the column types' own bind processors so the values
    read back exactly as the ORM wrote them.
    """

    _COLUMNS = (
        "group_id",
        "division_id",
        "rank",
        "score",
        "fields",
        "reasons",
        "status",
        "stale",
        "group_fingerprint",
        "division_fingerprint",
        "created_at",
        "updated_at",
    )
    _REFRESHED = (
        "rank",
        "score",
        "fields",
        "reasons",
        "stale",
        "group_fingerprint",
        "division_fingerprint",
        "updated_at",
    )

    def __init__(self, conn: Connection):
        dialect = conn.dialect
        if dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - both are tested
            raise RuntimeError(f"unsupported database: {dialect.name}")
        ph = "?" if dialect.paramstyle == "qmark" else "%s"
        json_ph = ph if dialect.name == "sqlite" else f"{ph}::json"
        values = ", ".join(json_ph if c in ("fields", "reasons") else ph for c in self._COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in self._REFRESHED)
        # status and created_at are left alone on conflict: a refresh never undoes a decision.
        self.upsert_sql = (
            f"INSERT INTO suggestions ({', '.join(self._COLUMNS)}) VALUES ({values}) "
            f"ON CONFLICT (group_id, division_id) DO UPDATE SET {updates}"
        )
        self.stale_sql = f"UPDATE suggestions SET stale = {ph}, updated_at = {ph} WHERE id = {ph}"
        # updated_at is not touched: a matching run is not an edit of the group.
        self.matched_sql = f"UPDATE groups SET match_fingerprint = {ph}, matched_at = {ph} WHERE id = {ph}"
        date_type = SUGGESTIONS.c.updated_at.type.dialect_impl(dialect)
        self._date = date_type.bind_processor(dialect) or (lambda v: v)
        self.conn = conn

    def write(
        self, now: datetime, pairs: list[tuple], stale_ids: list[int], states: dict[int, str | None]
    ) -> None:
        stamp = self._date(now)
        dumps = _JSON.encode
        if pairs:
            rows = [
                (
                    gid,
                    div,
                    rank,
                    score,
                    dumps(fields),
                    dumps(reasons),
                    "new",
                    False,
                    gfp,
                    dfp,
                    stamp,
                    stamp,
                )
                for gid, div, rank, score, fields, reasons, gfp, dfp in pairs
            ]
            self.conn.exec_driver_sql(self.upsert_sql, rows)
        if stale_ids:
            self.conn.exec_driver_sql(self.stale_sql, [(True, stamp, i) for i in stale_ids])
        if states:
            self.conn.exec_driver_sql(self.matched_sql, [(st, stamp, gid) for gid, st in states.items()])


@dataclass
class _Existing:
    id: int
    rank: int
    group_fp: str
    division_fp: str
    stale: bool


def refresh_suggestions(
    engine: Engine,
    matcher: _Matcher,
    *,
    group_ids: Iterable[int] | None = None,
    top: int = DEFAULT_TOP,
    chunk: int = CHUNK,
) -> RefreshSummary:
    """Bring the suggestions of all groups (or of ``group_ids``) up to date; see module doc."""
    from matching import GroupProfile

    started = time.perf_counter()
    summary = RefreshSummary()
    division_fps = {d.id: _fit(d.fingerprint) for d in matcher.divisions}
    catalogue_fp = catalogue_fingerprint(matcher)
    wanted = sorted(set(group_ids)) if group_ids is not None else None

    last_id = 0
    while True:
        # --- read one chunk of groups (keyset pagination: constant cost per chunk) ---
        cols = (
            GROUPS.c.id,
            GROUPS.c.name,
            GROUPS.c.kind,
            GROUPS.c.fields,
            GROUPS.c.description,
            GROUPS.c.duplicate_of_id,
            GROUPS.c.match_fingerprint,
        )
        stmt = select(*cols).where(GROUPS.c.id > last_id).order_by(GROUPS.c.id).limit(chunk)
        if wanted is not None:
            batch_ids = [i for i in wanted if i > last_id][:chunk]
            if not batch_ids:
                break
            stmt = stmt.where(GROUPS.c.id.in_(batch_ids))
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if wanted is not None:
            last_id = batch_ids[-1]
            if not rows:
                continue
        elif not rows:
            break
        else:
            last_id = rows[-1].id
        summary.groups_total += len(rows)

        # --- decide in memory which groups need work ---
        to_match: list[tuple[Any, str]] = []  # (row, group fingerprint)
        to_clear: list[Any] = []  # flagged duplicates / incomplete profiles with old state
        states: dict[int, str | None] = {}
        for row in rows:
            if row.duplicate_of_id is not None:
                summary.groups_flagged += 1
                if row.match_fingerprint is not None:
                    to_clear.append(row)
                    states[row.id] = None
                continue
            gfp = group_fingerprint(row.name, row.kind, row.fields, row.description)
            state = _state(gfp, catalogue_fp)
            if state == row.match_fingerprint:
                summary.groups_unchanged += 1
                continue
            states[row.id] = state
            if not (row.description or "").strip() and not row.fields:
                summary.groups_incomplete += 1
                to_clear.append(row)
                continue
            to_match.append((row, gfp))
        if not states:
            continue

        # --- existing pairs of the groups that need work ---
        existing: dict[int, dict[str, _Existing]] = {gid: {} for gid in states}
        with engine.connect() as conn:
            for s in conn.execute(
                select(
                    SUGGESTIONS.c.id,
                    SUGGESTIONS.c.group_id,
                    SUGGESTIONS.c.division_id,
                    SUGGESTIONS.c.rank,
                    SUGGESTIONS.c.group_fingerprint,
                    SUGGESTIONS.c.division_fingerprint,
                    SUGGESTIONS.c.stale,
                ).where(SUGGESTIONS.c.group_id.in_(list(states)))
            ):
                existing[s.group_id][s.division_id] = _Existing(
                    s.id, s.rank, s.group_fingerprint, s.division_fingerprint, bool(s.stale)
                )

        # --- match ---
        results = []
        if to_match:
            profiles = [
                GroupProfile(
                    name=r.name, description=r.description or "", fields=[str(n) for n in r.fields or []]
                )
                for r, _ in to_match
            ]
            results = matcher.match_many(profiles, top=top)
            summary.groups_matched += len(to_match)

        # --- plan the writes ---
        now = utcnow()
        upserts: list[tuple] = []
        stale_ids: list[int] = []
        for (row, gfp), result in zip(to_match, results, strict=True):
            pairs = existing[row.id]
            ranked: set[str] = set()
            for rank, m in enumerate(result.matches[:top], start=1):
                ranked.add(m.division_id)
                dfp = division_fps.get(m.division_id, "")
                old = pairs.get(m.division_id)
                if old is None:
                    summary.new += 1
                elif old.group_fp == gfp and old.division_fp == dfp and old.rank == rank and not old.stale:
                    summary.unchanged += 1
                    continue
                else:
                    summary.refreshed += 1
                upserts.append(
                    (
                        row.id,
                        m.division_id,
                        rank,
                        float(m.score),
                        list(m.fields or []),
                        list(m.reasons or []),
                        gfp,
                        dfp,
                    )
                )
            stale_ids.extend(p.id for d, p in pairs.items() if d not in ranked and not p.stale)
        for row in to_clear:
            stale_ids.extend(p.id for p in existing[row.id].values() if not p.stale)
        summary.stale += len(stale_ids)

        # --- write, in one short transaction per chunk ---
        with engine.begin() as conn:
            _Writer(conn).write(now, upserts, stale_ids, states)

    summary.seconds = time.perf_counter() - started
    return summary


def pending_suggestions(conn: Connection, division_id: str | None = None) -> list[Any]:
    """Suggestions not yet sent and still ranked: what a notifier should deliver next."""
    stmt = (
        select(SUGGESTIONS)
        .where(SUGGESTIONS.c.status == "new", SUGGESTIONS.c.stale.is_(False))
        .order_by(SUGGESTIONS.c.division_id, SUGGESTIONS.c.rank, SUGGESTIONS.c.id)
    )
    if division_id is not None:
        stmt = stmt.where(SUGGESTIONS.c.division_id == division_id)
    return list(conn.execute(stmt))


def count_suggestions(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(SUGGESTIONS)).scalar_one())


def run_match_all(args: argparse.Namespace) -> int:
    """`kyodo match --all [--top N] [--json]`: refresh every group's suggestions, print a summary."""
    from bot.db import make_engine
    from bot.settings import Settings
    from matching import Matcher

    top = getattr(args, "top", None) or DEFAULT_TOP
    engine = make_engine(Settings.from_env().database_url)
    try:
        matcher = Matcher.load()
        try:
            summary = refresh_suggestions(engine, matcher, top=top)
        except (OperationalError, ProgrammingError) as exc:
            if "groups" not in str(exc):
                raise
            print(
                "データベースの準備ができていません。先に `kyodo db upgrade` を実行してください。",
                file=sys.stderr,
            )
            return 2
    finally:
        engine.dispose()
    if getattr(args, "json", False):
        print(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        print(summary.text())
    return 0
