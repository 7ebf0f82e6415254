"""Webhook payloads with every field LINE sends (line-bot-sdk and our parser both accept them).

Field lists follow the Messaging API reference for webhook events: destination, events[] with
type, mode, timestamp, source, webhookEventId, deliveryContext.isRedelivery, replyToken, and for
text messages id, quoteToken, text and markAsReadToken.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

from handlers.line.webhook import signature_for

DESTINATION = "U" + "d" * 32
_counter = itertools.count(1)


def _ids() -> tuple[str, str, str]:
    n = next(_counter)
    return (
        "01" + uuid.uuid4().hex[:24].upper(),  # webhookEventId (ULID-like)
        uuid.uuid4().hex,  # replyToken
        str(500000000000000 + n),  # message id
    )


def _base(
    etype: str, user: str, *, redelivery: bool = False, timestamp_ms: int | None = None
) -> dict[str, Any]:
    eid, token, _ = _ids()
    return {
        "type": etype,
        "mode": "active",
        "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": eid,
        "deliveryContext": {"isRedelivery": redelivery},
        "replyToken": token,
    }


def message_event(text: str, user: str = "U" + "1" * 32, **kw) -> dict[str, Any]:
    ev = _base("message", user, **kw)
    _, _, mid = _ids()
    ev["message"] = {
        "type": "text",
        "id": mid,
        "quoteToken": "q" + uuid.uuid4().hex,
        "markAsReadToken": "m" + uuid.uuid4().hex,
        "text": text,
    }
    return ev


def sticker_event(user: str = "U" + "1" * 32, **kw) -> dict[str, Any]:
    ev = _base("message", user, **kw)
    _, _, mid = _ids()
    ev["message"] = {
        "type": "sticker",
        "id": mid,
        "quoteToken": "q" + uuid.uuid4().hex,
        "markAsReadToken": "m" + uuid.uuid4().hex,
        "packageId": "446",
        "stickerId": "1988",
        "stickerResourceType": "STATIC",
        "keywords": ["hello"],
    }
    return ev


def postback_event(data: str, user: str = "U" + "1" * 32, **kw) -> dict[str, Any]:
    ev = _base("postback", user, **kw)
    ev["postback"] = {"data": data}
    return ev


def follow_event(user: str = "U" + "1" * 32, **kw) -> dict[str, Any]:
    ev = _base("follow", user, **kw)
    ev["follow"] = {"isUnblocked": False}
    return ev


def unfollow_event(user: str = "U" + "1" * 32, **kw) -> dict[str, Any]:
    ev = _base("unfollow", user, **kw)
    del ev["replyToken"]
    return ev


def body_for(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": DESTINATION, "events": list(events)}, ensure_ascii=False).encode(
        "utf-8"
    )


def signed(secret: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": signature_for(secret, body),
    }
