"""Personal data in the transport tables is blanked after the retention period, or at once."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.app import line_channel
from bot.messaging import inbox, outbox
from bot.messaging.worker import Worker
from bot.settings import Settings
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import InboxEvent, OutboxMessage
from handlers.line.webhook import event_key
from tests.support.line_app import echo_engine
from tests.support.line_payloads import message_event


def _setup(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    a, b = message_event("わたしの相談", user="Ualice"), message_event("ぼくの質問", user="Ubob")
    with transaction(factory) as s:
        inbox.store_events(s, "line", [(event_key(a), a, True), (event_key(b), b, True)])
        s.execute(InboxEvent.__table__.update().values(processed_at=utcnow()))
        for user, status in (("Ualice", "delivered"), ("Ubob", "pending")):
            s.add(
                OutboxMessage(channel="line", destination=user, messages=[{"type": "text", "text": "こんにちは"}],
                              retry_key=str(uuid.uuid4()), status=status, attempts=0, next_attempt_at=utcnow())
            )  # fmt: skip
    return engine, factory


def test_retention_blanks_old_payloads_and_sent_messages(db_url):
    engine, factory = _setup(db_url)
    settings = replace(Settings(database_url=db_url), message_retention_days=30)
    worker = Worker(settings, factory, [line_channel(settings, handle=echo_engine)])
    assert worker.housekeeping(now=utcnow()) == {"inbox_payloads": 0, "outbox_messages": 0}
    assert worker.housekeeping(now=utcnow() + timedelta(days=31)) == {
        "inbox_payloads": 2,
        "outbox_messages": 1,
    }
    with factory() as s:
        assert [e.payload for e in s.scalars(select(InboxEvent))] == [{}, {}]
        pending = s.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).one()
        assert pending.messages  # not yet sent: kept
    engine.dispose()


def test_forget_user_at_once(db_url):
    engine, factory = _setup(db_url)
    with transaction(factory) as s:
        assert inbox.forget_user(s, "line", "Ubob") == 1
        assert outbox.forget_user(s, channel="line", user_id="Ubob") == 1
    with factory() as s:
        rows = {
            e.payload.get("source", {}).get("userId", "blank"): e.payload
            for e in s.scalars(select(InboxEvent))
        }
        assert set(rows) == {"Ualice", "blank"}
        assert not s.scalars(select(OutboxMessage).where(OutboxMessage.destination == "Ubob")).all()
        bob = s.scalars(select(OutboxMessage).where(OutboxMessage.destination == "")).one()  # no id kept
        assert (bob.status, bob.messages) == ("cancelled", [])
    engine.dispose()
