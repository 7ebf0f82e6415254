"""Delivery decisions with a scripted sender: give-up, permanent errors, token expiry, order."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.messaging.delivery import Delivery
from bot.settings import Settings
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import DeliveryAttempt, OutboxMessage


@dataclass(frozen=True)
class R:
    ok: bool = False
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    outcome_unknown: bool = False
    invalid_reply_token: bool = False
    already_accepted: bool = False


class ScriptedSender:
    def __init__(self, *results: R) -> None:
        self.results = list(results)
        self.calls: list[tuple[str, str]] = []

    async def reply(self, token, messages):
        self.calls.append(("reply", token))
        return self.results.pop(0)

    async def push(self, to, messages, retry_key):
        self.calls.append(("push", to))
        return self.results.pop(0)


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _row(factory, **kw) -> int:
    values = dict(channel="line", user_id="U1", messages=[{"type": "text", "text": "x"}], retry_key=str(uuid.uuid4()),
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


async def _run(delivery: Delivery, times: int = 1) -> None:
    for _ in range(times):
        await delivery.run_once()
        with transaction(delivery.factory) as s:  # make retries due at once
            s.execute(
                OutboxMessage.__table__.update().values(next_attempt_at=utcnow() - timedelta(seconds=1))
            )


async def test_gives_up_after_max_attempts(factory, db_url):
    settings = replace(Settings(database_url=db_url), delivery_max_attempts=3)
    sender = ScriptedSender(*[R(status=500, error="boom", retryable=True, outcome_unknown=True)] * 3)
    row_id = _row(factory)
    await _run(Delivery(factory, sender, settings, worker_id="w"), times=4)
    row = _get(factory, row_id)
    assert (row.status, row.attempts) == ("failed", 3) and len(sender.calls) == 3


async def test_permanent_error_is_not_retried(factory, db_url):
    sender = ScriptedSender(R(status=400, error="The request body has 1 error(s)"))
    row_id = _row(factory, reply_token="tok", reply_token_expires_at=utcnow() + timedelta(seconds=30))
    await _run(Delivery(factory, sender, Settings(database_url=db_url), worker_id="w"), times=2)
    assert _get(factory, row_id).status == "failed" and len(sender.calls) == 1


async def test_expired_token_goes_by_push_and_retry_after_is_honoured(factory, db_url):
    sender = ScriptedSender(R(status=429, retryable=True, retry_after=120), R(ok=True, status=200))
    row_id = _row(factory, reply_token="old", reply_token_expires_at=utcnow() - timedelta(seconds=1))
    delivery = Delivery(factory, sender, Settings(database_url=db_url), worker_id="w")
    await delivery.run_once()
    row = _get(factory, row_id)
    wait = (row.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds()
    assert sender.calls == [("push", "U1")] and 100 < wait <= 120
    assert await delivery.run_once() == 0  # not due yet


async def test_rows_for_one_user_go_in_order(factory, db_url):
    sender = ScriptedSender(R(ok=True, status=200), R(ok=True, status=200))
    first = _row(factory, messages=[{"type": "text", "text": "1"}])
    second = _row(factory, messages=[{"type": "text", "text": "2"}])
    delivery = Delivery(factory, sender, Settings(database_url=db_url), worker_id="w")
    assert [c.id for c in delivery.claim()] == [first]  # the second waits for the first
    assert delivery.claim() == []
    with transaction(factory) as s:
        s.execute(
            OutboxMessage.__table__.update().where(OutboxMessage.id == first).values(status="delivered")
        )
    assert [c.id for c in delivery.claim()] == [second]
    with factory() as s:
        assert s.scalars(select(DeliveryAttempt)).all() == []


def _store(factory, *events) -> None:
    from bot.messaging import inbox

    with transaction(factory) as s:
        inbox.store_events(s, "line", [(e["webhookEventId"], e) for e in events])


def test_replies_are_born_claimed_unless_an_older_message_waits(factory, db_url):
    """Processing hands a fresh reply straight to its own delivery (leased, so no other worker
    takes it); a reply behind a message still pending for the same user waits its turn."""
    from bot.messaging.worker import Processor
    from tests.line.conftest import echo_engine
    from tests.support.line_payloads import message_event

    settings = Settings(database_url=db_url)
    processor = Processor(factory, settings, handle=echo_engine, claim_as="w1")
    made: list = []
    first, second = message_event("1"), message_event("2")
    _store(factory, first)
    assert processor.process_batch(10, lambda claimed, queued: made.append((claimed, queued))) == (1, 1)
    [(claimed, queued)] = made
    assert queued == 1 and [c.reply_token for c in claimed] == [first["replyToken"]]
    row = _get(factory, claimed[0].id)
    assert row.claimed_by == "w1" and row.lease_until is not None and row.retry_key == claimed[0].retry_key
    assert Delivery(factory, ScriptedSender(), settings, worker_id="w2").claim() == []  # leased

    _store(factory, second)  # the first reply is still pending (not sent yet)
    made.clear()
    processor.process_batch(10, lambda claimed, queued: made.append((claimed, queued)))
    assert made == [([], 1)]
    with factory() as s:
        waiting = s.scalars(select(OutboxMessage).where(OutboxMessage.id != claimed[0].id)).one()
    assert waiting.claimed_by is None and waiting.lease_until is None


def test_without_a_sender_nothing_is_born_claimed(factory, db_url):
    from bot.messaging.worker import Processor
    from tests.line.conftest import echo_engine
    from tests.support.line_payloads import message_event

    processor = Processor(factory, Settings(database_url=db_url), handle=echo_engine)
    _store(factory, message_event("x"))
    made: list = []
    processor.process_batch(10, lambda claimed, queued: made.append((claimed, queued)))
    assert made == [([], 1)]
    with factory() as s:
        assert s.scalars(select(OutboxMessage.claimed_by)).all() == [None]


def test_workers_take_turns_on_one_group_destination(factory, db_url):
    """Two members' events answer into one group chat: a second worker's transaction waits until
    the first one's reply is committed (and so is seen as pending), keeping the replies in order."""
    import threading
    import time

    from bot.messaging import outbox

    if not db_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite has a single writer")
    order: list[str] = []
    with transaction(factory) as first:
        outbox.lock_destination(first, channel="line", user_id="Cgroup")

        def second() -> None:
            with transaction(factory) as s:
                outbox.lock_destination(s, channel="line", user_id="Cgroup")
                order.append("second")

        thread = threading.Thread(target=second)
        thread.start()
        with transaction(factory) as other:  # another destination does not wait
            outbox.lock_destination(other, channel="line", user_id="Cother")
        time.sleep(0.3)
        order.append("first commits")
    thread.join(timeout=10)
    assert order == ["first commits", "second"]
