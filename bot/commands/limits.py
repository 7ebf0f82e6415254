"""The HTTP server's limits for `kyodo serve` (uvicorn), from the settings.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``), connections and tasks at
once (``limit_concurrency``: a 503 beyond it) and the listen backlog, but it has no read timeout:
a client that connects and sends nothing, or half a request head, or a body that never ends,
keeps its connection (and, for a body, its request task) for ever. 400 such connections stayed
open for a whole minute. :func:`timed_protocol` closes them: from a connection's first byte (or
its opening) to the end of each request's body, a client has ``HTTP_READ_TIMEOUT_SECONDS``; a
request head larger than ``HTTP_MAX_HEADER_BYTES`` is cut off too (httptools, uvicorn's default
parser, has no such limit of its own; h11's ``h11_max_incomplete_event_size`` is set as well).
The time our app takes to answer is not limited here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.settings import Settings

log = logging.getLogger("kyodo.serve")


def timed_protocol(read_timeout: float, max_header_bytes: int) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools if installed, else h11) with a read deadline per request."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    base: Any = AutoHTTPProtocol

    class TimedHTTPProtocol(base):
        _deadline: asyncio.TimerHandle | None = None
        _done: object = None  # the last request cycle whose body was read completely
        _head_bytes = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None:
                self._arm()  # a new request starts (after a keep-alive pause)
            if self._reading_head():
                self._head_bytes += len(data)
            super().data_received(data)
            cycle = self.cycle
            if cycle is not None and cycle is not self._done and not cycle.more_body:
                self._done, self._head_bytes = cycle, 0  # head and body are in: the app's turn
                self._disarm()
            elif self._reading_head() and self._head_bytes > max_header_bytes:
                self._cut("request head larger than %d bytes", max_header_bytes)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _reading_head(self) -> bool:
            return self.cycle is None or self.cycle is self._done

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(read_timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            cycle = self.cycle
            if cycle is not None and cycle is not self._done and not cycle.more_body:
                self._done = cycle  # completed meanwhile (pipelined data): nothing to cut
                return
            self._cut("no complete request within %g s", read_timeout)

        def _cut(self, why: str, value: float) -> None:
            self._disarm()
            log.info("closing a slow or oversized HTTP request from %s: " + why, self.client, value)
            if self.cycle is not None and not self.cycle.response_complete:
                self.cycle.disconnected = True
                self.cycle.message_event.set()
            self.transport.close()

    return TimedHTTPProtocol


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments for ``uvicorn.run``/``uvicorn.Config`` that bound what clients hold."""
    return {
        "http": timed_protocol(settings.http_read_timeout_seconds, settings.http_max_header_bytes),
        "timeout_keep_alive": max(1, round(settings.http_keep_alive_seconds)),
        "limit_concurrency": settings.http_limit_concurrency,
        "backlog": settings.http_backlog,
        "h11_max_incomplete_event_size": settings.http_max_header_bytes,
        "timeout_graceful_shutdown": 10,
    }
