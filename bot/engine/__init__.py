"""The conversation engine: platform-neutral, pure composition over a SQLAlchemy session.

``handle(session, incoming, now=...)`` is the only entry point transports need; see
docs/engine.md for the flows and tables.
"""

from bot.engine.router import handle
from bot.engine.services import default_services
from bot.engine.types import Card, Choice, Incoming, Reply

__all__ = ["Card", "Choice", "Incoming", "Reply", "handle", "warm_up"]


def warm_up() -> None:
    """Load the knowledge index and the matcher now (a worker calls this at start-up so the
    first citizen does not wait for them)."""
    services = default_services()
    _ = services.answerer, services.matcher
