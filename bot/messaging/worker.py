"""The loops behind the durable path, for every channel at once: processing (inbox -> channel
-> outbox), one delivery loop per channel that sends from this process, and housekeeping.

``kyodo serve`` runs them inside the web process (woken in-process the moment a webhook stores
an event, or any code queues a message); ``kyodo worker`` runs them alone, woken through a pipe
by the web process, or polling, for scale-out and recovery. Both are safe to run in several
processes against PostgreSQL: inbox rows are taken with SKIP LOCKED plus a conditional update,
outbox rows with a lease. On SQLite, run one process (plus the web server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot.messaging import inbox, outbox
from bot.messaging.channel import Channel, Claimed
from bot.messaging.delivery import Delivery
from bot.messaging.owners import LeaseOwners
from bot.messaging.processing import Processor
from bot.messaging.wakeup import WAKE_INBOX, WAKE_OUTBOX
from bot.settings import Settings
from bot.storage.db import transaction, utcnow

log = logging.getLogger(__name__)

#: A chore for housekeeping, run in its transaction: ``chore(session, now, retention)`` returns
#: what it did as {name: count} (the engine's retention of users who left, composed in bot/app.py).
Chore = Callable[[Session, datetime, timedelta], dict[str, int]]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs processing and delivery until ``stop()``; wakes immediately when told there is work."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        channels: Sequence[Channel],
        *,
        chores: Sequence[Chore] = (),
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.name = name or worker_id()
        self.channels = {c.name: c for c in channels}
        self.chores = list(chores)
        self.deliveries = {
            c.name: Delivery(factory, c, worker_id=self.name) for c in channels if c.sender is not None
        }
        self.processor = Processor(
            factory,
            self.channels,
            max_attempts=settings.processing_max_attempts,
            claim_as=self.name if self.deliveries else None,
        )
        if factory.kw["bind"].dialect.name == "sqlite":
            # Between two processing transactions, let a writer that waits for the database
            # (the webhook) in: our own lock is not fair, and without a pause the processing
            # thread could take it again at once, several times in a row.
            self.processor.yield_between_events = 0.0005
        self.wake_processing = asyncio.Event()
        self.wake_delivery = {name: asyncio.Event() for name in self.deliveries}
        self._in_flight: dict[str, set[asyncio.Task]] = {name: set() for name in self.deliveries}
        self._stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # This worker as a lease owner, and the takeover of rows whose owner is gone.
        self.owners = LeaseOwners(factory, self.name)
        # Every commit of this process that queues a row nobody was handed wakes its delivery.
        outbox.on_queued(factory, self.notify_outbox)

    def notify_inbox(self) -> None:
        """A webhook stored an event (called on the event loop)."""
        self.wake_processing.set()

    def notify_outbox(self, channels: set[str] | None = None) -> None:
        """Rows were queued for ``channels`` (all when None). Thread-safe: called at commit, from
        whichever thread committed."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        names = self.wake_delivery.keys() if channels is None else channels & self.wake_delivery.keys()
        for name in names:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self.wake_delivery[name].set)

    def stop(self) -> None:
        self._stopping.set()
        self.wake_processing.set()
        for event in self.wake_delivery.values():
            event.set()

    async def _wait(self, event: asyncio.Event, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=max(0.0, timeout))

    async def processing_loop(self) -> None:
        loop = asyncio.get_running_loop()
        for channel in self.channels.values():  # e.g. the engine's indexes, before the first event
            try:
                await anyio.to_thread.run_sync(channel.warm_up)
            except Exception:
                log.exception("%s: warm-up failed; the first event will load what it needs", channel.name)

        def on_made(claimed: list[Claimed]) -> None:  # called from the processing thread
            loop.call_soon_threadsafe(self._hand_over, claimed)

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

    def _hand_over(self, claimed: list[Claimed]) -> None:
        """Replies just committed by processing and born claimed: send them at once."""
        for item in claimed:
            self._start_send(item)

    def _start_send(self, item: Claimed) -> None:
        task = asyncio.create_task(self.deliveries[item.channel].send(item))
        self._in_flight[item.channel].add(task)
        task.add_done_callback(lambda t, name=item.channel: self._sent(name, t))

    def _sent(self, channel: str, task: asyncio.Task) -> None:
        self._in_flight[channel].discard(task)
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())
            return
        status, successor = task.result()
        if successor or status == "pending":  # the next message for this user may go now / retry due
            self.wake_delivery[channel].set()

    async def delivery_loop(self, channel: str) -> None:
        """Claim due rows of ``channel`` (retries, rows queued behind another, rows of other
        processes whose lease ended) and keep up to the channel's batch size of sends in flight; a
        slow or timing-out request holds only its own slot, never the rows behind it. Fresh
        replies mostly skip this loop: processing hands them over directly (``_hand_over``)."""
        delivery = self.deliveries[channel]
        wake, in_flight, policy = self.wake_delivery[channel], self._in_flight[channel], delivery.policy
        capacity = policy.batch_size
        while not self._stopping.is_set():
            wake.clear()
            claimed = 0
            free = capacity - len(in_flight)
            if free > 0:
                try:
                    items = await anyio.to_thread.run_sync(delivery.claim, None, free)
                except Exception:
                    log.exception("%s delivery loop: cannot claim; retrying", channel)
                    items = []
                for item in items:
                    self._start_send(item)
                claimed = len(items)
                if 0 < claimed < free:
                    claimed = 0  # got everything that was due: wait instead of asking again at once
            if claimed == 0:
                wait = policy.poll_seconds
                try:
                    due_in = await anyio.to_thread.run_sync(delivery.next_due_in)
                except Exception:
                    due_in = None
                if due_in is not None:
                    wait = max(0.01, min(wait, due_in))
                await self._wait(wake, wait)
        if in_flight:
            await asyncio.wait(in_flight, timeout=policy.timeout_seconds + 2)

    def watch_fd(self, fd: int) -> None:
        """Wake the loops whenever bytes arrive on ``fd`` (the web process writes WAKE_INBOX per
        stored webhook, WAKE_OUTBOX per commit that queued a message); stop when it closes (the
        web process is gone). Call inside the running loop."""
        loop = asyncio.get_running_loop()
        os.set_blocking(fd, False)
        if self.factory.kw["bind"].dialect.name == "sqlite":
            self.processor.yield_between_events = 0.001

        def readable() -> None:
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                return
            if data:
                if WAKE_INBOX in data:
                    self.notify_inbox()
                if WAKE_OUTBOX in data:
                    self.notify_outbox()
            else:
                loop.remove_reader(fd)
                log.info("worker %s: the web process closed the wake-up pipe; stopping", self.name)
                self.stop()

        loop.add_reader(fd, readable)

    def housekeeping(self, now: datetime | None = None) -> dict[str, int]:
        """Blank old payloads and message texts, prune what channels keep only briefly, and run
        the chores composed in (the engine's purge of users who left long ago)."""
        now = now or utcnow()
        retention = timedelta(days=self.settings.message_retention_days)
        done: dict[str, int] = {}
        with transaction(self.factory) as session:
            done["inbox_payloads"] = inbox.purge_payloads(session, before=now - retention)
            done["outbox_messages"] = outbox.purge_messages(session, before=now - retention)
            for channel in self.channels.values():
                if channel.prune_after_days is not None:
                    before = now - timedelta(days=channel.prune_after_days)
                    done[f"{channel.name}_events_pruned"] = inbox.prune(session, channel.name, before=before)
            for chore in self.chores:
                done.update(chore(session, now, retention))
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

    def take_over(self, *, at_start: bool = False) -> int:
        """Release rows leased to workers that are gone (bot/messaging/owners.py) and wake
        delivery for them; returns how many."""
        released = self.owners.release_dead(at_start=at_start)
        if released:
            self.notify_outbox()
        return released

    async def takeover_loop(self) -> None:
        """Look for dead owners' leases every DELIVERY_TAKEOVER_CHECK_SECONDS."""
        interval = max(0.1, self.settings.delivery_takeover_check_seconds)
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)
            if self._stopping.is_set():
                break
            try:
                await anyio.to_thread.run_sync(self.take_over)
            except Exception:
                log.exception("lease takeover check failed; will try again")

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.deliveries:
            # Registered before anything is claimed under this name; then what the dead left
            # is taken over at once (bot/messaging/owners.py).
            await anyio.to_thread.run_sync(self.owners.register)
            try:
                await anyio.to_thread.run_sync(lambda: self.take_over(at_start=True))
            except Exception:
                log.exception("lease takeover at start failed; leases will run out instead")
        loops = [self.processing_loop(), self.housekeeping_loop()]
        loops += [self.delivery_loop(name) for name in self.deliveries]
        if self.deliveries and self.owners.checks_liveness:
            loops.append(self.takeover_loop())
        if not self.deliveries:
            log.warning(
                "worker %s: no channel sends from here; events are processed, nothing is sent", self.name
            )
        try:
            await asyncio.gather(*loops)
        finally:
            self.owners.close()  # quick, and must run even when the task is cancelled
