"""Programmatic Alembic, so `kyodo db upgrade` works from an installed package with no ini file."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from bot.storage.db import make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


NOT_MIGRATED = "not migrated: run kyodo db upgrade"


def heads() -> set[str]:
    """The revisions a fully migrated database is at."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def schema_problem(engine) -> str | None:
    """None when the database is at the latest schema, else what to do (``NOT_MIGRATED``).

    `kyodo serve` and `kyodo worker` do not migrate by themselves: the Procfile's release phase
    (or the operator) runs `kyodo db upgrade` once, so several processes never race to migrate.
    They wait for it instead, and /healthz says so. Errors connecting are raised."""
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return None if current == heads() else NOT_MIGRATED
