"""Free questions outside any flow: the answerer's reply with its source, feedback buttons,
「もしかして」 candidates, and a hand-off to city staff when the bot cannot answer."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from bot.engine import messages as M
from bot.engine import messages_en as EN
from bot.engine import postback, proposal_status, translate
from bot.engine.described import activity_note, offer_choices
from bot.engine.flows.common import MAIN_MENU, menu_choices, shorten
from bot.engine.services import Services
from bot.engine.types import Choice, Incoming, Reply
from bot.storage.models.conversation import Feedback, UnansweredQuestion
from knowledge.language import detect_language
from knowledge.normalize import fold

log = logging.getLogger(__name__)

#: The answerer's reasons for a courtesy rather than a question (knowledge.language.courtesy).
SMALL_TALK = frozenset({"greeting", "thanks", "farewell"})
QUESTION_LIMIT = 500
ANSWER_LIMIT = 4000  # LINE allows 5000 characters per text; keep room for the renderer


def answer_question(
    session, incoming: Incoming, text: str, services: Services, now, language: str | None = None
) -> list[Reply]:
    """``language`` is the user's ("en"/"ja") when known; the reply's own words (feedback,
    もしかして, hand-off) follow the language the answer came in (knowledge: English questions
    are answered in English)."""
    if len(text) > QUESTION_LIMIT:
        if language == "en":
            return [Reply(text=EN.TOO_LONG_QUESTION.format(limit=QUESTION_LIMIT), choices=_menu(language))]
        return [Reply(text=M.TOO_LONG_QUESTION.format(limit=QUESTION_LIMIT), choices=menu_choices())]
    try:
        a = services.answer(text, session, language=language) if language else services.answer(text, session)
    except Exception:  # a broken index must not take the whole conversation down
        log.exception("answerer failed")
        down = EN.ANSWERER_DOWN if language == "en" else M.ANSWERER_DOWN
        return [Reply(text=down, choices=_menu(language))]
    if a.kind == "status" and incoming.source_type == "user" and incoming.user_id != "anonymous" and incoming.channel != "web":
        # 「提案の返事はまだですか」: the citizen's own proposals say more than the FAQ entry.
        return proposal_status.replies(session, incoming, now)
    W = EN if getattr(a, "lang", "ja") == "en" else M  # noqa: N806 - the sentences of the reply's language
    if not a.answered and a.reason in SMALL_TALK and a.text:
        # a courtesy (also mixed: ありがとう bye): the answerer's friendly line, not a question the
        # bot failed to answer (no hand-off offer, nothing kept as unanswered)
        return [Reply(text=a.text, choices=_menu("en" if W is EN else language))]
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
            Choice(label=W.YES, data=postback.encode("fb", "yes", fb.id), display_text=W.YES),
            Choice(label=W.NO, data=postback.encode("fb", "no", fb.id), display_text=W.NO),
        ]
        step = _next_step(a.faq_id) if W is M else None
        next_choice = [Choice(label=step, text=step)] if step else []
        note = activity_note(a.activity, services, [sid for sid, _ in a.sources]) if a.activity else None
        offer = offer_choices() if note else []
        choices = _unique([*feedback, *offer, *next_choice, *related])
        return [
            Reply(text=body, sources=list(a.sources)),
            *([note] if note else []),
            Reply(text=W.WAS_IT_HELPFUL, choices=choices),
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
    staff = Choice(label=W.ASK_STAFF, data=postback.encode("qa", "handoff", q.id), display_text=W.ASK_STAFF)
    if a.suggestions:
        maybe = [Choice(label=shorten(s, 20), text=s) for s in a.suggestions if s][:3]
        note = activity_note(a.activity, services) if a.activity else None
        offer = offer_choices() if note else []
        return [*([note] if note else []), Reply(text=W.MAYBE, choices=_unique([*maybe, staff, *offer]))]
    # The answerer's own explanation (what the bot can answer, where else to ask) when it has one.
    text = f"{a.text.strip()}\n{W.OFFER_STAFF}" if a.text.strip() else W.CANNOT_ANSWER
    menu = _menu("en") if W is EN else menu_choices()
    return [Reply(text=_shorten_answer(text), choices=[staff, *menu[:4]])]


def _menu(language: str | None) -> list[Choice]:
    return EN.menu_choices(MAIN_MENU) if language == "en" else menu_choices()


def _unique(choices: list[Choice]) -> list[Choice]:
    """Choices without repeats (the same label twice reads as a mistake), at most LINE's 13."""
    seen: set[str] = set()
    out = []
    for c in choices:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out[:13]


MAYBE_WINDOW = timedelta(hours=1)
# answers given as もしかして: by the rules ("unsure") or by the verifier's second opinion ("doubt")
MAYBE_REASONS = ("unsure", "doubt")


def _maybe_origin(session, incoming: Incoming, text: str, now) -> int | None:
    """The 「もしかして」 question this one answers, when the citizen picked (or typed) one of the
    candidates offered to them in the last hour: the two are one question in the report."""
    last = session.scalars(
        select(UnansweredQuestion)
        .where(
            UnansweredQuestion.channel == incoming.channel,
            UnansweredQuestion.user_id == incoming.user_id,
            UnansweredQuestion.reason.in_(MAYBE_REASONS),
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


HANDOFF_ACTIONS = ("handoff", "send", "keep")


def on_handoff(
    session, incoming: Incoming, pb: postback.Postback, now, services: Services, *, language: str | None = None
) -> list[Reply]:
    """「職員に質問を送る」 shows the question and asks; 「送る」 sends it, 「送らない」 does not.
    A question written in English is confirmed in English, whatever the user's language.

    ``language`` is the user's: an English user's replies are translated once, by the router, with
    buttons that send the English words; translating them here too would leave those buttons
    sending Japanese words under English labels (the menu's "What is kyodo?" would then ask
    「協働とは」 and get a Japanese answer)."""
    replies = _on_handoff(session, incoming, pb, now, services)
    if language == "en":
        return replies
    q_id = postback.int_arg(pb.arg)
    q = session.get(UnansweredQuestion, q_id) if q_id is not None else None
    if q is not None and q.user_id == incoming.user_id and detect_language(q.text or "") == "en":
        return translate.replies(replies, typed=False)
    return replies


def _on_handoff(session, incoming: Incoming, pb: postback.Postback, now, services: Services) -> list[Reply]:
    q_id = postback.int_arg(pb.arg)
    q = session.get(UnansweredQuestion, q_id) if q_id is not None else None
    if (
        q is None
        or q.channel != incoming.channel
        or q.user_id != incoming.user_id
        or pb.action not in HANDOFF_ACTIONS
    ):
        return [Reply(text=M.STALE_BUTTON, choices=menu_choices())]
    if q.handoff_requested:
        return [Reply(text=M.HANDOFF_ALREADY, choices=menu_choices())]
    question = shorten(q.text or "", 200)
    if pb.action == "handoff":
        send = Choice(
            label=M.HANDOFF_SEND, data=postback.encode("qa", "send", q.id), display_text=M.HANDOFF_SEND
        )
        keep = Choice(
            label=M.HANDOFF_DONT, data=postback.encode("qa", "keep", q.id), display_text=M.HANDOFF_DONT
        )
        return [Reply(text=M.HANDOFF_CONFIRM.format(question=question), choices=[send, keep])]
    if pb.action == "keep":
        return [Reply(text=M.HANDOFF_KEPT, choices=menu_choices())]
    q.handoff_requested = True
    q.handoff_requested_at = now
    q.status = "handoff"
    return [Reply(text=M.HANDOFF_DONE.format(question=question, desk=services.city().desk), choices=menu_choices())]


def faq_menu(services: Services) -> list[Reply]:
    try:
        questions = services.faq_questions(limit=12)
    except Exception:
        log.exception("FAQ list failed")
        questions = []
    if not questions:
        return [Reply(text=M.FAQ_EMPTY, choices=menu_choices())]
    # The questions are the buttons (each sends the whole question): not listed again as text.
    return [Reply(text=M.FAQ_INTRO, choices=[Choice(label=shorten(q, 20), text=q) for q in questions][:13])]
