"""Free questions outside any flow: the answerer's reply with its source, feedback buttons,
「もしかして」 candidates, and a hand-off to city staff when the bot cannot answer."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.flows.common import menu_choices, shorten
from bot.engine.services import Services
from bot.engine.types import Choice, Incoming, Reply
from bot.storage.models.conversation import Feedback, UnansweredQuestion
from knowledge.normalize import fold

log = logging.getLogger(__name__)

QUESTION_LIMIT = 500
ANSWER_LIMIT = 4000  # LINE allows 5000 characters per text; keep room for the renderer


def answer_question(session, incoming: Incoming, text: str, services: Services, now) -> list[Reply]:
    if len(text) > QUESTION_LIMIT:
        return [Reply(text=M.TOO_LONG_QUESTION.format(limit=QUESTION_LIMIT), choices=menu_choices())]
    try:
        a = services.answer(text, session)
    except Exception:  # a broken index must not take the whole conversation down
        log.exception("answerer failed")
        return [Reply(text=M.ANSWERER_DOWN, choices=menu_choices())]
    if a.answered and a.text:
        fb = Feedback(
            channel=incoming.channel,
            user_id=incoming.user_id,
            question=text,
            faq_id=(a.faq_id or None) and str(a.faq_id)[:80],
            sources=[sid for sid, _ in a.sources],
            via_unanswered_id=_maybe_origin(session, incoming, text, now),
            created_at=now,
        )
        session.add(fb)
        session.flush()
        body = _shorten_answer(a.text)
        related = [Choice(label=shorten(s, 20), text=s) for s in a.suggestions if s][:3]
        feedback = [
            Choice(label=M.YES, data=postback.encode("fb", "yes", fb.id), display_text=M.YES),
            Choice(label=M.NO, data=postback.encode("fb", "no", fb.id), display_text=M.NO),
        ]
        step = _next_step(a.faq_id)
        next_choice = [Choice(label=step, text=step)] if step else []
        return [
            Reply(text=body, sources=list(a.sources)),
            Reply(text=M.WAS_IT_HELPFUL, choices=[*feedback, *next_choice, *related]),
        ]
    q = UnansweredQuestion(
        channel=incoming.channel,
        user_id=incoming.user_id,
        text=text,
        reason=(a.reason or ("unsure" if a.suggestions else "no_match"))[:40],
        suggestions=list(a.suggestions),
        created_at=now,
    )
    session.add(q)
    session.flush()
    staff = Choice(label=M.ASK_STAFF, data=postback.encode("qa", "handoff", q.id), display_text=M.ASK_STAFF)
    if a.suggestions:
        maybe = [Choice(label=shorten(s, 20), text=s) for s in a.suggestions if s][:3]
        return [Reply(text=M.MAYBE, choices=[*maybe, staff])]
    # The answerer's own explanation (what the bot can answer, where else to ask) when it has one.
    text = f"{a.text.strip()}\n{M.OFFER_STAFF}" if a.text.strip() else M.CANNOT_ANSWER
    return [Reply(text=_shorten_answer(text), choices=[staff, *menu_choices()[:4]])]


MAYBE_WINDOW = timedelta(hours=1)


def _maybe_origin(session, incoming: Incoming, text: str, now) -> int | None:
    """The 「もしかして」 question this one answers, when the citizen picked (or typed) one of the
    candidates offered to them in the last hour: the two are one question in the report."""
    last = session.scalars(
        select(UnansweredQuestion)
        .where(
            UnansweredQuestion.channel == incoming.channel,
            UnansweredQuestion.user_id == incoming.user_id,
            UnansweredQuestion.reason == "unsure",
            UnansweredQuestion.created_at >= now - MAYBE_WINDOW,
        )
        .order_by(UnansweredQuestion.id.desc())
        .limit(1)
    ).first()
    if last is not None and fold(text) in {fold(s) for s in last.suggestions or []}:
        return last.id
    return None


def _next_step(faq_id: str | None) -> str | None:
    """The menu entry that naturally follows a FAQ answer (「団体を登録するには？」 -> 団体登録)."""
    if not faq_id:
        return None
    for key, step in M.FAQ_NEXT_STEP.items():
        if faq_id == key or (key.endswith("-") and faq_id.startswith(key)):
            return step
    return None


def _shorten_answer(text: str) -> str:
    return text if len(text) <= ANSWER_LIMIT else text[: ANSWER_LIMIT - 1] + "…"


def on_feedback(session, incoming: Incoming, pb: postback.Postback, now) -> list[Reply]:
    fb_id = postback.int_arg(pb.arg)
    fb = session.get(Feedback, fb_id) if fb_id is not None else None
    if (
        fb is None
        or fb.channel != incoming.channel
        or fb.user_id != incoming.user_id
        or pb.action not in ("yes", "no")
    ):
        return [Reply(text=M.STALE_BUTTON, choices=menu_choices())]
    if fb.helpful is not None:
        return [Reply(text=M.FEEDBACK_ALREADY)]
    fb.helpful = pb.action == "yes"
    fb.answered_at = now
    if fb.helpful:
        return [Reply(text=M.FEEDBACK_THANKS_YES)]
    # An unhelpful answer is also a question worth sending to staff.
    q = UnansweredQuestion(
        channel=incoming.channel,
        user_id=incoming.user_id,
        text=fb.question,
        reason="unhelpful",
        created_at=now,
    )
    session.add(q)
    session.flush()
    staff = Choice(label=M.ASK_STAFF, data=postback.encode("qa", "handoff", q.id), display_text=M.ASK_STAFF)
    return [Reply(text=M.FEEDBACK_THANKS_NO, choices=[staff])]


def on_handoff(session, incoming: Incoming, pb: postback.Postback, now, services: Services) -> list[Reply]:
    q_id = postback.int_arg(pb.arg)
    q = session.get(UnansweredQuestion, q_id) if q_id is not None else None
    if q is None or q.channel != incoming.channel or q.user_id != incoming.user_id or pb.action != "handoff":
        return [Reply(text=M.STALE_BUTTON, choices=menu_choices())]
    if q.handoff_requested:
        return [Reply(text=M.HANDOFF_ALREADY)]
    q.handoff_requested = True
    q.handoff_requested_at = now
    q.status = "handoff"
    return [Reply(text=M.HANDOFF_DONE.format(desk=services.city().desk))]


def faq_menu(services: Services) -> list[Reply]:
    try:
        questions = services.faq_questions(limit=12)
    except Exception:
        log.exception("FAQ list failed")
        questions = []
    if not questions:
        return [Reply(text=M.FAQ_EMPTY, choices=menu_choices())]
    lines = "\n".join(f"・{q}" for q in questions)
    return [
        Reply(
            text=M.FAQ_INTRO + "\n" + lines,
            choices=[Choice(label=shorten(q, 20), text=q) for q in questions][:13],
        )
    ]
