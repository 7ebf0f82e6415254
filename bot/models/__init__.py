"""ORM models. Import every model module here so Alembic and tests see the whole schema."""

from bot.db import Base
from bot.models.registry import Group, Suggestion

__all__ = ["Base", "Group", "Suggestion"]
