"""`kyodo slack socket|worker`: the Slack side without the web server.

* ``socket``: Socket Mode for local development (no public URL needed; SLACK_APP_TOKEN with the
  connections:write scope), plus the staff-side loops, against DATABASE_URL.
* ``worker``: only the loops (queue new suggestions/proposals/handoffs; deliver the Slack outbox),
  for scaling out or recovery next to `kyodo serve`. Several may run at once on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slack", help="Slack app for city staff (Socket Mode, background worker)")
    ssub = p.add_subparsers(dest="slack_command", metavar="ACTION")
    ssub.required = True
    sock = ssub.add_parser("socket", help="run the Slack app over Socket Mode (local development)")
    sock.set_defaults(func=_socket)
    work = ssub.add_parser("worker", help="run only the Slack loops (queueing and delivery)")
    work.set_defaults(func=_worker)


def _prepare() -> Settings | None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    if not settings.slack.enabled:
        print(f"Slack is not configured: set {' and '.join(settings.slack.missing())}.", file=sys.stderr)
        return None
    return settings


def _socket(args: argparse.Namespace) -> int:
    settings = _prepare()
    if settings is None:
        return 2
    if not settings.slack.app_token:
        print("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-...).", file=sys.stderr)
        return 2
    from bot.app import run_slack_socket

    asyncio.run(run_slack_socket(settings))
    return 0


def _worker(args: argparse.Namespace) -> int:
    settings = _prepare()
    if settings is None:
        return 2
    from bot.app import run_worker

    asyncio.run(run_worker(settings, line=False))
    return 0
