"""Group commit: concurrent callers that each need a small write committed share one transaction.

Under load many coroutines wait at once to write a few rows each (the webhook storing a
request's events, delivery recording a finished send). On SQLite each of them queued for the
single write lock, opened a session, wrote and committed on its own: the fixed cost of a
transaction, paid per call, was most of the CPU those paths spent. Here the first caller starts
a writer; callers arriving while it works join the next transaction. A lone caller is served
exactly as before (one transaction; nothing waits for company), and every caller gets its
result only after the commit that holds its writes.

If a shared transaction fails, each call is retried in a transaction of its own, so one bad
call cannot make the others fail: it alone gets the exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import transaction

log = logging.getLogger(__name__)

A = TypeVar("A")
R = TypeVar("R")


class GroupCommit(Generic[A, R]):
    """``await group.submit(arg)`` runs ``work(session, arg)`` in a (possibly shared) committed
    transaction and returns its result. ``work`` must only write through ``session``."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        work: Callable[[Session, A], R],
        *,
        max_batch: int = 64,
        name: str = "",
    ) -> None:
        self.factory = factory
        self.work = work
        self.max_batch = max_batch
        self.name = name or getattr(work, "__name__", "group commit")
        self._waiting: list[tuple[A, asyncio.Future]] = []
        self._writer: asyncio.Task | None = None

    async def submit(self, arg: A) -> R:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((arg, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            try:
                results: list[Any] = await anyio.to_thread.run_sync(self._write, [arg for arg, _ in batch])
            except asyncio.CancelledError:  # shutting down: the callers are told so
                for _, future in batch:
                    future.cancel()
                raise
            except Exception as exc:  # only a lone call's error reaches here
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():  # the caller was cancelled
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)

    def _write(self, args: list[A]) -> list[Any]:
        """One transaction for all ``args``; if it fails, one transaction each."""
        try:
            with transaction(self.factory) as session:
                return [self.work(session, arg) for arg in args]
        except Exception:
            if len(args) == 1:
                raise
            log.warning("%s: a shared transaction of %d calls failed; one by one", self.name, len(args))
        results: list[Any] = []
        for arg in args:
            try:
                with transaction(self.factory) as session:
                    results.append(self.work(session, arg))
            except Exception as exc:
                results.append(exc)
        return results
