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
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import anyio
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.db import transaction, utcnow
from bot.models.messaging import DeliveryAttempt, OutboxMessage
from bot.settings import Settings

log = logging.getLogger(__name__)


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

    # -- claiming (sync, in a worker thread) --------------------------------------------------

    def claim(self, now: datetime | None = None) -> list[Claimed]:
        now = now or utcnow()
        lease_until = now + timedelta(seconds=self.settings.delivery_lease_seconds)
        older = aliased(OutboxMessage)
        free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
        due = and_(
            OutboxMessage.channel == self.channel,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            free,
        )
        # Keep per-destination order: skip rows behind an older pending row for the same destination.
        blocked = exists().where(
            older.user_id == OutboxMessage.user_id,
            older.channel == OutboxMessage.channel,
            older.status == "pending",
            older.id < OutboxMessage.id,
        )
        claimed: list[Claimed] = []
        with transaction(self.factory) as session:
            ids = session.scalars(
                select(OutboxMessage.id)
                .where(due, ~blocked)
                .order_by(OutboxMessage.id)
                .limit(self.settings.delivery_batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for row_id in ids:
                taken = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, due)
                    .values(lease_until=lease_until, claimed_by=self.worker_id)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if taken != 1:
                    continue
                row = session.get(OutboxMessage, row_id, populate_existing=True)
                claimed.append(
                    Claimed(
                        id=row.id,
                        user_id=row.user_id,
                        reply_token=row.reply_token,
                        reply_token_expires_at=aware(row.reply_token_expires_at),
                        messages=row.messages,
                        retry_key=row.retry_key,
                        attempts=row.attempts,
                    )
                )
        return claimed

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
    ) -> str:
        """Store the attempt and the row's new state; returns the new status for logs/tests."""
        now = now or utcnow()
        with transaction(self.factory) as session:
            row = session.get(OutboxMessage, item.id, with_for_update=True)
            if row is None or row.status != "pending" or row.claimed_by != self.worker_id:
                # Our lease ran out and someone else took over: still record what we saw.
                session.add(
                    DeliveryAttempt(outbox_id=item.id, at=now, method=method, status_code=result.status,
                                    error=(result.error or "")[:2000] or None, duration_ms=duration_ms)
                )  # fmt: skip
                return row.status if row is not None else "gone"
            unknown_before = method == "reply" and self._unknown_reply_before(session, item.id)
            session.add(
                DeliveryAttempt(outbox_id=item.id, at=now, method=method, status_code=result.status,
                                error=(result.error or "")[:2000] or None, duration_ms=duration_ms)
            )  # fmt: skip
            row.attempts += 1
            row.lease_until = None
            row.claimed_by = None
            if result.ok:
                row.status, row.delivered_at = "delivered", now
                if result.already_accepted:
                    row.last_error = "push retry key already accepted by LINE (409): delivered earlier"
                return row.status
            row.last_error = (result.error or f"HTTP {result.status}")[:2000]
            if result.invalid_reply_token:
                expires = aware(row.reply_token_expires_at)
                if unknown_before and expires is not None and now < expires:
                    row.status, row.delivered_at = "delivered", now
                    row.last_error = (
                        "reply token already used by an earlier unanswered attempt: delivered then"
                    )
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

    async def _send(self, item: Claimed) -> str:
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
        status = await anyio.to_thread.run_sync(self.record, item, method, result, duration_ms)
        if not result.ok:
            log.warning(
                "outbox %d: %s failed (%s %s) -> %s", item.id, method, result.status, result.error, status
            )
        return status

    async def _send_in_order(self, items: list[Claimed]) -> list[str]:
        return [await self._send(item) for item in items]

    async def run_once(self) -> int:
        """Claim and send one batch; returns the number of rows attempted."""
        items = await anyio.to_thread.run_sync(self.claim)
        if not items:
            return 0
        by_dest: dict[str, list[Claimed]] = defaultdict(list)
        for item in items:
            by_dest[item.user_id].append(item)
        await asyncio.gather(*(self._send_in_order(group) for group in by_dest.values()))
        return len(items)

    def next_due_in(self, now: datetime | None = None) -> float | None:
        """Seconds until the earliest pending row becomes due (None if nothing is pending)."""
        now = now or utcnow()
        with self.factory() as session:
            nxt = session.scalar(
                select(OutboxMessage.next_attempt_at)
                .where(OutboxMessage.channel == self.channel, OutboxMessage.status == "pending")
                .order_by(OutboxMessage.next_attempt_at)
                .limit(1)
            )
        if nxt is None:
            return None
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
