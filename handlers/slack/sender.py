"""Slack adapter, outbound: the Slack channel's sender, slack_sdk's AsyncWebClient behind the one
delivery (bot/messaging/delivery.py).

Slack has no idempotency key, so every post carries message metadata naming its outbox row; a
post whose outcome was uncertain (timeout, 5xx) is first looked for in the channel
(``conversations.history``) and adopted instead of being posted a second time.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.messaging.channel import Claimed, SendResult

METADATA_EVENT = "kyodo_outbox"


def outbox_id_of(args: dict[str, Any], row_id: int) -> int:
    """The outbox id a post names in its metadata (a row copied by migration 0005 keeps its
    old id there), else the row's own."""
    payload = ((args.get("metadata") or {}).get("event_payload")) or {}
    named = payload.get("outbox_id")
    return named if isinstance(named, int) else row_id


class WebApiSender:
    """``send(item)`` for the delivery loop: one Web API call per outbox row."""

    def __init__(self, client: AsyncWebClient, *, timeout: float) -> None:
        self.client = client
        self.timeout = timeout

    async def send(self, item: Claimed) -> SendResult:
        call = item.messages[0] if item.messages else {}
        method, args = str(call.get("method", "")), dict(call.get("args") or {})
        if method == "chat.postMessage":
            args.setdefault(
                "metadata", {"event_type": METADATA_EVENT, "event_payload": {"outbox_id": item.id}}
            )
            if item.uncertain:
                marker = outbox_id_of(args, item.id)
                oldest = (item.created_at.timestamp() - 60) if item.created_at else 0.0
                try:
                    ts = await asyncio.wait_for(
                        self.find_posted(args.get("channel", ""), marker, oldest), self.timeout
                    )
                except Exception as exc:  # cannot tell: look again later rather than risk a double
                    return SendResult(
                        ok=False,
                        method="conversations.history",
                        error=f"lookup failed: {exc}",
                        retryable=True,
                        outcome_unknown=True,
                    )
                if ts:
                    return SendResult(
                        ok=True, method="conversations.history", ref=ts, note="found posted earlier: adopted"
                    )
        try:
            return await asyncio.wait_for(self.call(method, args), self.timeout)
        except TimeoutError:
            return SendResult(ok=False, method=method, error="timeout", retryable=True, outcome_unknown=True)
        except Exception as exc:  # network errors: no answer, may or may not have arrived
            return SendResult(
                ok=False,
                method=method,
                error=f"{type(exc).__name__}: {exc}",
                retryable=True,
                outcome_unknown=True,
            )

    async def call(self, method: str, payload: dict[str, Any]) -> SendResult:
        try:
            resp = await self.client.api_call(method, json=payload)
        except SlackApiError as exc:
            r = exc.response
            retry_after = None
            if r.status_code == 429:
                try:
                    retry_after = float(r.headers.get("Retry-After", r.headers.get("retry-after", 1)))
                except (TypeError, ValueError):
                    retry_after = 1.0
            # Slack answers most errors with HTTP 200 and ok=false: those are permanent (400-like).
            status = r.status_code if r.status_code != 200 else 400
            return SendResult(
                ok=False,
                method=method,
                status=status,
                error=str(r.get("error", "")),
                retry_after=retry_after,
                retryable=status == 429 or status >= 500,
                outcome_unknown=status >= 500,  # 429: refused unseen; 5xx: it may have been posted
            )
        return SendResult(ok=True, method=method, status=resp.status_code, ref=resp.get("ts"))

    async def find_posted(self, channel: str, outbox_id: int, oldest: float) -> str | None:
        """The ts of a message we posted for ``outbox_id`` (metadata), if Slack has it."""
        cursor = None
        for _ in range(5):
            resp = await self.client.conversations_history(
                channel=channel, oldest=str(oldest), include_all_metadata=True, limit=200, cursor=cursor
            )
            for m in resp.get("messages", []):
                meta = m.get("metadata") or {}
                if (
                    meta.get("event_type") == METADATA_EVENT
                    and (meta.get("event_payload") or {}).get("outbox_id") == outbox_id
                ):
                    return m.get("ts")
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
