"""A channel citizens talk on, for the durable path: a platform's parser and renderer around the
conversation engine.

``bot/app.py`` builds one per platform from its adapter (LINE: ``handlers/line/webhook.py``
parses, ``handlers/line/render.py`` renders, ``handlers/line/api.py`` sends) and hands it to
the processing loop (bot/messaging), which calls :meth:`ConversationChannel.process` for each
stored event inside the processing transaction. Its renderer also serves the notices that
answer no event (bot/engine/notify.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from bot.engine import handle as engine_handle
from bot.engine import warm_up as engine_warm_up
from bot.engine.retention import erased_id
from bot.engine.types import Incoming, Reply
from bot.messaging import outbox
from bot.messaging.channel import Claimed, Outgoing, Sender, SendResult, StoredEvent
from bot.settings import DeliveryPolicy
from bot.storage.models import ChatUser, OutboxMessage

log = logging.getLogger(__name__)

_ERASED_USER = select(ChatUser.id).where(
    ChatUser.channel == bindparam("channel"),
    ChatUser.user_id == bindparam("user_id"),
    ChatUser.deleted_at.is_not(None),
)


@dataclass(frozen=True)
class Parsed:
    """What a platform parser makes of one stored event: the neutral event and where replies go."""

    incoming: Incoming
    reply_token: str | None
    destination: str  # push destination ("" if none): the user, or the group / room of a group chat
    occurred_at: datetime | None  # the event's own time (the reply token's clock starts there)


#: payload -> Parsed, or None when the event needs no answer.
Parse = Callable[[dict[str, Any]], Parsed | None]
#: the engine's replies -> the platform's message objects, within its limits (what the outbox stores).
Render = Callable[[Sequence[Reply]], list[dict[str, Any]]]
#: the conversation engine's entry point (bot.engine.handle).
Handle = Callable[..., list[Reply]]


class ConversationChannel:
    """The :class:`bot.messaging.channel.Channel` of a platform citizens talk on."""

    ordered = True  # a conversation's messages must arrive in order
    forget_payload = False  # the retention rule blanks payloads (bot/messaging/worker.py)
    prune_after_days = None

    def __init__(
        self,
        name: str,
        *,
        parse: Parse,
        render: Render,
        delivery: DeliveryPolicy,
        reply_token_ttl_seconds: float,
        sender: Sender | None = None,
        handle: Handle | None = None,
    ) -> None:
        self.name = name
        self.parse = parse
        self.render = render
        self.delivery = delivery
        self.reply_token_ttl = timedelta(seconds=reply_token_ttl_seconds)
        self.sender = sender
        self.real_engine = handle is None
        self.handle: Handle = handle or engine_handle

    def warm_up(self) -> None:
        if self.real_engine:  # load the knowledge index and the matcher before the first citizen
            engine_warm_up()

    def process(self, session: Session, event: StoredEvent, now: datetime) -> list[Outgoing]:
        parsed = self.parse(event.payload)
        if parsed is None:
            return []
        replies = self.handle(session, parsed.incoming, now=now)
        if parsed.incoming.kind == "unfollow":
            cancelled = outbox.cancel_pending(
                session, channel=self.name, destination=parsed.destination, reason="user unfollowed"
            )
            cancelled += outbox.drop_multicast_recipient(
                session, channel=self.name, user_id=parsed.incoming.user_id, pending_only=True
            )
            if cancelled:
                log.info("inbox %d: unfollow cancelled %d queued messages", event.id, cancelled)
        messages = self.render(replies)
        if not messages or not (parsed.reply_token or parsed.destination):
            return []
        # The reply token lives about a minute from the event; count from the earlier of the
        # event's own time and our receipt (a redelivered event's token is usually spent).
        start = min(t for t in (parsed.occurred_at, event.received_at) if t is not None)
        return [
            Outgoing(
                destination=parsed.destination,
                messages=messages,
                reply_token=parsed.reply_token,
                reply_token_expires_at=start + self.reply_token_ttl if parsed.reply_token else None,
                shared=bool(parsed.destination) and parsed.destination != parsed.incoming.user_id,
            )
        ]

    def delivered(self, session: Session, item: Claimed, result: SendResult) -> None:
        """A LINE message is not looked up again. The reply that confirms 「データを削除」 is the
        last thing sent to a user whose data is gone: once it is out, its text and their id go too."""
        stand_in = erased_id(self.name, item.destination)
        if session.execute(_ERASED_USER, {"channel": self.name, "user_id": stand_in}).first() is not None:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item.id)
                .values(messages=[], destination="")
                .execution_options(synchronize_session=False)
            )
