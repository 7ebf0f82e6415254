"""`kyodo slack socket|worker`: the Slack side without the web server.

* ``socket``: Socket Mode for local development (no public URL needed; SLACK_APP_TOKEN with the
  connections:write scope), plus the staff-side loops, against DATABASE_URL.
* ``worker``: only the loops (queue new suggestions/proposals/handoffs; deliver the Slack outbox),
  for scaling out or recovery next to `kyodo serve`. Several may run at once on PostgreSQL.
"""

from __future__ import annotations

import argparse
import logging
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slack", help="Slack app for city staff (Socket Mode, background worker)")
    ssub = p.add_subparsers(dest="slack_command", metavar="ACTION")
    ssub.required = True
    sock = ssub.add_parser("socket", help="run the Slack app over Socket Mode (local development)")
    sock.set_defaults(func=_socket)
    work = ssub.add_parser("worker", help="run only the Slack loops (queueing and delivery)")
    work.set_defaults(func=_worker)


def _prepare() -> tuple[object, object] | None:
    from bot.settings import Settings
    from bot.slack_settings import SlackSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    slack = SlackSettings.from_env()
    if not slack.enabled:
        print(f"Slack is not configured: set {' and '.join(slack.missing())}.", file=sys.stderr)
        return None
    return Settings.from_env(), slack


def _socket(args: argparse.Namespace) -> int:
    prepared = _prepare()
    if prepared is None:
        return 2
    settings, slack = prepared
    if not slack.app_token:
        print("Socket Mode needs SLACK_APP_TOKEN (an app-level token, xapp-...).", file=sys.stderr)
        return 2
    import asyncio

    from handlers.slack.listeners import run_socket_mode

    asyncio.run(run_socket_mode(settings, slack))
    return 0


def _worker(args: argparse.Namespace) -> int:
    prepared = _prepare()
    if prepared is None:
        return 2
    settings, slack = prepared
    import asyncio

    from bot.slack_app import run_worker

    asyncio.run(run_worker(settings, slack))
    return 0
