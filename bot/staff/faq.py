"""The FAQ entries staff add from Slack (「FAQに追加」): the form, its checks, saving an entry
(and closing the unanswered questions it answers, grouped by their folded form), editing and
retiring entries (every change audited). The answerer (bot/engine/answerer.py) reads
the entries and uses them in every process at once, on every channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.engine.answerer import ANSWERER
from bot.staff import messages as msg
from bot.staff.audit import audit
from bot.storage.db import utcnow
from bot.storage.models import UnansweredQuestion
from bot.storage.models.staff import StaffFaqEntry
from knowledge.normalize import fold, normalize


def add_faq_entry(
    session: Session,
    *,
    question: str,
    answer: str,
    sources: Sequence[str],
    phrasings: Sequence[str] = (),
    actor: str,
    from_unanswered_id: int | None = None,
) -> StaffFaqEntry:
    q = normalize(question)
    entry = StaffFaqEntry(
        question=q,
        phrasings=[normalize(p) for p in phrasings if normalize(p)] or [q],
        answer=answer.strip(),
        sources=list(sources),
        created_by=actor,
        from_unanswered_id=from_unanswered_id,
    )
    session.add(entry)
    session.flush()
    closed = 0
    if from_unanswered_id:
        original = session.get(UnansweredQuestion, from_unanswered_id)
        if original is not None:
            closed = close_twins(session, original.text)
    audit(session, actor, "faq_add", "faq", entry.id, question=q, closed=closed)
    return entry


def close_twins(session: Session, text: str) -> int:
    """Close every open unanswered question that is the same question as ``text`` once folded
    (「…開催されますか」 and 「…開催されますか？」, カタカナ/ひらがな, full/half width): the grouping
    App Home shows (lookups.frequent_unanswered) is the grouping that is closed."""
    key = fold(text or "")
    if not key:
        return 0
    ids = [
        rid
        for rid, other in session.execute(
            select(UnansweredQuestion.id, UnansweredQuestion.text).where(UnansweredQuestion.status == "open")
        )
        if fold(other or "") == key
    ]
    for start in range(0, len(ids), 500):
        session.execute(
            update(UnansweredQuestion)
            .where(UnansweredQuestion.id.in_(ids[start : start + 500]))
            .values(status="closed")
            .execution_options(synchronize_session=False)
        )
    return len(ids)


def staff_entries(session: Session, *, limit: int = 20) -> list[tuple[int, str]]:
    """The entries staff wrote that the bot uses now, newest first: (id, question)."""
    return [
        (e.id, e.question)
        for e in session.scalars(
            select(StaffFaqEntry)
            .where(StaffFaqEntry.active.is_(True))
            .order_by(StaffFaqEntry.id.desc())
            .limit(limit)
        )
    ]


class EntryGone(LookupError):
    """The entry does not exist or was already retired."""


def _active_entry(session: Session, entry_id: int) -> StaffFaqEntry:
    entry = session.get(StaffFaqEntry, entry_id)
    if entry is None or not entry.active:
        raise EntryGone(entry_id)
    return entry


def edit_faq_entry(
    session: Session,
    entry_id: int,
    *,
    question: str,
    answer: str,
    sources: Sequence[str],
    extra_phrasings: Sequence[str] = (),
    actor: str,
) -> StaffFaqEntry:
    """Replace an entry's question, phrasings, answer and sources (audited, with the old question).
    The answerer picks the change up with the next question (updated_at is part of its key)."""
    entry = _active_entry(session, entry_id)
    before = entry.question
    q = normalize(question)
    sources = list(sources) or list(entry.sources or []) or [ANSWERER.get(session).data.sections[0].id]
    entry.question = q
    entry.phrasings = [normalize(p) for p in [question, *extra_phrasings] if normalize(p)] or [q]
    entry.answer = answer.strip()
    entry.sources = sources
    entry.updated_at = utcnow()
    session.flush()
    audit(session, actor, "faq_edit", "faq", entry.id, question=q, before=before)
    return entry


def retire_faq_entry(session: Session, entry_id: int, *, actor: str) -> StaffFaqEntry:
    """Stop using an entry (kept for the record, never deleted; audited)."""
    entry = _active_entry(session, entry_id)
    entry.active = False
    entry.updated_at = utcnow()
    session.flush()
    audit(session, actor, "faq_retire", "faq", entry.id, question=entry.question)
    return entry


def faq_edit_form(session: Session, entry_id: int) -> tuple[StaffFaqEntry, list[tuple[str, str]]]:
    """An entry to edit, and the guideline sections an answer may cite, as (id, title)."""
    entry = _active_entry(session, entry_id)
    answerer = ANSWERER.get(session)
    return entry, [(s.id, s.title) for s in answerer.data.sections]


def faq_form(session: Session, unanswered_id: int | None) -> tuple[str, list[tuple[str, str]]]:
    """What the 「FAQに追加」 form starts with: the unanswered question's text (if it still exists)
    and the guideline sections an answer may cite, as (id, title)."""
    question = ""
    if unanswered_id is not None:
        row = session.get(UnansweredQuestion, unanswered_id)
        question = row.text if row else ""
    answerer = ANSWERER.get(session)
    return question, [(s.id, s.title) for s in answerer.data.sections]


def faq_form_errors(question: str, answer: str, *, question_max: int, answer_max: int) -> dict[str, str]:
    """Problems with a submitted FAQ form, by field ("question", "answer"); empty when it is fine."""
    errors = {}
    if not question:
        errors["question"] = msg.FAQ_INVALID_QUESTION
    if not answer:
        errors["answer"] = msg.FAQ_INVALID_ANSWER
    elif len(answer) > answer_max:
        errors["answer"] = msg.FAQ_TOO_LONG.format(limit=answer_max, count=len(answer))
    if len(question) > question_max:
        errors["question"] = msg.FAQ_TOO_LONG.format(limit=question_max, count=len(question))
    return errors


def save_faq(
    session: Session,
    *,
    question: str,
    answer: str,
    sources: Sequence[str],
    extra_phrasings: Sequence[str] = (),
    actor: str,
    from_unanswered_id: int | None = None,
) -> StaffFaqEntry:
    """A submitted 「FAQに追加」 form. The knowledge loader wants at least one citable source: without
    a chosen section the entry cites the guideline's first section (its overview)."""
    sources = list(sources)
    if not sources:
        sources.append(ANSWERER.get(session).data.sections[0].id)
    return add_faq_entry(
        session,
        question=question,
        answer=answer,
        sources=sources,
        phrasings=[question, *extra_phrasings],
        actor=actor,
        from_unanswered_id=from_unanswered_id,
    )
