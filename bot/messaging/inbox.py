"""Inbox: every platform event is stored once, keyed by (platform, event id), before any work.

The unique key does the de-duplication: a redelivered event (LINE) or a retry (Slack) conflicts
and is dropped inside the database, so two web processes receiving the same redelivery at once
still store it once. One table and one set of functions for every channel.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Row, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.storage.db import utcnow
from bot.storage.models.messaging import InboxEvent

log = logging.getLogger(__name__)

# Core table: the hot paths below skip the ORM's unit of work (it cost more than the SQL itself).
_INBOX = InboxEvent.__table__

# Hot-path statements are built once and executed with bound parameters: SQLAlchemy spends
# longer constructing a statement (and computing its cache key) than SQLite spends running it.
_STORE = {
    name: insert(_INBOX)
    .values(
        platform=bindparam("platform"),
        event_id=bindparam("event_id"),
        payload=bindparam("payload", type_=_INBOX.c.payload.type),
        received_at=bindparam("received_at", type_=_INBOX.c.received_at.type),
        processed_at=bindparam("processed_at", type_=_INBOX.c.processed_at.type),
        attempts=0,
    )
    .on_conflict_do_nothing(index_elements=["platform", "event_id"])
    .returning(_INBOX.c.id)
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def _mark_processed(forget_payload: bool):
    values: dict[str, Any] = {
        "processed_at": bindparam("now", type_=_INBOX.c.processed_at.type),
        "attempts": _INBOX.c.attempts + 1,
        "last_error": None,
    }
    if forget_payload:
        values["payload"] = {}
    return (
        update(_INBOX)
        .where(_INBOX.c.id == bindparam("row_id"), _INBOX.c.processed_at.is_(None))
        .values(**values)
    )


_MARK_PROCESSED = {forget: _mark_processed(forget) for forget in (False, True)}


@functools.lru_cache(maxsize=8)
def _queue_statements(platforms: frozenset[str]) -> tuple[Any, Any]:
    """(oldest one, oldest ``limit``) unprocessed events of these platforms, locked (PostgreSQL:
    SKIP LOCKED, so several workers share the queue). Built once per set of platforms."""
    names = sorted(platforms)
    mine = _INBOX.c.platform == names[0] if len(names) == 1 else _INBOX.c.platform.in_(names)
    oldest = (
        select(_INBOX.c.id, _INBOX.c.platform, _INBOX.c.payload, _INBOX.c.received_at)
        .where(_INBOX.c.processed_at.is_(None), mine)
        .order_by(_INBOX.c.id)
        .limit(1)
    )
    batch = oldest.limit(bindparam("limit", type_=Integer)).with_for_update(skip_locked=True)
    return oldest, batch


def store_events(
    session: Session, platform: str, items: Iterable[tuple[str, dict[str, Any], bool]]
) -> tuple[int, int]:
    """Insert events as (event key, payload, needs work); returns (stored, duplicates).
    Duplicates within ``items`` count too. An event that needs no work is stored already
    processed, without its payload: its key alone drops later retries."""
    stmt = _STORE["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    now = utcnow()
    stored = total = 0
    for event_id, payload, needs_work in items:
        total += 1
        params = {
            "platform": platform,
            "event_id": event_id,
            "payload": payload if needs_work else {},
            "received_at": now,
            "processed_at": None if needs_work else now,
        }
        stored += len(session.execute(stmt, params).all())  # rowcount is -1 here on psycopg
    return stored, total - stored


def next_unprocessed(
    session: Session, platforms: frozenset[str], *, skip_ids: set[int] = frozenset()
) -> Row | None:
    """Lock the oldest unprocessed event of ``platforms`` for this transaction (PostgreSQL:
    SKIP LOCKED; SQLite ignores the lock and ``mark_processed`` arbitrates). Returns a row with
    ``id``, ``platform``, ``payload`` and ``received_at``."""
    oldest, _ = _queue_statements(platforms)
    if skip_ids:
        oldest = oldest.where(_INBOX.c.id.not_in(skip_ids))
    return session.execute(oldest.with_for_update(skip_locked=True)).first()


def next_unprocessed_batch(session: Session, platforms: frozenset[str], limit: int) -> list[Row]:
    """Lock up to ``limit`` of the oldest unprocessed events of ``platforms``, oldest first."""
    _, batch = _queue_statements(platforms)
    return list(session.execute(batch, {"limit": limit}).all())


def mark_processed(session: Session, event_id: int, *, now: datetime, forget_payload: bool = False) -> bool:
    """Close the event, last thing in the processing transaction. False if another process
    closed it meanwhile (the caller then rolls back, so its replies are never queued twice).

    Doing this last rather than first matters on SQLite: the first write takes the database's
    single write lock, and holding it through a slow engine call would stall every webhook.
    """
    return session.execute(_MARK_PROCESSED[forget_payload], {"row_id": event_id, "now": now}).rowcount == 1


def record_failure(session: Session, event_id: int, error: str, *, max_attempts: int, now: datetime) -> bool:
    """Note a failed processing attempt (in its own transaction, after the rollback). Returns
    True when the event is set aside for good (processed_at set, last_error kept for staff)."""
    row = session.get(InboxEvent, event_id)
    if row is None or row.processed_at is not None:
        return False
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= max_attempts:
        row.processed_at = now
        return True
    return False


def pending_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(InboxEvent).where(InboxEvent.processed_at.is_(None))
    )


def purge_payloads(session: Session, *, before: datetime) -> int:
    """Blank the payloads (the citizens' words) of events processed before ``before``; the rows
    stay, small, as a record that the event was received. Returns how many were blanked."""
    result = session.execute(
        update(_INBOX)
        .where(_INBOX.c.processed_at.is_not(None), _INBOX.c.processed_at < before)
        .values(payload={})
    )
    return result.rowcount or 0


def prune(session: Session, platform: str, *, before: datetime) -> int:
    """Delete processed events of ``platform`` received before ``before`` (channels that keep
    only a short record of what they handled: Slack, for dropping retries)."""
    result = session.execute(
        delete(_INBOX).where(
            _INBOX.c.platform == platform, _INBOX.c.processed_at.is_not(None), _INBOX.c.received_at < before
        )
    )
    return result.rowcount or 0


def forget_user(session: Session, platform: str, user_id: str) -> int:
    """Blank the stored events of one user at once (for 「データを削除」); returns how many."""
    result = session.execute(
        update(_INBOX)
        .where(_INBOX.c.platform == platform, _INBOX.c.payload["source"]["userId"].as_string() == user_id)
        .values(payload={})
    )
    return result.rowcount or 0
