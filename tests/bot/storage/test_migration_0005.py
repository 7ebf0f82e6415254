"""Migration 0005 moves Slack's rows into the one inbox and outbox, and back on downgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import inspect, text

from bot.storage import migrate
from bot.storage.db import make_engine

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _rows(url: str, sql: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).mappings())
    finally:
        engine.dispose()


def test_slack_rows_move_into_the_one_path_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0004_staff")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO slack_outbox (id, method, payload, link, status, attempts, uncertain, "
                "next_attempt_at, created_at) VALUES (7, 'chat.postMessage', :payload, 'notification:3', "
                "'pending', 2, 1, :now, :now)"
            ),
            {"payload": '{"channel": "CKANKYO", "text": "協働の候補"}', "now": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO slack_events (event_id, kind, payload, received_at, attempts) "
                "VALUES ('EvLEFT', 'app_mention', :payload, :now, 0)"
            ),
            {"payload": '{"type": "app_mention", "text": "協働とは"}', "now": NOW},
        )
    engine.dispose()

    migrate.upgrade(url)
    (post,) = _rows(url, "SELECT * FROM outbox_messages")
    assert (post["channel"], post["destination"], post["status"], post["attempts"]) == (
        "slack",
        "CKANKYO",
        "pending",
        2,
    )
    assert post["uncertain"] and post["link"] == "notification:3"
    (call,) = json.loads(post["messages"])
    assert call["method"] == "chat.postMessage" and call["args"]["text"] == "協働の候補"
    # The post may already be in the channel under its old id: the sender looks for that one.
    assert call["args"]["metadata"]["event_payload"]["outbox_id"] == 7
    (event,) = _rows(url, "SELECT * FROM inbox_events")
    assert (event["platform"], event["event_id"], event["processed_at"]) == ("slack", "EvLEFT", None)
    engine = make_engine(url)
    assert not {"slack_outbox", "slack_events"} & set(inspect(engine).get_table_names())
    engine.dispose()

    migrate.downgrade(url, "0004_staff")
    (old,) = _rows(url, "SELECT * FROM slack_outbox")
    assert (old["method"], old["link"], old["status"]) == ("chat.postMessage", "notification:3", "pending")
    assert _rows(url, "SELECT event_id FROM slack_events") == [{"event_id": "EvLEFT"}]
    assert _rows(url, "SELECT * FROM outbox_messages") == [] == _rows(url, "SELECT * FROM inbox_events")
    migrate.upgrade(url)
