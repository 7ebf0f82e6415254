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
- SQLite: one process delivers (see the README), so at start-up every lease held under another
  name belongs to a process that is gone.

Released rows are marked ``uncertain``; the sender then asks the platform before sending again:
LINE's reply token works only once (a used one is refused: delivered then, no push follows), a push
carries the row's ``X-Line-Retry-Key`` (LINE answers 409 and does not deliver twice), Slack looks
for the post.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.db import transaction
from bot.storage.models.messaging import OutboxMessage

log = logging.getLogger(__name__)

_OUTBOX = OutboxMessage.__table__
_LOCK_KEY = "hashtextextended('kyodo-worker:' || :owner, 0)"
_TRY_LOCK = text(f"SELECT pg_try_advisory_xact_lock({_LOCK_KEY})")
_HOLD_LOCK = text(f"SELECT pg_advisory_lock({_LOCK_KEY})")
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
        self.dialect = factory.kw["bind"].dialect.name
        self._held: Connection | None = None

    @property
    def postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def register(self) -> None:
        """Announce this worker as alive (PostgreSQL: hold its advisory lock until ``close``).
        Call before anything is claimed under this name."""
        if not self.postgresql or self._held is not None:
            return
        conn = self.factory.kw["bind"].connect()
        conn.execute(_HOLD_LOCK, {"owner": self.name})
        conn.commit()  # a session-level lock outlives the transaction; the connection stays open
        self._held = conn

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

    def release_dead(self, *, at_start: bool = False) -> int:
        """Release the rows of owners known to be gone; returns how many rows were released."""
        released = 0
        if not self.postgresql:
            if not at_start:
                return 0
            with transaction(self.factory) as session:
                for owner in session.scalars(_OTHER_OWNERS, {"me": self.name}).all():
                    released += session.execute(_RELEASE, {"owner": owner}).rowcount or 0
        else:
            with self.factory() as session:
                owners = session.scalars(_OTHER_OWNERS, {"me": self.name}).all()
            for owner in owners:
                with transaction(self.factory) as session:
                    # Taken only if the owner's connection is gone; released at commit.
                    if session.scalar(_TRY_LOCK, {"owner": owner}):
                        released += session.execute(_RELEASE, {"owner": owner}).rowcount or 0
        if released:
            log.warning(
                "took over %d outbox rows from workers that are gone (sent again with care)", released
            )
        return released
