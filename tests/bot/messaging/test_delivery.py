"""Delivery decisions with a scripted Messaging API: give-up, permanent errors, token expiry, order.

The sender is the real LINE sender (handlers/line/api.py decides reply or push) with its two API
calls answered from a script, and the channel is the one bot/app.py composes."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import line_channel
from bot.messaging import inbox, outbox
from bot.messaging.channel import SendResult
from bot.messaging.delivery import Delivery
from bot.messaging.processing import Processor
from bot.settings import Settings
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import DeliveryAttempt, OutboxMessage
from handlers.line.api import LineSender
from tests.support.line_app import echo_engine
from tests.support.line_payloads import message_event


def R(ok: bool = False, **kw) -> SendResult:
    """One scripted API answer."""
    return SendResult(ok=ok, **kw)


class ScriptedSender(LineSender):
    """LINE's sender whose API answers come from a script (in order)."""

    def __init__(self, *results: R) -> None:
        super().__init__(api=None, timeout=1)
        self.results = list(results)
        self.calls: list[tuple[str, str]] = []

    async def reply(self, token, messages):
        self.calls.append(("reply", token))
        return replace(self.results.pop(0), method="reply")

    async def push(self, to, messages, retry_key):
        self.calls.append(("push", to))
        return replace(self.results.pop(0), method="push")


def delivery(factory, sender, settings, worker_id="w") -> Delivery:
    return Delivery(factory, line_channel(settings, handle=echo_engine, sender=sender), worker_id=worker_id)


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _row(factory, **kw) -> int:
    values = dict(channel="line", destination="U1", messages=[{"type": "text", "text": "x"}], retry_key=str(uuid.uuid4()),
                  status="pending", attempts=0, next_attempt_at=utcnow() - timedelta(seconds=1))  # fmt: skip
    values.update(kw)
    with transaction(factory) as s:
        row = OutboxMessage(**values)
        s.add(row)
        s.flush()
        return row.id


def _get(factory, row_id) -> OutboxMessage:
    with factory() as s:
        return s.get(OutboxMessage, row_id)


async def _run(d: Delivery, times: int = 1) -> None:
    for _ in range(times):
        await d.run_once()
        with transaction(d.factory) as s:  # make retries due at once
            s.execute(
                OutboxMessage.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )


async def test_gives_up_after_max_attempts(factory, db_url):
    settings = replace(Settings(database_url=db_url), delivery_max_attempts=3)
    sender = ScriptedSender(*[R(status=500, error="boom", retryable=True, outcome_unknown=True)] * 3)
    row_id = _row(factory)
    await _run(delivery(factory, sender, settings, "w"), times=4)
    row = _get(factory, row_id)
    assert (row.status, row.attempts) == ("failed", 3) and len(sender.calls) == 3


async def test_permanent_error_is_not_retried(factory, db_url):
    sender = ScriptedSender(R(status=400, error="The request body has 1 error(s)"))
    row_id = _row(factory, reply_token="tok", reply_token_expires_at=utcnow() + timedelta(seconds=30))
    await _run(delivery(factory, sender, Settings(database_url=db_url), "w"), times=2)
    assert _get(factory, row_id).status == "failed" and len(sender.calls) == 1


async def test_expired_token_goes_by_push_and_retry_after_is_honoured(factory, db_url):
    sender = ScriptedSender(R(status=429, retryable=True, retry_after=120), R(ok=True, status=200))
    row_id = _row(factory, reply_token="old", reply_token_expires_at=utcnow() - timedelta(seconds=1))
    d = delivery(factory, sender, Settings(database_url=db_url), "w")
    await d.run_once()
    row = _get(factory, row_id)
    wait = (row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds()
    assert sender.calls == [("push", "U1")] and 100 < wait <= 120
    assert await d.run_once() == 0  # not due yet


async def test_rows_for_one_user_go_in_order(factory, db_url):
    sender = ScriptedSender(R(ok=True, status=200), R(ok=True, status=200))
    first = _row(factory, messages=[{"type": "text", "text": "1"}])
    second = _row(factory, messages=[{"type": "text", "text": "2"}])
    d = delivery(factory, sender, Settings(database_url=db_url), "w")
    assert [c.id for c in d.claim()] == [first]  # the second waits for the first
    assert d.claim() == []
    with transaction(factory) as s:
        s.execute(
            OutboxMessage.__table__.update().where(OutboxMessage.id == first).values(status="delivered")
        )
    assert [c.id for c in d.claim()] == [second]
    with factory() as s:
        assert s.scalars(select(DeliveryAttempt)).all() == []


def _store(factory, *events) -> None:
    with transaction(factory) as s:
        inbox.store_events(s, "line", [(e["webhookEventId"], e, True) for e in events])


def test_replies_are_born_claimed_unless_an_older_message_waits(factory, db_url):
    """Processing hands a fresh reply straight to its own delivery (leased, so no other worker
    takes it); a reply behind a message still pending for the same user waits its turn."""
    settings = Settings(database_url=db_url)
    channel = line_channel(settings, handle=echo_engine, sender=ScriptedSender())
    processor = Processor(factory, {"line": channel}, claim_as="w1")
    made: list = []
    first, second = message_event("1"), message_event("2")
    _store(factory, first)
    assert processor.process_batch(10, made.append) == (1, 1)
    [claimed] = made
    assert [c.reply_token for c in claimed] == [first["replyToken"]]
    row = _get(factory, claimed[0].id)
    assert row.claimed_by == "w1" and row.lease_until is not None and row.retry_key == claimed[0].retry_key
    assert delivery(factory, ScriptedSender(), settings, "w2").claim() == []  # leased

    _store(factory, second)  # the first reply is still pending (not sent yet)
    made.clear()
    assert processor.process_batch(10, made.append) == (1, 1)
    assert made == []  # queued, for the delivery loop
    with factory() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.id != claimed[0].id)).one()
    assert waiting.claimed_by is None and waiting.lease_until is None


def test_without_a_sender_nothing_is_born_claimed(factory, db_url):
    channel = line_channel(Settings(database_url=db_url), handle=echo_engine)  # no sender here
    processor = Processor(factory, {"line": channel}, claim_as="w1")
    _store(factory, message_event("x"))
    made: list = []
    assert processor.process_batch(10, made.append) == (1, 1)
    assert made == []
    with factory() as s:
        assert s.scalars(select(OutboxMessage.claimed_by)).all() == [None]


def test_workers_take_turns_on_one_group_destination(factory, db_url):
    """Two members' events answer into one group chat: a second worker's transaction waits until
    the first one's reply is committed (and so is seen as pending), keeping the replies in order."""
    if not db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite has a single writer")
    order: list[str] = []
    with transaction(factory) as first:
        outbox.lock_destination(first, channel="line", destination="Cgroup")

        def second() -> None:
            with transaction(factory) as s:
                outbox.lock_destination(s, channel="line", destination="Cgroup")
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        with transaction(factory) as other:  # another destination does not wait
            outbox.lock_destination(other, channel="line", destination="Cother")
        time.sleep(0.3)
        order.append("first commits")
    thread.join(timeout=10)
    assert order == ["first commits", "second"]
