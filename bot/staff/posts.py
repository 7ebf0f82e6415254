"""The Slack outbox: Web API calls written in the state change's transaction, sent by a loop.

Delivery claims due rows with a lease (a conditional UPDATE, safe with several processes), calls
the Slack Web API through a :class:`SlackSender` (handlers/slack.py), and

* on success records the message ts (and, for posts linked to a notification or handoff, tells
  :func:`bot.slack_service.record_posted`);
* on 429 waits exactly ``Retry-After`` seconds (Slack says when; guessing only earns more 429s);
* on 5xx or a timeout backs off exponentially and marks the row *uncertain*: Slack may have
  posted the message before failing. Every post carries message metadata naming its outbox row,
  so the next attempt first looks for that message in the channel and adopts it instead of
  posting a second copy. That is what makes delivery exactly-once rather than at-least-once;
* on a permanent error (channel_not_found, invalid_blocks, ...) marks the row failed and logs it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import anyio
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.slack_settings import SlackSettings
from bot.storage.db import transaction, utcnow
from bot.storage.models.staff import SlackOutbox

log = logging.getLogger(__name__)

METADATA_EVENT = "kyodo_outbox"


def enqueue(session: Session, method: str, payload: dict[str, Any], *, link: str = "") -> SlackOutbox:
    row = SlackOutbox(
        method=method, payload=payload, link=link, status="pending", attempts=0, next_attempt_at=utcnow()
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class CallResult:
    ok: bool
    ts: str | None = None
    status: int | None = None  # HTTP status; None when no answer (timeout, refused)
    error: str = ""
    retry_after: float | None = None

    @property
    def permanent(self) -> bool:
        """An error Slack will give again however often we retry."""
        return self.status is not None and self.status < 500 and self.status != 429


class SlackSender(Protocol):
    async def call(self, method: str, payload: dict[str, Any]) -> CallResult: ...

    async def find_posted(self, channel: str, outbox_id: int, oldest: float) -> str | None: ...


class SlackDelivery:
    def __init__(
        self,
        factory: sessionmaker[Session],
        sender: SlackSender,
        settings: SlackSettings,
        *,
        worker_id: str = "slack",
        on_delivered: Any = None,
    ) -> None:
        self.factory = factory
        self.sender = sender
        self.settings = settings
        self.worker_id = worker_id
        self.on_delivered = on_delivered  # callable(session, row) inside the delivered-transaction
        self.counters = {"delivered": 0, "retried": 0, "failed": 0, "adopted": 0, "attempts": 0}
        self._wake = asyncio.Event()
        self._stopping = False

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    # -- claiming ---------------------------------------------------------------------------------
    def _claim(self, now: datetime, limit: int = 20) -> list[tuple[int, str, dict, bool, datetime]]:
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        out = []
        with transaction(self.factory) as session:
            ids = session.scalars(
                select(SlackOutbox.id)
                .where(
                    SlackOutbox.status == "pending",
                    SlackOutbox.next_attempt_at <= now,
                    or_(SlackOutbox.lease_until.is_(None), SlackOutbox.lease_until < now),
                )
                .order_by(SlackOutbox.next_attempt_at, SlackOutbox.id)
                .limit(limit)
            ).all()
            for i in ids:
                got = session.execute(
                    update(SlackOutbox)
                    .where(
                        SlackOutbox.id == i,
                        SlackOutbox.status == "pending",
                        or_(SlackOutbox.lease_until.is_(None), SlackOutbox.lease_until < now),
                    )
                    .values(lease_until=lease)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if got:
                    row = session.get(SlackOutbox, i)
                    out.append((row.id, row.method, dict(row.payload), row.uncertain, row.created_at))
        return out

    # -- one pass ----------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Send everything due now; returns how many rows were handled."""
        now = utcnow()
        rows = await anyio.to_thread.run_sync(self._claim, now)
        if not rows:
            return 0
        await asyncio.gather(*(self._send(*r) for r in rows))
        return len(rows)

    async def _send(
        self, row_id: int, method: str, payload: dict, uncertain: bool, created: datetime
    ) -> None:
        payload = dict(payload)
        if method == "chat.postMessage":
            payload.setdefault(
                "metadata", {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": row_id}}
            )
        if method == "chat.postMessage" and uncertain:
            try:
                ts = await self.sender.find_posted(
                    payload.get("channel", ""), row_id, created.timestamp() - 60
                )
            except Exception as exc:  # cannot tell: try the lookup again later rather than risk a double
                log.warning("slack outbox %d: lookup failed: %s", row_id, exc)
                await anyio.to_thread.run_sync(self._retry, row_id, CallResult(False, error=str(exc)), True)
                return
            if ts:
                self.counters["adopted"] += 1
                await anyio.to_thread.run_sync(self._delivered, row_id, ts)
                return
        started = time.perf_counter()
        try:
            result = await asyncio.wait_for(self.sender.call(method, payload), self.settings.timeout_seconds)
        except TimeoutError:
            result = CallResult(False, error="timeout")
        except Exception as exc:  # network errors: no answer, may or may not have arrived
            result = CallResult(False, error=f"{type(exc).__name__}: {exc}")
        self.counters["attempts"] += 1
        log.debug(
            "slack outbox %d %s: %s in %.0f ms", row_id, method, result, (time.perf_counter() - started) * 1e3
        )
        if result.ok:
            await anyio.to_thread.run_sync(self._delivered, row_id, result.ts)
        elif result.permanent:
            await anyio.to_thread.run_sync(self._failed, row_id, result)
        else:
            # 429: Slack rejected it unseen. 5xx / no answer: it may have been posted.
            maybe_posted = result.status != 429
            await anyio.to_thread.run_sync(self._retry, row_id, result, maybe_posted)

    # -- outcomes ----------------------------------------------------------------------------------
    def _delivered(self, row_id: int, ts: str | None) -> None:
        with transaction(self.factory) as session:
            row = session.get(SlackOutbox, row_id)
            row.status, row.result_ts, row.delivered_at = "delivered", ts, utcnow()
            row.attempts += 1
            row.lease_until = None
            if row.link and ts:
                from bot.staff.service import record_posted

                record_posted(session, row.link, ts)
        self.counters["delivered"] += 1
        if self.on_delivered is not None:
            self.on_delivered(row_id)

    def _failed(self, row_id: int, result: CallResult) -> None:
        with transaction(self.factory) as session:
            row = session.get(SlackOutbox, row_id)
            row.status, row.last_error = "failed", f"{result.status}: {result.error}"
            row.attempts += 1
            row.lease_until = None
        self.counters["failed"] += 1
        log.error("slack outbox %d failed permanently: %s %s", row_id, result.status, result.error)

    def _retry(self, row_id: int, result: CallResult, maybe_posted: bool) -> None:
        s = self.settings
        with transaction(self.factory) as session:
            row = session.get(SlackOutbox, row_id)
            row.attempts += 1
            row.last_error = f"{result.status}: {result.error}"
            row.lease_until = None
            row.uncertain = row.uncertain or maybe_posted
            if row.attempts >= s.max_attempts:
                row.status = "failed"
                self.counters["failed"] += 1
                log.error(
                    "slack outbox %d gave up after %d attempts: %s", row_id, row.attempts, row.last_error
                )
                return
            if result.retry_after is not None:
                delay = result.retry_after
            else:
                delay = min(s.backoff_max_seconds, s.backoff_base_seconds * 2 ** (row.attempts - 1))
                delay *= random.uniform(0.8, 1.2)
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        self.counters["retried"] += 1

    # -- loop -----------------------------------------------------------------------------------
    async def next_due_in(self) -> float:
        def query() -> float:
            with self.factory() as session:
                nxt = session.scalar(
                    select(SlackOutbox.next_attempt_at)
                    .where(SlackOutbox.status == "pending")
                    .order_by(SlackOutbox.next_attempt_at)
                    .limit(1)
                )
            if nxt is None:
                return self.settings.poll_seconds
            if nxt.tzinfo is None:
                nxt = nxt.replace(tzinfo=UTC)
            return max(0.0, min(self.settings.poll_seconds, (nxt - utcnow()).total_seconds()))

        return await anyio.to_thread.run_sync(query)

    async def run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once()
                if handled:
                    continue
                wait = await self.next_due_in()
            except Exception:
                log.exception("slack delivery pass failed")
                wait = self.settings.poll_seconds
            self._wake.clear()
            with __import__("contextlib").suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(wait, 0.05))
