"""Outbox: messages to send, written in the same transaction as the state change that caused them.

One table for every channel (``channel`` says which sender delivers a row). Rows hold platform
messages already rendered (and checked against the platform's limits), so delivery never needs
the engine and a crash between processing and sending loses nothing.

Whoever queues a row in-process (the processing loop, a Slack click, the staff side's scan) wakes
the delivery loop when the transaction commits (:func:`on_queued`): a push queued by a click does
not wait for the next poll.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, event, func, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import utcnow
from bot.storage.models.messaging import OutboxMessage

_OUTBOX = OutboxMessage.__table__
# Built once (the hot path: one per answered event); values are bound per call.
_ENQUEUE = (
    insert(_OUTBOX)
    .values(
        status="pending",
        attempts=0,
        next_attempt_at=bindparam("now", type_=_OUTBOX.c.next_attempt_at.type),
        created_at=bindparam("now", type_=_OUTBOX.c.created_at.type),
    )
    .returning(_OUTBOX.c.id)
)
_PENDING_FOR = (
    select(_OUTBOX.c.id)
    .where(
        _OUTBOX.c.channel == bindparam("channel"),
        _OUTBOX.c.destination == bindparam("destination"),
        _OUTBOX.c.status == "pending",
    )
    .limit(1)
)
#: ``session.info`` key: channels that got rows in this transaction that no sender was handed.
_QUEUED = "kyodo.outbox.queued"


def enqueue(
    session: Session,
    *,
    channel: str,
    destination: str,
    messages: list[dict[str, Any]],
    reply_token: str | None = None,
    reply_token_expires_at: datetime | None = None,
    inbox_event_id: int | None = None,
    claimed_by: str | None = None,
    lease_until: datetime | None = None,
    retry_key: str | None = None,
    link: str = "",
) -> int:
    """Queue already-rendered messages (a reply while ``reply_token`` is valid, else a push to
    ``destination``). Returns the outbox row id. With ``claimed_by`` the row is born leased to
    that worker, which sends it itself; otherwise the delivery loop is woken at commit. ``link``
    names what the channel records the sent message's reference on (see Channel.delivered)."""
    params = {
        "channel": channel,
        "destination": destination,
        "reply_token": reply_token,
        "reply_token_expires_at": reply_token_expires_at,
        "messages": messages,
        "retry_key": retry_key or str(uuid.uuid4()),
        "inbox_event_id": inbox_event_id,
        "claimed_by": claimed_by,
        "lease_until": lease_until,
        "link": link,
        "uncertain": False,
        "now": utcnow(),
    }
    row_id = session.execute(_ENQUEUE, params).scalar_one()
    if claimed_by is None:
        session.info.setdefault(_QUEUED, set()).add(channel)
    return row_id


#: Destination prefix of a multicast row: one message to up to MULTICAST_MAX users (LINE's limit
#: per request). Its ``messages`` hold one envelope, ``{"type": "multicast", "to": [...],
#: "messages": [...]}``, so blanking a row's messages (retention, deletion) forgets its recipients.
MULTICAST_PREFIX = "multicast:"
MULTICAST_MAX = 500


def enqueue_multicast(
    session: Session, *, channel: str, key: str, to: list[str], messages: list[dict[str, Any]]
) -> list[int]:
    """Queue ``messages`` for ``to`` in rows of at most MULTICAST_MAX users, each with its own
    retry key (``key`` names the batch: destination ``multicast:<key>:<n>``). Returns row ids."""
    ids: list[int] = []
    for n, start in enumerate(range(0, len(to), MULTICAST_MAX)):
        batch = to[start : start + MULTICAST_MAX]
        envelope = {"type": "multicast", "to": batch, "messages": messages}
        ids.append(
            enqueue(session, channel=channel, destination=f"{MULTICAST_PREFIX}{key}:{n}"[:100], messages=[envelope])
        )
    return ids


def multicast_of(destination: str, messages: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]] | None:
    """(recipients, messages) of a multicast row, or None for a reply/push row."""
    if not destination.startswith(MULTICAST_PREFIX):
        return None
    envelope = messages[0] if messages and isinstance(messages[0], dict) else {}
    to = envelope.get("to") if isinstance(envelope.get("to"), list) else []
    inner = envelope.get("messages") if isinstance(envelope.get("messages"), list) else []
    return [u for u in to if isinstance(u, str)], inner


def drop_multicast_recipient(session: Session, *, channel: str, user_id: str, pending_only: bool = False) -> int:
    """Take one user out of multicast rows: every row when their data is deleted, the queued ones
    when they unfollowed (nothing more is sent to them)."""
    stmt = select(_OUTBOX.c.id, _OUTBOX.c.messages, _OUTBOX.c.status).where(
        _OUTBOX.c.channel == channel, _OUTBOX.c.destination.like(f"{MULTICAST_PREFIX}%")
    )
    if pending_only:
        stmt = stmt.where(_OUTBOX.c.status == "pending")
    rows = session.execute(stmt).all()
    changed = 0
    for row in rows:
        msgs = row.messages or []
        if not msgs or not isinstance(msgs[0], dict) or user_id not in (msgs[0].get("to") or []):
            continue
        envelope = dict(msgs[0])
        envelope["to"] = [u for u in envelope["to"] if u != user_id]
        values: dict[str, Any] = {"messages": [envelope] if envelope["to"] else []}
        if not envelope["to"] and row.status == "pending":
            values.update(status="cancelled", last_error="no recipient left")
        session.execute(update(_OUTBOX).where(_OUTBOX.c.id == row.id).values(**values))
        changed += 1
    return changed


def on_queued(factory: sessionmaker[Session], notify: Callable[[set[str]], None]) -> None:
    """Call ``notify(channels)`` after every commit of ``factory``'s sessions that queued rows
    nobody was handed (from the committing thread: ``notify`` must be thread-safe)."""

    @event.listens_for(factory, "after_commit")
    def _committed(session: Session) -> None:
        channels = session.info.pop(_QUEUED, None)
        if channels:
            notify(channels)

    @event.listens_for(factory, "after_rollback")
    def _rolled_back(session: Session) -> None:
        session.info.pop(_QUEUED, None)


def lock_destination(session: Session, *, channel: str, destination: str) -> None:
    """Take turns with other workers queueing for the same destination until this transaction
    ends (PostgreSQL: a transaction-level advisory lock; SQLite has one writer anyway). The engine
    already locks a user's row; this is for group and room chats, where several members' events
    answer into one destination."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"outbox:{channel}:{destination}"},
        )


def has_pending(session: Session, *, channel: str, destination: str) -> bool:
    """Whether a message for this destination is still waiting: a newer one must go after it."""
    return session.execute(_PENDING_FOR, {"channel": channel, "destination": destination}).first() is not None


def backlog(session: Session, *, now: datetime) -> dict[str, Any]:
    """For monitoring (``/healthz``): messages waiting to be sent, how long the oldest has waited
    (seconds, 0 if none), and how many were given up on in the last 24 hours."""
    pending, oldest = session.execute(
        select(func.count(), func.min(_OUTBOX.c.created_at)).where(_OUTBOX.c.status == "pending")
    ).one()
    failed = session.scalar(
        select(func.count()).where(
            _OUTBOX.c.status == "failed", _OUTBOX.c.created_at >= now - timedelta(hours=24)
        )
    )
    if isinstance(oldest, str):  # SQLite returns min() of a datetime column as text
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    waited = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return {
        "outbox_pending": pending,
        "outbox_oldest_pending_seconds": round(waited, 1),
        "outbox_failed_24h": failed,
    }


def cancel_pending(session: Session, *, channel: str, destination: str, reason: str) -> int:
    """Stop everything still queued for a destination (the user unfollowed: pushes would fail)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.destination == destination,
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled", last_error=reason, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_messages(session: Session, *, before: datetime) -> int:
    """Blank the text of messages finished (delivered, failed, cancelled) before ``before``, and
    the citizen's id they were sent to (a Slack row's destination is a channel: kept)."""
    result = session.execute(
        update(_OUTBOX)
        .where(_OUTBOX.c.status != "pending", _OUTBOX.c.created_at < before)
        .values(
            messages=[],
            reply_token=None,
            destination=case((_OUTBOX.c.channel == "slack", _OUTBOX.c.destination), else_=""),
        )
    )
    return result.rowcount or 0


def forget_user(session: Session, *, channel: str, user_id: str) -> int:
    """Cancel and blank everything queued or sent to one user (for 「データを削除」)."""
    result = session.execute(
        update(_OUTBOX)
        .where(_OUTBOX.c.channel == channel, _OUTBOX.c.destination == user_id)
        .values(
            messages=[],
            reply_token=None,
            destination="",  # the user's id: nothing is sent here any more
            status=case((_OUTBOX.c.status == "pending", "cancelled"), else_=_OUTBOX.c.status),
        )
    )
    dropped = drop_multicast_recipient(session, channel=channel, user_id=user_id)
    return (result.rowcount or 0) + dropped
