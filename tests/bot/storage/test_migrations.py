from sqlalchemy import inspect

from bot.storage import migrate
from bot.storage.db import make_engine


def test_upgrade_creates_schema_and_is_idempotent(db_url):
    migrate.upgrade(db_url)  # second run is a no-op
    engine = make_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"groups", "suggestions", "alembic_version"} <= tables
    assert migrate.current(db_url) is not None


def test_migrations_match_models(db_url):
    """Autogenerate finds nothing to do: every model change came with a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.models import Base

    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
