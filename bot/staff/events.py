"""Slack on the durable path: the staff side's :class:`bot.messaging.channel.Channel`.

Bolt has checked the signature before anything here runs. Every ``event_callback`` is stored in
the one inbox under its ``event_id`` (handlers/slack/listeners.py, through the same store as
LINE's webhook), so Slack's retry of an event we already accepted hits the key and is dropped.
Events that lead to work (a mention, a reply in a handoff thread) keep their payload until the
processing loop hands them to :meth:`StaffChannel.process`; the work and the event's
``processed_at`` are one transaction, so an event is done exactly once even with several
workers. What Slack is sent goes through the one outbox (bot/staff/posts.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.engine import warm_up as engine_warm_up
from bot.engine.notify import Notifier
from bot.messaging.channel import Claimed, Outgoing, Sender, SendResult, StoredEvent
from bot.settings import DeliveryPolicy
from bot.staff import lookups, posts
from bot.staff import messages as msg
from bot.staff.handoffs import handoff_reply
from bot.staff.views import Renderer

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


class StaffChannel:
    """Slack, for the processing loop and the delivery loop (composed in bot/app.py)."""

    name = posts.SLACK
    ordered = False  # posts to one channel need no order among themselves (updates name their ts)
    forget_payload = True  # staff messages are not kept once handled: only the id, to drop retries
    prune_after_days = 7.0

    def __init__(
        self, *, render: Renderer, notify: Notifier, delivery: DeliveryPolicy, sender: Sender | None = None
    ) -> None:
        self.render = render
        self.notify = notify
        self.delivery = delivery
        self.sender = sender

    def process(self, session: Session, event: StoredEvent, now: datetime) -> list[Outgoing]:
        """A mention is answered in its thread; a reply in a handoff thread goes to the citizen.
        Both queue their posts themselves (and the citizen's push), so nothing is returned."""
        payload = event.payload
        kind = payload.get("type")
        if kind == "app_mention":
            question = MENTION.sub(" ", str(payload.get("text") or "")).strip()  # drop <@U123> itself
            channel, ts = payload.get("channel", ""), payload.get("thread_ts") or payload.get("ts", "")
            answer = (
                lookups.answer_payload(session, question, self.render)
                if question
                else self.render.plain(msg.HELP)
            )
            posts.queue_call(session, "chat.postMessage", {"channel": channel, "thread_ts": ts, **answer})
        elif kind == "message":
            handoff_reply(
                session,
                payload.get("channel", ""),
                payload.get("thread_ts", ""),
                payload.get("text", ""),
                actor=payload.get("user", ""),
                notify=self.notify,
                now=now,
            )
        return []

    def delivered(self, session: Session, item: Claimed, result: SendResult) -> None:
        """A post linked to a notification or a handoff: remember its ts there."""
        if item.link and result.ref:
            posts.record_posted(session, item.link, result.ref)

    def warm_up(self) -> None:
        """Load the knowledge index (and the matcher) before the first staff question, as the
        LINE channel does: a worker serving only Slack must not leave it to the first mention."""
        engine_warm_up()
