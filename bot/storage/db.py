"""Database access: one SQLAlchemy engine per process, sessions as short units of work.

SQLite is the zero-set-up default; PostgreSQL is used when DATABASE_URL says so. The schema
is owned by Alembic migrations (``kyodo db upgrade``), never by ``create_all`` in production.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

try:  # POSIX; elsewhere only the in-process mutex is used
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> Engine:
    # Errors (IntegrityError, OperationalError ...) are logged and raised without the statement's
    # parameters: those are user ids, message texts, staff FAQ answers (personal data).
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL stays consistent and survives a killed process; only an OS crash
            # or power cut can lose the last commits. FULL costs an fsync per commit (~6 ms here),
            # which capped the LINE path at ~40 events/s (measured with scripts/bench_line.py).
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "handle_error")
        def _without_values(context) -> None:
            """PostgreSQL's DETAIL repeats the values of the row at fault ("Key (retry_key)=(...)
            already exists"): keep only the primary message (it names the constraint)."""
            exc = context.original_exception
            primary = getattr(getattr(exc, "diag", None), "message_primary", None)
            full = str(exc)
            if not primary or full == primary:
                return
            exc.args = (primary,)
            wrapped = context.sqlalchemy_exception  # its message was made from the full text
            if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
                wrapped.args = (wrapped.args[0].replace(full, primary), *wrapped.args[1:])

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


class _SqliteWriteLock:
    """Threads of this process queue on a mutex; processes (`kyodo serve` and its worker, a CLI
    command beside them) on an flock of ``<database>.writelock``. Both hand over at once, unlike
    sqlite3's busy handler. Re-entrant within a thread, so a writer that opens a second unit of
    work (nothing does today) cannot deadlock on itself."""

    def __init__(self, database: str | None) -> None:
        self.mutex = threading.RLock()
        self.path = f"{database}.writelock" if database and database != ":memory:" else None
        self.fd: int | None = None
        self.depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.mutex:
            if self.path is None or fcntl is None or self.depth:
                self.depth += 1
                try:
                    yield
                finally:
                    self.depth -= 1
                return
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_write_locks: dict[int, _SqliteWriteLock] = {}
_write_locks_guard = threading.Lock()


@contextmanager
def writing(engine: Engine) -> Iterator[None]:
    """Hold the database's write turn (SQLite only; PostgreSQL locks rows, not the database).

    SQLite has one writer at a time, and a blocked writer waits in sqlite3's busy handler, which
    sleeps in steps of up to 100 ms: under load the LINE webhook then waited hundreds of ms for a
    lock held 5 ms. Every writer queueing on this lock first hands the database over at once.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    with _write_locks_guard:
        lock = _write_locks.get(id(engine))
        if lock is None:
            lock = _write_locks[id(engine)] = _SqliteWriteLock(engine.url.database)
    with lock.held():
        yield


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that may write: commit on success, roll back on any error.

    The one rule for every writer (the LINE path, the staff side, the CLI): on SQLite it first
    takes the database's write turn (:func:`writing`). Code that only reads opens a session
    (``with factory() as session``) and takes no turn.
    """
    with writing(factory.kw["bind"]), factory() as session, session.begin():
        yield session
