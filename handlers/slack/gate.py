"""The check in front of Bolt on ``POST /slack/events``: size, timestamp, signature, body shape.

Bolt verifies the signature too, but it answers a non-numeric ``X-Slack-Request-Timestamp`` or a
signed-but-malformed body (``{``, ``null``, invalid UTF-8, 5,000-deep JSON) with an exception
(HTTP 500), and it logs the whole body of every request it refuses. This gate runs first and
answers every such request with a 4xx and a one-line log of the reason (never the body), so
Bolt only ever sees well-formed, correctly signed requests of a sane size.

Order: size cap (413) -> timestamp (401) -> signature on the raw bytes (401) -> strict UTF-8 and
JSON / form parsing, nesting depth, shapes the listeners rely on (400). Nothing is stored before
all of these pass.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

#: Slack's payloads are a few KB (a view submission with long texts some tens of KB).
MAX_BODY_BYTES = 1_000_000
#: Slack refuses requests older than five minutes; so do we (either direction: clock skew).
MAX_AGE_SECONDS = 300
#: Slack's nesting (an event's rich-text blocks) stays well under this.
MAX_DEPTH = 64

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Refused(Exception):
    """A request we refuse: ``status`` (always 4xx) and a one-line ``reason`` for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Checked:
    body: bytes
    data: dict[str, Any]  # the parsed body (a form's ``payload`` decoded) as Bolt will see it
    digest: str  # sha256 of "timestamp:body": the same signed request gives the same digest


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def request_digest(timestamp: str, body: bytes) -> str:
    return hashlib.sha256(timestamp.encode("ascii", "replace") + b":" + body).hexdigest()


async def read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"body too large ({declared} bytes declared)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"body too large (over {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def check_signed(
    secret: str, body: bytes, timestamp: str | None, signature: str | None, *, now: float | None = None
) -> None:
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "missing or non-numeric X-Slack-Request-Timestamp")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused(401, f"X-Slack-Request-Timestamp {timestamp} is more than 5 minutes off")
    if not signature or not _SIGNATURE.fullmatch(signature.strip()):
        raise Refused(401, "missing or malformed X-Slack-Signature")
    if not hmac.compare_digest(signature_for(secret, timestamp, body), signature.strip()):
        raise Refused(401, "invalid X-Slack-Signature")


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, too deep, over-long integers
        raise Refused(400, f"{what} is not valid JSON") from exc


def _sane(value: Any, depth: int = 0) -> None:
    """Bounded nesting, and only strings every database can store (no NUL, no lone surrogate)."""
    if depth > MAX_DEPTH:
        raise Refused(400, "body is nested too deeply")
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            raise Refused(400, "body carries NUL or a lone surrogate")
    elif isinstance(value, dict):
        for k, v in value.items():
            _sane(k, depth + 1)
            _sane(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _sane(v, depth + 1)


#: Keys the listeners and Bolt read as objects / lists: a forged body with another type is refused.
_OBJECTS = ("event", "user", "team", "container", "view", "channel", "message", "enterprise")
_LISTS = ("actions", "authorizations")


def _shaped(data: dict[str, Any]) -> None:
    for key in _OBJECTS:
        if key in data and data[key] is not None and not isinstance(data[key], dict):
            if key == "team" and isinstance(data[key], str):
                continue  # Bolt reads a team given as its id too
            raise Refused(400, f"'{key}' is not an object")
    for key in _LISTS:
        value = data.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(x, dict) for x in value)):
            raise Refused(400, f"'{key}' is not a list of objects")
    for key in ("type", "team_id", "api_app_id", "event_id", "enterprise_id", "trigger_id"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            raise Refused(400, f"'{key}' is not a string")


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, "body is not valid UTF-8") from exc
    ctype = content_type.split(";")[0].strip().lower()
    if ctype == "application/json":
        data = _json(text, "body")
        if not isinstance(data, dict):
            raise Refused(400, "body is not a JSON object")
    elif ctype == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
        except (ValueError, UnicodeDecodeError) as exc:
            raise Refused(400, "body is not a valid form") from exc
        data = dict(pairs)
        if "payload" in data:
            payload = _json(data["payload"], "payload")
            if not isinstance(payload, dict):
                raise Refused(400, "payload is not a JSON object")
            data = payload
    else:
        raise Refused(415, f"unsupported content type {ctype[:60]!r}")
    _sane(data)
    _shaped(data)
    return data


async def check(request: Request, secret: str, *, max_body_bytes: int = MAX_BODY_BYTES) -> Checked:
    """The request's body, parsed, if it is fit for Bolt; else :class:`Refused`."""
    body = await read_capped(request, max_body_bytes)
    timestamp = request.headers.get("x-slack-request-timestamp")
    check_signed(secret, body, timestamp, request.headers.get("x-slack-signature"))
    data = parse_body(body, request.headers.get("content-type", ""))
    return Checked(body, data, request_digest(timestamp or "", body))
