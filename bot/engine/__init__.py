"""The conversation engine: platform-neutral, pure composition over a SQLAlchemy session.

``handle(session, incoming, now=...)`` is the only entry point transports need; see
docs/engine.md for the flows and tables.
"""

from bot.engine.types import Card, Choice, Incoming, Reply

__all__ = ["Card", "Choice", "Incoming", "Reply", "handle"]


def handle(session, incoming, *, now, services=None):  # noqa: D103 - thin lazy re-export
    from bot.engine.router import handle as _handle

    return _handle(session, incoming, now=now, services=services)
