"""Lease owners: whether the worker holding an outbox lease is still alive.

Every send starts from a lease committed on its outbox row (``claimed_by``, ``lease_until``)
*before* the HTTP request: the claim transaction, or the processing transaction for replies born
claimed. That lease is the record of intent: a row still leased to a worker that is gone is a send
that may or may not have gone out. Waiting out the lease (60 s by default) after a crash would let
LINE's reply tokens expire and answers come a minute late, so the living take such rows over at
once, as soon as they know the owner is gone:

- PostgreSQL: each worker holds a session-level advisory lock keyed on its id, on a connection of
  its own, for as long as it lives; the server drops the lock when that connection dies (kill -9,
  OOM, a machine gone: TCP keep-alive ends it). Another worker that *can* take the lock knows the
  owner is gone and releases its rows in the same transaction. Checked at start-up and every
  ``DELIVERY_TAKEOVER_CHECK_SECONDS``.
- SQLite: the same with a file lock: each worker holds an flock on
  ``<database>.owners/<hash of its id>.lock`` for as long as it lives; the kernel drops it when the
  process dies. (Where there is no file or no flock, ``:memory:`` or Windows, only one process can
  deliver, and at start-up every lease held under another name is from a process that is gone.)

Released rows are marked ``uncertain``; the sender then asks the platform before sending again:
LINE's reply token works only once (a used one is refused: delivered then, no push follows), a push
carries the row's ``X-Line-Retry-Key`` (LINE answers 409 and does not deliver twice), Slack looks
for the post.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import transaction
from bot.storage.models.messaging import OutboxMessage

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__
_LOCK_KEY = "hashtextextended('kyodo-worker:' || :owner, 0)"
_TRY_LOCK = text(f"SELECT pg_try_advisory_xact_lock({_LOCK_KEY})")
_HOLD_LOCK = text(f"SELECT pg_advisory_lock({_LOCK_KEY})")
_MINE = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
)
_RELEASE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.status == "pending", _OUTBOX.c.claimed_by == bindparam("owner"))
    .values(claimed_by=None, lease_until=None, uncertain=True)
    .execution_options(synchronize_session=False)
)
_OTHER_OWNERS = (
    select(_OUTBOX.c.claimed_by)
    .where(
        _OUTBOX.c.status == "pending",
        _OUTBOX.c.claimed_by.is_not(None),
        _OUTBOX.c.claimed_by != bindparam("me"),
    )
    .distinct()
)


class LeaseOwners:
    """This worker's registration as a lease owner, and the takeover of dead owners' rows."""

    def __init__(self, factory: sessionmaker[Session], name: str) -> None:
        self.factory = factory
        self.name = name
        engine = factory.kw["bind"]
        self.dialect = engine.dialect.name
        database = engine.url.database if self.dialect == "sqlite" else None
        self.lock_dir = (
            Path(f"{database}.owners") if database and database != ":memory:" and fcntl is not None else None
        )
        self._held: Connection | None = None
        self._fd: int | None = None

    @property
    def postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @property
    def checks_liveness(self) -> bool:
        """Whether a dead owner can be told from a live one (else: only at start-up)."""
        return self.postgresql or self.lock_dir is not None

    def _lock_file(self, owner: str) -> Path:
        assert self.lock_dir is not None
        return self.lock_dir / (hashlib.sha256(owner.encode()).hexdigest()[:24] + ".lock")

    def register(self) -> None:
        """Announce this worker as alive until ``close``. Call before anything is claimed under
        this name."""
        if self.postgresql and self._held is None:
            conn = self.factory.kw["bind"].connect()
            conn.execute(_HOLD_LOCK, {"owner": self.name})
            conn.commit()  # a session-level lock outlives the transaction; the connection stays open
            self._held = conn
        elif self.lock_dir is not None and self._fd is None:
            self.lock_dir.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(self._lock_file(self.name), os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, self.name.encode()[:200])
            self._fd = fd

    def close(self) -> None:
        if self._held is not None:
            try:
                self._held.execute(text("SELECT pg_advisory_unlock_all()"))
                self._held.commit()
                self._held.close()
            except Exception:  # the connection is gone already: so is the lock
                log.debug("lease owner %s: closing the registration failed", self.name, exc_info=True)
            finally:
                self._held = None
        if self._fd is not None:
            try:
                self._lock_file(self.name).unlink(missing_ok=True)
                os.close(self._fd)  # releases the flock
            finally:
                self._fd = None

    def _keep_registered(self) -> None:
        """PostgreSQL: if our registration's connection was lost (a server restart), our lock went
        with it and others may take our rows over (safely: as uncertain); take it again."""
        if self._held is None:
            return
        try:
            held = self._held.scalar(_MINE)  # a lost connection comes back new, without the lock
            self._held.commit()
        except Exception:
            held = 0
        if held:
            return
        log.warning("lease owner %s: registration connection lost; registering again", self.name)
        with contextlib.suppress(Exception):
            self._held.invalidate()
        self._held = None
        self.register()

    def _gone_by_file(self, owner: str) -> bool:
        """SQLite: the owner's lock file is missing or can be locked: its process is gone."""
        path = self._lock_file(owner)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        path.unlink(missing_ok=True)  # tidy up after the dead
        return True

    def release_dead(self, *, at_start: bool = False) -> int:
        """Release the rows of owners known to be gone; returns how many rows were released."""
        released = 0
        if self.postgresql:
            self._keep_registered()
            with self.factory() as session:
                owners = session.scalars(_OTHER_OWNERS, {"me": self.name}).all()
            for owner in owners:
                with transaction(self.factory) as session:
                    # Taken only if the owner's connection is gone; released at commit.
                    if session.scalar(_TRY_LOCK, {"owner": owner}):
                        released += session.execute(_RELEASE, {"owner": owner}).rowcount or 0
        elif self.lock_dir is not None or at_start:
            with self.factory() as session:
                owners = session.scalars(_OTHER_OWNERS, {"me": self.name}).all()
            gone = [o for o in owners if self.lock_dir is None or self._gone_by_file(o)]
            if gone:
                with transaction(self.factory) as session:
                    for owner in gone:
                        released += session.execute(_RELEASE, {"owner": owner}).rowcount or 0
        if released:
            log.warning(
                "took over %d outbox rows from workers that are gone (sent again with care)", released
            )
        return released
