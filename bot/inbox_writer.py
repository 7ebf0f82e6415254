"""Group commit for the webhook: concurrent requests share one inbox transaction.

Each webhook request must have its events stored (committed) before it answers 200. Under load
many requests wait at once, and on SQLite each of them queued for the single write lock, opened
a session, inserted and committed on its own: the fixed cost of a transaction, paid per request,
was most of the webhook's CPU. Here the first request starts a writer; requests arriving while
it works join the next transaction. A lone request is stored exactly as before (one
transaction, nothing waits for company). Every request still learns its own (stored,
duplicates) only after the commit that holds its events.

If a shared transaction fails, each request is retried in a transaction of its own, so one bad
request cannot make the others fail (it alone gets the error, i.e. 503, and LINE redelivers).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot.db import write_transaction
from bot.inbox import store_events

log = logging.getLogger(__name__)

Items = list[tuple[str, dict[str, Any]]]


class InboxWriter:
    """``await writer.store(items)`` -> (stored, duplicates), committed."""

    def __init__(self, factory: sessionmaker[Session], platform: str, *, max_requests: int = 64) -> None:
        self.factory = factory
        self.platform = platform
        self.max_requests = max_requests
        self._waiting: list[tuple[Items, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def store(self, items: Items) -> tuple[int, int]:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((items, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_requests]
            del self._waiting[: self.max_requests]
            try:
                results: list[Any] = await anyio.to_thread.run_sync(
                    self._write, [items for items, _ in batch]
                )
            except Exception as exc:  # only a lone request's error reaches here
                results = [exc]
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # the request was cancelled (client went away)
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    def _write(self, requests: list[Items]) -> list[Any]:
        """One transaction for all ``requests``; if it fails, one transaction each."""
        try:
            with write_transaction(self.factory) as session:
                return [store_events(session, self.platform, items) for items in requests]
        except Exception:
            if len(requests) == 1:
                raise
            log.warning(
                "inbox: a shared transaction of %d requests failed; storing them one by one", len(requests)
            )
        results: list[Any] = []
        for items in requests:
            try:
                with write_transaction(self.factory) as session:
                    results.append(store_events(session, self.platform, items))
            except Exception as exc:
                results.append(exc)
        return results
