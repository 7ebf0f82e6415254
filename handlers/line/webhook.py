"""LINE webhook adapter: signature, lenient parsing, and event -> neutral ``Incoming``.

Only this package (handlers/line/) knows LINE's wire format. It is deliberately dict-based:
line-bot-sdk's webhook models silently turn any event that fails their validation into
``UnknownEvent``, which would make a slightly unusual payload vanish; reading the few fields we
need from the raw JSON keeps every event that LINE sends, and unknown ones are stored and ignored.

Order of work in the endpoint (see ``LineWebhook``): size cap -> signature on the raw bytes ->
strict UTF-8 / JSON -> store each event in the inbox -> 200. Nothing is stored unless the
signature is valid, and no input produces a 5xx (a database outage gives 503 so LINE retries).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from bot.engine.channel import Parsed
from bot.engine.types import Incoming
from handlers.line.profile import PROFILE_KEY, ProfileLanguages, language_of

log = logging.getLogger(__name__)

PLATFORM = "line"
SIGNATURE_HEADER = "x-line-signature"
#: Message types LINE sends that the bot cannot read; the engine answers with a request for text.
UNSUPPORTED_MESSAGE_TYPES = frozenset({"sticker", "image", "video", "audio", "location", "file"})
MAX_EVENT_ID_LENGTH = 100


class WebhookError(Exception):
    """A request we refuse; ``status`` is the HTTP status to answer with (always 4xx)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_for(secret: str, body: bytes) -> str:
    """X-Line-Signature for ``body``: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(secret: str, body: bytes, signature: str | None) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(signature_for(secret, body).encode(), signature.strip().encode())


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """The events of a (signed) webhook body. Raises WebhookError(400) for malformed bodies.

    Elements of ``events`` that are not JSON objects are skipped (logged): they cannot be
    acknowledged individually and refusing the whole delivery would make LINE retry forever.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WebhookError(400, "body is not valid UTF-8") from exc
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, over-long integers
        raise WebhookError(400, "body is not valid JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise WebhookError(400, "body has no events list")
    data = _clean(data)
    events = [e for e in data["events"] if isinstance(e, dict)]
    if len(events) != len(data["events"]):
        log.warning("line webhook: skipped %d non-object events", len(data["events"]) - len(events))
    return events


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_DEPTH = 32


def _clean(value: Any, depth: int = 0) -> Any:
    """Strings every database can store: JSON may carry \\u0000 and lone surrogates (escaped),
    which PostgreSQL and UTF-8 refuse; LINE never sends them, a forged body might. Also bounds
    nesting, so nothing downstream recurses without limit."""
    if depth > MAX_DEPTH:
        raise WebhookError(400, "body is nested too deeply")
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value) if _UNSTORABLE.search(value) else value
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN / Infinity: not JSON as PostgreSQL knows it
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    return value


def event_key(event: dict[str, Any]) -> str:
    """Inbox key: LINE's webhookEventId (same on redelivery). Events without a usable one
    (never seen from LINE, but possible from a hand-made request) get a digest of their content,
    so that sending the very same event twice still stores it once."""
    eid = event.get("webhookEventId")
    if isinstance(eid, str) and 0 < len(eid) <= MAX_EVENT_ID_LENGTH:
        return eid
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Route:
    """Where replies to an event go: its reply token (if any) and the push destination."""

    reply_token: str | None
    destination: str  # userId, or groupId / roomId for group chats; "" if none
    occurred_at: datetime | None  # the event's own timestamp (for the reply-token deadline)


def route_of(event: dict[str, Any]) -> Route:
    source = _dict(event.get("source"))
    stype = _str(source.get("type"))
    if stype == "group":
        dest = _str(source.get("groupId"))
    elif stype == "room":
        dest = _str(source.get("roomId"))
    else:
        dest = _str(source.get("userId"))
    token = _str(event.get("replyToken")) or None
    ts = event.get("timestamp")
    occurred = None
    if isinstance(ts, int | float) and not isinstance(ts, bool) and 0 < ts < 1e14:
        occurred = datetime.fromtimestamp(ts / 1000, UTC)
    return Route(
        reply_token=token if token and len(token) <= 200 else None,
        destination=dest[:100],
        occurred_at=occurred,
    )


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """The neutral event for the engine, or None when the event needs no answer.

    Ignored (stored, marked processed, never answered): standby mode (another channel owns the
    chat), unsend, memberJoined/memberLeft, leave, videoPlayComplete, beacon, accountLink,
    things, membership and any type LINE adds later; in group chats also stickers and images
    (a bot asking a whole group to "please write in text" would be rude).
    """
    if _str(event.get("mode")) == "standby":
        return None
    etype = _str(event.get("type"))
    source = _dict(event.get("source"))
    stype = _str(source.get("type")) or "user"
    if stype not in ("user", "group", "room"):
        stype = "user"
    user = _str(source.get("userId")) or _str(source.get("groupId")) or _str(source.get("roomId"))
    if not user:
        return None
    base = {
        "channel": PLATFORM,
        "user_id": user[:100],
        "source_type": stype,
        "event_id": event_key(event),
        "language": language_of(event),  # the LINE profile's, stored by the webhook (profile.py)
    }

    if etype == "message":
        message = _dict(event.get("message"))
        mtype = _str(message.get("type"))
        if mtype == "text":
            return Incoming(kind="text", text=_str(message.get("text")), **base)
        if stype != "user":
            return None
        return Incoming(
            kind="unsupported",
            message_type=mtype if mtype in UNSUPPORTED_MESSAGE_TYPES else "unknown",
            **base,
        )
    if etype == "postback":
        data = _str(_dict(event.get("postback")).get("data"))
        return Incoming(kind="postback", data=data, **base)
    if etype == "follow":
        return Incoming(kind="follow", **base)
    if etype == "unfollow":
        return Incoming(kind="unfollow", **base)
    if etype == "join":  # the bot was added to a group or room: greet it like a follow
        return Incoming(kind="follow", **base)
    return None


def parse_event(event: dict[str, Any]) -> Parsed | None:
    """The LINE channel's parser (bot/engine/channel.py): the neutral event and its route."""
    incoming = to_incoming(event)
    if incoming is None:
        return None
    route = route_of(event)
    return Parsed(
        incoming=incoming,
        reply_token=route.reply_token,
        destination=route.destination,
        occurred_at=route.occurred_at,
    )


# --------------------------------------------------------------------------------------------
# The Starlette endpoint

#: Stores (event key, event, needs work) items in the inbox; returns (stored, duplicates).
StoreEvents = Callable[[list[tuple[str, dict[str, Any], bool]]], Awaitable[tuple[int, int]]]


class LineWebhook:
    """POST /line/callback. ``store`` persists (event key, event) pairs and returns
    (stored, duplicates); ``on_stored`` wakes the processing loop."""

    def __init__(
        self,
        *,
        channel_secret: str,
        store: StoreEvents,
        on_stored: Callable[[], None],
        max_body_bytes: int,
        profiles: Callable[[], ProfileLanguages | None] | None = None,
    ) -> None:
        self._secret = channel_secret
        self._store = store
        self._on_stored = on_stored
        self._max = max_body_bytes
        self._profiles = profiles  # the profile lookup, once the app's lifespan made its client

    async def _read_capped(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self._max:
            raise WebhookError(413, "body too large")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self._max:
                raise WebhookError(413, "body too large")
            chunks.append(chunk)
        return b"".join(chunks)

    async def endpoint(self, request: Request) -> JSONResponse:
        try:
            body = await self._read_capped(request)
            if not verify_signature(self._secret, body, request.headers.get(SIGNATURE_HEADER)):
                raise WebhookError(400, "missing or invalid X-Line-Signature")
            events = parse_events(body)
        except WebhookError as exc:
            log.warning("line webhook refused (%d): %s", exc.status, exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=exc.status)
        except ClientDisconnect:
            return JSONResponse({"error": "client disconnected"}, status_code=400)

        if not events:  # LINE's "Verify" button sends an empty list
            return JSONResponse({"stored": 0, "duplicates": 0})
        profiles = self._profiles() if self._profiles is not None else None
        if profiles is not None:  # a first-time user's LINE language (never raises, bounded wait)
            await profiles.add_to(events)
        else:
            for e in events:
                e.pop(PROFILE_KEY, None)
        items = [(event_key(e), e, True) for e in events]
        try:
            stored, duplicates = await self._store(items)
        except Exception:
            log.exception("line webhook: could not store %d events; LINE will redeliver", len(items))
            return JSONResponse({"error": "storage unavailable"}, status_code=503)
        if duplicates:
            log.info("line webhook: dropped %d redelivered events", duplicates)
        if stored:
            self._on_stored()
        return JSONResponse({"stored": stored, "duplicates": duplicates})
