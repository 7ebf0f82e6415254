"""The HTTP server's limits (bot/commands/limits.py), over real sockets to a real uvicorn server
started with the options `kyodo serve` uses: slow or half-open clients are cut off, a slow app
is not."""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.commands.limits import uvicorn_options
from bot.settings import Settings
from tests.support.servers import ServerThread

READ_TIMEOUT = 0.5


async def slow(request: Request) -> PlainTextResponse:
    body = await request.body()
    await asyncio.sleep(READ_TIMEOUT * 2)  # the app's own time is not limited
    return PlainTextResponse(f"got {len(body)}")


@pytest.fixture(scope="module")
def server():
    settings = replace(Settings(), http_read_timeout_seconds=READ_TIMEOUT, http_max_header_bytes=2048)
    app = Starlette(routes=[Route("/slow", slow, methods=["GET", "POST"])])
    s = ServerThread(app, **uvicorn_options(settings)).start()
    yield s
    s.stop()


def _closed_within(server, send: bytes, seconds: float) -> bool:
    """Connect, send ``send``, and wait for the server to close the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=seconds) as sock:
        if send:
            sock.sendall(send)
        start = time.monotonic()
        try:
            while sock.recv(4096):
                pass  # a response (e.g. 431/400) may come before the close
        except TimeoutError:
            return False
        return time.monotonic() - start <= seconds


@pytest.mark.parametrize(
    "send",
    [
        b"",  # connects and says nothing
        b"GET /slow HTTP/1.1\r\nHost: x\r\n",  # half a request head
        b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789",  # a body that never ends
    ],
    ids=["silent", "half-head", "short-body"],
)
def test_a_slow_client_is_cut_off(server, send):
    assert _closed_within(server, send, READ_TIMEOUT + 2)


def test_an_oversized_head_is_cut_off(server):
    head = b"GET /slow HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 4000 + b"\r\n"
    assert _closed_within(server, head, 2)


def test_a_slow_app_and_keep_alive_are_not_cut(server):
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.post("/slow", content=b"x" * 1000).text == "got 1000"
        time.sleep(READ_TIMEOUT * 1.5)  # idle between requests: keep-alive's business, not ours
        assert client.get("/slow").text == "got 0"
