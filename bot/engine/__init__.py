"""The conversation engine: platform-neutral, pure composition over a SQLAlchemy session.

``handle(session, incoming, now=...)`` is the only entry point transports need; see
docs/engine.md for the flows and tables.
"""

from bot.engine.types import Card, Choice, Incoming, Reply

__all__ = ["Card", "Choice", "Incoming", "Reply", "handle", "warm_up"]


def handle(session, incoming, *, now, services=None):  # noqa: D103 - thin lazy re-export
    from bot.engine.router import handle as _handle

    return _handle(session, incoming, now=now, services=services)


def warm_up() -> None:
    """Load the knowledge index and the matcher now (a worker calls this at start-up so the
    first citizen does not wait for them)."""
    from bot.engine.services import default_services

    services = default_services()
    _ = services.answerer, services.matcher
