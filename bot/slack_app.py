"""Wiring of the Slack side into the web app: called once by :func:`bot.app.create_app`.

Reads the Slack settings first and imports slack-bolt only when Slack is configured, so a LINE-only
deployment (or a CLI command) does not pay for it.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.settings import Settings
from bot.slack_settings import SlackSettings

log = logging.getLogger(__name__)


def mount_slack(
    app: Any,
    settings: Settings,
    slack: SlackSettings | None = None,
    *,
    start_background: bool = True,
    **kw: Any,
) -> Any:
    """Add ``POST /slack/events`` and the Slack loops to ``app``; returns the runtime or None.

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
    from handlers.slack import mount_slack as mount

    return mount(app, settings, slack, start_background=start_background, **kw)
