"""The staff side while a process runs: database work off the event loop, the scan loop (queue new
suggestions, proposals and handoffs for Slack; match newly registered groups), and the work that
follows a Bolt ack (clicks, look-ups).

No Slack SDK here: handlers/slack/listeners.py calls this runtime, and Block Kit comes in as a
:class:`bot.staff.views.Renderer`. Events are stored in the one inbox (``store_events``, composed
in bot/app.py) and processed by the one processing loop; posts go through the one outbox, whose
delivery loop every commit wakes (bot/messaging/outbox.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.engine.notify import Notifier
from bot.registry.suggestions import refresh_suggestions
from bot.settings import SlackSettings
from bot.staff import collaborations, decisions, handoffs, items, opportunities
from bot.staff.directory import Directory
from bot.staff.events import needs_work
from bot.staff.items import ScanSummary
from bot.staff.posts import SLACK
from bot.staff.views import Renderer
from bot.storage.db import transaction
from bot.storage.models import Group
from matching import Matcher

log = logging.getLogger(__name__)

#: Stores (event key, payload, needs work) items in the inbox; returns (stored, duplicates).
StoreEvents = Callable[[str, list[tuple[str, dict[str, Any], bool]]], Awaitable[tuple[int, int]]]


class StaffRuntime:
    """Everything the staff side needs while the web process (or ``kyodo slack …``) runs."""

    def __init__(
        self,
        slack: SlackSettings,
        *,
        render: Renderer,
        notify: Notifier,
        store_events: StoreEvents,
        on_stored: Callable[[], None],
        directory: Directory | None = None,
        scan: bool = True,
    ) -> None:
        self.slack = slack
        self.render = render
        self.notify = notify
        self._store_events = store_events
        self._on_stored = on_stored
        self._directory = directory
        self.scan = scan
        self.factory: sessionmaker[Session] | None = None
        self._tasks: list[asyncio.Task] = []
        self._pending: set[asyncio.Task] = set()
        # Slow work after the ack (answering is CPU-bound Python) runs one at a time, so that
        # worker threads do not starve the event loop of the GIL and acks stay fast under bursts.
        self.work_slot = asyncio.Semaphore(1)
        self._stopping = asyncio.Event()
        self.counters = {"events_dropped": 0, "foreign_team": 0, "refused": 0, "replays_dropped": 0}
        self._tried: dict[int, Any] = {}  # group id -> updated_at when matching was last attempted

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def directory(self) -> Directory:
        if self._directory is None:
            self._directory = Directory.from_matching()
        return self._directory

    async def start(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        if self.scan:
            self._tasks = [asyncio.create_task(self.scan_loop(), name="kyodo-slack-scan")]
        log.info("Slack enabled: POST /slack/events (API %s)", self.slack.api_base_url)

    async def stop(self) -> None:
        self._stopping.set()
        for t in self._tasks:
            try:
                await asyncio.wait_for(t, timeout=self.slack.delivery.timeout_seconds + 5)
            except (TimeoutError, asyncio.CancelledError):
                t.cancel()
            except Exception:
                log.exception("slack loop stopped with an error")
        for t in list(self._pending):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(t, timeout=5)

    @property
    def ready(self) -> bool:
        """False until :meth:`start` has a database (requests before that get 503)."""
        return self.factory is not None

    def run_in_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(session, *args)`` in one unit of work that may write, in a worker thread."""
        assert self.factory is not None
        factory = self.factory

        def work() -> Any:
            with transaction(factory) as session:
                return fn(session, *args)

        return anyio.to_thread.run_sync(work)

    def read_db(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(session, *args)`` in a session that only reads (takes no write turn)."""
        assert self.factory is not None
        factory = self.factory

        def work() -> Any:
            with factory() as session:
                return fn(session, *args)

        return anyio.to_thread.run_sync(work)

    def background(self, coro: Any) -> None:
        """Slow work after the ack, tracked so shutdown can wait for it."""
        task = asyncio.create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- the scan ---------------------------------------------------------------------------------
    async def scan_once(self) -> ScanSummary:
        await anyio.to_thread.run_sync(self._match_new_groups)
        summary = await self.run_in_db(
            items.queue_new_items, self.directory, self.slack.staff_channel, self.render
        )
        await self.run_in_db(
            lambda s: collaborations.evaluation_rounds(s, render=self.render, notify=self.notify)
        )
        return summary

    def _match_new_groups(self) -> int:
        """Groups registered since the last run get their suggestions (bot.registry.suggestions)."""
        assert self.factory is not None
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
        refresh_suggestions(self.factory.kw["bind"], Matcher.load(), group_ids=ids)
        return len(ids)

    async def scan_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("slack scan failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.slack.poll_seconds)

    # -- events (mentions, replies in handoff threads) ---------------------------------------------
    def needs_work(self, event: dict[str, Any]) -> bool:
        return needs_work(event, self.slack.staff_channel)

    async def accept_event(self, event_id: str, event: dict[str, Any]) -> bool:
        """Store an accepted event in the inbox; False (and counted) for a retry of one accepted
        before. An event that needs work wakes the processing loop."""
        durable = self.needs_work(event)
        stored, _ = await self._store_events(SLACK, [(str(event_id)[:100], event, durable)])
        if not stored:
            self.counters["events_dropped"] += 1
            return False
        if durable:
            self._on_stored()
        return True

    async def accept_digest(self, digest: str) -> bool:
        """Record a command's or click's signed-request digest; False (and counted) for a replay.
        Kept, like event ids, as a processed inbox row without payload (pruned after 7 days)."""
        stored, _ = await self._store_events(SLACK, [(f"digest:{digest}", {}, False)])
        if not stored:
            self.counters["replays_dropped"] += 1
            return False
        return True

    # -- clicks -----------------------------------------------------------------------------------
    async def decide(
        self, note_id: int, what: str, *, actor: str, actor_name: str, message: tuple[str, str] | None
    ) -> decisions.Decision:
        """「担当する」/「見送る」 on a division's item (see :func:`bot.staff.decisions.decide`)."""
        return await self.run_in_db(
            lambda s: decisions.decide(
                s,
                note_id,
                what,
                actor=actor,
                actor_name=actor_name,
                message=message,
                directory=self.directory,
                render=self.render,
                notify=self.notify,
            )
        )

    async def close_handoff(self, handoff_id: int, *, actor: str, message: tuple[str, str] | None) -> bool:
        """「対応完了」; False when someone closed it already."""
        return await self.run_in_db(
            lambda s: handoffs.close_handoff(
                s, handoff_id, actor=actor, render=self.render, notify=self.notify, message=message
            )
        )

    # -- collaborations (issue 14) ----------------------------------------------------------------
    async def save_collaboration(
        self, collab_id: int, values: dict[str, str], form: str, *, actor: str, actor_name: str
    ) -> bool:
        """The division saved the collaboration modal (see :func:`collaborations.save_form`)."""
        return await self.run_in_db(
            lambda s: collaborations.save_form(
                s,
                collab_id,
                values,
                form,
                actor=actor,
                actor_name=actor_name,
                render=self.render,
                notify=self.notify,
            )
        )

    async def collaboration_status(
        self, collab_id: int, status: str, *, actor: str, actor_name: str
    ) -> str | None:
        """A status button; None when it changed, else the notice for the person who clicked."""
        return await self.run_in_db(
            lambda s: collaborations.set_status(
                s,
                collab_id,
                status,
                actor=actor,
                actor_name=actor_name,
                render=self.render,
                notify=self.notify,
            )
        )

    async def save_city_evaluation(
        self, collab_id: int, values: dict, *, actor: str, actor_name: str
    ) -> str | None:
        """The division's evaluation modal; None when stored, else the notice."""
        return await self.run_in_db(
            lambda s: collaborations.save_city_evaluation(
                s, collab_id, values, actor=actor, actor_name=actor_name, notify=self.notify
            )
        )

    # -- opportunities (issue 14 step 3) ----------------------------------------------------------
    async def create_opportunity(self, values: dict, *, actor: str, actor_name: str) -> Any:
        """The `/kyodo 募集` modal was saved: draft, ranking and the list post (one transaction)."""
        return await self.run_in_db(
            lambda s: (
                o := opportunities.create(
                    s,
                    values,
                    actor=actor,
                    actor_name=actor_name,
                    directory=self.directory,
                    staff_channel=self.slack.staff_channel,
                    render=self.render,
                )
            )
            and (o.id, o.title, o.slack_channel)
        )

    async def close_opportunity(
        self, opp_id: int, *, actor: str, actor_name: str, message: tuple[str, str] | None
    ) -> str | None:
        """「募集を締め切る」; None when closed now, else the notice for the person who clicked."""
        return await self.run_in_db(
            lambda s: opportunities.close(
                s, opp_id, actor=actor, actor_name=actor_name, render=self.render, message=message
            )
        )

    async def send_opportunity(
        self, opp_id: int, *, actor: str, actor_name: str, message: tuple[str, str] | None
    ) -> str | None:
        """「送信」; None when sent now, else the notice for the person who clicked."""
        return await self.run_in_db(
            lambda s: opportunities.send(
                s,
                opp_id,
                actor=actor,
                actor_name=actor_name,
                render=self.render,
                notify=self.notify,
                message=message,
            )
        )

