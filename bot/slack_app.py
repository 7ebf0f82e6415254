"""Wiring of the Slack side: into the web app (called once by :func:`bot.app.create_app`), and
the loops alone for ``kyodo slack worker``.

Reads the Slack settings first and imports slack-bolt (through handlers/slack.py) only when Slack
is configured, so a LINE-only deployment (or a CLI command) does not pay for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from bot.slack_settings import SlackSettings

if TYPE_CHECKING:
    from bot.staff.runtime import SlackRuntime
    from bot.staff.service import Directory

log = logging.getLogger(__name__)


def mount_slack(
    app: Any,
    settings: Settings,
    slack: SlackSettings | None = None,
    *,
    start_background: bool = True,
    directory: Directory | None = None,
) -> SlackRuntime | None:
    """Add ``POST /slack/events`` and the Slack loops to ``app``; returns the runtime or None.

    Missing credentials disable Slack with one clear log line; the rest of the app is unaffected.
    The loops (queueing items for divisions, delivering the Slack outbox) run in the web process
    in every `kyodo serve` mode, also when the LINE loops run in a separate `kyodo worker`
    process: they are light (a few queries and HTTP calls) and that keeps one `kyodo serve` a
    complete service. `kyodo slack worker` adds more of them if ever needed.
    """
    slack = slack or SlackSettings.from_env()
    if not slack.enabled:
        log.warning(
            "Slack is disabled: %s not set; POST /slack/events answers 404", " and ".join(slack.missing())
        )
        return None
    if not slack.staff_channel:
        log.warning("KYODO_STAFF_CHANNEL is not set: handoffs and unrouted items wait until it is")
    from starlette.routing import Route

    from handlers.slack.listeners import create

    listeners = create(settings, slack, directory=directory, start_background=start_background)
    runtime = listeners.runtime
    app.router.routes.append(Route("/slack/events", listeners.endpoint, methods=["POST"]))
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with original(a) as state:
            await runtime.start(a)
            try:
                yield state
            finally:
                await runtime.stop()

    app.router.lifespan_context = lifespan
    app.state.slack = runtime
    return runtime


async def run_worker(settings: Settings, slack: SlackSettings) -> None:
    """`kyodo slack worker`: queueing and delivery only, until interrupted."""
    from handlers.slack.listeners import create

    runtime = create(settings, slack).runtime
    await runtime.start()
    log.info("Slack worker running (staff channel %s)", slack.staff_channel or "not set")
    try:
        await asyncio.gather(*runtime.tasks)
    finally:
        await runtime.stop()
