"""A local stand-in for the Slack Web API (and response_url), on 127.0.0.1.

It answers the methods the bot uses (auth.test, chat.postMessage, chat.update, chat.postEphemeral,
views.publish, views.open, conversations.history, conversations.replies, users.info) like Slack
does (HTTP 200 with ``ok``; errors as ``{"ok": false, "error": ...}``), records every call, keeps
the posted messages per channel (with their metadata, for conversations.history) and checks
the basic Block Kit limits Slack enforces (<= 50 blocks in a message, <= 100 in a view).

Faults are queued with ``fail(method, kind, times)`` or drawn at random with ``failure_rate``:
"429" (Retry-After: ``retry_after`` seconds; nothing stored), "500" (nothing stored),
"500_after" (the message IS stored, then 500 — as when Slack fails after accepting), "timeout"
(the message IS stored but the answer comes only after ``delay`` seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.servers import ServerThread

TEAM_ID = "T0KYODO"
APP_ID = "AKYODO"
BOT_USER = "UKYODOBOT"
STORING = {"chat.postMessage"}
FAULTS = ("429", "500", "500_after", "timeout")


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    fault: str = ""


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    updates: int = 0


class SlackStandin:
    def __init__(self, token: str = "xoxb-test", team_id: str = TEAM_ID) -> None:
        self.token = token
        self.team_id = team_id
        self.app_id = APP_ID
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # bodies posted to response_url
        self.messages: dict[str, list[Message]] = {}
        self.failure_rate = 0.0
        self.failure_kinds: tuple[str, ...] = FAULTS
        self.failing_methods: set[str] | None = None  # None: any method except auth.test
        self.retry_after = 1
        self.delay = 2.0
        self.rng = random.Random(7)
        self._queued: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._ts = 0.0
        self.server: ServerThread | None = None
        self.display_names: dict[str, str] = {"UALICE": "山田 花子", "UBOB": "鈴木 一郎"}

    # -- control ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, key: str = "r") -> str:
        return f"{self.url}/response/{key}"

    def start(self) -> SlackStandin:
        app = Starlette(
            routes=[
                Route("/api/{method}", self._api, methods=["POST", "GET"]),
                Route("/response/{key}", self._response, methods=["POST"]),
            ]
        )
        self.server = ServerThread(app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.messages.clear()
            self._queued.clear()
            self.failure_rate = 0.0
            self.failing_methods = None

    def fail(self, method: str, kind: str, times: int = 1) -> None:
        assert kind in FAULTS
        with self._lock:
            self._queued.setdefault(method, []).extend([kind] * times)

    # -- queries -------------------------------------------------------------------------------------
    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (not ok_only or c.status == 200 and not c.fault)
            ]

    def posted(self, channel: str | None = None) -> list[Message]:
        with self._lock:
            if channel is not None:
                return list(self.messages.get(channel, []))
            return [m for ms in self.messages.values() for m in ms]

    def find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self.posted(channel) if m.ts == ts), None)

    # -- server ----------------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        self._ts = max(time.time(), self._ts + 0.000100)
        return f"{self._ts:.6f}"

    def _pick_fault(self, method: str) -> str:
        with self._lock:
            queued = self._queued.get(method)
            if queued:
                return queued.pop(0)
            if method in ("auth.test", "bots.info") or self.failure_rate <= 0:
                return ""
            if self.failing_methods is not None and method not in self.failing_methods:
                return ""
            if self.rng.random() < self.failure_rate:
                return self.rng.choice(self.failure_kinds)
        return ""

    @staticmethod
    async def _body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        ctype = request.headers.get("content-type", "")
        if "json" in ctype:
            try:
                return json.loads(raw or b"{}")
            except ValueError:
                return {}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        for key in ("blocks", "view", "metadata"):  # form-encoded JSON fields
            if isinstance(form.get(key), str):
                with contextlib.suppress(ValueError):
                    form[key] = json.loads(form[key])
        form.update({k: v for k, v in request.query_params.items()})
        return form

    async def _response(self, request: Request) -> Response:
        body = await self._body(request)
        with self._lock:
            self.responses.append({"key": request.path_params["key"], **body})
        return Response("ok")

    async def _api(self, request: Request) -> Response:
        method = request.path_params["method"]
        body = await self._body(request)
        call = Call(method, body, dict(request.headers))
        with self._lock:
            self.calls.append(call)
        auth = request.headers.get("authorization", "")
        if auth != f"Bearer {self.token}" and body.get("token") != self.token:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        fault = self._pick_fault(method)
        call.fault = fault
        if fault == "429":
            call.status = 429
            return JSONResponse(
                {"ok": False, "error": "ratelimited"},
                status_code=429,
                headers={"Retry-After": str(self.retry_after)},
            )
        if fault == "500":
            call.status = 500
            return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)
        result = self._handle(method, body)
        if fault == "500_after":
            call.status = 500
            return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)
        if fault == "timeout":
            await asyncio.sleep(self.delay)
        return JSONResponse(result)

    def _handle(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://kyodo-test.slack.com/",
                "team": "Koganei",
                "user": "kyodo",
                "team_id": self.team_id,
                "user_id": BOT_USER,
                "bot_id": "BKYODO",
                "is_enterprise_install": False,
            }
        if method == "bots.info":
            return {
                "ok": True,
                "bot": {"id": str(body.get("bot", "")), "app_id": self.app_id, "name": "kyodo"},
            }
        if method == "chat.postMessage":
            channel = body.get("channel")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            blocks = body.get("blocks") or []
            if len(blocks) > 50:
                return {"ok": False, "error": "invalid_blocks"}
            with self._lock:
                m = Message(
                    channel,
                    self._next_ts(),
                    body.get("text", ""),
                    blocks,
                    body.get("thread_ts"),
                    body.get("metadata"),
                )
                self.messages.setdefault(channel, []).append(m)
            return {"ok": True, "channel": channel, "ts": m.ts, "message": {"text": m.text, "ts": m.ts}}
        if method == "chat.update":
            m = self.find(body.get("channel", ""), body.get("ts", ""))
            if m is None:
                return {"ok": False, "error": "message_not_found"}
            with self._lock:
                m.text, m.blocks = body.get("text", m.text), body.get("blocks", m.blocks)
                m.updates += 1
            return {"ok": True, "channel": m.channel, "ts": m.ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method in ("views.publish", "views.open", "views.update"):
            view = body.get("view") or {}
            if isinstance(view, str):
                view = json.loads(view)
            limit = 100
            if len(view.get("blocks") or []) > limit:
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True, "view": {"id": "V" + str(len(self.calls)), **view}}
        if method == "conversations.history":
            oldest = float(body.get("oldest") or 0)
            msgs = [
                {"ts": m.ts, "text": m.text, "metadata": m.metadata}
                for m in reversed(self.posted(body.get("channel", "")))
                if float(m.ts) >= oldest and not m.thread_ts
            ]
            return {"ok": True, "messages": msgs, "has_more": False}
        if method == "conversations.replies":
            ts = body.get("ts", "")
            msgs = [
                {"ts": m.ts, "text": m.text, "thread_ts": m.thread_ts}
                for m in self.posted(body.get("channel", ""))
                if m.ts == ts or m.thread_ts == ts
            ]
            return {"ok": True, "messages": msgs}
        if method == "users.info":
            user = body.get("user", "")
            name = self.display_names.get(user, "")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "profile": {"display_name": name, "real_name": name},
                },
            }
        return {"ok": False, "error": "unknown_method"}


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a request signed like Slack does (v0)."""
    import hashlib
    import hmac

    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    sig = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig}
