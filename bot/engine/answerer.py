"""The answerer every channel uses: the shipped FAQ plus the entries staff wrote in Slack.

``knowledge`` stays a pure library; it accepts extra FAQ entries (``Answerer.load(extra_faq=)``).
This module keeps one answerer per process and rebuilds it when the staff entries in the
database change (checked with one cheap aggregate query per question), so an entry added from
App Home is used by the next question in every process, LINE and Slack alike.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.models.staff import StaffFaqEntry
from knowledge import Answerer, DataError
from knowledge import data_dir as knowledge_data_dir

log = logging.getLogger(__name__)


def staff_faq_dicts(session: Session) -> list[dict[str, Any]]:
    """Staff entries in faq.yaml's shape (knowledge.Answerer.load(extra_faq=...))."""
    out = []
    for e in session.scalars(
        select(StaffFaqEntry).where(StaffFaqEntry.active.is_(True)).order_by(StaffFaqEntry.id)
    ):
        out.append(
            {
                "id": f"staff-{e.id}",
                "category": "howto",
                "question": e.question,
                "phrasings": list(e.phrasings or []) or [e.question],
                "answer": e.answer,
                "sources": list(e.sources or []),
            }
        )
    return out


# Built once (constructing the statement cost more than running it); run once per transaction.
# An edit or a retirement sets updated_at, so it changes the version too.
_VERSION = select(func.count(), func.max(StaffFaqEntry.id), func.max(StaffFaqEntry.updated_at)).where(
    StaffFaqEntry.active.is_(True)
)


class StaffAwareAnswerer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._answerer: Any = None

    def _version(self, session: Session) -> tuple[Any, ...]:
        """Checked once per transaction: a worker answering several events in one transaction
        (under load) asks the database once, not once per question."""
        transaction = session.get_transaction()
        cached = session.info.get("staff_faq_version")
        if cached is not None and transaction is not None and cached[0] is transaction:
            return cached[1]
        row = session.execute(_VERSION).one()
        version = (int(row[0] or 0), row[1], row[2])
        session.info["staff_faq_version"] = (session.get_transaction(), version)
        return version

    def get(self, session: Session) -> Any:
        # The data directory in use (KYODO_KNOWLEDGE_DIR) is part of the key: another city's data.
        key = (*self._version(session), str(knowledge_data_dir()))
        with self._lock:
            if key != self._key or self._answerer is None:
                extra = staff_faq_dicts(session) if key[0] else []
                self._answerer = self._build(Answerer, extra)
                self._key = key
            return self._answerer

    @staticmethod
    def _build(answerer_cls: Any, extra: list[dict[str, Any]]) -> Any:
        """The answerer with the staff entries; an entry the loader rejects is left out (logged)
        rather than taking the others, or the shipped FAQ, down with it."""
        if not extra:
            return answerer_cls.load()
        try:
            return answerer_cls.load(extra_faq=extra)
        except DataError as exc:
            bad = {e["id"] for e in extra if any(f"'{e['id']}'" in p for p in exc.problems)}
            log.error("staff FAQ entries rejected by the knowledge loader: %s", "; ".join(exc.problems))
            kept = [e for e in extra if e["id"] not in bad]
            if bad and kept:
                try:
                    return answerer_cls.load(extra_faq=kept)
                except DataError:
                    log.exception("staff FAQ entries still rejected; using the shipped FAQ only")
            return answerer_cls.load()

    def answer(self, session: Session, question: str, language: str | None = None) -> Any:
        answerer = self.get(session)
        return answerer.answer(question, lang=language) if language else answerer.answer(question)


#: The process-wide instance (the engine's Services may use it too).
ANSWERER = StaffAwareAnswerer()
