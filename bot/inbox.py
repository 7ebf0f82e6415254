"""Inbox: every platform event is stored once, keyed by (platform, event id), before any work.

The unique key does the de-duplication: a redelivered event conflicts and is dropped inside the
database, so two web processes receiving the same redelivery at once still store it once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.models.messaging import InboxEvent

log = logging.getLogger(__name__)


def store_events(session: Session, platform: str, items: list[tuple[str, dict[str, Any]]]) -> tuple[int, int]:
    """Insert events; returns (stored, duplicates). Duplicates within ``items`` count too."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    stored = 0
    for event_id, payload in items:
        stmt = (
            insert(InboxEvent)
            .values(platform=platform, event_id=event_id, payload=payload, received_at=now, attempts=0)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        )
        stored += session.execute(stmt).rowcount or 0
    return stored, len(items) - stored


def next_unprocessed(session: Session, *, skip_ids: set[int] = frozenset()) -> InboxEvent | None:
    """Lock the oldest unprocessed event for this transaction (PostgreSQL: SKIP LOCKED, so
    several workers share the queue; SQLite ignores the lock and ``mark_started`` arbitrates)."""
    stmt = select(InboxEvent).where(InboxEvent.processed_at.is_(None)).order_by(InboxEvent.id).limit(1)
    if skip_ids:
        stmt = stmt.where(InboxEvent.id.not_in(skip_ids))
    return session.scalars(stmt.with_for_update(skip_locked=True)).first()


def mark_started(session: Session, event: InboxEvent) -> bool:
    """Count the attempt; False if another process finished the event meanwhile. This write also
    takes SQLite's write lock, so from here on this transaction owns the row."""
    result = session.execute(
        update(InboxEvent)
        .where(InboxEvent.id == event.id, InboxEvent.processed_at.is_(None))
        .values(attempts=InboxEvent.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_processed(session: Session, event_id: int, *, now: datetime, error: str | None = None) -> None:
    session.execute(
        update(InboxEvent)
        .where(InboxEvent.id == event_id)
        .values(processed_at=now, last_error=error)
        .execution_options(synchronize_session=False)
    )


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
