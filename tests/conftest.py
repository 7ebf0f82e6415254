"""Shared fixtures.

Database tests take the ``db_url`` fixture and are marked ``db``. They run on a fresh SQLite file by
default; when ``KYODO_TEST_DATABASE_URL`` names a PostgreSQL server, on a throw-away database created
there for this test session (so parallel runs never see each other's rows).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.settings import normalise_database_url
from bot.storage import migrate
from bot.storage.db import make_engine
from tests.support.line_app import TOKEN
from tests.support.line_standin import LineStandin

PG_URL = os.environ.get("KYODO_TEST_DATABASE_URL", "")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


def pytest_configure(config):
    config.addinivalue_line("markers", "db: uses the database (run on SQLite and PostgreSQL)")


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str | None]:
    if not PG_URL:
        yield None
        return
    base = make_url(normalise_database_url(PG_URL))
    name = f"kyodo_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:  # one clear line instead of an error per database test
        pytest.exit(
            f"PostgreSQL at {PG_URL} is not reachable ({str(exc.orig).strip()}); start it, or unset "
            "KYODO_TEST_DATABASE_URL to run the database tests on SQLite",
            returncode=3,
        )
    url = base.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_url(_pg_database, tmp_path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if _pg_database is None:
        url = f"sqlite:///{tmp_path / 'kyodo-test.db'}"
        migrate.upgrade(url)
        yield url
        return
    engine = make_engine(_pg_database)
    from bot.storage.models import Base

    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield _pg_database


@pytest.fixture(scope="session")
def standin() -> Iterator[LineStandin]:
    """The LINE Messaging API stand-in on 127.0.0.1 (one per test session)."""
    s = LineStandin(access_token=TOKEN).start()
    yield s
    s.stop()
