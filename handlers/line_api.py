"""The Messaging API client behind a two-method sender (reply, push).

bot/delivery.py only sees ``SendResult``: whether the message went out, and if not, whether it is
worth retrying, after how long (Retry-After), and whether LINE may have delivered it anyway
(a timeout after the request was sent): that last bit is what keeps retries from doubling a reply.

The two calls are plain HTTPS POSTs of JSON through one persistent aiohttp session (keep-alive).
line-bot-sdk's AsyncMessagingApi did the same work through pydantic: parsing the stored message
dicts into request models and serialising them back cost ~1.5 ms of CPU per message, a large share
of the server's budget per event. The messages in the outbox are already rendered and checked by
handlers/line_render.py (whose tests parse every rendered message with line-bot-sdk's models), so
they are sent as they are; should one be invalid all the same, LINE answers 400 and the row fails
for good, as an invalid model did before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None  # HTTP status, None when no answer came
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None  # seconds, from the Retry-After header
    outcome_unknown: bool = False  # the request may have been carried out (timeout, 5xx)
    invalid_reply_token: bool = False
    already_accepted: bool = False  # push: 409, this retry key was accepted before


class MessagingHttp:
    """One aiohttp session for the Messaging API. Create it inside a running event loop."""

    def __init__(self, base_url: str, access_token: str, *, max_connections: int = 100) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Content-Type": "application/json",
            "User-Agent": "kyodo-bot",
        }
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=30),
            skip_auto_headers=("Accept-Encoding",),
        )

    async def post(
        self, path: str, payload: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes, Mapping[str, str]]:
        """POST ``payload`` as JSON; returns (status, body, headers) whatever the status."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        send_headers = {**self._headers, **headers} if headers else self._headers
        async with self._session.post(self.base_url + path, data=body, headers=send_headers) as response:
            return response.status, await response.read(), response.headers

    async def close(self) -> None:
        await self._session.close()


def make_api(base_url: str, access_token: str) -> tuple[MessagingHttp, MessagingHttp]:
    """Create the client (returned twice: the object to close, and the one to send with).
    Call inside a running event loop (it opens an aiohttp session)."""
    client = MessagingHttp(base_url, access_token)
    return client, client


def _retry_after(headers: Any) -> float | None:
    if not headers:
        return None
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def _body_message(body: Any) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        return str(body)[:300]
    if not isinstance(data, dict):
        return str(data)[:300]
    details = data.get("details") or []
    text = str(data.get("message", ""))
    if details:
        text += " " + "; ".join(
            f"{d.get('property', '')}: {d.get('message', '')}" for d in details if isinstance(d, dict)
        )
    return text[:1000]


def _from_status(status: int, body: bytes, headers: Mapping[str, str], *, method: str) -> SendResult:
    """Classify a non-2xx answer."""
    message = _body_message(body)
    if status == 409 and method == "push":
        return SendResult(ok=True, status=409, already_accepted=True, error=message)
    if status == 400 and method == "reply" and "reply token" in message.lower():
        return SendResult(ok=False, status=400, error=message, invalid_reply_token=True)
    if status == 429:
        return SendResult(
            ok=False, status=429, error=message, retryable=True, retry_after=_retry_after(headers)
        )
    if status >= 500:
        return SendResult(
            ok=False,
            status=status,
            error=message,
            retryable=True,
            retry_after=_retry_after(headers),
            outcome_unknown=True,
        )
    return SendResult(ok=False, status=status, error=message or f"HTTP {status}")


class LineSender:
    def __init__(self, api: MessagingHttp, *, timeout: float) -> None:
        self._api = api
        self._timeout = timeout

    async def _call(
        self, method: str, path: str, payload: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> SendResult:
        try:
            async with asyncio.timeout(self._timeout):
                status, body, response_headers = await self._api.post(path, payload, headers)
        except TimeoutError:
            return SendResult(ok=False, error="timeout", retryable=True, outcome_unknown=True)
        except aiohttp.ClientConnectorError as exc:  # never reached LINE: safe to retry
            return SendResult(ok=False, error=f"connection failed: {exc}", retryable=True)
        except (aiohttp.ClientError, OSError) as exc:  # the connection broke mid-request
            return SendResult(
                ok=False, error=f"{type(exc).__name__}: {exc}", retryable=True, outcome_unknown=True
            )
        if 200 <= status < 300:
            return SendResult(ok=True, status=status)
        return _from_status(status, body, response_headers, method=method)

    async def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        return await self._call("reply", REPLY_PATH, {"replyToken": reply_token, "messages": messages})

    async def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        return await self._call(
            "push", PUSH_PATH, {"to": to, "messages": messages}, {"X-Line-Retry-Key": retry_key}
        )
