"""Platform-neutral message types shared by the engine and every transport.

The engine speaks only these types: LINE, Slack and the terminal chat each
translate them to and from their own wire formats (see handlers/ and
bot/commands/chat.py). Keeping them tiny and frozen lets a transport render
them without knowing anything about the conversation that produced them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    """One event from a user, already stripped of platform details."""

    channel: str  # "line" | "cli" | "slack"
    user_id: str  # platform user id ("U…" on LINE); "cli:<name>" in the terminal
    kind: str  # "text" | "postback" | "follow" | "unfollow" | "unsupported"
    text: str = ""  # text message body (not yet normalised)
    data: str = ""  # postback data (<= 300 bytes, produced by the engine itself)
    message_type: str = ""  # for "unsupported": sticker | image | video | audio | location | file | unknown
    source_type: str = "user"  # "user" | "group" | "room"
    event_id: str = ""  # platform event id (inbox key), for logs
    language: str = ""  # the user's language if the platform says (a LINE profile's "en", "ja" …)


@dataclass(frozen=True)
class Choice:
    """A quick reply or a button."""

    label: str  # <= 20 chars after rendering (renderer truncates safely)
    text: str = ""  # send this text when tapped (message action) ...
    data: str = ""  # ... or this postback data (postback action); engine-defined, <= 300 bytes
    display_text: str = ""  # optional text shown in the chat for a postback


@dataclass(frozen=True)
class Card:
    """One bubble of a carousel, or a confirmation card."""

    title: str
    lines: list[str]  # short body lines
    actions: list[Choice]  # <= 3 buttons
    subtitle: str = ""


@dataclass(frozen=True)
class Reply:
    """One outgoing message; the engine returns at most five per event."""

    text: str = ""
    # Sequences default to () (immutable); transports must accept lists or tuples.
    choices: list[Choice] = ()  # type: ignore[assignment]  # quick replies (renderer keeps <= 13)
    cards: list[Card] = ()  # type: ignore[assignment]  # carousel (LINE) / blocks (Slack) / numbered list (CLI)
    sources: list[tuple[str, str]] = ()  # type: ignore[assignment]  # (section id, title) cited
    alt_text: str = ""  # summary for cards (LINE altText <= 400)


#: Upper bound on replies per event (LINE's reply API accepts five messages).
MAX_REPLIES = 5
