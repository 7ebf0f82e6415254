"""The composition root: the one place where bot/ meets handlers/.

Here each channel is put together from its adapter in handlers/ (parser, renderer, sender) and
the part of bot/ that does its work, and handed to the one durable path (bot/messaging):

* LINE: ``handlers/line/webhook.py`` parses, the conversation engine answers
  (bot/engine/channel.py), ``handlers/line/render.py`` renders, ``handlers/line/api.py`` sends;
* Slack: ``handlers/slack/listeners.py`` receives (Bolt), the staff side works
  (bot/staff/events.py), ``handlers/slack/blocks.py`` renders, ``handlers/slack/sender.py`` sends;
* the terminal (`kyodo chat`): ``handlers/terminal.py`` reads, numbers and prints; the engine
  answers in the same process, with no inbox or outbox (nothing to redeliver).

The ASGI app (Starlette) is built by :func:`create_app` from settings; its lifespan owns what
needs the running event loop or must be closed: the database engine, the API clients (aiohttp
sessions, which cannot be created at import time) and the worker's loops, which run as tasks of
the web process so that one ``kyodo serve`` is a complete service. Every SQLAlchemy call runs in
a worker thread (anyio.to_thread), never on the event loop.

Platform SDKs are imported inside the functions that compose a channel, only when that channel is
configured: purely for start-up speed (``linebot.v3.messaging`` ~1 s, slack_bolt ~0.3 s), so a
LINE-only deployment or a CLI command does not pay for the other. No cycle hides behind them:
nothing in handlers/ imports this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, TextIO

import anyio
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.engine import citations, opportunities
from bot.engine import handle as engine_handle
from bot.engine import warm_up as engine_warm_up
from bot.engine.channel import ConversationChannel, Handle
from bot.engine.notify import Notifier
from bot.engine.retention import purge_expired
from bot.engine.types import Incoming, Reply
from bot.engine.web import purge_expired_questions as purge_web_questions
from bot.messaging import inbox, outbox
from bot.messaging.channel import Channel
from bot.messaging.worker import Worker
from bot.settings import Settings
from bot.staff.directory import Directory
from bot.staff.events import StaffChannel
from bot.staff.runtime import StaffRuntime
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.group_commit import GroupCommit

log = logging.getLogger(__name__)

#: Where the outside world wakes the loops: the in-process worker, or the pipe to a child worker.
Wake = Callable[[], None]


# --- channels --------------------------------------------------------------------------------------


def line_channel(
    settings: Settings, *, handle: Handle | None = None, sender: Any = None
) -> ConversationChannel:
    """LINE for the durable path (``sender`` None where this process does not send)."""
    from handlers.line.render import render_replies
    from handlers.line.webhook import parse_event

    return ConversationChannel(
        "line",
        parse=parse_event,
        render=render_replies,
        delivery=settings.line_delivery,
        reply_token_ttl_seconds=settings.reply_token_ttl_seconds,
        sender=sender,
        handle=handle,
    )


async def line_sender(settings: Settings) -> tuple[Any, Callable[[], Any]]:
    """The Messaging API client (inside the running loop: it opens an aiohttp session), and its closer."""
    from handlers.line.api import LineSender, make_api

    client, api = await make_api(settings.line_api_base_url, settings.line_channel_access_token)
    return LineSender(api, timeout=settings.delivery_timeout_seconds), client.close


async def line_profiles(settings: Settings) -> tuple[Any, Callable[[], Any]]:
    """The LINE profile lookup of the webhook (handlers/line/profile.py) with its own Messaging
    API client (made inside the running loop), and its closer."""
    from handlers.line.api import make_api
    from handlers.line.profile import ProfileLanguages, sdk_fetcher

    client, api = await make_api(settings.line_api_base_url, settings.line_channel_access_token)
    return ProfileLanguages(sdk_fetcher(api), timeout=settings.line_profile_timeout_seconds), client.close


def line_richmenu() -> ModuleType:
    """The rich menu's builder and uploader (handlers/line/richmenu.py), for `kyodo line richmenu`."""
    from handlers.line import richmenu

    return richmenu


def notifier(settings: Settings) -> Notifier:
    """Pushes to citizens, in the renderer of each channel they talk on."""
    if not settings.line_enabled:
        return Notifier({})
    from handlers.line.render import render_replies

    return Notifier({"line": render_replies})


def slack_client(settings: Settings) -> Any:
    from slack_sdk.web.async_client import AsyncWebClient

    slack = settings.slack
    return AsyncWebClient(
        token=slack.bot_token,
        base_url=slack.api_base_url,
        timeout=int(max(1, slack.delivery.timeout_seconds)),
    )


def slack_renderer() -> Any:
    """The Block Kit renderer, also left with bot/staff/views.py for code that has none at hand
    (a group's erasure re-renders the opportunities' lists that named it)."""
    from bot.staff.views import use_renderer
    from handlers.slack.blocks import RENDERER

    use_renderer(RENDERER)
    return RENDERER


def slack_channel(settings: Settings, *, client: Any = None) -> StaffChannel:
    """Slack for the durable path (``client`` None where this process does not send)."""
    renderer = slack_renderer()
    from handlers.slack.sender import WebApiSender

    sender = (
        WebApiSender(client, timeout=settings.slack.delivery.timeout_seconds) if client is not None else None
    )
    return StaffChannel(
        render=renderer, notify=notifier(settings), delivery=settings.slack.delivery, sender=sender
    )


def retention_chore(real_engine: bool) -> list[Callable[[Session, datetime, timedelta], dict[str, int]]]:
    """The engine's retention rule for users who left (only with the real engine)."""
    web = [lambda session, now, retention: {"web_questions": purge_web_questions(session, now, retention)}]
    if not real_engine:
        return web
    return [lambda session, now, retention: {"users": purge_expired(session, now, retention)}, *web]


def staff_chores(settings: Settings) -> list[Callable[[Session, datetime, timedelta], dict[str, int]]]:
    """The staff side's housekeeping (issue 14), only where Slack is configured (collaborations and
    calls are made in Slack, and the division hears of each step in its channel): collaborations
    whose 終了予定日 passed get the evaluation by both sides opened (bot/staff/collaborations.py),
    and calls for collaboration whose 締切 passed are closed (bot/staff/opportunities.py)."""
    if not settings.slack.enabled:
        return []
    from bot.staff.collaborations import open_due_evaluations
    from bot.staff.opportunities import close_due

    renderer = slack_renderer()
    notify = notifier(settings)
    return [
        lambda session, now, retention: open_due_evaluations(session, render=renderer, notify=notify, now=now),
        lambda session, now, retention: close_due(session, render=renderer, now=now),
    ]


@dataclass
class Loops:
    """The worker of one process, with the clients it opened."""

    worker: Worker
    closers: list[Callable[[], Any]] = field(default_factory=list)

    async def close(self) -> None:
        for close in self.closers:
            result = close()
            if asyncio.iscoroutine(result):
                await result


async def open_worker(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    handle: Handle | None = None,
    line: bool = True,
    slack: bool = True,
) -> Loops:
    """The processing, delivery and housekeeping loops for every configured channel (call inside
    the running loop). ``line``/``slack`` False leave a channel out (`kyodo slack worker`)."""
    channels: list[Channel] = []
    closers: list[Callable[[], Any]] = []
    if line and settings.line_enabled:
        sender, close = await line_sender(settings)
        channels.append(line_channel(settings, handle=handle, sender=sender))
        closers.append(close)
    if slack and settings.slack.enabled:
        client = slack_client(settings)
        channels.append(slack_channel(settings, client=client))
    chores = retention_chore(handle is None) if line else []
    chores += staff_chores(settings)
    return Loops(Worker(settings, factory, channels, chores=chores), closers)


# --- the web app -----------------------------------------------------------------------------------


class InboxStore:
    """Every channel's events into the one inbox (``store(platform, items)``); requests arriving
    together share one commit (bot/storage/group_commit.py). Opened once the database is."""

    def __init__(self) -> None:
        self._group: GroupCommit | None = None

    def open(self, factory: sessionmaker[Session]) -> None:
        self._group = GroupCommit(factory, lambda s, call: inbox.store_events(s, *call), name="inbox")

    async def __call__(self, platform: str, items: list[tuple[str, dict[str, Any], bool]]) -> tuple[int, int]:
        assert self._group is not None, "the inbox is opened by the app's lifespan"
        return await self._group.submit((platform, items))


class HealthProbe:
    """What ``/healthz`` reports about the database, looked up off the request path.

    Under load the webhook's database work (and the worker's, in the same process) occupies
    anyio's worker threads and the SQLite write lock; a health check that queued behind them took
    seconds (p50 3.1 s under 200 concurrent requests). Instead one thread of its own looks every
    ``interval`` seconds, and ``/healthz`` answers from the event loop with the latest look (at
    most about ``interval`` old): 503 when that look failed or none succeeded for ``stale_after``
    seconds (the database hangs)."""

    def __init__(self, interval: float = 0.5, stale_after: float = 10.0) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.interval, self.stale_after = interval, stale_after
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kyodo-healthz")
        self.figures: dict[str, Any] = {}
        self.ok_at: float | None = None  # loop time of the last successful look
        self.error: str | None = "not checked yet"
        self._task: asyncio.Task | None = None
        self._stopping = False

    @staticmethod
    def _look(engine: Any, factory: sessionmaker[Session]) -> dict[str, Any]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with factory() as session:
            return {"inbox_pending": inbox.pending_count(session), **outbox.backlog(session, now=utcnow())}

    async def look(self, engine: Any, factory: sessionmaker[Session]) -> None:
        loop = asyncio.get_running_loop()
        try:
            # (asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
            # that arrives as the look finishes, and then stop() waited for ever)
            async with asyncio.timeout(self.stale_after):
                figures = await loop.run_in_executor(self.executor, self._look, engine, factory)
        except Exception as exc:  # noqa: BLE001 - any failure means "unreachable"
            if self.error is None or self.ok_at is None:  # said once per outage
                log.warning("healthz: database unreachable: %s", exc)
            self.error = type(exc).__name__
            return
        self.figures, self.ok_at, self.error = figures, loop.time(), None

    async def start(self, engine: Any, factory: sessionmaker[Session]) -> None:
        await self.look(engine, factory)  # the first answer is a real one

        async def every() -> None:
            while not self._stopping:
                await asyncio.sleep(self.interval)
                if not self._stopping:
                    await self.look(engine, factory)

        self._task = asyncio.create_task(every(), name="kyodo-healthz")

    async def stop(self) -> None:
        """Stop looking; never holds up shutdown (a flag ends the loop even if a cancellation is
        lost, and the wait is bounded)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=self.interval + 1)
        self.executor.shutdown(wait=False, cancel_futures=True)

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, figures), from memory: no await, no thread."""
        now = asyncio.get_running_loop().time()
        fresh = self.ok_at is not None and now - self.ok_at <= self.stale_after
        if self.error is None and fresh:
            return True, dict(self.figures, checked_seconds_ago=round(now - self.ok_at, 2))
        return False, {}


class HealthEndpoint:
    """``GET /healthz`` answered before routing, by a pure ASGI middleware: under 200 concurrent
    health checks Starlette's request, routing and response objects were most of the cost of each
    answer. Everything else goes on to the app."""

    def __init__(self, app: Any, render: Callable[[], tuple[int, bytes]]) -> None:
        self.app, self.render = app, render

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/healthz" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        status, body = self.render()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})


def create_app(
    settings: Settings,
    *,
    start_background: bool = True,
    handle: Handle | None = None,
    wake_inbox: Wake | None = None,
    wake_outbox: Wake | None = None,
    directory: Directory | None = None,
) -> Starlette:
    """Build the app. ``start_background=False`` serves HTTP only (the loops run elsewhere, and
    ``wake_inbox``/``wake_outbox`` tell that process there is work); ``handle`` replaces the
    conversation engine (tests of the transport alone); ``directory`` the divisions (tests)."""
    citations.configure(settings.public_url)
    opportunities.configure(settings.opportunity_monthly_cap)
    counters = {"stored": 0, "duplicates": 0}
    app_state: dict[str, Any] = {}
    inbox_store = InboxStore()

    async def store(platform: str, items: list[tuple[str, dict[str, Any], bool]]) -> tuple[int, int]:
        stored, duplicates = await inbox_store(platform, items)
        if platform == "line":  # /healthz counts LINE's deliveries
            counters["stored"] += stored
            counters["duplicates"] += duplicates
        return stored, duplicates

    def woken_inbox() -> None:
        if wake_inbox is not None:
            wake_inbox()
        elif app_state.get("loops") is not None:
            app_state["loops"].worker.notify_inbox()

    runtime = _staff_runtime(settings, store, woken_inbox, directory, scan=start_background)
    probe = HealthProbe()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        factory = make_session_factory(engine)
        app.state.engine, app.state.session_factory = engine, factory
        inbox_store.open(factory)
        close_profiles = None
        if settings.line_enabled and settings.line_profile_timeout_seconds > 0:
            app_state["profiles"], close_profiles = await line_profiles(settings)
        if not settings.line_enabled:
            log.warning(
                "LINE is disabled: LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not both set; "
                "POST /line/callback answers 404"
            )
        background: dict[str, Any] = {}

        async def start() -> None:
            """The health probe, the loops and the staff side, once the database has its schema
            (before that, /healthz says it is not migrated and nothing queries missing tables)."""
            await probe.start(engine, factory)
            if start_background:
                loops = app.state.loops = app_state["loops"] = await open_worker(
                    settings, factory, handle=handle
                )
                background["loops"] = loops
                background["task"] = asyncio.create_task(loops.worker.run(), name="kyodo-worker")
                # The web corner answers in this process: load the index before its first question.
                background["warm"] = asyncio.create_task(
                    anyio.to_thread.run_sync(engine_warm_up, abandon_on_cancel=True)
                )
            elif wake_outbox is not None:  # a Slack click here queues a push the child worker sends
                outbox.on_queued(factory, lambda channels: wake_outbox())
            if runtime is not None:
                await runtime.start(factory)
                background["runtime"] = runtime

        problem = await _schema_problem(engine)
        if problem is None:
            await start()
        else:
            app_state["schema"] = problem
            background["waiter"] = asyncio.create_task(
                _when_migrated(engine, app_state, start, settings.delivery_poll_seconds), name="kyodo-schema"
            )
        try:
            yield
        finally:
            warm = background.get("warm")
            if warm is not None:
                warm.cancel()
            waiter = background.get("waiter")
            if waiter is not None:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await waiter
            if background.get("runtime") is not None:
                await runtime.stop()
            loops, task = background.get("loops"), background.get("task")
            if loops is not None and task is not None:
                loops.worker.stop()
                try:
                    await asyncio.wait_for(task, timeout=settings.delivery_timeout_seconds + 5)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
                except Exception:
                    log.exception("worker stopped with an error")
                await loops.close()
            await probe.stop()
            if close_profiles is not None:
                with contextlib.suppress(Exception):
                    await close_profiles()
            engine.dispose()

    def health() -> tuple[int, bytes]:
        """/healthz, on the event loop from the probe's latest look (see HealthProbe)."""
        body: dict[str, Any] = {"line": settings.line_enabled, **counters}
        if app_state.get("schema"):  # not migrated: the probe's tables are not there to look at
            body.update(status="error", database=app_state["schema"])
            return 503, json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        healthy, figures = probe.report()
        body.update(figures)
        if healthy:
            body.update(status="ok", database="ok")
        else:
            body.update(status="error", database="unreachable")
        return (200 if healthy else 503), json.dumps(body, separators=(",", ":")).encode()

    async def healthz(request: Request) -> Response:  # reached only for what HealthEndpoint passes on
        status, body = health()
        return Response(body, status_code=status, media_type="application/json")

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if settings.line_enabled:
        from handlers.line.webhook import PLATFORM, LineWebhook

        webhook = LineWebhook(
            channel_secret=settings.line_channel_secret,
            store=lambda items: store(PLATFORM, items),
            on_stored=woken_inbox,
            max_body_bytes=settings.webhook_max_body_bytes,
            profiles=lambda: app_state.get("profiles"),
        )
        routes.append(Route("/line/callback", webhook.endpoint, methods=["POST"]))
    if runtime is not None:
        from handlers.slack.listeners import SlackListeners

        listeners = SlackListeners(runtime, slack_client(settings))
        routes.append(Route("/slack/events", listeners.endpoint, methods=["POST"]))

    web = web_corner(settings, lambda: app.state.session_factory)
    routes.extend(web.routes())
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        # /healthz first: answered before routing and before the web corner's headers and gzip
        middleware=[Middleware(HealthEndpoint, render=health), *web_middleware(settings)],
        exception_handlers={404: web.not_found},
    )
    app.state.settings = settings
    app.state.slack = runtime
    return app


def web_corner(settings: Settings, factory: Callable[[], sessionmaker[Session]]) -> Any:
    """The web corner (handlers/web): its pages over bot/corner.py."""
    from bot.corner import Corner
    from handlers.web.routes import WebCorner

    return WebCorner(
        Corner(factory), secret=settings.web_secret, questions_per_minute=settings.web_questions_per_minute
    )


def web_middleware(settings: Settings) -> list[Any]:
    """Security headers (CSP, frame-ancestors from KYODO_FRAME_ANCESTORS, ...) and gzip."""
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    from handlers.web.security import SecurityHeaders

    return [
        Middleware(SecurityHeaders, frame_ancestors=settings.web_frame_ancestors),
        Middleware(GZipMiddleware, minimum_size=600),
    ]


def _staff_runtime(
    settings: Settings, store: Any, on_stored: Wake, directory: Directory | None, *, scan: bool
) -> StaffRuntime | None:
    """The staff side for the web app, or None (logged) when Slack is not configured."""
    slack = settings.slack
    if not slack.enabled:
        log.warning(
            "Slack is disabled: %s not set; POST /slack/events answers 404", " and ".join(slack.missing())
        )
        return None
    if not slack.staff_channel:
        log.warning("KYODO_STAFF_CHANNEL is not set: handoffs and unrouted items wait until it is")
    renderer = slack_renderer()

    return StaffRuntime(
        slack,
        render=renderer,
        notify=notifier(settings),
        store_events=store,
        on_stored=on_stored,
        directory=directory,
        scan=scan,
    )


# --- the schema ------------------------------------------------------------------------------------


async def _schema_problem(engine: Any) -> str | None:
    """None when the database is migrated (or cannot be reached now: the loops retry that)."""
    from bot.storage import migrate

    try:
        problem = await anyio.to_thread.run_sync(migrate.schema_problem, engine)
    except Exception as exc:
        log.warning("could not check the database schema: %s", exc)
        return None
    if problem is not None:
        log.error("database %s; waiting for it before processing anything", problem)
    return problem


async def _when_migrated(engine: Any, state: dict[str, Any], start: Callable[[], Any], every: float) -> None:
    """Poll until `kyodo db upgrade` has run, then start the loops (no tracebacks meanwhile)."""
    from bot.storage import migrate

    while True:
        await asyncio.sleep(max(every, 0.5))
        try:
            problem = await anyio.to_thread.run_sync(migrate.schema_problem, engine)
        except Exception:
            continue
        if problem is None:
            log.info("database migrated: starting the loops")
            state.pop("schema", None)
            await start()
            return


# --- the other processes -----------------------------------------------------------------------------


async def _nothing() -> None:
    return None


async def run_worker(
    settings: Settings, *, wake_fd: int | None = None, line: bool = True, slack: bool = True
) -> None:
    """`kyodo worker` (and `kyodo slack worker`: ``line=False``): the loops alone, until stopped
    by SIGINT/SIGTERM or, with ``wake_fd``, by the web process closing the wake-up pipe."""
    citations.configure(settings.public_url)
    opportunities.configure(settings.opportunity_monthly_cap)
    engine = make_engine(settings.database_url)
    if await _schema_problem(engine) is not None:
        await _when_migrated(engine, {}, _nothing, settings.delivery_poll_seconds)
    loops = await open_worker(settings, make_session_factory(engine), line=line, slack=slack)
    worker = loops.worker
    runtime = None
    if slack and settings.slack.enabled:  # the staff side's scan runs beside Slack's delivery
        runtime = _staff_runtime(settings, None, worker.notify_inbox, None, scan=True)
        if runtime is not None:
            await runtime.start(worker.factory)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    if wake_fd is not None:
        worker.watch_fd(wake_fd)
    log.info("worker %s started (channels: %s)", worker.name, ", ".join(worker.channels) or "none")
    try:
        await worker.run()
    finally:
        if runtime is not None:
            await runtime.stop()
        await loops.close()
        engine.dispose()
        log.info("worker %s stopped", worker.name)


async def run_slack_socket(settings: Settings) -> None:
    """`kyodo slack socket`: the Slack listeners over Socket Mode, with the loops, in one process."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    renderer = slack_renderer()
    from handlers.slack.listeners import SlackListeners

    citations.configure(settings.public_url)
    opportunities.configure(settings.opportunity_monthly_cap)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    loops = await open_worker(settings, factory, line=False)
    worker = loops.worker
    store = InboxStore()
    store.open(factory)
    runtime = StaffRuntime(
        settings.slack,
        render=renderer,
        notify=notifier(settings),
        store_events=store,
        on_stored=worker.notify_inbox,
    )
    await runtime.start(factory)
    task = asyncio.create_task(worker.run(), name="kyodo-worker")
    handler = AsyncSocketModeHandler(
        SlackListeners(runtime, slack_client(settings)).app, settings.slack.app_token
    )
    try:
        await handler.start_async()
    finally:
        await runtime.stop()
        worker.stop()
        await task
        await loops.close()
        engine.dispose()


def chat(settings: Settings, user_id: str, stdin: TextIO, stdout: TextIO) -> int:
    """`kyodo chat`: the terminal as a channel. The engine answers each line in its own unit of
    work on DATABASE_URL; :mod:`handlers.terminal` reads, numbers the choices and prints."""
    from handlers.terminal import Terminal

    citations.configure(settings.public_url)
    opportunities.configure(settings.opportunity_monthly_cap)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)

    def converse(incoming: Incoming) -> list[Reply]:
        with transaction(factory) as session:
            return engine_handle(session, incoming, now=utcnow())

    try:
        return Terminal(stdin, stdout, user_id=user_id).run(converse)
    finally:
        engine.dispose()
