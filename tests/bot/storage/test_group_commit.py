"""Group commit (bot/group_commit.py), as the webhook uses it to store requests."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.messaging.inbox import store_events
from bot.storage import group_commit
from bot.storage.db import make_engine, make_session_factory
from bot.storage.group_commit import GroupCommit
from bot.storage.models.messaging import InboxEvent


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def inbox_writer(factory, store=store_events) -> GroupCommit:
    return GroupCommit(factory, lambda session, items: store(session, "line", items))


def _count(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent))


async def test_concurrent_requests_share_a_transaction_and_get_their_own_counts(factory, monkeypatch):
    transactions = []
    real = group_commit.transaction

    def counting(f):
        transactions.append(1)
        return real(f)

    monkeypatch.setattr(group_commit, "transaction", counting)
    writer = inbox_writer(factory)
    requests = [[(f"e{i}", {"n": i}, True)] for i in range(20)]
    requests.append([("e3", {"n": 3}, True), ("e99", {"n": 99}, True)])  # a redelivery plus a new event
    results = await asyncio.gather(*(writer.submit(items) for items in requests))
    assert results[:20] == [(1, 0)] * 20
    assert results[20] == (1, 1)
    assert _count(factory) == 21
    assert len(transactions) < len(requests)  # the first alone, then the rest together


async def test_a_failing_request_does_not_fail_the_others(factory):
    def picky(session, platform, items):
        if any(key == "bad" for key, _, _ in items):
            raise RuntimeError("cannot store this one")
        return store_events(session, platform, items)

    writer = inbox_writer(factory, picky)
    outcomes = await asyncio.gather(
        *(writer.submit([(key, {}, True)]) for key in ["a", "b", "bad", "c", "d"]), return_exceptions=True
    )
    assert outcomes[0] == outcomes[1] == outcomes[3] == outcomes[4] == (1, 0)
    assert isinstance(outcomes[2], RuntimeError)
    assert _count(factory) == 4  # nothing of the failed request, everything of the others
