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
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.types import Incoming, Reply
from bot.messaging import inbox, outbox
from bot.messaging.delivery import Claimed, Delivery, Sender, aware
from bot.settings import Settings
from bot.storage.db import utcnow, write_transaction

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
    """Turns inbox rows into outbox rows.

    Under load several events share one transaction (``batch_size``): a transaction's fixed
    costs (session, lock hand-over, commit) were a large part of the CPU spent per event. Each
    event is still all-or-nothing: should anything go wrong inside a batch (an engine error,
    an event closed by another process meanwhile), the whole batch is rolled back and its
    events are processed again one per transaction, where a failing event is recorded and set
    aside on its own.
    """

    #: Events per transaction at most; kept small because on SQLite the webhook waits for it.
    batch_size = 4

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        handle: Handle | None = None,
        claim_as: str | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self._handle = handle
        # Set when another process shares an SQLite database (see bot.db.write_transaction).
        self.yield_between_events = 0.0
        # The worker id under which replies are born claimed (handed straight to this process's
        # delivery, see ``_answer``); None when this process does not deliver.
        self.claim_as = claim_as

    @property
    def handle(self) -> Handle:
        if self._handle is None:
            self._handle = engine_handle()
        return self._handle

    def _answer(
        self,
        session: Session,
        row_id: int,
        payload: dict[str, Any],
        received_at: datetime,
        now: datetime,
        claimed: list[Claimed],
    ) -> int:
        """Run the engine on one event and queue its replies; returns the outbox rows made.

        A reply is born leased to this process (and appended to ``claimed``, to be sent the
        moment the transaction commits) unless an older message for the same destination still
        waits: it then goes the usual way, claimed by the delivery loop in order. Sending it
        directly saves a claim transaction per event and the wait for the delivery loop to
        notice it; a crash before the send only delays it until the lease ends.
        """
        from handlers.line.render import render_replies
        from handlers.line.webhook import route_of, to_incoming

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
        if route.destination and route.destination != incoming.user_id:  # a group or room chat
            outbox.lock_destination(session, channel="line", user_id=route.destination)
        direct = self.claim_as is not None and not (
            route.destination and outbox.has_pending(session, channel="line", user_id=route.destination)
        )
        retry_key = str(uuid.uuid4())
        outbox_id = outbox.enqueue_reply(
            session,
            channel="line",
            user_id=route.destination,
            messages=messages,
            reply_token=route.reply_token,
            reply_token_expires_at=expires,
            inbox_event_id=row_id,
            claimed_by=self.claim_as if direct else None,
            lease_until=now + timedelta(seconds=self.settings.delivery_lease_seconds) if direct else None,
            retry_key=retry_key,
        )
        if direct:
            claimed.append(
                Claimed(
                    id=outbox_id,
                    user_id=route.destination,
                    reply_token=route.reply_token,
                    reply_token_expires_at=expires,
                    messages=messages,
                    retry_key=retry_key,
                    attempts=0,
                )
            )
        return 1

    def process_one(self, skip: set[int], claimed: list[Claimed]) -> tuple[int | None, int]:
        """Process the oldest unprocessed event. Returns (inbox id or None if idle, outbox rows
        made); replies born claimed are appended to ``claimed`` once committed."""
        now = utcnow()
        row_id = None
        mine: list[Claimed] = []
        try:
            with write_transaction(self.factory) as session:
                row = inbox.next_unprocessed(session, skip_ids=skip)
                if row is None:
                    return None, 0
                row_id = row.id
                made = self._answer(session, row.id, row.payload, aware(row.received_at), now, mine)
                if not inbox.mark_processed(session, row.id, now=now):
                    raise _AlreadyProcessed
            claimed.extend(mine)
            return row_id, made
        except _AlreadyProcessed:
            return row_id, 0
        except Exception as exc:
            if row_id is None:
                raise
            log.exception("inbox %d: processing failed", row_id)
            skip.add(row_id)
            with write_transaction(self.factory) as session:
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

    def process_several(self, limit: int, claimed: list[Claimed]) -> tuple[list[int], int] | None:
        """Process up to ``limit`` of the oldest events in ONE transaction. Returns (inbox ids,
        outbox rows made), or None when the batch was rolled back (the caller then processes
        those events one by one); an empty list when nothing is waiting. Replies born claimed
        are appended to ``claimed`` once committed."""
        ids: list[int] = []
        mine: list[Claimed] = []
        try:
            with write_transaction(self.factory) as session:
                rows = inbox.next_unprocessed_batch(session, limit)
                made = 0
                for row in rows:
                    ids.append(row.id)
                    now = utcnow()
                    made += self._answer(session, row.id, row.payload, aware(row.received_at), now, mine)
                    if not inbox.mark_processed(session, row.id, now=now):
                        raise _AlreadyProcessed
            claimed.extend(mine)
            return ids, made
        except Exception as exc:
            if not ids:
                raise
            if not isinstance(exc, _AlreadyProcessed):
                log.warning("inbox %s: batch rolled back (%s); one event at a time", ids, type(exc).__name__)
            return None

    def process_batch(
        self, limit: int = 50, on_made: Callable[[list[Claimed], int], None] | None = None
    ) -> tuple[int, int]:
        """Process up to ``limit`` events; returns (events handled, outbox rows made). After each
        transaction that queued messages, ``on_made(claimed, queued)`` gets the rows born claimed
        (to send now) and how many rows were queued in all (the rest wait for the delivery loop).
        Stops as soon as the queue is seen empty: no extra transaction just to find nothing."""
        skip: set[int] = set()
        done = made = 0
        single = False
        while done < limit:
            claimed: list[Claimed] = []
            if single or skip:
                row_id, n = self.process_one(skip, claimed)
                if row_id is None:
                    break
                done, single = done + 1, False
                drained = False
            else:
                want = min(self.batch_size, limit - done)
                result = self.process_several(want, claimed)
                if result is None:  # rolled back: the oldest event goes alone next time
                    single = True
                    continue
                ids, n = result
                done += len(ids)
                drained = len(ids) < want
            made += n
            if n and on_made is not None:
                on_made(claimed, n)
            if drained:
                break
            if self.yield_between_events:
                time.sleep(self.yield_between_events)  # let a waiting writer (the webhook) in
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
        self.processor = Processor(
            factory, settings, handle=handle, claim_as=self.name if sender is not None else None
        )
        if factory.kw["bind"].dialect.name == "sqlite":
            # Between two processing transactions, let a writer that waits for the database
            # (the webhook) in: our own lock is not fair, and without a pause the processing
            # thread could take it again at once, several times in a row.
            self.processor.yield_between_events = 0.0005
        self.delivery = (
            Delivery(factory, sender, settings, worker_id=self.name) if sender is not None else None
        )
        self.wake_processing = asyncio.Event()
        self.wake_delivery = asyncio.Event()
        self._in_flight: set[asyncio.Task] = set()  # sends under way
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
        loop = asyncio.get_running_loop()
        if self.processor._handle is None:  # the real engine: load its indexes before the first event
            try:
                from bot.engine import warm_up

                await anyio.to_thread.run_sync(warm_up)
            except Exception:
                log.exception("engine warm-up failed; the first event will load the libraries")

        def on_made(claimed: list[Claimed], queued: int) -> None:  # called from the processing thread
            loop.call_soon_threadsafe(self._hand_over, claimed, queued)

        limit = 50
        while not self._stopping.is_set():
            self.wake_processing.clear()  # cleared before looking, so a wake-up during the batch is kept
            try:
                done, _ = await anyio.to_thread.run_sync(self.processor.process_batch, limit, on_made)
            except Exception:
                log.exception("processing loop: database error; retrying")
                done = 0
            if done < limit:  # the queue was seen empty: wait for the next event (or a poll)
                await self._wait(self.wake_processing, self.settings.delivery_poll_seconds)

    def _hand_over(self, claimed: list[Claimed], queued: int) -> None:
        """Replies just committed by processing: send those born claimed at once; wake the
        delivery loop for the others (they wait behind an older message to the same user)."""
        if self.delivery is None:
            return
        for item in claimed:
            self._start_send(item)
        if queued > len(claimed):
            self.wake_delivery.set()

    def _start_send(self, item: Claimed) -> None:
        assert self.delivery is not None
        task = asyncio.create_task(self.delivery.send(item))
        self._in_flight.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())
            return
        status, successor = task.result()
        if successor or status == "pending":  # the next message for this user may go now / retry due
            self.wake_delivery.set()

    async def delivery_loop(self) -> None:
        """Claim due rows (retries, rows queued behind another, rows of other processes whose
        lease ended) and keep up to ``delivery_batch_size`` sends in flight; a slow or timing-out
        request holds only its own slot, never the rows behind it. Fresh replies mostly skip this
        loop: processing hands them over directly (``_hand_over``)."""
        assert self.delivery is not None
        delivery = self.delivery
        capacity = self.settings.delivery_batch_size
        while not self._stopping.is_set():
            self.wake_delivery.clear()
            claimed = 0
            free = capacity - len(self._in_flight)
            if free > 0:
                try:
                    items = await anyio.to_thread.run_sync(delivery.claim, None, free)
                except Exception:
                    log.exception("delivery loop: cannot claim; retrying")
                    items = []
                for item in items:
                    self._start_send(item)
                claimed = len(items)
                if 0 < claimed < free:
                    claimed = 0  # got everything that was due: wait instead of asking again at once
            if claimed == 0:
                wait = self.settings.delivery_poll_seconds
                try:
                    due_in = await anyio.to_thread.run_sync(delivery.next_due_in)
                except Exception:
                    due_in = None
                if due_in is not None:
                    wait = max(0.01, min(wait, due_in))
                await self._wait(self.wake_delivery, wait)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.settings.delivery_timeout_seconds + 2)

    def watch_fd(self, fd: int) -> None:
        """Wake processing whenever bytes arrive on ``fd`` (the web process writes one per stored
        webhook); stop when it closes (the web process is gone). Call inside the running loop."""
        loop = asyncio.get_running_loop()
        os.set_blocking(fd, False)
        if self.processor.factory.kw["bind"].dialect.name == "sqlite":
            self.processor.yield_between_events = 0.001

        def readable() -> None:
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                return
            if data:
                self.notify_inbox()
            else:
                loop.remove_reader(fd)
                log.info("worker %s: the web process closed the wake-up pipe; stopping", self.name)
                self.stop()

        loop.add_reader(fd, readable)

    def housekeeping(self, now: datetime | None = None) -> dict[str, int]:
        """Blank old payloads and message texts; let the engine purge users who left long ago."""
        now = now or utcnow()
        before = now - timedelta(days=self.settings.message_retention_days)
        done: dict[str, int] = {}
        with write_transaction(self.processor.factory) as session:
            done["inbox_payloads"] = inbox.purge_payloads(session, before=before)
            done["outbox_messages"] = outbox.purge_messages(session, before=before)
            if self.processor._handle is None:  # the real engine: its retention rules too
                from bot.engine.retention import purge_expired

                done["users"] = purge_expired(
                    session, now, timedelta(days=self.settings.message_retention_days)
                )
        return done

    async def housekeeping_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                done = await anyio.to_thread.run_sync(self.housekeeping)
                if any(done.values()):
                    log.info("housekeeping: %s", done)
            except Exception:
                log.exception("housekeeping failed; will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.housekeeping_interval_seconds)

    async def run(self) -> None:
        loops = [self.processing_loop(), self.housekeeping_loop()]
        if self.delivery is not None:
            loops.append(self.delivery_loop())
        else:
            log.warning(
                "worker %s: LINE is not configured; events are processed but nothing is sent", self.name
            )
        await asyncio.gather(*loops)
