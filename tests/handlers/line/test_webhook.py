"""Signature, lenient parsing, event conversion and the inbox's de-duplication."""

from __future__ import annotations

import json

import pytest

from bot.messaging.inbox import store_events
from bot.storage.db import make_engine, make_session_factory, transaction
from bot.storage.models.messaging import InboxEvent
from handlers.line.webhook import (
    WebhookError,
    event_key,
    parse_events,
    route_of,
    signature_for,
    to_incoming,
    verify_signature,
)
from tests.support.line_payloads import follow_event, message_event, postback_event, sticker_event

SECRET = "test-channel-secret"


def test_signature_roundtrip_and_rejections():
    body = b'{"destination":"U0","events":[]}'
    sig = signature_for(SECRET, body)
    assert verify_signature(SECRET, body, sig)
    assert not verify_signature(SECRET, body + b" ", sig)
    assert not verify_signature(SECRET, body, None)
    assert not verify_signature(SECRET, body, "")
    assert not verify_signature("other-secret", body, sig)
    assert not verify_signature("", body, signature_for("", body))  # no secret configured: refuse all


@pytest.mark.parametrize(
    "body", [b"\xff\xfe{}", b"not json", b"[]", b'{"events": {}}', b'{"destination": "U0"}', b"[" * 100000]
)
def test_malformed_bodies_are_400(body):
    with pytest.raises(WebhookError) as exc:
        parse_events(body)
    assert exc.value.status == 400


def test_non_object_events_are_skipped():
    assert parse_events(b'{"events": [1, "x", null, {"type": "follow"}]}') == [{"type": "follow"}]


def test_conversion_of_each_event_kind():
    text = message_event("こんにちは", user="U1")
    inc = to_incoming(text)
    assert (inc.kind, inc.text, inc.user_id, inc.source_type, inc.channel) == (
        "text",
        "こんにちは",
        "U1",
        "user",
        "line",
    )
    assert inc.event_id == text["webhookEventId"]
    assert to_incoming(postback_event("flow=check&step=1")).data == "flow=check&step=1"
    assert to_incoming(follow_event()).kind == "follow"
    sticker = to_incoming(sticker_event())
    assert (sticker.kind, sticker.message_type) == ("unsupported", "sticker")
    odd = message_event("x")
    odd["message"] = {"type": "hologram", "id": "1"}
    assert to_incoming(odd).message_type == "unknown"
    for etype in ("unsend", "memberJoined", "memberLeft", "leave", "videoPlayComplete", "beacon", "brandNew"):
        ev = dict(follow_event(), type=etype)
        assert to_incoming(ev) is None, etype
    assert to_incoming(dict(message_event("x"), mode="standby")) is None
    assert to_incoming({"type": "message"}) is None  # no source at all: nobody to answer


def test_group_sources():
    ev = message_event("質問です", user="U1")
    ev["source"] = {"type": "group", "groupId": "Cgroup", "userId": "U1"}
    inc = to_incoming(ev)
    assert (inc.source_type, inc.user_id) == ("group", "U1")
    assert route_of(ev).destination == "Cgroup"
    st = sticker_event()
    st["source"] = {"type": "room", "roomId": "Rroom"}
    assert to_incoming(st) is None  # no nagging a whole room about stickers


def test_event_key_without_webhook_event_id_is_stable():
    ev = follow_event()
    del ev["webhookEventId"]
    assert event_key(ev) == event_key(json.loads(json.dumps(ev)))
    assert event_key(ev).startswith("sha256:")


def test_inbox_drops_redeliveries(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    ev = message_event("hello")
    with transaction(factory) as s:
        assert store_events(s, "line", [(event_key(ev), ev, True), (event_key(ev), ev, True)]) == (1, 1)
    redelivered = dict(ev, deliveryContext={"isRedelivery": True})
    with transaction(factory) as s:
        assert store_events(s, "line", [(event_key(redelivered), redelivered, True)]) == (0, 1)
    with factory() as s:
        rows = s.query(InboxEvent).all()
    assert len(rows) == 1 and rows[0].payload["message"]["text"] == "hello"
    engine.dispose()
