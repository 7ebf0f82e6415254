"""The answerer with staff additions: the shipped FAQ plus the entries staff wrote in Slack.

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

from bot.models.staff import StaffFaqEntry

log = logging.getLogger(__name__)


class StaffAwareAnswerer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answer_lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._answerer: Any = None

    def _version(self, session: Session) -> tuple[Any, ...]:
        row = session.execute(
            select(func.count(), func.max(StaffFaqEntry.id)).where(StaffFaqEntry.active.is_(True))
        ).one()
        return (int(row[0] or 0), row[1])

    def get(self, session: Session) -> Any:
        from knowledge import Answerer

        key = self._version(session)
        with self._lock:
            if key != self._key or self._answerer is None:
                from bot.slack_service import staff_faq_dicts

                extra = staff_faq_dicts(session) if key[0] else []
                try:
                    self._answerer = Answerer.load(extra_faq=extra) if extra else Answerer.load()
                except Exception:  # a bad staff entry must not take the answerer down
                    log.exception("staff FAQ entries rejected; answering from the shipped FAQ only")
                    self._answerer = Answerer.load()
                self._key = key
            return self._answerer

    def answer(self, session: Session, question: str) -> Any:
        answerer = self.get(session)
        # knowledge's tokenizer (SudachiPy) refuses concurrent use from several threads
        # ("Tokenizer is already in use"): answer one question at a time per process.
        with self._answer_lock:
            return answerer.answer(question)


#: The process-wide instance (the engine's Services may use it too).
ANSWERER = StaffAwareAnswerer()
