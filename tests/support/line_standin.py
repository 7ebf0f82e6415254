"""A local stand-in for the LINE Messaging API: records requests, checks them like LINE does,
and fails on demand.

It answers the endpoints the bot uses (reply, push, multicast, rich menu create / image upload / default)
with LINE's status codes and error shapes: 400 {"message": ..., "details": [...]} for a message
that breaks a limit (text > 5000, > 5 messages, label > 20, altText > 400, > 13 quick replies,
postback data > 300 bytes ...), 400 "Invalid reply token" for a spent or expired token (a token
works once, and for ``token_ttl`` seconds, 60 by default, from when it was issued: ``issue(token)``,
or else from the first time the stand-in sees it), 409 for a push whose X-Line-Retry-Key was
accepted before (and nothing is delivered again), 401 for a wrong access token.

Faults are queued with ``fail(...)`` (consumed in order) or drawn at random with
``failure_rate``: "429" (with Retry-After), "500" (nothing delivered), "timeout" (the message
IS delivered, but the answer comes only after ``delay`` seconds: the client gives up first, as
when LINE is slow), "invalid_token".
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.servers import ServerThread

MAX_TEXT = 5000
MAX_LABEL = 20
MAX_ALT = 400
MAX_QUICK = 13
MAX_MESSAGES = 5
MAX_DATA_BYTES = 300
MAX_ACTION_TEXT = 300
MAX_MULTICAST = 500  # user ids per multicast request


def u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class Delivered:
    kind: str  # "reply" | "push" | "multicast" (one Delivered per user of a multicast)
    target: str  # reply token or push destination (a multicast's user)
    messages: list[dict[str, Any]]
    retry_key: str | None = None
    at: float = field(default_factory=time.perf_counter)  # when the stand-in accepted it


@dataclass
class Fault:
    kind: str  # "429" | "500" | "timeout" | "invalid_token"
    endpoint: str = "any"  # "reply" | "push" | "multicast" | "profile" | "any"
    retry_after: float = 1
    delay: float = 2.0


@dataclass
class StandinState:
    token: str
    requests: list[Recorded] = field(default_factory=list)
    delivered: list[Delivered] = field(default_factory=list)
    used_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    token_ttl: float = 60.0  # seconds a reply token works after it was issued (LINE: about a minute)
    issued: dict[str, float] = field(default_factory=dict)  # token -> time.monotonic() of issue
    accepted_keys: dict[str, str] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    failure_rate: float = 0.0
    random_kinds: tuple[str, ...] = ("429", "500", "timeout")
    timeout_delay: float = 2.0
    rng: random.Random = field(default_factory=lambda: random.Random(1234))
    rejected: list[tuple[str, list[str]]] = field(default_factory=list)  # (path, problems)
    richmenus: dict[str, dict[str, Any]] = field(default_factory=dict)
    richmenu_images: dict[str, bytes] = field(default_factory=dict)
    default_richmenu: str | None = None
    # GET /v2/bot/profile/{userId}: user -> the profile's language (None: LINE gives none);
    # a user in ``unknown_users`` gets 404 (blocked the bot, or never added it)
    profile_languages: dict[str, str | None] = field(default_factory=dict)
    unknown_users: set[str] = field(default_factory=set)


# ------------------------------------------------------------------------------------------------
# Validation, as LINE does it (the subset the bot can produce, plus the limits the SDK skips)


def _check_action(action: Any, where: str, problems: list[str]) -> None:
    if not isinstance(action, dict):
        problems.append(f"{where}: action must be an object")
        return
    label = action.get("label")
    if not isinstance(label, str) or not 1 <= u16(label) <= MAX_LABEL:
        problems.append(f"{where}.label: must be 1..{MAX_LABEL} characters")
    kind = action.get("type")
    if kind == "message":
        text = action.get("text")
        if not isinstance(text, str) or not 1 <= u16(text) <= MAX_ACTION_TEXT:
            problems.append(f"{where}.text: must be 1..{MAX_ACTION_TEXT} characters")
    elif kind == "postback":
        data = action.get("data")
        if not isinstance(data, str) or len(data.encode()) > MAX_DATA_BYTES:
            problems.append(f"{where}.data: must be <= {MAX_DATA_BYTES} bytes")
        display = action.get("displayText")
        if display is not None and (not isinstance(display, str) or not 1 <= u16(display) <= MAX_ACTION_TEXT):
            problems.append(f"{where}.displayText: must be 1..{MAX_ACTION_TEXT} characters")
    elif kind not in (
        "uri",
        "datetimepicker",
        "camera",
        "cameraRoll",
        "location",
        "richmenuswitch",
        "clipboard",
    ):
        problems.append(f"{where}.type: unknown action type {kind!r}")


def _check_flex_node(node: Any, where: str, problems: list[str]) -> None:
    if not isinstance(node, dict):
        problems.append(f"{where}: must be an object")
        return
    kind = node.get("type")
    if kind == "text" and (not isinstance(node.get("text"), str) or not node["text"]):
        problems.append(f"{where}.text: must not be empty")
    if kind == "button":
        _check_action(node.get("action"), f"{where}.action", problems)
    if kind == "box":
        contents = node.get("contents")
        if not isinstance(contents, list):
            problems.append(f"{where}.contents: must be a list")
            return
        for i, child in enumerate(contents):
            _check_flex_node(child, f"{where}.contents[{i}]", problems)
    if kind == "bubble":
        for part in ("header", "hero", "body", "footer"):
            if part in node:
                _check_flex_node(node[part], f"{where}.{part}", problems)


def check_messages(messages: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        return [f"messages: must be a list of 1..{MAX_MESSAGES} messages"]
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            problems.append(f"{where}: must be an object")
            continue
        kind = m.get("type")
        if kind == "text":
            text = m.get("text")
            if not isinstance(text, str) or not 1 <= u16(text) <= MAX_TEXT:
                problems.append(f"{where}.text: must be 1..{MAX_TEXT} characters")
        elif kind == "flex":
            alt = m.get("altText")
            if not isinstance(alt, str) or not 1 <= u16(alt) <= MAX_ALT:
                problems.append(f"{where}.altText: must be 1..{MAX_ALT} characters")
            contents = m.get("contents")
            if not isinstance(contents, dict):
                problems.append(f"{where}.contents: required")
            elif contents.get("type") == "carousel":
                bubbles = contents.get("contents")
                if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= 12:
                    problems.append(f"{where}.contents.contents: 1..12 bubbles")
                else:
                    for j, b in enumerate(bubbles):
                        _check_flex_node(b, f"{where}.contents.contents[{j}]", problems)
                if len(json.dumps(contents, ensure_ascii=False).encode()) > 50_000:
                    problems.append(f"{where}.contents: carousel larger than 50 KB")
            else:
                _check_flex_node(contents, f"{where}.contents", problems)
        else:
            problems.append(f"{where}.type: the bot never sends {kind!r}")
        qr = m.get("quickReply")
        if qr is not None:
            items = qr.get("items") if isinstance(qr, dict) else None
            if not isinstance(items, list) or not 1 <= len(items) <= MAX_QUICK:
                problems.append(f"{where}.quickReply.items: 1..{MAX_QUICK} items")
            else:
                for j, item in enumerate(items):
                    _check_action(
                        item.get("action") if isinstance(item, dict) else None,
                        f"{where}.quickReply.items[{j}].action",
                        problems,
                    )
    return problems


# ------------------------------------------------------------------------------------------------


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class LineStandin:
    def __init__(self, access_token: str = "test-access-token") -> None:
        self.state = StandinState(token=access_token)
        self.lock = threading.Lock()
        self.server: ServerThread | None = None
        self.app = Starlette(
            routes=[
                Route("/v2/bot/message/reply", self._reply, methods=["POST"]),
                Route("/v2/bot/message/push", self._push, methods=["POST"]),
                Route("/v2/bot/message/multicast", self._multicast, methods=["POST"]),
                Route("/v2/bot/richmenu", self._richmenu_create, methods=["POST"]),
                Route("/v2/bot/richmenu/{rid}/content", self._richmenu_content, methods=["POST"]),
                Route("/v2/bot/user/all/richmenu/{rid}", self._richmenu_default, methods=["POST"]),
                Route("/v2/bot/profile/{user_id}", self._profile, methods=["GET"]),
            ]
        )

    # -- control (called from tests) ----------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def start(self) -> LineStandin:
        self.server = ServerThread(self.app).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def fail(
        self, kind: str, *, endpoint: str = "any", times: int = 1, retry_after: float = 1, delay: float = 2.0
    ) -> None:
        with self.lock:
            self.state.faults.extend(Fault(kind, endpoint, retry_after, delay) for _ in range(times))

    def set_profile(self, user: str, *, language: str | None) -> None:
        """What GET /v2/bot/profile/{user} says about the user's language."""
        with self.lock:
            self.state.profile_languages[user] = language

    def expire_token(self, token: str) -> None:
        with self.lock:
            self.state.expired_tokens.add(token)

    def issue(self, *tokens: str, at: float | None = None) -> None:
        """Reply tokens handed out with webhook events now (or at ``at``, time.monotonic())."""
        when = time.monotonic() if at is None else at
        with self.lock:
            for token in tokens:
                self.state.issued.setdefault(token, when)

    def reset(self) -> None:
        with self.lock:
            token, ttl = self.state.token, self.state.token_ttl
            self.state = StandinState(token=token, token_ttl=ttl)

    def deliveries(self) -> list[Delivered]:
        with self.lock:
            return list(self.state.delivered)

    def requests(self, path_suffix: str = "") -> list[Recorded]:
        with self.lock:
            return [r for r in self.state.requests if r.path.endswith(path_suffix)]

    def rejected(self) -> list[tuple[str, list[str]]]:
        with self.lock:
            return list(self.state.rejected)

    # -- helpers ------------------------------------------------------------------------------

    async def _start(
        self, request: Request, endpoint: str
    ) -> tuple[Recorded, Any, Fault | None, Response | None]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw and "json" in request.headers.get("content-type", "") else raw
        except ValueError:
            body = None
        rec = Recorded(request.method, request.url.path, dict(request.headers), body)
        with self.lock:
            self.state.requests.append(rec)
            fault = None
            for i, f in enumerate(self.state.faults):
                # a profile lookup takes only faults meant for it (endpoint="profile"), so the
                # faults a test queues for its replies and pushes stay theirs
                if f.endpoint == endpoint or (f.endpoint == "any" and endpoint != "profile"):
                    fault = self.state.faults.pop(i)
                    break
            if (
                fault is None
                and endpoint in ("reply", "push", "multicast")
                and self.state.rng.random() < self.state.failure_rate
            ):
                fault = Fault(self.state.rng.choice(self.state.random_kinds), delay=self.state.timeout_delay)
        if request.headers.get("authorization") != f"Bearer {self.state.token}":
            return rec, body, None, self._answer(rec, 401, {"message": "Authentication failed"})
        if fault is not None and fault.kind == "429":
            return (
                rec,
                body,
                None,
                self._answer(
                    rec,
                    429,
                    {"message": "Too Many Requests"},
                    headers={"Retry-After": f"{fault.retry_after:g}"},
                ),
            )
        if fault is not None and fault.kind == "500":
            return rec, body, None, self._answer(rec, 500, {"message": "Internal Server Error"})
        return rec, body, fault, None

    def _answer(self, rec: Recorded, status: int, body: dict, headers: dict | None = None) -> JSONResponse:
        rec.status = status
        return JSONResponse(body, status_code=status, headers=headers)

    def _invalid(self, rec: Recorded, problems: list[str]) -> JSONResponse:
        with self.lock:
            self.state.rejected.append((rec.path, problems))
        details = [{"message": p.split(": ", 1)[-1], "property": p.split(": ", 1)[0]} for p in problems]
        return self._answer(rec, 400, {"message": "The request body has 1 error(s)", "details": details})

    async def _finish(self, rec: Recorded, fault: Fault | None, body: dict) -> Response:
        response = self._answer(rec, 200, body, headers={"X-Line-Request-Id": uuid.uuid4().hex})
        if fault is not None and fault.kind == "timeout":
            await asyncio.sleep(fault.delay)  # delivered, but the client has given up by now
        return response

    # -- endpoints ----------------------------------------------------------------------------

    async def _profile(self, request: Request) -> Response:
        """GET /v2/bot/profile/{userId}: displayName, userId, and ``language`` when set.
        Faults with endpoint="profile": 429, 500, "timeout" (answers after ``delay``)."""
        rec, _body, fault, early = await self._start(request, "profile")
        if early is not None:
            return early
        user = request.path_params["user_id"]
        with self.lock:
            if user in self.state.unknown_users:
                return self._answer(rec, 404, {"message": "Not found"})
            lang = self.state.profile_languages.get(user)
        body = {"displayName": "テスト利用者", "userId": user, "pictureUrl": "https://example.invalid/p.png"}
        if lang is not None:
            body["language"] = lang
        return await self._finish(rec, fault, body)

    async def _reply(self, request: Request) -> Response:
        rec, body, fault, early = await self._start(request, "reply")
        if early is not None:
            return early
        if not isinstance(body, dict) or not isinstance(body.get("replyToken"), str):
            return self._invalid(rec, ["replyToken: required"])
        problems = check_messages(body.get("messages"))
        if problems:
            return self._invalid(rec, problems)
        token = body["replyToken"]
        with self.lock:
            issued = self.state.issued.setdefault(token, time.monotonic())
            spent = (
                token in self.state.used_tokens
                or token in self.state.expired_tokens
                or time.monotonic() - issued > self.state.token_ttl
            )
            if fault is not None and fault.kind == "invalid_token":
                spent = True
            if not spent:
                self.state.used_tokens.add(token)
                self.state.delivered.append(Delivered("reply", token, body["messages"]))
        if spent:
            return self._answer(rec, 400, {"message": "Invalid reply token"})
        return await self._finish(
            rec, fault, {"sentMessages": [{"id": uuid.uuid4().hex} for _ in body["messages"]]}
        )

    async def _push(self, request: Request) -> Response:
        rec, body, fault, early = await self._start(request, "push")
        if early is not None:
            return early
        if not isinstance(body, dict) or not isinstance(body.get("to"), str) or not body["to"]:
            return self._invalid(rec, ["to: required"])
        problems = check_messages(body.get("messages"))
        if problems:
            return self._invalid(rec, problems)
        key = request.headers.get("x-line-retry-key")
        if key is not None and not _is_uuid(key):
            return self._invalid(rec, ["X-Line-Retry-Key: must be a UUID"])
        with self.lock:
            repeated = self._accept_key(rec, key)
            if repeated is not None:
                return repeated
            self.state.delivered.append(Delivered("push", body["to"], body["messages"], key))
        return await self._finish(
            rec, fault, {"sentMessages": [{"id": uuid.uuid4().hex} for _ in body["messages"]]}
        )

    def _accept_key(self, rec: Recorded, key: str | None) -> Response | None:
        """LINE's retry-key rule (call under the lock): a key accepted before gets 409 with the
        first request's id and nothing is delivered again; a new key is remembered."""
        if key is None:
            return None
        if key in self.state.accepted_keys:
            return self._answer(
                rec,
                409,
                {"message": "The retry key is already accepted"},
                headers={"X-Line-Accepted-Request-Id": self.state.accepted_keys[key]},
            )
        self.state.accepted_keys[key] = uuid.uuid4().hex
        return None

    async def _multicast(self, request: Request) -> Response:
        """Like push, to 1..500 users at once (LINE's limit per request): the same retry-key rule
        (409 for a key accepted before, nothing delivered again); one Delivered per user."""
        rec, body, fault, early = await self._start(request, "multicast")
        if early is not None:
            return early
        to = body.get("to") if isinstance(body, dict) else None
        if not isinstance(to, list) or not 1 <= len(to) <= MAX_MULTICAST or not all(
            isinstance(u, str) and u for u in to
        ):
            return self._invalid(rec, [f"to: 1..{MAX_MULTICAST} user ids"])
        if len(set(to)) != len(to):
            return self._invalid(rec, ["to: duplicate user ids"])
        problems = check_messages(body.get("messages"))
        if problems:
            return self._invalid(rec, problems)
        key = request.headers.get("x-line-retry-key")
        if key is not None and not _is_uuid(key):
            return self._invalid(rec, ["X-Line-Retry-Key: must be a UUID"])
        with self.lock:
            repeated = self._accept_key(rec, key)
            if repeated is not None:
                return repeated
            now = time.perf_counter()
            self.state.delivered.extend(Delivered("multicast", u, body["messages"], key, now) for u in to)
        return await self._finish(rec, fault, {})

    async def _richmenu_create(self, request: Request) -> Response:
        rec, body, _, early = await self._start(request, "richmenu")
        if early is not None:
            return early
        problems = []
        size = body.get("size", {}) if isinstance(body, dict) else {}
        if (size.get("width"), size.get("height")) not in ((2500, 1686), (2500, 843)):
            problems.append("size: must be 2500x1686 or 2500x843")
        areas = body.get("areas") if isinstance(body, dict) else None
        if not isinstance(areas, list) or not 1 <= len(areas) <= 20:
            problems.append("areas: 1..20 areas")
        else:
            for i, a in enumerate(areas):
                b = a.get("bounds", {})
                if b.get("x", -1) < 0 or b.get("y", -1) < 0 or b.get("x", 0) + b.get("width", 0) > 2500:
                    problems.append(f"areas[{i}].bounds: outside the menu")
                act = dict(a.get("action") or {})
                act.setdefault("label", "x")  # labels are optional on rich-menu areas
                _check_action(act, f"areas[{i}].action", problems)
        chat = body.get("chatBarText", "") if isinstance(body, dict) else ""
        if not 1 <= u16(chat) <= 14:
            problems.append("chatBarText: 1..14 characters")
        if problems:
            return self._invalid(rec, problems)
        rid = "richmenu-" + uuid.uuid4().hex
        with self.lock:
            self.state.richmenus[rid] = body
        return self._answer(rec, 200, {"richMenuId": rid})

    async def _richmenu_content(self, request: Request) -> Response:
        rec, body, _, early = await self._start(request, "richmenu")
        if early is not None:
            return early
        rid = request.path_params["rid"]
        if rid not in self.state.richmenus:
            return self._answer(rec, 404, {"message": "Not found"})
        if request.headers.get("content-type") not in ("image/png", "image/jpeg"):
            return self._invalid(rec, ["Content-Type: image/png or image/jpeg"])
        if not isinstance(body, bytes) or not body.startswith(b"\x89PNG") or len(body) > 1_000_000:
            return self._invalid(rec, ["image: a PNG of at most 1 MB"])
        with self.lock:
            self.state.richmenu_images[rid] = body
        return self._answer(rec, 200, {})

    async def _richmenu_default(self, request: Request) -> Response:
        rec, _, _, early = await self._start(request, "richmenu")
        if early is not None:
            return early
        rid = request.path_params["rid"]
        if rid not in self.state.richmenu_images:
            return self._answer(rec, 400, {"message": "An image has not been uploaded to the rich menu"})
        with self.lock:
            self.state.default_richmenu = rid
        return self._answer(rec, 200, {})
