"""The LINE channel's sender: the Messaging API client (line-bot-sdk's AsyncMessagingApi).

The one delivery (bot/messaging/delivery.py) only sees ``SendResult``: whether the message went
out, and if not, whether it is worth retrying, after how long (Retry-After), and whether LINE may
have delivered it anyway (a timeout after the request was sent): that last bit is what keeps
retries from doubling a reply. Reply while the row's token is valid, else push with the row's
``X-Line-Retry-Key``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import urllib.parse
import urllib.request
from typing import Any

import aiohttp
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    MulticastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.messaging import outbox
from bot.messaging.channel import Claimed, SendResult
from bot.storage.db import utcnow

log = logging.getLogger(__name__)


class StoredReplyRequest(ReplyMessageRequest):
    """line-bot-sdk's ReplyMessageRequest around messages that already are the SDK's own dicts.

    handlers/line_render.py builds every message with the SDK's models and the outbox stores
    their ``to_dict()``. Turning them back into models to send them (``from_dict``, pydantic
    validation) and into dicts again inside the client (``to_dict``) cost ~2.5 ms of CPU per
    message, most of the delivery path, and checked nothing new. This request hands the stored
    dicts to ``AsyncMessagingApi`` as they are; the client still does the rest (auth, host,
    HTTP, errors). tests/line/test_render.py checks that the body equals the SDK's own.
    """

    @classmethod
    def of(cls, reply_token: str, messages: list[dict[str, Any]]) -> StoredReplyRequest:
        _check_stored(messages)
        return cls.construct(reply_token=reply_token, messages=messages, notification_disabled=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "replyToken": self.reply_token,
            "messages": self.messages,
            "notificationDisabled": self.notification_disabled,
        }


class StoredPushRequest(PushMessageRequest):
    """PushMessageRequest around stored message dicts (see StoredReplyRequest)."""

    @classmethod
    def of(cls, to: str, messages: list[dict[str, Any]]) -> StoredPushRequest:
        _check_stored(messages)
        return cls.construct(to=to, messages=messages, notification_disabled=False)

    def to_dict(self) -> dict[str, Any]:
        return {"to": self.to, "messages": self.messages, "notificationDisabled": self.notification_disabled}


class StoredMulticastRequest(MulticastRequest):
    """MulticastRequest around stored message dicts (see StoredReplyRequest)."""

    @classmethod
    def of(cls, to: list[str], messages: list[dict[str, Any]]) -> StoredMulticastRequest:
        _check_stored(messages)
        if not 1 <= len(to) <= outbox.MULTICAST_MAX:
            raise ValueError(f"a multicast goes to 1 to {outbox.MULTICAST_MAX} users")
        return cls.construct(to=to, messages=messages, notification_disabled=False)

    def to_dict(self) -> dict[str, Any]:
        return {"to": self.to, "messages": self.messages, "notificationDisabled": self.notification_disabled}


def _check_stored(messages: Any) -> None:
    """The shape a stored row must have; anything else is a row that can never be sent."""
    if (
        not isinstance(messages, list)
        or not 1 <= len(messages) <= 5
        or not all(isinstance(m, dict) and isinstance(m.get("type"), str) for m in messages)
    ):
        raise ValueError("a stored message row must hold 1 to 5 message objects")


async def make_api(base_url: str, access_token: str) -> tuple[AsyncApiClient, AsyncMessagingApi]:
    """Create the client; call inside a running event loop (it opens an aiohttp session).

    The SDK's aiohttp session is made with ``trust_env=True``, so on every request aiohttp scans
    the environment for proxy variables and looks for a ~/.netrc in a thread: ~1 ms of CPU per
    message, measured, about a third of the delivery path. The environment is read once here
    instead (the proxy it names, if any, goes into the SDK's own ``Configuration.proxy``) and
    the client gets an otherwise identical session that does not look again.
    """
    config = Configuration(host=base_url, access_token=access_token)
    config.proxy = proxy_from_environment(base_url)
    client = AsyncApiClient(config)
    rest = client.rest_client
    await rest.pool_manager.close()  # unused yet: no connection was opened
    rest.pool_manager = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=config.connection_pool_maxsize, ssl=ssl.create_default_context(cafile=config.ssl_ca_cert)
        ),
        trust_env=False,
    )
    return client, AsyncMessagingApi(client)


def proxy_from_environment(url: str) -> str | None:
    """The proxy that ``HTTPS_PROXY`` / ``HTTP_PROXY`` (and ``NO_PROXY``) name for ``url``."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname or urllib.request.proxy_bypass(parts.hostname):
        return None
    return urllib.request.getproxies().get(parts.scheme) or None


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


def _from_exception(exc: ApiException, *, method: str) -> SendResult:
    status = exc.status or 0
    message = _body_message(exc.body)
    if status == 409 and method in ("push", "multicast"):
        return SendResult(ok=True, method=method, status=409, error=message, note=ALREADY_ACCEPTED)
    if status == 400 and method == "reply" and "reply token" in message.lower():
        return SendResult(ok=False, method=method, status=400, error=message, invalid_reply_token=True)
    if status == 429:
        return SendResult(
            ok=False,
            method=method,
            status=429,
            error=message,
            retryable=True,
            retry_after=_retry_after(exc.headers),
        )
    if status >= 500:
        return SendResult(
            ok=False,
            method=method,
            status=status,
            error=message,
            retryable=True,
            retry_after=_retry_after(exc.headers),
            outcome_unknown=True,
        )
    return SendResult(ok=False, method=method, status=status, error=message or f"HTTP {status}")


#: The row's note when LINE answers 409 to a push: its retry key was accepted before.
ALREADY_ACCEPTED = "push retry key already accepted by LINE (409): delivered earlier"


class LineSender:
    """``send(item)`` for the delivery loop; ``reply``/``push`` are the two API calls."""

    def __init__(self, api: AsyncMessagingApi, *, timeout: float) -> None:
        self._api = api
        self._timeout = timeout

    async def send(self, item: Claimed) -> SendResult:
        """Reply while the row's reply token is valid; else push to its destination."""
        multicast = outbox.multicast_of(item.destination, item.messages)
        if multicast is not None:
            return await self.multicast(*multicast, item.retry_key)
        expires = item.reply_token_expires_at
        if item.reply_token is not None and (expires is None or utcnow() < expires):
            return await self.reply(item.reply_token, item.messages)
        if item.destination:
            return await self.push(item.destination, item.messages, item.retry_key)
        return SendResult(ok=False, method="push", error="no push destination and no valid reply token")

    async def _call(self, method: str, coro_factory) -> SendResult:
        try:
            async with asyncio.timeout(self._timeout):
                response = await coro_factory()
        except ApiException as exc:
            return _from_exception(exc, method=method)
        except TimeoutError:
            return SendResult(ok=False, method=method, error="timeout", retryable=True, outcome_unknown=True)
        except aiohttp.ClientConnectorError as exc:  # never reached LINE: safe to retry
            return SendResult(ok=False, method=method, error=f"connection failed: {exc}", retryable=True)
        except (aiohttp.ClientError, OSError) as exc:  # the connection broke mid-request
            return SendResult(
                ok=False,
                method=method,
                error=f"{type(exc).__name__}: {exc}",
                retryable=True,
                outcome_unknown=True,
            )
        return SendResult(ok=True, method=method, status=getattr(response, "status_code", 200))

    async def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> SendResult:
        try:
            request = StoredReplyRequest.of(reply_token, messages)
        except ValueError as exc:  # a row that can never be sent (renderer bug)
            return SendResult(ok=False, method="reply", error=f"invalid message: {exc}"[:1000])
        return await self._call("reply", lambda: self._api.reply_message_with_http_info(request))

    async def push(self, to: str, messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        try:
            request = StoredPushRequest.of(to, messages)
        except ValueError as exc:
            return SendResult(ok=False, method="push", error=f"invalid message: {exc}"[:1000])
        return await self._call(
            "push", lambda: self._api.push_message_with_http_info(request, x_line_retry_key=retry_key)
        )

    async def multicast(self, to: list[str], messages: list[dict[str, Any]], retry_key: str) -> SendResult:
        """One multicast row (at most 500 users), with the row's retry key like a push."""
        if not to:  # everyone was taken out (unfollowed, deleted) after it was queued
            return SendResult(ok=True, method="multicast", note="no recipient left")
        try:
            request = StoredMulticastRequest.of(to, messages)
        except ValueError as exc:
            return SendResult(ok=False, method="multicast", error=f"invalid message: {exc}"[:1000])
        return await self._call(
            "multicast", lambda: self._api.multicast_with_http_info(request, x_line_retry_key=retry_key)
        )
