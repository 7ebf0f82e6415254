"""The staff side's inbox: Slack events in ``slack_events``, so that each is handled exactly once.

Bolt has checked the signature before anything here runs. Every ``event_callback`` has its
``event_id`` stored (primary key), so Slack's retry of an event we already accepted hits the key
and is dropped. Events that lead to work (a mention, a reply in a handoff thread) keep their
payload until processed; the work and ``processed_at`` are written in one transaction, so an event
is done exactly once even when the sweep of another process reaches it at the same time. The
sweep picks up what a crashed or failing process left.

Synchronous, one SQLAlchemy session per call, no Slack SDK: :mod:`bot.staff.runtime` runs these
in worker threads.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.staff import lookups as slack_lookups
from bot.staff import messages as msg
from bot.staff import posts as slack_outbox
from bot.staff import service as slack_service
from bot.staff.service import Renderer
from bot.storage.db import transaction, utcnow
from bot.storage.models.staff import SlackEvent

#: A mention of a user or the bot in message text (``<@U123>`` or ``<@U123|name>``).
MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


def needs_work(event: dict[str, Any], staff_channel: str) -> bool:
    """Events whose handling must survive a crash: mentions and replies in handoff threads
    (threads in the staff channel; in any channel while no staff channel is set)."""
    if event.get("type") == "app_mention":
        return True
    if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
        return False
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if not thread_ts or thread_ts == ts:
        return False
    return not staff_channel or event.get("channel") == staff_channel


def store(factory: sessionmaker[Session], event_id: str, event: dict[str, Any], *, durable: bool) -> bool:
    """Record an accepted event (with its payload if ``durable``); False if it was accepted before."""
    try:
        with transaction(factory) as session:
            session.add(
                SlackEvent(
                    event_id=str(event_id)[:60],
                    kind=str(event.get("type", ""))[:40],
                    payload=event if durable else None,
                    processed_at=None if durable else utcnow(),
                )
            )
        return True
    except IntegrityError:
        return False


def process(session: Session, event_id: str, render: Renderer) -> bool:
    """Claim the event (conditional UPDATE) and do its work in the caller's transaction.

    False when it is already processed (by this or another process) or unknown.
    """
    claimed = session.execute(
        update(SlackEvent)
        .where(SlackEvent.event_id == event_id, SlackEvent.processed_at.is_(None))
        .values(processed_at=utcnow(), attempts=SlackEvent.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    row = session.get(SlackEvent, event_id)
    do_work(session, row.kind, row.payload or {}, render)
    row.payload = None  # done: keep only the id (drops retries), not the text
    return True


def do_work(session: Session, kind: str, event: dict[str, Any], render: Renderer) -> None:
    """A mention is answered in its thread; a reply in a handoff thread goes to the citizen."""
    if kind == "app_mention":
        # Drop the mention itself (<@U123>) before asking.
        question = MENTION.sub(" ", event.get("text", "")).strip()
        channel, ts = event.get("channel", ""), event.get("thread_ts") or event.get("ts", "")
        payload = (
            slack_lookups.answer_payload(session, question, render) if question else render.plain(msg.HELP)
        )
        slack_outbox.enqueue(session, "chat.postMessage", {"channel": channel, "thread_ts": ts, **payload})
    elif kind == "message":
        slack_service.handoff_reply(
            session,
            event.get("channel", ""),
            event.get("thread_ts", ""),
            event.get("text", ""),
            actor=event.get("user", ""),
        )


def record_failure(session: Session, event_id: str, error: str) -> None:
    """Count a failed attempt (the sweep gives up after a few) and keep the error for the operator."""
    session.execute(
        update(SlackEvent)
        .where(SlackEvent.event_id == event_id)
        .values(attempts=SlackEvent.attempts + 1, last_error=error)
        .execution_options(synchronize_session=False)
    )


def sweep(
    session: Session,
    *,
    now: datetime | None = None,
    older_than: float = 30.0,
    max_attempts: int = 5,
    keep_days: int = 7,
) -> list[str]:
    """Events a crashed or failing process left unprocessed; and old processed ids pruned."""
    now = now or utcnow()
    session.execute(
        delete(SlackEvent).where(
            SlackEvent.processed_at.is_not(None),
            SlackEvent.received_at < now - timedelta(days=keep_days),
        )
    )
    return list(
        session.scalars(
            select(SlackEvent.event_id)
            .where(
                SlackEvent.processed_at.is_(None),
                SlackEvent.received_at < now - timedelta(seconds=older_than),
                SlackEvent.attempts < max_attempts,
            )
            .limit(100)
        )
    )
