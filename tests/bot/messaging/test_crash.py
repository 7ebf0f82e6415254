"""Exactly once across a crash: a send started (its lease committed) and never recorded.

A worker "dies" between the intent (the lease on the outbox row) and the result (the attempt
recorded): it sent the message to the LINE stand-in over real HTTP and never recorded it. The
worker that takes the row over must not deliver it a second time: LINE's reply token works once
(a used one is refused, and then the row is delivered, not pushed), and a push retried with the
row's X-Line-Retry-Key gets 409 and is not delivered again. A dead owner's leases are taken over
at once, not after the 60 s lease.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import timedelta

import pytest

from bot.app import line_channel, line_sender
from bot.messaging.delivery import Delivery
from bot.messaging.owners import LeaseOwners
from bot.messaging.worker import Worker
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import OutboxMessage
from tests.support.line_app import SECRET, TOKEN, echo_engine
from tests.support.servers import fast_line_settings

MESSAGES = [{"type": "text", "text": "こんにちは"}]


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(db_url, standin):
    standin.reset()
    return fast_line_settings(db_url, standin.url, SECRET, TOKEN)


def _leased_row(
    factory, *, owner: str, lease_seconds: float, token: str | None, token_fresh: bool = True
) -> int:
    """An outbox row as processing leaves it: born leased to ``owner`` (the intent, committed)."""
    now = utcnow()
    with transaction(factory) as s:
        row = OutboxMessage(
            channel="line",
            destination="U" + uuid.uuid4().hex,
            messages=MESSAGES,
            reply_token=token,
            reply_token_expires_at=now + timedelta(seconds=40 if token_fresh else -1) if token else None,
            retry_key=str(uuid.uuid4()),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            claimed_by=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
        )
        s.add(row)
        s.flush()
        return row.id


async def _die_after_sending(settings, factory, row_id: int) -> None:
    """The dead worker's last act: the API call, carried out by LINE, and no record of it."""
    sender, close = await line_sender(settings)
    try:
        claimed = _claimed_as_is(factory, row_id)
        result = await sender.send(claimed)
        assert result.ok
    finally:
        await close()


def _claimed_as_is(factory, row_id: int):
    from bot.messaging.channel import Claimed

    with factory() as s:
        r = s.get(OutboxMessage, row_id)
        return Claimed(
            id=r.id, channel="line", destination=r.destination, reply_token=r.reply_token,
            reply_token_expires_at=utcnow() + timedelta(seconds=30) if r.reply_token else None,
            messages=r.messages, retry_key=r.retry_key, attempts=r.attempts,
        )  # fmt: skip


async def _deliver_as(settings, factory, name: str) -> int:
    sender, close = await line_sender(settings)
    try:
        return await Delivery(
            factory, line_channel(settings, handle=echo_engine, sender=sender), worker_id=name
        ).run_once()
    finally:
        await close()


def _row(factory, row_id: int) -> OutboxMessage:
    with factory() as s:
        return s.get(OutboxMessage, row_id)


async def test_reply_sent_before_a_crash_is_not_pushed_when_the_lease_runs_out(settings, factory, standin):
    row_id = _leased_row(factory, owner="dead", lease_seconds=-1, token="tok-" + uuid.uuid4().hex)
    await _die_after_sending(settings, factory, row_id)
    assert await _deliver_as(settings, factory, "heir") == 1
    row = _row(factory, row_id)
    assert row.status == "delivered" and row.uncertain
    assert len(standin.deliveries()) == 1  # the reply; no push after the refused token
    assert [r.status for r in standin.requests("/push")] == []
    assert [r.status for r in standin.requests("/reply")] == [200, 400]


async def test_push_sent_before_a_crash_gets_409_and_is_not_delivered_again(settings, factory, standin):
    row_id = _leased_row(factory, owner="dead", lease_seconds=-1, token=None)
    await _die_after_sending(settings, factory, row_id)
    assert await _deliver_as(settings, factory, "heir") == 1
    row = _row(factory, row_id)
    assert row.status == "delivered" and "409" in (row.last_error or "")
    assert len(standin.deliveries()) == 1
    assert [r.status for r in standin.requests("/push")] == [200, 409]


async def test_a_row_never_sent_before_the_crash_is_sent_once(settings, factory, standin):
    row_id = _leased_row(factory, owner="dead", lease_seconds=-1, token="tok-" + uuid.uuid4().hex)
    assert await _deliver_as(settings, factory, "heir") == 1
    assert _row(factory, row_id).status == "delivered"
    assert [d.kind for d in standin.deliveries()] == ["reply"]


def _kill(owners: LeaseOwners) -> None:
    """What kill -9 does to a registration: the connection or file descriptor is gone, nothing
    is tidied up."""
    if owners._held is not None:
        owners._held.invalidate()
        owners._held = None
    if owners._fd is not None:
        os.close(owners._fd)
        owners._fd = None


def test_a_dead_owners_leases_are_released_at_once_a_live_ones_are_not(factory, db_url):
    alive = LeaseOwners(factory, "alive")
    dead = LeaseOwners(factory, "dead")
    heir = LeaseOwners(factory, "heir")
    assert heir.checks_liveness
    alive.register()
    dead.register()
    mine = _leased_row(factory, owner="alive", lease_seconds=60, token=None)
    theirs = _leased_row(factory, owner="dead", lease_seconds=60, token=None)
    try:
        assert heir.release_dead() == 0  # both are alive
        _kill(dead)
        assert heir.release_dead() == 1
        row = _row(factory, theirs)
        assert (row.claimed_by, row.lease_until, row.uncertain) == (None, None, True)
        assert _row(factory, mine).claimed_by == "alive"
        assert heir.release_dead() == 0
    finally:
        alive.close()
        dead.close()


def test_a_lease_from_before_registration_is_released(factory, db_url):
    """Rows leased under a name nobody holds (a worker of an older release, killed) are free."""
    row_id = _leased_row(factory, owner="old-release-worker", lease_seconds=60, token=None)
    assert LeaseOwners(factory, "heir").release_dead() == 1
    assert _row(factory, row_id).uncertain


async def test_a_restarted_worker_drains_a_dead_owners_rows_within_seconds(settings, factory, standin):
    """A reply the dead worker sent and one it never sent, both leased for another minute: the new
    worker answers the second and does not repeat the first, in well under the lease."""
    sent = _leased_row(factory, owner="killed", lease_seconds=60, token="tok-" + uuid.uuid4().hex)
    unsent = _leased_row(factory, owner="killed", lease_seconds=60, token="tok-" + uuid.uuid4().hex)
    await _die_after_sending(settings, factory, sent)
    sender, close = await line_sender(settings)
    worker = Worker(settings, factory, [line_channel(settings, handle=echo_engine, sender=sender)])
    task = asyncio.create_task(worker.run())
    start = time.monotonic()
    try:
        while time.monotonic() - start < 10:
            if all(_row(factory, i).status == "delivered" for i in (sent, unsent)):
                break
            await asyncio.sleep(0.05)
        took = time.monotonic() - start
    finally:
        worker.stop()
        await asyncio.wait_for(task, 10)
        await close()
    assert [_row(factory, i).status for i in (sent, unsent)] == ["delivered", "delivered"]
    assert took < 5
    assert sorted(d.kind for d in standin.deliveries()) == ["reply", "reply"]  # one each
    assert standin.requests("/push") == []


async def test_standin_reply_tokens_work_once_and_expire(settings, standin):
    sender, close = await line_sender(settings)
    try:
        standin.state.token_ttl = 0.3
        once = await sender.reply("t-once", MESSAGES)
        again = await sender.reply("t-once", MESSAGES)
        standin.issue("t-late")
        await asyncio.sleep(0.4)
        late = await sender.reply("t-late", MESSAGES)
    finally:
        standin.state.token_ttl = 60.0
        await close()
    assert once.ok and not again.ok and again.invalid_reply_token and late.invalid_reply_token
    assert len(standin.deliveries()) == 1


def test_a_lost_registration_is_taken_again(factory, db_url):
    owners = LeaseOwners(factory, "flaky")
    if not owners.postgresql:
        pytest.skip("SQLite's lock file cannot be lost while the process lives")
    owners.register()
    row_id = _leased_row(factory, owner="flaky", lease_seconds=60, token=None)
    try:
        owners._held.invalidate()  # the server dropped our connection (and the lock with it)
        owners.release_dead()  # the periodic check notices and registers again
        assert LeaseOwners(factory, "heir").release_dead() == 0
        assert _row(factory, row_id).claimed_by == "flaky"
    finally:
        owners.close()
