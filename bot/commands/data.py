"""`kyodo data purge`: apply the personal-data retention rule (see docs/engine.md).

Users who unfollowed more than the retention period ago (30 days) are anonymised exactly as if
they had asked for deletion. Safe to run repeatedly (cron, a scheduler, or the worker).
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="personal data: apply the retention rule")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    dsub.required = True
    purge = dsub.add_parser(
        "purge", help="blank messages older than --days and anonymise users who unfollowed that long ago"
    )
    purge.add_argument("--days", type=int, default=30, help="retention period in days (default 30)")
    purge.set_defaults(func=_purge)


def _purge(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from bot.engine.retention import purge_expired
    from bot.messaging import inbox, outbox
    from bot.settings import Settings
    from bot.storage.db import make_engine, make_session_factory, transaction

    if args.days < 1:
        print("kyodo: --days must be at least 1")
        return 2
    engine = make_engine(Settings.from_env().database_url)
    try:
        now, retention = datetime.now(UTC), timedelta(days=args.days)
        with transaction(make_session_factory(engine)) as session:
            # The same as the worker's hourly housekeeping (bot/messaging/worker.py).
            payloads = inbox.purge_payloads(session, before=now - retention)
            messages = outbox.purge_messages(session, before=now - retention)
            count = purge_expired(session, now, retention)
    finally:
        engine.dispose()
    print(f"anonymised {count} user(s) who unfollowed more than {args.days} days ago")
    print(f"blanked {payloads} stored event(s) and {messages} message(s) older than {args.days} days")
    return 0
