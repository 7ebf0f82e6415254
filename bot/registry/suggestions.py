"""Group -> division suggestions: made once per pair, refreshed only when something changed.

A division should hear about a group once, and again only when there is something new to say.
So each suggestion row records what it was computed from:

* ``group_fingerprint``: hash of the group's name, kind, fields and description;
* ``division_fingerprint``: ``Division.fingerprint`` from the matching library.

and each group records ``match_fingerprint``: the hash of its profile together with the whole
division catalogue (and ``Matcher.fingerprint``) at the last run. A run (``kyodo match --all``) skips every group whose
``match_fingerprint`` still holds, compared in memory, so an unchanged registry costs one
streaming read. Groups that changed (or all groups, when a division changed) are matched with
``Matcher.match_many`` in chunks, and their pairs are

* **new**: inserted with status ``new``;
* **refreshed**: a fingerprint, the rank, the score or the reasons differ (or the pair had
  gone stale): updated in place, ``status`` kept (a decision a division took is never undone);
* **unchanged**: same fingerprints and same result: not written at all;
* **stale**: no longer ranked: ``stale = true``, the row is kept with its status.

Writes are upserts on the (group_id, division_id) unique key (``INSERT .. ON CONFLICT DO
UPDATE``, on SQLite and PostgreSQL alike), so two runs at the same time can never create a
second row for a pair. Reads and writes are separate short transactions per chunk, so a run
never holds a read snapshot it would later have to upgrade to a write lock (SQLite).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Text, cast, func, select
from sqlalchemy.engine import Connection, Engine

from bot.registry import messages as msg
from bot.storage.db import utcnow, writing
from bot.storage.models import Group, Suggestion

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
        return msg.MATCH_ALL_SUMMARY.format(**asdict(self))


def group_fingerprint(name: str, kind: str, fields_json: str, description: str) -> str:
    """What a suggestion for this group depends on (not contact or owner).

    ``fields_json`` is the stored JSON text of the (sorted) field numbers. Called for every
    group on every run, so it is kept cheap: no JSON decoding, and a separator-joined string
    (the unit separator cannot occur in normalised text) rather than a JSON document.
    """
    payload = f"{name}\x1f{kind}\x1f{fields_json}\x1f{description}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def catalogue_fingerprint(matcher: _Matcher) -> str:
    """Changes whenever any division is added, removed or edited, or the matcher's own data
    (field words) or scoring version changes (``Matcher.fingerprint``)."""
    parts = sorted(f"{d.id}={d.fingerprint}" for d in matcher.divisions)
    parts.append(f"matcher={getattr(matcher, 'fingerprint', '')}")
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
        if pairs:
            rows = [
                (
                    gid,
                    div,
                    rank,
                    score,
                    fields_json,
                    reasons_json,
                    "new",
                    False,
                    gfp,
                    dfp,
                    stamp,
                    stamp,
                )
                for gid, div, rank, score, fields_json, reasons_json, gfp, dfp in pairs
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
    score: float
    content: str  # fields and reasons as stored (JSON text), compared as text


# A match as it travels back from a worker process: (division_id, score, fields JSON,
# reasons JSON). Serialised in the worker: strings are cheap to send, and the encoding work
# leaves the process that talks to the database.
_Pair = tuple[str, float, str, str]


@dataclass
class _Chunk:
    """One chunk of groups that need work, read and decided, waiting for its match results."""

    to_match: list[tuple[int, str, tuple[str, str, list[str]]]]  # (group id, group fp, profile)
    to_clear: list[int]  # groups whose pairs all go stale (flagged / nothing to match on)
    states: dict[int, str | None]  # group id -> new match_fingerprint
    existing: dict[int, dict[str, _Existing]]


def refresh_suggestions(
    engine: Engine,
    matcher: _Matcher,
    *,
    group_ids: Iterable[int] | None = None,
    top: int = DEFAULT_TOP,
    chunk: int = CHUNK,
    workers: int = 1,
    min_parallel: int = 4 * CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshSummary:
    """Bring the suggestions of all groups (or of ``group_ids``) up to date; see module doc.

    Matching is pure-Python CPU work and dominates a full run, so with ``workers > 1`` it runs
    in forked worker processes while this process keeps reading and writing the database:
    chunk k+1 is read and chunk k-1 written while chunk k is matched. The pool is started only
    once at least ``min_parallel`` groups turned out to need matching (a routine run after a
    few edits stays in-process).

    ``progress(done, total)`` is called after each chunk is read or written (groups looked at and
    finished so far, out of all groups to look at), e.g. for a progress line on a terminal.
    """
    started = time.perf_counter()
    summary = RefreshSummary()
    total = 0
    if progress is not None:
        if group_ids is not None:
            group_ids = list(group_ids)
            total = len(group_ids)
        else:
            with engine.connect() as conn:
                total = int(conn.scalar(select(func.count()).select_from(GROUPS)) or 0)
    unwritten = 0  # groups read but not yet written

    def write(item: _Chunk, results: list[list[_Pair]]) -> None:
        nonlocal unwritten
        _write_chunk(engine, item, results, top, division_fps, summary)
        unwritten -= len(item.to_match)
        if progress is not None:
            progress(summary.groups_total - unwritten, max(total, summary.groups_total))

    division_fps = {d.id: _fit(d.fingerprint) for d in matcher.divisions}
    # --top is part of what a run computed: asking for fewer divisions must stale the rest.
    catalogue_fp = f"{catalogue_fingerprint(matcher)}:top={top}"

    pool = None
    in_flight: deque[tuple[_Chunk, Any]] = deque()
    waiting: list[_Chunk] = []  # read before the pool was worth starting
    pending_groups = 0
    try:
        for item in _read_chunks(engine, group_ids, chunk, catalogue_fp, summary):
            unwritten += len(item.to_match)
            if progress is not None:
                progress(summary.groups_total - unwritten, max(total, summary.groups_total))
            if pool is None and workers > 1:
                waiting.append(item)
                pending_groups += len(item.to_match)
                if pending_groups < min_parallel:
                    continue
                pool = _start_pool(workers, matcher, engine)
                for w in waiting:
                    in_flight.append(
                        (w, pool.apply_async(_match_profiles, ([p for _, _, p in w.to_match], top)))
                    )
                waiting = []
            elif pool is not None:
                in_flight.append(
                    (item, pool.apply_async(_match_profiles, ([p for _, _, p in item.to_match], top)))
                )
            else:
                write(item, _match_in_process(matcher, item, top))
                continue
            # Keep the workers busy but memory bounded: at most workers + 1 chunks in flight.
            while len(in_flight) > workers or (in_flight and in_flight[0][1].ready()):
                done, result = in_flight.popleft()
                write(done, result.get())
        for item in waiting:  # never reached min_parallel: match here
            write(item, _match_in_process(matcher, item, top))
        while in_flight:
            done, result = in_flight.popleft()
            write(done, result.get())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    summary.seconds = time.perf_counter() - started
    return summary


def _read_chunks(
    engine: Engine,
    group_ids: Iterable[int] | None,
    chunk: int,
    catalogue_fp: str,
    summary: RefreshSummary,
) -> Iterator[_Chunk]:
    """Groups in id order (keyset pagination: constant cost per chunk), with the ones that need
    work decided in memory and their existing pairs loaded. Each read is its own short
    transaction."""
    wanted = sorted(set(group_ids)) if group_ids is not None else None
    cols = (
        GROUPS.c.id,
        GROUPS.c.name,
        GROUPS.c.kind,
        cast(GROUPS.c.fields, Text),  # decoded only for the groups that need matching
        GROUPS.c.description,
        GROUPS.c.duplicate_of_id,
        GROUPS.c.match_fingerprint,
    )
    last_id = 0
    while True:
        stmt = select(*cols).where(GROUPS.c.id > last_id).order_by(GROUPS.c.id).limit(chunk)
        if wanted is not None:
            batch_ids = [i for i in wanted if i > last_id][:chunk]
            if not batch_ids:
                return
            stmt = stmt.where(GROUPS.c.id.in_(batch_ids))
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if wanted is not None:
            last_id = batch_ids[-1]
        elif not rows:
            return
        else:
            last_id = rows[-1].id
        summary.groups_total += len(rows)

        item = _Chunk([], [], {}, {})
        for gid, name, kind, fields_json, description, duplicate_of_id, match_fp in rows:
            if duplicate_of_id is not None:
                summary.groups_flagged += 1
                if match_fp is not None:  # had suggestions before it was flagged
                    item.to_clear.append(gid)
                    item.states[gid] = None
                continue
            gfp = group_fingerprint(name, kind, fields_json, description)
            state = _state(gfp, catalogue_fp)
            if state == match_fp:
                summary.groups_unchanged += 1
                continue
            item.states[gid] = state
            fields = json.loads(fields_json) if fields_json else []
            if not (description or "").strip() and not fields:
                summary.groups_incomplete += 1
                item.to_clear.append(gid)
                continue
            item.to_match.append((gid, gfp, (name, description or "", [str(n) for n in fields or []])))
        if not item.states:
            continue

        item.existing = {gid: {} for gid in item.states}
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
                    SUGGESTIONS.c.score,
                    # CAST to text (psycopg would decode json): compared with the JSON a worker sent.
                    cast(SUGGESTIONS.c.fields, Text).label("fields_text"),
                    cast(SUGGESTIONS.c.reasons, Text).label("reasons_text"),
                ).where(SUGGESTIONS.c.group_id.in_(list(item.states)))
            ):
                item.existing[s.group_id][s.division_id] = _Existing(
                    s.id,
                    s.rank,
                    s.group_fingerprint,
                    s.division_fingerprint,
                    bool(s.stale),
                    s.score,
                    f"{s.fields_text}\n{s.reasons_text}",
                )
        yield item


# --- matching, in this process or in forked workers -------------------------------------------

_worker_matcher: Any = None


def _start_pool(workers: int, matcher: _Matcher, engine: Engine):
    """A fork pool: the children inherit the loaded matcher instead of rebuilding it."""
    import multiprocessing

    global _worker_matcher
    _worker_matcher = matcher
    ctx = multiprocessing.get_context("fork")
    return ctx.Pool(workers, initializer=_init_worker, initargs=(engine,))


def _init_worker(engine: Engine) -> None:
    # The parent's pooled connections were copied by fork: never use or close them here.
    engine.dispose(close=False)


def _match_profiles(profiles: list[tuple[str, str, list[str]]], top: int) -> list[list[_Pair]]:
    return _match_with(_worker_matcher, profiles, top)


def _match_in_process(matcher: _Matcher, item: _Chunk, top: int) -> list[list[_Pair]]:
    return _match_with(matcher, [p for _, _, p in item.to_match], top) if item.to_match else []


def _match_with(matcher: _Matcher, profiles: list[tuple[str, str, list[str]]], top: int) -> list[list[_Pair]]:
    """Plain tuples of strings out: cheap to send between processes."""
    from matching import GroupProfile

    results = matcher.match_many(
        [GroupProfile(name=n, description=d, fields=f) for n, d, f in profiles], top=top
    )
    dumps = _JSON.encode
    return [
        [
            (m.division_id, float(m.score), dumps(list(m.fields or [])), dumps(list(m.reasons or [])))
            for m in r.matches[:top]
        ]
        for r in results
    ]


# --- writing ------------------------------------------------------------------------------------


def _write_chunk(
    engine: Engine,
    item: _Chunk,
    results: list[list[_Pair]],
    top: int,
    division_fps: dict[str, str],
    summary: RefreshSummary,
) -> None:
    """Compare with the existing pairs in memory and write only the differences."""
    now = utcnow()
    upserts: list[tuple] = []
    stale_ids: list[int] = []
    new = refreshed = unchanged = 0
    fingerprint_of = division_fps.get
    for (gid, gfp, _), matches in zip(item.to_match, results, strict=True):
        pairs = item.existing[gid]
        if not pairs:  # the common case on a first run: everything is new
            new += len(matches)
            upserts.extend(
                (
                    gid,
                    division_id,
                    rank,
                    score,
                    fields_json,
                    reasons_json,
                    gfp,
                    fingerprint_of(division_id, ""),
                )
                for rank, (division_id, score, fields_json, reasons_json) in enumerate(matches, start=1)
            )
            continue
        ranked: set[str] = set()
        for rank, (division_id, score, fields_json, reasons_json) in enumerate(matches, start=1):
            ranked.add(division_id)
            dfp = fingerprint_of(division_id, "")
            old = pairs.get(division_id)
            if old is None:
                new += 1
            elif (
                old.group_fp == gfp
                and old.division_fp == dfp
                and old.rank == rank
                and not old.stale
                and old.score == score
                and old.content == f"{fields_json}\n{reasons_json}"
            ):
                # Same inputs and same result: nothing to write, nothing to tell anyone.
                unchanged += 1
                continue
            else:
                refreshed += 1
            upserts.append((gid, division_id, rank, score, fields_json, reasons_json, gfp, dfp))
        stale_ids.extend(p.id for d, p in pairs.items() if d not in ranked and not p.stale)
    summary.groups_matched += len(item.to_match)
    summary.new += new
    summary.refreshed += refreshed
    summary.unchanged += unchanged
    for gid in item.to_clear:
        stale_ids.extend(p.id for p in item.existing[gid].values() if not p.stale)
    summary.stale += len(stale_ids)
    # One short transaction per chunk, taking its turn with every other writer (SQLite).
    with writing(engine), engine.begin() as conn:
        _Writer(conn).write(now, upserts, stale_ids, item.states)


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


def missing_schema(exc: Exception) -> bool:
    """True when the tables (or a newer column) do not exist yet (`kyodo db upgrade` was not run)."""
    text = str(exc)
    return (
        "no such table" in text
        or "no such column" in text
        or ("does not exist" in text and ("relation" in text or "column" in text))
    )
