"""The web corner's questions (質問する): the same answerer and the same question-and-answer steps
as LINE (bot/engine/qa.py: answer, sources, もしかして, 役に立ちましたか, hand-off to staff), for a
channel without accounts.

The web has no follow, no flows and no user records: each question is asked by a fresh anonymous
visitor id (``web:<random>``, made by the adapter), which the adapter binds to the buttons it shows
under the answer with a signature, so only the page that showed a button can press it. What is
stored is what LINE's questions store (a ``feedback`` or ``unanswered_questions`` row with the
question text); :func:`purge_expired_questions` blanks those texts after the retention period, and
the rows stay as counts for the reports (第3章(3)). Flows that collect personal data (団体登録,
相談・提案) are LINE's: the web offers only questions, so menu words are not offered as buttons here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine import postback as pbmod
from bot.engine import qa
from bot.engine.flows.common import MAIN_MENU, has_words
from bot.engine.services import Services, default_services
from bot.engine.types import Choice, Incoming, Reply
from bot.storage.models import Feedback, UnansweredQuestion
from bot.storage.models.staff import Handoff
from knowledge.normalize import normalize

CHANNEL = "web"
QUESTION_LIMIT = qa.QUESTION_LIMIT
# Buttons LINE shows that lead into LINE-only flows or the LINE menu: the web has pages instead.
_MENU_LABELS = frozenset(
    {*MAIN_MENU, M.MENU_MY_GROUPS, M.MENU_DELETE_DATA, *(step for step in M.FAQ_NEXT_STEP.values())}
)


def ask(
    session: Session, question: str, *, visitor: str, now: datetime, services: Services | None = None
) -> list[Reply]:
    """One question from the web: the answerer's replies as on LINE, without menu buttons."""
    text = normalize(question or "").strip()
    if not text or not has_words(text):
        return [Reply(text=M.NO_WORDS)]
    incoming = Incoming(channel=CHANNEL, user_id=visitor, kind="text", text=text)
    replies = qa.answer_question(session, incoming, text, services or default_services(), now)
    return [_web_only(r) for r in replies]


def press(session: Session, data: str, *, visitor: str, now: datetime) -> list[Reply]:
    """A button under a web answer (役に立ちましたか / 職員に質問を送る); anything else is stale."""
    pb = pbmod.decode(data)
    incoming = Incoming(channel=CHANNEL, user_id=visitor, kind="postback", data=data)
    if pb is not None and pb.flow == "fb":
        replies = qa.on_feedback(session, incoming, pb, now)
    elif pb is not None and pb.flow == "qa":
        replies = qa.on_handoff(session, incoming, pb, now, default_services())
        if pb.action == "send" and replies and replies[0].text not in (M.STALE_BUTTON, M.HANDOFF_ALREADY):
            # sent: the web cannot bring an answer back to an anonymous visitor, and says so
            replies = [Reply(text=M.HANDOFF_DONE_WEB)]
    else:
        replies = [Reply(text=M.STALE_BUTTON)]
    return [_web_only(r) for r in replies]


def _web_only(reply: Reply) -> Reply:
    choices = [
        c for c in reply.choices if c.data or (c.label not in _MENU_LABELS and c.text not in _MENU_LABELS)
    ]
    if reply.text == M.STALE_BUTTON:
        return replace(reply, text=M.STALE_BUTTON_WEB, choices=choices)
    return replace(reply, choices=choices)


def purge_expired_questions(session: Session, now: datetime, retention: timedelta) -> int:
    """Blank the texts of web questions older than ``retention`` (the rows stay as counts)."""
    cutoff = now - retention
    total = 0
    for model, column, created in (
        (Feedback, "question", Feedback.created_at),
        (UnansweredQuestion, "text", UnansweredQuestion.created_at),
    ):
        result = session.execute(
            update(model)
            .where(model.channel == CHANNEL, created < cutoff, getattr(model, column) != "")
            .values({column: ""})
            .execution_options(synchronize_session=False)
        )
        total += result.rowcount or 0
    session.execute(
        update(Handoff)
        .where(Handoff.channel == CHANNEL, Handoff.created_at < cutoff, Handoff.question != "")
        .values(question="")
        .execution_options(synchronize_session=False)
    )
    return total


def choice_is_question(choice: Choice) -> bool:
    """A button that asks a further question (もしかして, related questions)."""
    return bool(choice.text) and not choice.data
