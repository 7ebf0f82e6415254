"""The web corner's protections: security headers (CSP without 'unsafe-inline', nosniff,
frame-ancestors from the settings), CSRF tokens (double-submit cookie), a per-client rate limit
for questions, signatures binding the buttons under an answer to the page that showed them, and
the ``Server-Timing`` header the benchmark reads."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from collections import OrderedDict

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "kyodo_csrf"
CSRF_FIELD = "csrf"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def content_security_policy(frame_ancestors: str) -> str:
    """Everything from this origin only; no inline script or style; no plugins."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {frame_ancestors}"
    )


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, and ``Server-Timing: app;dur=``
    (milliseconds from the request to the start of the response)."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "'none'") -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
            "Cross-Origin-Opener-Policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- CSRF ---------------------------------------------------------------------------------------


def csrf_token(request: Request) -> tuple[str, bool]:
    """The visitor's CSRF token, and whether it is new (then the response must set the cookie)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if _TOKEN.match(token):
        return token, False
    return secrets.token_hex(16), True


def csrf_ok(request: Request, submitted: str) -> bool:
    """Double-submit check: the form's token equals the cookie's (a page of another site can
    make the browser send the cookie, but cannot read it to put it in the form)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(_TOKEN.match(cookie)) and hmac.compare_digest(cookie, submitted or "")


def set_csrf_cookie(response, token: str, secure: bool) -> None:
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/", max_age=None
    )


# --- signatures -------------------------------------------------------------------------------------


class Signer:
    """HMAC-SHA256 of a button's data with the anonymous visitor id of the answer it sits under."""

    def __init__(self, secret: str) -> None:
        self.key = (secret or secrets.token_hex(32)).encode()

    def sign(self, visitor: str, data: str) -> str:
        return hmac.new(self.key, f"{visitor}|{data}".encode(), hashlib.sha256).hexdigest()[:32]

    def verify(self, visitor: str, data: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(visitor, data), signature or "")


def new_visitor() -> str:
    return "web:" + secrets.token_hex(12)


VISITOR = re.compile(r"^web:[0-9a-f]{24}$")


# --- rate limit ---------------------------------------------------------------------------------------


class RateLimiter:
    """A token bucket per client: ``per_minute`` questions, refilled evenly. Clients idle long
    enough to be full again are forgotten; at most ``max_clients`` are remembered."""

    def __init__(self, per_minute: int, *, max_clients: int = 10_000, clock=time.monotonic) -> None:
        self.capacity = float(max(1, per_minute))
        self.rate = self.capacity / 60.0
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, int]:
        """Whether ``client`` may ask now, and otherwise how many seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return allowed, 0 if allowed else max(1, math.ceil((1.0 - tokens) / self.rate - 1e-9))


def client_key(request: Request) -> str:
    """The client's address as the ASGI server saw it (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so that this is the visitor's address)."""
    return request.client.host if request.client else "unknown"
