"""End to end over real HTTP: signed webhook -> inbox -> (engine) -> outbox -> stand-in API.

These tests use a small echo engine so that they exercise the transport alone; the real
conversation engine is covered in test_e2e_engine.py.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.messaging.owners import LeaseOwners
from bot.storage.db import transaction, utcnow
from bot.storage.models.messaging import DeliveryAttempt, InboxEvent, OutboxMessage
from tests.support.line_app import SECRET
from tests.support.line_payloads import body_for, follow_event, message_event, signed
from tests.support.servers import wait_until


def _count(bot, model, *where) -> int:
    with bot.factory() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _delivered_all(bot) -> bool:
    # Inbox first: processing commits the processed mark and its outbox rows together.
    if _count(bot, InboxEvent, InboxEvent.processed_at.is_(None)):
        return False
    return _count(bot, OutboxMessage, OutboxMessage.status != "delivered") == 0


def test_question_answered_by_reply(make_bot, standin):
    bot = make_bot()
    ev = message_event("協働とは？")
    assert bot.post_events(ev).status_code == 200
    d = wait_until(standin.deliveries)
    assert d[0].kind == "reply" and d[0].target == ev["replyToken"]
    assert d[0].messages[0]["text"] == "echo:協働とは？"
    req = standin.requests("/reply")[0]
    assert req.headers["authorization"] == "Bearer e2e-access-token"
    wait_until(lambda: _delivered_all(bot))
    assert _count(bot, DeliveryAttempt) == 1


def test_bad_or_missing_signature_is_400_and_nothing_stored(make_bot, standin):
    bot = make_bot()
    body = body_for(message_event("hi"))
    assert bot.post_raw(body, {"Content-Type": "application/json"}).status_code == 400
    assert bot.post_raw(body, signed("wrong-secret", body)).status_code == 400
    assert bot.post_raw(body + b" ", signed(SECRET, body)).status_code == 400
    assert _count(bot, InboxEvent) == 0


def test_invalid_utf8_or_json_with_valid_signature_is_400(make_bot):
    bot = make_bot()
    for body in (b'{"events": ["\xff\xfe"]}', b"{not json", b'{"events": 5}'):
        assert bot.post_raw(body, signed(SECRET, body)).status_code == 400
    assert _count(bot, InboxEvent) == 0


def test_body_size_cap_is_413(make_bot):
    bot = make_bot(webhook_max_body_bytes=10_000)
    body = body_for(message_event("あ" * 5000))
    assert bot.post_raw(body, signed(SECRET, body)).status_code == 413
    assert _count(bot, InboxEvent) == 0


def test_verify_request_with_no_events(make_bot):
    bot = make_bot()
    body = b'{"destination":"Uxxxxxxxx","events":[]}'
    assert bot.post_raw(body, signed(SECRET, body)).status_code == 200


def test_redelivery_gets_one_reply(make_bot, standin):
    bot = make_bot()
    ev = message_event("一度だけ")
    assert bot.post_events(ev).json() == {"stored": 1, "duplicates": 0}
    again = dict(ev, deliveryContext={"isRedelivery": True})
    assert bot.post_events(again).json() == {"stored": 0, "duplicates": 1}
    wait_until(lambda: _delivered_all(bot))
    bot.post_events(again)
    time.sleep(0.3)  # give a (wrong) second answer every chance to appear
    assert len(standin.deliveries()) == 1
    assert bot.http.get("/healthz").json()["duplicates"] == 2


def test_429_500_and_timeout_are_retried_and_delivered_once(make_bot, standin):
    bot = make_bot()
    standin.fail("429", endpoint="reply", retry_after=0.2)
    standin.fail("500", endpoint="reply")
    standin.fail("timeout", endpoint="reply", delay=1.0)  # client gives up at 0.5 s; LINE delivered
    ev = message_event("しつこく")
    bot.post_events(ev)
    wait_until(lambda: _delivered_all(bot))
    assert len(standin.deliveries()) == 1
    with bot.factory() as s:
        attempts = s.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        gap = (attempts[1].at - attempts[0].at).total_seconds()
        row = s.scalars(select(OutboxMessage)).one()
    assert [a.status_code for a in attempts] == [429, 500, None, 400]
    assert gap >= 0.2  # Retry-After honoured
    assert row.status == "delivered" and "already used" in row.last_error


def test_healthz_shows_the_delivery_backlog(make_bot, standin):
    """Monitoring sees messages waiting (here: LINE asked for 30 s of patience) and failures."""
    bot = make_bot()
    assert bot.http.get("/healthz").json()["outbox_pending"] == 0
    standin.fail("429", endpoint="reply", retry_after=30)
    bot.post_events(message_event("待たされる"))
    wait_until(lambda: standin.requests("/reply"))
    with transaction(bot.factory) as s:
        s.add(
            OutboxMessage(
                channel="line", destination="U9", messages=[{"type": "text", "text": "x"}], retry_key=str(uuid.uuid4()),
                status="failed", attempts=8, next_attempt_at=utcnow(), last_error="HTTP 400",
            )
        )  # fmt: skip
    # /healthz answers from the probe's latest look (at most ~0.5 s old, bot/app.py HealthProbe)
    health = wait_until(lambda: (h := bot.http.get("/healthz").json())["outbox_failed_24h"] == 1 and h)
    assert health["status"] == "ok" and health["outbox_pending"] == 1
    assert 0 < health["outbox_oldest_pending_seconds"] < 30


def test_expired_reply_token_falls_back_to_push_with_retry_key(make_bot, standin):
    bot = make_bot()
    old = int((time.time() - 120) * 1000)
    ev = message_event("昔の質問", timestamp_ms=old)
    standin.fail("500", endpoint="push")
    bot.post_events(ev)
    wait_until(lambda: _delivered_all(bot))
    pushes = standin.requests("/push")
    assert len(pushes) == 2 and not standin.requests("/reply")
    keys = {p.headers["x-line-retry-key"] for p in pushes}
    assert len(keys) == 1 and uuid.UUID(keys.pop())
    assert [d.kind for d in standin.deliveries()] == ["push"]
    assert standin.deliveries()[0].target == ev["source"]["userId"]


def test_invalid_reply_token_falls_back_to_push(make_bot, standin):
    bot = make_bot()
    ev = message_event("トークンが無効")
    standin.expire_token(ev["replyToken"])
    bot.post_events(ev)
    wait_until(lambda: _delivered_all(bot))
    assert [d.kind for d in standin.deliveries()] == ["push"]


def test_push_retry_after_lost_answer_is_not_doubled(make_bot, standin):
    """A push that timed out was accepted by LINE: the retry gets 409 and counts as delivered."""
    bot = make_bot()
    ev = message_event("遅い", timestamp_ms=int((time.time() - 120) * 1000))
    standin.fail("timeout", endpoint="push", delay=1.0)
    bot.post_events(ev)
    wait_until(lambda: _delivered_all(bot))
    assert len(standin.deliveries()) == 1
    assert [r.status for r in standin.requests("/push")] == [200, 409]


def test_worker_resumes_after_a_crash(make_bot, standin, db_url):
    """Rows left by a dead process: an unprocessed inbox event and an outbox row whose lease ran out."""
    bot = make_bot(start_background=False)
    ev = message_event("落ちる前に届いた")
    bot.post_events(ev)  # stored; no loop runs in this process: as if it died right after the 200
    with transaction(bot.factory) as s:
        s.add(
            OutboxMessage(
                channel="line",
                destination="U" + "2" * 32,
                messages=[{"type": "text", "text": "送信中に落ちた"}],
                retry_key=str(uuid.uuid4()),
                status="pending",
                attempts=1,
                next_attempt_at=utcnow() - timedelta(minutes=1),
                lease_until=utcnow() - timedelta(seconds=1),
                claimed_by="dead-worker",
            )
        )
    survivor = make_bot()  # a fresh `kyodo serve` (or `kyodo worker`) on the same database
    wait_until(lambda: _delivered_all(survivor))
    texts = sorted(d.messages[0]["text"] for d in standin.deliveries())
    assert texts == ["echo:落ちる前に届いた", "送信中に落ちた"]


def test_leased_row_is_not_taken_by_another_worker(make_bot, standin):
    bot = make_bot(start_background=False)
    alive = LeaseOwners(bot.factory, "alive-worker")  # a live worker holds its registration
    alive.register()
    with transaction(bot.factory) as s:
        s.add(
            OutboxMessage(
                channel="line", destination="U3", messages=[{"type": "text", "text": "x"}], retry_key=str(uuid.uuid4()),
                status="pending", attempts=0, next_attempt_at=utcnow(), lease_until=utcnow() + timedelta(minutes=5),
                claimed_by="alive-worker",
            )
        )  # fmt: skip
    survivor = make_bot()
    time.sleep(1.5)  # start-up takeover and a periodic check (DELIVERY_TAKEOVER_CHECK_SECONDS=1)
    alive.close()
    assert standin.deliveries() == [] and survivor is not None


def test_slow_engine_does_not_stall_healthz(make_bot, standin, db_url):
    """The engine runs in a worker thread: the event loop keeps answering while it is busy."""
    release = threading.Event()
    entered = threading.Event()

    def slow_engine(session, incoming, *, now):
        entered.set()
        release.wait(20)
        return []

    bot = make_bot(handle=slow_engine)
    bot.post_events(message_event("重い処理"))
    assert entered.wait(10)
    try:
        r = bot.http.get("/healthz", timeout=5)  # answered while the engine is still busy
        assert r.status_code == 200 and r.json()["database"] == "ok"
        if db_url.startswith("postgresql"):
            # PostgreSQL locks rows: a new event is stored while the engine works.
            assert bot.post_events(message_event("次の質問")).status_code == 200
        else:
            # SQLite has one writer: the next webhook waits for the engine's transaction
            # (normally a few ms), and is stored as soon as it ends.
            pending = threading.Thread(target=lambda: bot.post_events(message_event("次の質問")))
            pending.start()
            release.set()
            pending.join(10)
            assert not pending.is_alive()
    finally:
        release.set()
    wait_until(lambda: _count(bot, InboxEvent, InboxEvent.processed_at.is_not(None)) == 2)


def test_healthz_reports_database_down(make_bot, tmp_path):
    bot = make_bot(database_url=f"sqlite:///{tmp_path}/missing/dir/db.sqlite", start_background=False)
    r = bot.http.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


def test_line_disabled_without_credentials(make_bot, caplog):
    bot = make_bot(line_channel_secret="", start_background=False)
    body = body_for(follow_event())
    assert bot.post_raw(body, signed(SECRET, body)).status_code == 404
    assert bot.http.get("/healthz").json()["line"] is False
    assert any("LINE is disabled" in r.getMessage() for r in caplog.records)


def test_two_servers_on_one_database_answer_each_event_once(make_bot, standin):
    """Several processes (here two servers, each with its own loops) share the queues safely."""
    first, second = make_bot(), make_bot()
    events = [message_event(f"質問{i}", user=f"U{i:032d}") for i in range(30)]
    for i, ev in enumerate(events):
        (first if i % 2 else second).post_events(ev)
    wait_until(lambda: _delivered_all(first) and len(standin.deliveries()) >= 30)
    time.sleep(0.3)
    targets = [d.target for d in standin.deliveries()]
    assert sorted(targets) == sorted(ev["replyToken"] for ev in events)


def test_healthz_answers_at_once_while_the_database_is_stuck(make_bot, db_url):
    """/healthz answers from the probe's latest look: a table locked by someone else (a migration,
    a long report) does not hold its answer, within the probe's staleness limit (10 s)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite readers are never blocked in WAL mode")
    from sqlalchemy import text

    from bot.storage.db import make_engine

    bot = make_bot(start_background=False)
    assert bot.http.get("/healthz").status_code == 200
    other = make_engine(db_url)
    try:
        with other.connect() as conn:
            conn.execute(text("LOCK TABLE outbox_messages IN ACCESS EXCLUSIVE MODE"))
            time.sleep(1)  # the probe's next look now waits for the lock
            took = []
            for _ in range(5):
                start = time.monotonic()
                r = bot.http.get("/healthz", timeout=5)
                took.append(time.monotonic() - start)
                assert r.status_code == 200 and r.json()["database"] == "ok"
            conn.rollback()
    finally:
        other.dispose()
    assert max(took) < 0.5
