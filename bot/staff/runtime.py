"""The Slack side while a process runs: database access off the event loop, the background loops
(queue new items for divisions; deliver the Slack outbox), and the work that follows an ack.

No Slack SDK here. The platform parts come in from handlers/slack.py: a :class:`SlackSender`
(the Web API client) for delivery and a :class:`Renderer` (Block Kit). The Bolt listeners call
this runtime; ``kyodo slack worker`` runs only its loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import anyio
from sqlalchemy import select

from bot.settings import Settings
from bot.slack_settings import SlackSettings
from bot.staff import events as slack_events
from bot.staff import service as slack_service
from bot.staff.posts import SlackDelivery, SlackSender
from bot.staff.service import Decision, Directory, Renderer, ScanSummary
from bot.storage.db import make_engine, make_session_factory, transaction

log = logging.getLogger(__name__)


class SlackRuntime:
    """Everything the Slack side needs while the web process (or ``kyodo slack …``) runs."""

    def __init__(
        self,
        settings: Settings,
        slack: SlackSettings,
        *,
        sender: SlackSender,
        render: Renderer,
        directory: Directory | None = None,
        start_background: bool = True,
    ) -> None:
        self.settings = settings
        self.slack = slack
        self.sender = sender
        self.render = render
        self._directory = directory
        self.start_background = start_background
        self.factory: Any = None
        self.engine: Any = None
        self._own_engine = False
        self.delivery: SlackDelivery | None = None
        self._tasks: list[asyncio.Task] = []
        self._pending: set[asyncio.Task] = set()
        # Slow work after the ack (answering is CPU-bound Python) runs one at a time, so that
        # worker threads do not starve the event loop of the GIL and acks stay fast under bursts.
        self.work_slot = asyncio.Semaphore(1)
        self._stopping = asyncio.Event()
        self.counters = {"events_dropped": 0, "foreign_team": 0}
        self._tried: dict[int, Any] = {}  # group id -> updated_at when matching was last attempted

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def directory(self) -> Directory:
        if self._directory is None:
            self._directory = Directory.from_matching()
        return self._directory

    @property
    def tasks(self) -> list[asyncio.Task]:
        """The background loops started by :meth:`start` (empty without ``start_background``)."""
        return list(self._tasks)

    async def start(self, app: Any = None) -> None:
        """Use the web app's database engine if it has one (``app.state``), else open our own;
        start the loops."""
        state = app.state if app is not None else None
        self.factory = getattr(state, "session_factory", None)
        self.engine = getattr(state, "engine", None)
        if self.factory is None:
            self.engine = make_engine(self.settings.database_url)
            self.factory = make_session_factory(self.engine)
            self._own_engine = True
        self.delivery = SlackDelivery(self.factory, self.sender, self.slack)
        if self.start_background:
            self._tasks = [
                asyncio.create_task(self.delivery.run(), name="kyodo-slack-delivery"),
                asyncio.create_task(self.scan_loop(), name="kyodo-slack-scan"),
            ]
        log.info("Slack enabled: POST /slack/events (API %s)", self.slack.api_base_url)

    async def stop(self) -> None:
        self._stopping.set()
        if self.delivery is not None:
            self.delivery.stop()
        for t in self._tasks:
            try:
                await asyncio.wait_for(t, timeout=self.slack.timeout_seconds + 5)
            except (TimeoutError, asyncio.CancelledError):
                t.cancel()
            except Exception:
                log.exception("slack loop stopped with an error")
        for t in list(self._pending):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(t, timeout=5)
        if self._own_engine and self.engine is not None:
            self.engine.dispose()

    @property
    def ready(self) -> bool:
        """False until :meth:`start` has a database (requests before that get 503)."""
        return self.factory is not None

    def run_in_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(session, *args)`` in one transaction, in a worker thread (awaitable)."""

        def work() -> Any:
            with transaction(self.factory) as session:
                return fn(session, *args)

        return anyio.to_thread.run_sync(work)

    def background(self, coro: Any) -> None:
        """Slow work after the ack, tracked so shutdown can wait for it."""
        task = asyncio.create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def wake(self) -> None:
        """Something was written to the Slack outbox: deliver it now rather than at the next poll."""
        if self.delivery is not None:
            self.delivery.notify()

    # -- loops ------------------------------------------------------------------------------------
    async def scan_once(self) -> ScanSummary:
        for event_id in await anyio.to_thread.run_sync(self.sweep_events):
            await self.process_event(event_id)
        await anyio.to_thread.run_sync(self._match_new_groups)
        summary = await self.run_in_db(
            slack_service.queue_new_items, self.directory, self.slack.staff_channel, self.render
        )
        if (summary.suggestions or summary.proposals or summary.handoffs) and self.delivery is not None:
            self.delivery.notify()
        return summary

    def _match_new_groups(self) -> int:
        """Groups registered since the last run get their suggestions (bot.registry.suggestions does the rest)."""
        from bot.registry.suggestions import refresh_suggestions
        from bot.storage.models import Group
        from matching import Matcher

        with self.factory() as session:
            rows = session.execute(
                select(Group.id, Group.updated_at)
                .where(Group.match_fingerprint.is_(None), Group.duplicate_of_id.is_(None))
                .limit(500)
            ).all()
        # A group with nothing to match on keeps no fingerprint: try it again only once it changed.
        ids = [gid for gid, updated in rows if self._tried.get(gid) != updated]
        self._tried.update({gid: updated for gid, updated in rows})
        if not ids:
            return 0
        engine = self.engine or self.factory.kw.get("bind")
        refresh_suggestions(engine, Matcher.load(), group_ids=ids)
        return len(ids)

    async def scan_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("slack scan failed")
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.slack.poll_seconds)

    # -- events (mentions, replies in handoff threads) ---------------------------------------------
    def needs_work(self, event: dict[str, Any]) -> bool:
        return slack_events.needs_work(event, self.slack.staff_channel)

    async def accept_event(self, event_id: str, event: dict[str, Any]) -> bool:
        """Store an accepted event; False (and counted) for a retry of one accepted before."""
        durable = self.needs_work(event)
        if await anyio.to_thread.run_sync(
            lambda: slack_events.store(self.factory, event_id, event, durable=durable)
        ):
            return True
        self.counters["events_dropped"] += 1
        return False

    async def process_event(self, event_id: str) -> None:
        """Do an event's work and mark it processed in one transaction (exactly once, even with
        the sweep running in another process)."""
        try:
            await self.run_in_db(slack_events.process, event_id, self.render)
        except Exception as exc:
            log.exception("slack event %s failed; the sweep will retry it", event_id)
            with contextlib.suppress(Exception):
                await self.run_in_db(slack_events.record_failure, event_id, str(exc)[:500])
        self.wake()

    def sweep_events(
        self, *, older_than: float = 30.0, max_attempts: int = 5, keep_days: int = 7
    ) -> list[str]:
        """Events a crashed or failing process left unprocessed; and old ids pruned."""
        with transaction(self.factory) as session:
            return slack_events.sweep(
                session, older_than=older_than, max_attempts=max_attempts, keep_days=keep_days
            )

    # -- clicks -----------------------------------------------------------------------------------
    async def decide(
        self, note_id: int, what: str, *, actor: str, actor_name: str, message: tuple[str, str] | None
    ) -> Decision:
        """「担当する」/「見送る」 on a division's item (see :func:`bot.slack_service.decide`)."""
        result = await self.run_in_db(
            lambda s: slack_service.decide(
                s,
                note_id,
                what,
                actor=actor,
                actor_name=actor_name,
                message=message,
                directory=self.directory,
                render=self.render,
            )
        )
        self.wake()
        return result

    async def close_handoff(self, handoff_id: int, *, actor: str, message: tuple[str, str] | None) -> bool:
        """「対応完了」; False when someone closed it already."""
        closed = await self.run_in_db(
            lambda s: slack_service.close_handoff(
                s, handoff_id, actor=actor, render=self.render, message=message
            )
        )
        self.wake()
        return closed
