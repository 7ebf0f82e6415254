"""Processing: inbox -> channel -> outbox, each event exactly once, in one transaction.

The oldest unprocessed events are taken (PostgreSQL: SKIP LOCKED, so several workers share the
queue) and each is handed to its channel (:class:`bot.messaging.channel.Channel`), which does the
event's work (LINE: the conversation engine; Slack: the staff side) and returns its replies,
rendered. The replies are queued in the outbox and the event marked processed last, in the same
transaction, with a conditional update, so a second worker can never queue a second answer.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.messaging import inbox, outbox
from bot.messaging.channel import Channel, Claimed, Outgoing, StoredEvent
from bot.messaging.delivery import aware
from bot.storage.db import transaction, utcnow

log = logging.getLogger(__name__)


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
        channels: Mapping[str, Channel],
        *,
        max_attempts: int = 5,
        claim_as: str | None = None,
    ) -> None:
        self.factory = factory
        self.channels = dict(channels)
        self.platforms = frozenset(self.channels)
        self.max_attempts = max_attempts  # an event its channel keeps failing on is set aside then
        # Set when another process shares an SQLite database (see bot.storage.db.writing).
        self.yield_between_events = 0.0
        # The worker id under which replies are born claimed (handed straight to this process's
        # delivery, see ``_queue``); None when this process does not deliver.
        self.claim_as = claim_as

    def _answer(self, session: Session, row, now: datetime, claimed: list[Claimed]) -> int:
        """Hand one event to its channel and queue its replies; returns the outbox rows made."""
        channel = self.channels[row.platform]
        event = StoredEvent(
            id=row.id, platform=row.platform, payload=row.payload, received_at=aware(row.received_at)
        )
        return sum(
            self._queue(session, channel, row.id, out, now, claimed)
            for out in channel.process(session, event, now)
        )

    def _queue(
        self,
        session: Session,
        channel: Channel,
        row_id: int,
        out: Outgoing,
        now: datetime,
        claimed: list[Claimed],
    ) -> int:
        """Queue one reply. It is born leased to this process (and appended to ``claimed``, to be
        sent the moment the transaction commits) unless an older message for the same destination
        still waits: it then goes the usual way, claimed by the delivery loop in order. Sending it
        directly saves a claim transaction per event and the wait for the delivery loop to notice
        it; a crash before the send only delays it until the lease ends."""
        if out.shared:
            outbox.lock_destination(session, channel=channel.name, destination=out.destination)
        direct = (
            self.claim_as is not None
            and channel.sender is not None
            and not (
                channel.ordered
                and out.destination
                and outbox.has_pending(session, channel=channel.name, destination=out.destination)
            )
        )
        retry_key = str(uuid.uuid4())
        outbox_id = outbox.enqueue(
            session,
            channel=channel.name,
            destination=out.destination,
            messages=out.messages,
            reply_token=out.reply_token,
            reply_token_expires_at=out.reply_token_expires_at,
            inbox_event_id=row_id,
            claimed_by=self.claim_as if direct else None,
            lease_until=now + timedelta(seconds=channel.delivery.lease_seconds) if direct else None,
            retry_key=retry_key,
        )
        if direct:
            claimed.append(
                Claimed(
                    id=outbox_id,
                    channel=channel.name,
                    destination=out.destination,
                    reply_token=out.reply_token,
                    reply_token_expires_at=out.reply_token_expires_at,
                    messages=out.messages,
                    retry_key=retry_key,
                    attempts=0,
                    created_at=now,
                )
            )
        return 1

    def _close(self, session: Session, row, now: datetime) -> bool:
        forget = self.channels[row.platform].forget_payload
        return inbox.mark_processed(session, row.id, now=now, forget_payload=forget)

    def process_one(self, skip: set[int], claimed: list[Claimed]) -> tuple[int | None, int]:
        """Process the oldest unprocessed event. Returns (inbox id or None if idle, outbox rows
        made); replies born claimed are appended to ``claimed`` once committed."""
        now = utcnow()
        row_id = None
        mine: list[Claimed] = []
        try:
            with transaction(self.factory) as session:
                row = inbox.next_unprocessed(session, self.platforms, skip_ids=skip)
                if row is None:
                    return None, 0
                row_id = row.id
                made = self._answer(session, row, now, mine)
                if not self._close(session, row, now):
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
            with transaction(self.factory) as session:
                gave_up = inbox.record_failure(
                    session,
                    row_id,
                    f"{type(exc).__name__}: {exc}",
                    max_attempts=self.max_attempts,
                    now=now,
                )
            if gave_up:
                log.error(
                    "inbox %d: set aside after %d failed attempts",
                    row_id,
                    self.max_attempts,
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
            with transaction(self.factory) as session:
                rows = inbox.next_unprocessed_batch(session, self.platforms, limit)
                made = 0
                for row in rows:
                    ids.append(row.id)
                    now = utcnow()
                    made += self._answer(session, row, now, mine)
                    if not self._close(session, row, now):
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
        self, limit: int = 50, on_made: Callable[[list[Claimed]], None] | None = None
    ) -> tuple[int, int]:
        """Process up to ``limit`` events; returns (events handled, outbox rows made). After each
        transaction that queued messages, ``on_made(claimed)`` gets the rows born claimed, to send
        now (the others wake the delivery loop at commit: bot.messaging.outbox.on_queued).
        Stops as soon as the queue is seen empty: no extra transaction just to find nothing."""
        if not self.platforms:  # no channel configured: nothing of the inbox is ours
            return 0, 0
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
            if claimed and on_made is not None:
                on_made(claimed)
            if drained:
                break
            if self.yield_between_events:
                time.sleep(self.yield_between_events)  # let a waiting writer (the webhook) in
        return done, made
