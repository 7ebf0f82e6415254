"""The ASGI application (Starlette), built by a factory from settings.

The lifespan owns everything that needs the running event loop or must be closed: the database
engine, the Messaging API client (handlers/line_api.py: an aiohttp session, which cannot be created at
import time), and the processing/delivery loops, which run as tasks of the web process so that
one ``kyodo serve`` is a complete service. Every SQLAlchemy call runs in a worker thread
(anyio.to_thread), never on the event loop: a slow query must not stall the webhook or /healthz.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.settings import Settings
from bot.storage.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    start_background: bool = True,
    handle: Any = None,
    on_stored: Callable[[], None] | None = None,
) -> Starlette:
    """Build the app. ``start_background=False`` serves HTTP only (the loops run elsewhere:
    ``on_stored`` then tells that process there is work); ``handle`` replaces the conversation
    engine (tests of the transport alone)."""
    state: dict[str, Any] = {"counters": {"stored": 0, "duplicates": 0}}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from bot.messaging.worker import Worker

        engine = make_engine(settings.database_url)
        factory = make_session_factory(engine)
        app.state.engine, app.state.session_factory = engine, factory
        client = sender = None
        if not settings.line_enabled:
            log.warning(
                "LINE is disabled: LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not both set; "
                "POST /line/callback answers 404"
            )
        elif start_background:  # the API client is needed only where the delivery loop runs
            from handlers.line.api import LineSender, make_api

            client, api = await make_api(settings.line_api_base_url, settings.line_channel_access_token)
            sender = LineSender(api, timeout=settings.delivery_timeout_seconds)
        worker = Worker(settings, factory, sender, handle=handle)
        app.state.worker = worker
        task = asyncio.create_task(worker.run(), name="kyodo-worker") if start_background else None
        try:
            yield
        finally:
            worker.stop()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=settings.delivery_timeout_seconds + 5)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
                except Exception:
                    log.exception("worker stopped with an error")
            if client is not None:
                await client.close()
            engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        def check() -> dict[str, Any]:
            from bot.messaging.inbox import pending_count
            from bot.messaging.outbox import backlog
            from bot.storage.db import utcnow

            with request.app.state.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            with request.app.state.session_factory() as session:
                return {"inbox_pending": pending_count(session), **backlog(session, now=utcnow())}

        body: dict[str, Any] = {"line": settings.line_enabled, **state["counters"]}
        try:
            with anyio.fail_after(5):
                body.update(await anyio.to_thread.run_sync(check, abandon_on_cancel=True))
        except Exception as exc:
            log.warning("healthz: database unreachable: %s", exc)
            return JSONResponse({**body, "status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({**body, "status": "ok", "database": "ok"})

    routes = [Route("/healthz", healthz, methods=["GET"])]
    if settings.line_enabled:
        from handlers.line.webhook import PLATFORM, LineWebhook

        async def store(items: list[tuple[str, dict[str, Any]]]) -> tuple[int, int]:
            if getattr(app.state, "line_inbox", None) is None:  # concurrent requests share a commit
                from bot.messaging.inbox import store_events
                from bot.storage.group_commit import GroupCommit

                app.state.line_inbox = GroupCommit(
                    app.state.session_factory, lambda s, its: store_events(s, PLATFORM, its), name="inbox"
                )
            stored, duplicates = await app.state.line_inbox.submit(items)
            state["counters"]["stored"] += stored
            state["counters"]["duplicates"] += duplicates
            return stored, duplicates

        webhook = LineWebhook(
            channel_secret=settings.line_channel_secret,
            store=store,
            on_stored=on_stored or (lambda: app.state.worker.notify_inbox()),
            max_body_bytes=settings.webhook_max_body_bytes,
        )
        routes.append(Route("/line/callback", webhook.endpoint, methods=["POST"]))

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    from bot.slack_app import mount_slack  # Slack (issue 5): POST /slack/events + its loops when configured

    mount_slack(app, settings)
    return app
