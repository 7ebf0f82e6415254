"""The contract between the one durable message path and each platform.

The inbox, the processing loop, the outbox and delivery (this package) are generic: they store,
process, send, retry and record, and know no platform. A platform takes part as a
:class:`Channel`, composed in ``bot/app.py`` from its adapter in ``handlers/`` (parser,
renderer, sender) and the part of ``bot/`` that does the work: the conversation engine for
LINE (``bot/engine/channel.py``), the staff side for Slack (``bot/staff/events.py``).

Nothing here imports a platform SDK, the engine or the staff side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.settings import DeliveryPolicy


@dataclass(frozen=True)
class StoredEvent:
    """One inbox row, as the processing loop hands it to its channel."""

    id: int
    platform: str
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class Outgoing:
    """A rendered reply to an event: the processing loop queues it in the outbox (and, when
    nothing older waits for the destination, hands it straight to this process's sender)."""

    destination: str  # push destination: a LINE userId / groupId / roomId, a Slack channel id
    messages: list[dict[str, Any]]  # as the channel's renderer made them
    reply_token: str | None = None
    reply_token_expires_at: datetime | None = None
    # Several people answer into this destination (a LINE group or room): workers queueing for it
    # take turns (the engine already serialises one person's events).
    shared: bool = False


@dataclass(frozen=True)
class Claimed:
    """An outbox row leased to this process for one send."""

    id: int
    channel: str
    destination: str
    reply_token: str | None
    reply_token_expires_at: datetime | None
    messages: list[dict[str, Any]]
    retry_key: str
    attempts: int
    # An earlier attempt may have been carried out (timeout, 5xx): the sender checks before
    # sending again where the platform allows it (Slack: look for the post).
    uncertain: bool = False
    created_at: datetime | None = None
    link: str = ""  # what the channel records the sent message's reference on (Channel.delivered)


@dataclass(frozen=True)
class SendResult:
    """What one send came to, in the terms delivery decides on."""

    ok: bool
    method: str = ""  # what was called ("reply", "push", "chat.postMessage", ...), recorded per attempt
    status: int | None = None  # HTTP status, None when no answer came
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None  # seconds, from the Retry-After header
    outcome_unknown: bool = False  # the request may have been carried out (timeout, 5xx)
    invalid_reply_token: bool = False
    note: str | None = None  # kept as the row's last_error on success (e.g. "delivered earlier")
    ref: str | None = None  # what the platform returned to find the message again (Slack's ts)


class Sender(Protocol):
    """Sends one claimed row; never raises for platform or network errors (they are results).
    Each sender enforces its own per-request timeout."""

    async def send(self, item: Claimed) -> SendResult: ...


class Channel(Protocol):
    """One platform on the durable path, as ``bot/app.py`` composes it."""

    #: Inbox ``platform`` and outbox ``channel`` of its rows: "line", "slack".
    name: str
    #: Rows to one destination go out one after another (LINE: a conversation must keep its order).
    ordered: bool
    #: Processed events keep no payload (Slack: staff messages are not kept once handled).
    forget_payload: bool
    #: Processed events are deleted after this many days (None: kept, payload blanked by retention).
    prune_after_days: float | None
    delivery: DeliveryPolicy
    #: None where this process does not send (the web process when a worker delivers).
    sender: Sender | None

    def process(self, session: Session, event: StoredEvent, now: datetime) -> list[Outgoing]:
        """Do an event's work in the processing transaction; return the replies to queue."""
        ...

    def delivered(self, session: Session, item: Claimed, result: SendResult) -> None:
        """Called in the transaction that records a successful send."""
        ...

    def warm_up(self) -> None:
        """Load what the first event would otherwise wait for (called once per worker)."""
        ...
