"""Delivery: claim due outbox rows, send them, record every attempt, retry or give up.

Claiming takes a lease (``lease_until``/``claimed_by``) in a short transaction, so several
workers (PostgreSQL: FOR UPDATE SKIP LOCKED) never send the same row at once, and a row whose
worker died is picked up again when its lease runs out. Sending happens outside any transaction.

Exactly once, as far as LINE lets us:
- reply while the token is valid; after that, or when LINE says the token is invalid, push
  with ``X-Line-Retry-Key`` = the row's retry key (LINE answers 409 to a key it has accepted);
- a reply whose outcome is unknown (timeout, 5xx) is retried with the same token: if LINE then
  says "Invalid reply token" while the token is still fresh, the first attempt went through, and
  the row is marked delivered instead of being pushed a second time.
Messages to the same destination go out in order: a row waits while an older row for the same
destination is still pending.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import anyio
from sqlalchemy import Integer, and_, bindparam, case, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.storage.db import utcnow, write_transaction
from bot.storage.models.messaging import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__
_ATTEMPTS = DeliveryAttempt.__table__

# The statements of a successful send, built once and executed with bound parameters
# (constructing them cost more CPU than running them).
_RECORD_ATTEMPT = insert(_ATTEMPTS)
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
    )
)
_SUCCESSOR = (
    select(_OUTBOX.c.id)
    .where(
        _OUTBOX.c.user_id == bindparam("user_id"),
        _OUTBOX.c.status == "pending",
        _OUTBOX.c.id > bindparam("row_id"),
    )
    .limit(1)
)


class Result(Protocol):
    ok: bool
    status: int | None
    error: str | None
    retryable: bool
    retry_after: float | None
    outcome_unknown: bool
    invalid_reply_token: bool
    already_accepted: bool


class Sender(Protocol):
    async def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> Result: ...
    async def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> Result: ...


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: str
    reply_token: str | None
    reply_token_expires_at: datetime | None
    messages: list[dict[str, Any]]
    retry_key: str
    attempts: int


def backoff_seconds(attempts: int, settings: Settings, rng: random.Random = random._inst) -> float:  # type: ignore[attr-defined]
    """Exponential with full jitter in [base*2^(n-1)/2, base*2^(n-1)], capped."""
    ceiling = min(
        settings.delivery_backoff_max_seconds,
        settings.delivery_backoff_base_seconds * 2 ** max(0, attempts - 1),
    )
    return ceiling / 2 + rng.random() * ceiling / 2


class Delivery:
    def __init__(
        self,
        factory: sessionmaker[Session],
        sender: Sender,
        settings: Settings,
        *,
        worker_id: str,
        channel: str = "line",
    ) -> None:
        self.factory = factory
        self.sender = sender
        self.settings = settings
        self.worker_id = worker_id
        self.channel = channel
        self._recorder: Any = None  # created on first send, inside the running event loop

    # -- claiming (sync, in a worker thread) --------------------------------------------------

    @functools.cached_property
    def _claim_statement(self):
        """Built once (SQLAlchemy spends milliseconds constructing this statement, microseconds
        running it); ``now``, ``lease_until``, ``worker`` and ``limit`` are bound per call."""
        now = bindparam("now", type_=_OUTBOX.c.next_attempt_at.type)
        older = _OUTBOX.alias()
        free = or_(_OUTBOX.c.lease_until.is_(None), _OUTBOX.c.lease_until < now)
        due = and_(
            _OUTBOX.c.channel == self.channel,
            _OUTBOX.c.status == "pending",
            _OUTBOX.c.next_attempt_at <= now,
            free,
        )
        # Keep per-destination order: skip rows behind an older pending row for the same destination.
        blocked = exists().where(
            older.c.user_id == _OUTBOX.c.user_id,
            older.c.channel == _OUTBOX.c.channel,
            older.c.status == "pending",
            older.c.id < _OUTBOX.c.id,
        )
        candidates = (
            select(_OUTBOX.c.id)
            .where(due, ~blocked)
            .order_by(_OUTBOX.c.id)
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
            )
            .returning(
                _OUTBOX.c.id,
                _OUTBOX.c.user_id,
                _OUTBOX.c.reply_token,
                _OUTBOX.c.reply_token_expires_at,
                _OUTBOX.c.messages,
                _OUTBOX.c.retry_key,
                _OUTBOX.c.attempts,
            )
            .execution_options(synchronize_session=False)
        )

    def claim(self, now: datetime | None = None, limit: int | None = None) -> list[Claimed]:
        now = now or utcnow()
        params = {
            "now": now,
            "lease_until": now + timedelta(seconds=self.settings.delivery_lease_seconds),
            "worker": self.worker_id,
            "limit": limit or self.settings.delivery_batch_size,
        }
        with write_transaction(self.factory) as session:
            rows = session.execute(self._claim_statement, params).all()
        claimed = [
            Claimed(
                id=r.id,
                user_id=r.user_id,
                reply_token=r.reply_token,
                reply_token_expires_at=aware(r.reply_token_expires_at),
                messages=r.messages,
                retry_key=r.retry_key,
                attempts=r.attempts,
            )
            for r in rows
        ]
        return sorted(claimed, key=lambda c: c.id)

    # -- recording (sync, in a worker thread) -------------------------------------------------

    def _unknown_reply_before(self, session: Session, outbox_id: int) -> bool:
        return (
            session.scalar(
                select(DeliveryAttempt.id)
                .where(
                    DeliveryAttempt.outbox_id == outbox_id,
                    DeliveryAttempt.method == "reply",
                    or_(DeliveryAttempt.status_code.is_(None), DeliveryAttempt.status_code >= 500),
                    DeliveryAttempt.error.is_not(None),
                    ~DeliveryAttempt.error.like("connection failed%"),
                )
                .limit(1)
            )
            is not None
        )

    def record(
        self, item: Claimed, method: str, result: Result, duration_ms: float, now: datetime | None = None
    ) -> tuple[str, bool]:
        """Store the attempt and the row's new state. Returns the new status, and whether a
        newer message for the same destination is waiting (it can go now that this one is done)."""
        with write_transaction(self.factory) as session:
            return self._record_in(session, (item, method, result, duration_ms, now))

    def _record_in(
        self, session: Session, call: tuple[Claimed, str, Result, float, datetime | None]
    ) -> tuple[str, bool]:
        item, method, result, duration_ms, now = call
        status = self._record(session, item, method, result, duration_ms, now or utcnow())
        successor = status != "pending" and (
            session.execute(_SUCCESSOR, {"user_id": item.user_id, "row_id": item.id}).first() is not None
        )
        return status, successor

    def _record(
        self, session: Session, item: Claimed, method: str, result: Result, duration_ms: float, now: datetime
    ) -> str:
        # Core statements (not the ORM unit of work) on this hot path: a success is two statements.
        session.execute(
            _RECORD_ATTEMPT,
            {
                "outbox_id": item.id,
                "at": now,
                "method": method,
                "status_code": result.status,
                "error": (result.error or "")[:2000] or None,
                "duration_ms": duration_ms,
            },
        )
        if result.ok:
            note = (
                "push retry key already accepted by LINE (409): delivered earlier"
                if result.already_accepted
                else None
            )
            done = session.execute(
                _MARK_DELIVERED, {"row_id": item.id, "worker": self.worker_id, "now": now, "note": note}
            ).rowcount
            if done == 1:
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
            fresh = expires is not None and now < expires
            if fresh and self._unknown_reply_before(session, item.id):
                row.status, row.delivered_at = "delivered", now
                row.last_error = "reply token already used by an earlier unanswered attempt: delivered then"
                return row.status
            row.reply_token = None  # push from now on, immediately
            row.next_attempt_at = now
            return self._cap(row)
        if result.retryable:
            delay = (
                result.retry_after
                if result.retry_after is not None
                else backoff_seconds(row.attempts, self.settings)
            )
            row.next_attempt_at = now + timedelta(
                seconds=min(delay, self.settings.delivery_backoff_max_seconds)
            )
            return self._cap(row)
        row.status = "failed"
        log.error("outbox %d: permanent failure (%s): %s", row.id, result.status, row.last_error)
        return row.status

    def _cap(self, row: OutboxMessage) -> str:
        if row.attempts >= self.settings.delivery_max_attempts:
            row.status = "failed"
            log.error("outbox %d: giving up after %d attempts: %s", row.id, row.attempts, row.last_error)
        return row.status

    # -- sending (async) ----------------------------------------------------------------------

    async def send(self, item: Claimed) -> tuple[str, bool]:
        """Send one claimed row; returns (new status, whether a newer row for the destination waits)."""
        now = utcnow()
        token_valid = item.reply_token is not None and (
            item.reply_token_expires_at is None or now < item.reply_token_expires_at
        )
        start = time.perf_counter()
        if token_valid:
            method = "reply"
            result = await self.sender.reply(item.reply_token, item.messages)
        elif item.user_id:
            method = "push"
            result = await self.sender.push(item.user_id, item.messages, item.retry_key)
        else:
            method = "push"
            result = _NoDestination()
        duration_ms = (time.perf_counter() - start) * 1000
        # Sends finishing together record their outcomes in one transaction (bot/group_commit.py).
        if self._recorder is None:
            from bot.storage.group_commit import GroupCommit

            self._recorder = GroupCommit(self.factory, self._record_in, name="delivery record")
        status, successor = await self._recorder.submit((item, method, result, duration_ms, None))
        if not result.ok:
            log.warning(
                "outbox %d: %s failed (%s %s) -> %s", item.id, method, result.status, result.error, status
            )
        return status, successor

    async def run_once(self) -> int:
        """Claim one batch and send it (at most one row per destination is ever claimable, so
        the rows go out concurrently); returns the number of rows attempted."""
        items = await anyio.to_thread.run_sync(self.claim)
        if items:
            await asyncio.gather(*(self.send(item) for item in items))
        return len(items)

    @functools.cached_property
    def _next_due_statement(self):
        older = _OUTBOX.alias()
        ready_at = case(
            (_OUTBOX.c.lease_until > _OUTBOX.c.next_attempt_at, _OUTBOX.c.lease_until),
            else_=_OUTBOX.c.next_attempt_at,
        )
        blocked = exists().where(
            older.c.user_id == _OUTBOX.c.user_id,
            older.c.channel == _OUTBOX.c.channel,
            older.c.status == "pending",
            older.c.id < _OUTBOX.c.id,
        )
        return select(func.min(ready_at)).where(
            _OUTBOX.c.channel == self.channel, _OUTBOX.c.status == "pending", ~blocked
        )

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


@dataclass(frozen=True)
class _NoDestination:
    ok: bool = False
    status: int | None = None
    error: str | None = "no push destination and no valid reply token"
    retryable: bool = False
    retry_after: float | None = None
    outcome_unknown: bool = False
    invalid_reply_token: bool = False
    already_accepted: bool = False
