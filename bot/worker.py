"""The two loops behind the durable path: processing (inbox -> engine -> outbox) and delivery.

``kyodo serve`` runs them inside the web process (woken in-process the moment the webhook stores
an event); ``kyodo worker`` runs them alone, polling, for scale-out and recovery. Both are safe to
run in several processes against PostgreSQL: inbox rows are taken with SKIP LOCKED plus a
conditional update, outbox rows with a lease. On SQLite, run one process (plus the web server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot import inbox, outbox
from bot.db import transaction, utcnow
from bot.delivery import Delivery, Sender
from bot.engine.types import Incoming, Reply
from bot.settings import Settings

log = logging.getLogger(__name__)

Handle = Callable[..., list[Reply]]


def engine_handle() -> Handle:
    """The conversation engine's entry point, imported on first use (it loads the knowledge base)."""
    from bot.engine import handle

    return handle


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class _AlreadyProcessed(Exception):
    """Another process finished this event first: roll back ours."""


class Processor:
    """Turns inbox rows into outbox rows, one event per transaction."""

    def __init__(
        self, factory: sessionmaker[Session], settings: Settings, *, handle: Handle | None = None
    ) -> None:
        self.factory = factory
        self.settings = settings
        self._handle = handle

    @property
    def handle(self) -> Handle:
        if self._handle is None:
            self._handle = engine_handle()
        return self._handle

    def _answer(
        self, session: Session, row_id: int, payload: dict[str, Any], received_at: datetime, now: datetime
    ) -> int:
        from handlers.line import route_of, to_incoming
        from handlers.line_render import render_replies

        incoming: Incoming | None = to_incoming(payload)
        if incoming is None:
            return 0
        replies = self.handle(session, incoming, now=now)
        route = route_of(payload)
        if incoming.kind == "unfollow":
            cancelled = outbox.cancel_pending(
                session, channel="line", user_id=route.destination, reason="user unfollowed"
            )
            if cancelled:
                log.info("inbox %d: unfollow cancelled %d queued messages", row_id, cancelled)
        messages = render_replies(replies)
        if not messages or not (route.reply_token or route.destination):
            return 0
        # The reply token lives about a minute from the event; count from the earlier of the
        # event's own time and our receipt (a redelivered event's token is usually spent).
        start = min(t for t in (route.occurred_at, received_at) if t is not None)
        expires = (
            start + timedelta(seconds=self.settings.reply_token_ttl_seconds) if route.reply_token else None
        )
        outbox.enqueue_reply(
            session,
            channel="line",
            user_id=route.destination,
            messages=messages,
            reply_token=route.reply_token,
            reply_token_expires_at=expires,
            inbox_event_id=row_id,
        )
        return 1

    def process_one(self, skip: set[int]) -> tuple[int | None, int]:
        """Process the oldest unprocessed event. Returns (inbox id or None if idle, outbox rows made)."""
        from bot.delivery import aware

        now = utcnow()
        row_id = None
        try:
            with transaction(self.factory) as session:
                row = inbox.next_unprocessed(session, skip_ids=skip)
                if row is None:
                    return None, 0
                row_id = row.id
                made = self._answer(session, row.id, row.payload, aware(row.received_at), now)
                if not inbox.mark_processed(session, row.id, now=now):
                    raise _AlreadyProcessed
                return row_id, made
        except _AlreadyProcessed:
            return row_id, 0
        except Exception as exc:
            if row_id is None:
                raise
            log.exception("inbox %d: processing failed", row_id)
            skip.add(row_id)
            with transaction(self.factory) as session:
                gave_up = inbox.record_failure(
                    session,
                    row_id,
                    f"{type(exc).__name__}: {exc}",
                    max_attempts=self.settings.processing_max_attempts,
                    now=now,
                )
            if gave_up:
                log.error(
                    "inbox %d: set aside after %d failed attempts",
                    row_id,
                    self.settings.processing_max_attempts,
                )
            return row_id, 0

    def process_batch(self, limit: int = 50) -> tuple[int, int]:
        """Process up to ``limit`` events; returns (events handled, outbox rows made)."""
        skip: set[int] = set()
        done = made = 0
        for _ in range(limit):
            row_id, n = self.process_one(skip)
            if row_id is None:
                break
            done += 1
            made += n
        return done, made


class Worker:
    """Runs processing and delivery until ``stop()``; wakes immediately when told there is work."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        sender: Sender | None,
        *,
        handle: Handle | None = None,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.name = name or worker_id()
        self.processor = Processor(factory, settings, handle=handle)
        self.delivery = (
            Delivery(factory, sender, settings, worker_id=self.name) if sender is not None else None
        )
        self.wake_processing = asyncio.Event()
        self.wake_delivery = asyncio.Event()
        self._stopping = asyncio.Event()

    def notify_inbox(self) -> None:
        self.wake_processing.set()

    def stop(self) -> None:
        self._stopping.set()
        self.wake_processing.set()
        self.wake_delivery.set()

    async def _wait(self, event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(0.0, timeout))

    async def processing_loop(self) -> None:
        while not self._stopping.is_set():
            self.wake_processing.clear()  # cleared before looking, so a wake-up during the batch is kept
            try:
                done, made = await anyio.to_thread.run_sync(self.processor.process_batch)
            except Exception:
                log.exception("processing loop: database error; retrying")
                done = made = 0
            if made:
                self.wake_delivery.set()
            if done == 0:
                await self._wait(self.wake_processing, self.settings.delivery_poll_seconds)

    async def delivery_loop(self) -> None:
        assert self.delivery is not None
        while not self._stopping.is_set():
            self.wake_delivery.clear()
            try:
                sent = await self.delivery.run_once()
                due_in = None if sent else await anyio.to_thread.run_sync(self.delivery.next_due_in)
            except Exception:
                log.exception("delivery loop: error; retrying")
                sent, due_in = 0, None
            if sent == 0:
                wait = (
                    self.settings.delivery_poll_seconds
                    if due_in is None
                    else min(due_in, self.settings.delivery_poll_seconds)
                )
                await self._wait(self.wake_delivery, wait)

    async def run(self) -> None:
        loops = [self.processing_loop()]
        if self.delivery is not None:
            loops.append(self.delivery_loop())
        else:
            log.warning(
                "worker %s: LINE is not configured; events are processed but nothing is sent", self.name
            )
        await asyncio.gather(*loops)
