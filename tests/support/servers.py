"""Run an ASGI app under a real uvicorn server on 127.0.0.1 in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import uvicorn

from bot.settings import Settings


class ServerThread:
    def __init__(self, app, *, log_level: str = "warning", **options: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        options.setdefault("timeout_graceful_shutdown", 5)
        config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False, **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"uvicorn-{self.port}")
        self.loop: asyncio.AbstractEventLoop | None = None

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve(sockets=[self.sock]))

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        with contextlib.suppress(OSError):
            self.sock.close()


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Poll until ``predicate()`` is truthy (bounded; fails the test on timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@contextlib.contextmanager
def serving(app) -> Iterator[ServerThread]:
    server = ServerThread(app).start()
    try:
        yield server
    finally:
        server.stop()


def fast_line_settings(db_url: str, line_api_url: str, secret: str, token: str, **overrides: Any) -> Settings:
    """Settings for a test server talking to a LINE stand-in, with delivery timings shortened."""
    base = Settings(
        database_url=db_url,
        line_channel_secret=secret,
        line_channel_access_token=token,
        line_api_base_url=line_api_url,
        line_data_api_base_url=line_api_url,
        delivery_poll_seconds=0.05,
        delivery_timeout_seconds=0.5,
        delivery_backoff_base_seconds=0.05,
        delivery_backoff_max_seconds=2.0,
        delivery_lease_seconds=5.0,
    )
    return replace(base, **overrides)
