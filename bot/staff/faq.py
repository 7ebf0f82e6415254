"""The FAQ entries staff add from Slack (「FAQに追加」): the form, its checks, saving an entry
(and closing the unanswered questions it answers). The answerer (bot/engine/answerer.py) reads
the entries and uses them in every process at once, on every channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.engine.answerer import ANSWERER
from bot.staff import messages as msg
from bot.staff.audit import audit
from bot.storage.models import UnansweredQuestion
from bot.storage.models.staff import StaffFaqEntry
from knowledge.normalize import normalize


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
    if from_unanswered_id:
        # Close every open copy of the same question: the FAQ now answers it.
        original = session.get(UnansweredQuestion, from_unanswered_id)
        if original is not None:
            session.execute(
                update(UnansweredQuestion)
                .where(UnansweredQuestion.text == original.text, UnansweredQuestion.status == "open")
                .values(status="closed")
                .execution_options(synchronize_session=False)
            )
    audit(session, actor, "faq_add", "faq", entry.id, question=q)
    return entry


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
