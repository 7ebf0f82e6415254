"""Slack on the same crash path: a post made by a worker that died before recording it is found
(conversations.history, by the outbox id in its metadata) and adopted by the worker that takes
the row over, not posted a second time. Slack has no retry key; the lookup is what keeps it once."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.app import slack_channel, slack_client
from bot.messaging.channel import Claimed
from bot.messaging.delivery import Delivery
from bot.messaging.owners import LeaseOwners
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import OutboxMessage

from .conftest import settings_for


async def test_a_post_made_before_a_crash_is_adopted_not_repeated(db_url, slack_env, slack_api, line_api):
    slack_api.reset()
    settings = settings_for(db_url, line_api)
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    call = {"method": "chat.postMessage", "args": {"channel": "CCRASH", "text": "お知らせです"}}
    now = utcnow()
    with transaction(factory) as s:
        row = OutboxMessage(channel="slack", destination="CCRASH", messages=[call], retry_key=str(uuid.uuid4()),
                            status="pending", attempts=0, next_attempt_at=now, created_at=now,
                            claimed_by="dead", lease_until=now + timedelta(seconds=60))  # fmt: skip
        s.add(row)
        s.flush()
        row_id = row.id
    try:
        channel = slack_channel(settings, client=slack_client(settings))
        claimed = Claimed(id=row_id, channel="slack", destination="CCRASH", reply_token=None,
                          reply_token_expires_at=None, messages=[call], retry_key="", attempts=0,
                          created_at=now)  # fmt: skip
        assert (await channel.sender.send(claimed)).ok  # posted; then the worker is killed
        assert LeaseOwners(factory, "heir").release_dead() == 1
        assert await Delivery(factory, channel, worker_id="heir").run_once() == 1
        with factory() as s:
            row = s.get(OutboxMessage, row_id)
        assert row.status == "delivered" and row.last_error == "found posted earlier: adopted"
        assert len(slack_api.posted("CCRASH")) == 1
    finally:
        engine.dispose()
