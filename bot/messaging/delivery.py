"""Delivery of one channel's outbox: claim due rows, send them, record every attempt, retry or
give up. The same code for every channel; what differs is the channel's sender and policy.

Claiming takes a lease (``lease_until``/``claimed_by``) in a short transaction, so several
workers (PostgreSQL: FOR UPDATE SKIP LOCKED) never send the same row at once. Sending happens
outside any transaction, after the lease is committed: the lease is the record of intent. A row
found still leased to another worker (its lease ran out, or bot/messaging/owners.py released it
because that worker is gone) is one whose send may have gone out without being recorded; it is
taken over as *uncertain*, and the sender asks the platform before sending again.

The rules, for every channel:
- success: the row is delivered (the channel may record the message's reference, e.g. a
  Slack post's ts, in the same transaction);
- 429: retried after ``Retry-After`` (the platform says when; guessing only earns more 429s);
- 5xx, timeouts, broken connections: retried with :func:`backoff_seconds`, and the row is marked
  *uncertain* (the request may have been carried out: the sender checks before sending again
  where the platform allows it);
- anything else: failed at once, and logged; after ``max_attempts`` too.
- LINE's reply tokens: "Invalid reply token" while the token is fresh and an earlier attempt was
  uncertain means that reply went through (a token works once): delivered, not pushed a second
  time; otherwise the row falls back to a push at once. A push is always sent with the row's
  retry key: LINE answers 409 to a key it accepted before, without delivering again, and 409
  counts as delivered (handlers/line/api.py).
In an ``ordered`` channel messages to one destination go out in order: a row waits while an
older row for the same destination is still pending.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import Integer, and_, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.messaging.channel import Channel, Claimed, SendResult
from bot.settings import DeliveryPolicy
from bot.storage.db import transaction, utcnow
from bot.storage.group_commit import GroupCommit
from bot.storage.models.messaging import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__

# The statements of a successful send, built once and executed with bound parameters
# (constructing them cost more CPU than running them).
_RECORD_ATTEMPT = insert(DeliveryAttempt.__table__)
_MARK_DELIVERED = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("row_id"),
        _OUTBOX.c.status == "pending",
        _OUTBOX.c.claimed_by == bindparam("worker"),
    )
    .values(
        status="delivered",
        delivered_at=bindparam("now", type_=_OUTBOX.c.delivered_at.type),
        attempts=_OUTBOX.c.attempts + 1,
        lease_until=None,
        claimed_by=None,
        last_error=bindparam("note", type_=_OUTBOX.c.last_error.type),
        result_ref=bindparam("ref", type_=_OUTBOX.c.result_ref.type),
    )
)
_SUCCESSOR = (
    select(_OUTBOX.c.id)
    .where(
        _OUTBOX.c.channel == bindparam("channel"),
        _OUTBOX.c.destination == bindparam("destination"),
        _OUTBOX.c.status == "pending",
        _OUTBOX.c.id > bindparam("row_id"),
    )
    .limit(1)
)


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def backoff_seconds(attempts: int, policy: DeliveryPolicy, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """The one backoff: exponential with jitter in [base*2^(n-1)/2, base*2^(n-1)], capped."""
    ceiling = min(policy.backoff_max_seconds, policy.backoff_base_seconds * 2 ** max(0, attempts - 1))
    return ceiling / 2 + rng.random() * ceiling / 2


class Delivery:
    """Claims, sends and records the rows of one channel, for one worker."""

    def __init__(self, factory: sessionmaker[Session], channel: Channel, *, worker_id: str) -> None:
        if channel.sender is None:
            raise ValueError(f"channel {channel.name} has no sender in this process")
        self.factory = factory
        self.channel = channel
        self.sender = channel.sender
        self.policy = channel.delivery
        self.worker_id = worker_id
        self._recorder: GroupCommit | None = None  # created on first send, inside the running loop

    # -- claiming (sync, in a worker thread) --------------------------------------------------

    def _blocked(self) -> Any:
        """Rows queued behind an older pending row for the same destination (ordered channels)."""
        older = _OUTBOX.alias()
        return exists().where(
            older.c.destination == _OUTBOX.c.destination,
            older.c.channel == _OUTBOX.c.channel,
            older.c.status == "pending",
            older.c.id < _OUTBOX.c.id,
        )

    @functools.cached_property
    def _claim_statement(self) -> Any:
        """Built once (SQLAlchemy spends milliseconds constructing this statement, microseconds
        running it); ``now``, ``lease_until``, ``worker`` and ``limit`` are bound per call."""
        now = bindparam("now", type_=_OUTBOX.c.next_attempt_at.type)
        free = or_(_OUTBOX.c.lease_until.is_(None), _OUTBOX.c.lease_until < now)
        due = and_(
            _OUTBOX.c.channel == self.channel.name,
            _OUTBOX.c.status == "pending",
            _OUTBOX.c.next_attempt_at <= now,
            free,
        )
        candidates = select(_OUTBOX.c.id).where(due)
        if self.channel.ordered:
            candidates = candidates.where(~self._blocked())
        candidates = (
            candidates.order_by(_OUTBOX.c.id)
            .limit(bindparam("limit", type_=Integer))
            .with_for_update(skip_locked=True)
        )
        # One statement: lease the due rows and read them back (UPDATE ... RETURNING works on
        # PostgreSQL and SQLite >= 3.35). ``due`` is re-checked on the row itself, so two workers
        # racing for a row on SQLite cannot both win it.
        return (
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(candidates.scalar_subquery()), due)
            .values(
                lease_until=bindparam("lease_until", type_=_OUTBOX.c.lease_until.type),
                claimed_by=bindparam("worker", type_=_OUTBOX.c.claimed_by.type),
                # A row still leased to someone else is one whose send was started (the lease is
                # the intent, committed before the request) and never recorded: it may have gone
                # out. Taking it over makes it uncertain (SET reads the old claimed_by).
                uncertain=case((_OUTBOX.c.claimed_by.is_not(None), True), else_=_OUTBOX.c.uncertain),
            )
            .returning(
                _OUTBOX.c.id,
                _OUTBOX.c.destination,
                _OUTBOX.c.reply_token,
                _OUTBOX.c.reply_token_expires_at,
                _OUTBOX.c.messages,
                _OUTBOX.c.retry_key,
                _OUTBOX.c.attempts,
                _OUTBOX.c.uncertain,
                _OUTBOX.c.created_at,
                _OUTBOX.c.link,
            )
            .execution_options(synchronize_session=False)
        )

    def claim(self, now: datetime | None = None, limit: int | None = None) -> list[Claimed]:
        now = now or utcnow()
        params = {
            "now": now,
            "lease_until": now + timedelta(seconds=self.policy.lease_seconds),
            "worker": self.worker_id,
            "limit": limit or self.policy.batch_size,
        }
        with transaction(self.factory) as session:
            rows = session.execute(self._claim_statement, params).all()
        claimed = [
            Claimed(
                id=r.id,
                channel=self.channel.name,
                destination=r.destination,
                reply_token=r.reply_token,
                reply_token_expires_at=aware(r.reply_token_expires_at),
                messages=r.messages,
                retry_key=r.retry_key,
                attempts=r.attempts,
                uncertain=bool(r.uncertain),
                created_at=aware(r.created_at),
                link=r.link,
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda c: c.id)

    # -- recording (sync, in a worker thread) -------------------------------------------------

    def _record_in(
        self, session: Session, call: tuple[Claimed, SendResult, float, datetime | None]
    ) -> tuple[str, bool]:
        item, result, duration_ms, now = call
        status = self._record(session, item, result, duration_ms, now or utcnow())
        successor = (
            self.channel.ordered
            and status != "pending"
            and session.execute(
                _SUCCESSOR, {"channel": item.channel, "destination": item.destination, "row_id": item.id}
            ).first()
            is not None
        )
        return status, successor

    def _record(
        self, session: Session, item: Claimed, result: SendResult, duration_ms: float, now: datetime
    ) -> str:
        # Core statements (not the ORM unit of work) on this hot path: a success is two statements.
        session.execute(
            _RECORD_ATTEMPT,
            {
                "outbox_id": item.id,
                "at": now,
                "method": result.method[:40],
                "status_code": result.status,
                "error": (result.error or "")[:2000] or None,
                "duration_ms": duration_ms,
            },
        )
        if result.ok:
            params = {
                "row_id": item.id,
                "worker": self.worker_id,
                "now": now,
                "note": result.note,
                "ref": result.ref,
            }
            if session.execute(_MARK_DELIVERED, params).rowcount == 1:
                self.channel.delivered(session, item, result)
                return "delivered"
        row = session.get(OutboxMessage, item.id, with_for_update=True)
        if row is None or row.status != "pending" or row.claimed_by != self.worker_id:
            # Our lease ran out and someone else took over: the attempt is recorded, nothing else.
            return row.status if row is not None else "gone"
        row.attempts += 1
        row.lease_until = None
        row.claimed_by = None
        row.last_error = (result.error or f"HTTP {result.status}")[:2000]
        if result.invalid_reply_token:
            expires = aware(row.reply_token_expires_at)
            if row.uncertain and expires is not None and now < expires:
                row.status, row.delivered_at = "delivered", now
                row.last_error = "reply token already used by an earlier unanswered attempt: delivered then"
                return row.status
            row.reply_token = None  # push from now on, immediately
            row.next_attempt_at = now
            return self._cap(row)
        if result.retryable:
            row.uncertain = row.uncertain or result.outcome_unknown
            delay = (
                result.retry_after
                if result.retry_after is not None
                else backoff_seconds(row.attempts, self.policy)
            )
            row.next_attempt_at = now + timedelta(seconds=min(delay, self.policy.backoff_max_seconds))
            return self._cap(row)
        row.status = "failed"
        log.error("outbox %d: permanent failure (%s): %s", row.id, result.status, row.last_error)
        return row.status

    def _cap(self, row: OutboxMessage) -> str:
        if row.attempts >= self.policy.max_attempts:
            row.status = "failed"
            log.error("outbox %d: giving up after %d attempts: %s", row.id, row.attempts, row.last_error)
        return row.status

    # -- sending (async) ----------------------------------------------------------------------

    async def send(self, item: Claimed) -> tuple[str, bool]:
        """Send one claimed row; returns (new status, whether a newer row for the destination waits)."""
        start = time.perf_counter()
        try:
            result = await self.sender.send(item)
        except Exception as exc:  # a sender bug: the request may or may not have gone out
            log.exception("outbox %d: sender failed", item.id)
            result = SendResult(
                ok=False, error=f"{type(exc).__name__}: {exc}", retryable=True, outcome_unknown=True
            )
        duration_ms = (time.perf_counter() - start) * 1000
        # Sends finishing together record their outcomes in one transaction (bot/storage/group_commit.py).
        if self._recorder is None:
            self._recorder = GroupCommit(
                self.factory, self._record_in, name=f"{self.channel.name} delivery record"
            )
        status, successor = await self._recorder.submit((item, result, duration_ms, None))
        if not result.ok:
            log.warning(
                "outbox %d: %s failed (%s %s) -> %s",
                item.id,
                result.method,
                result.status,
                result.error,
                status,
            )
        return status, successor

    async def run_once(self) -> int:
        """Claim one batch and send it (in an ordered channel at most one row per destination is
        claimable, so the rows go out concurrently); returns the number of rows attempted."""
        items = await anyio.to_thread.run_sync(self.claim)
        if items:
            await asyncio.gather(*(self.send(item) for item in items))
        return len(items)

    @functools.cached_property
    def _next_due_statement(self) -> Any:
        ready_at = case(
            (_OUTBOX.c.lease_until > _OUTBOX.c.next_attempt_at, _OUTBOX.c.lease_until),
            else_=_OUTBOX.c.next_attempt_at,
        )
        stmt = select(func.min(ready_at)).where(
            _OUTBOX.c.channel == self.channel.name, _OUTBOX.c.status == "pending"
        )
        return stmt.where(~self._blocked()) if self.channel.ordered else stmt

    def next_due_in(self, now: datetime | None = None) -> float | None:
        """Seconds until a pending row can next be claimed (its retry time, or the end of the
        lease of a row being sent); None if nothing is pending. Rows queued behind an older
        one for the same destination wait for that one and are not counted."""
        now = now or utcnow()
        with self.factory() as session:
            nxt = session.scalar(self._next_due_statement)
        if nxt is None:
            return None
        if isinstance(nxt, str):  # SQLite returns min() over a CASE as text
            nxt = datetime.fromisoformat(nxt)
        return max(0.0, (aware(nxt) - now).total_seconds())
