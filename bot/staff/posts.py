"""What the staff side posts to Slack: one Web API call per row of the one outbox
(bot/messaging/outbox.py, channel ``slack``), written in the transaction that decided it and
delivered by the one delivery (bot/messaging/delivery.py) through handlers/slack/sender.py.

A post linked to a notification or a handoff records the message's ts there once delivered
(:func:`record_posted`, the Slack channel's ``delivered`` hook), so later updates and thread
replies find it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.messaging import outbox
from bot.storage.models.collaboration import Collaboration
from bot.storage.models.opportunity import Opportunity
from bot.storage.models.staff import Handoff, StaffNotification

#: The outbox channel (and inbox platform) of Slack.
SLACK = "slack"


def queue_call(session: Session, method: str, payload: dict[str, Any], *, link: str = "") -> int:
    """Queue ``method`` (chat.postMessage, chat.update) with ``payload``; returns the row id.
    ``link`` ("notification:<id>", "handoff:<id>") names what the posted message's ts belongs to."""
    return outbox.enqueue(
        session,
        channel=SLACK,
        destination=str(payload.get("channel", ""))[:100],
        messages=[{"method": method, "args": payload}],
        link=link,
    )


def record_posted(session: Session, link: str, ts: str) -> None:
    """A linked post was delivered: remember where the message is."""
    kind, _, ident = link.partition(":")
    if not ident.isdigit():
        return
    if kind == "notification":
        session.execute(
            update(StaffNotification)
            .where(StaffNotification.id == int(ident))
            .values(message_ts=ts)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(StaffNotification)
            .where(StaffNotification.id == int(ident), StaffNotification.status == "pending")
            .values(status="posted")
            .execution_options(synchronize_session=False)
        )
    elif kind == "collaboration":  # posted top level: its thread is this message
        session.execute(
            update(Collaboration)
            .where(Collaboration.id == int(ident), Collaboration.thread_ts.is_(None))
            .values(thread_ts=ts)
            .execution_options(synchronize_session=False)
        )
    elif kind == "opportunity":  # the list with 「送信」: 関心あり comes back in its thread
        session.execute(
            update(Opportunity)
            .where(Opportunity.id == int(ident), Opportunity.message_ts.is_(None))
            .values(message_ts=ts)
            .execution_options(synchronize_session=False)
        )
    elif kind == "handoff":
        session.execute(
            update(Handoff)
            .where(Handoff.id == int(ident))
            .values(thread_ts=ts, status="open")
            .execution_options(synchronize_session=False)
        )
