"""Issue 12 item 12: the report counts each citizen question once, however it went on."""

from __future__ import annotations

from datetime import timedelta

from bot.engine import messages as M
from bot.staff import report
from bot.storage.db import transaction
from bot.storage.models import StaffQuestion

from .conftest import T0


def _report(factory):
    with factory() as s:
        return report.report(s, (T0 - timedelta(days=1)).date(), (T0 + timedelta(days=1)).date())


def test_a_question_rated_no_is_one_question(chat, factory):
    chat.say("協働とは")
    chat.tap(M.NO)
    r = _report(factory)
    assert (r.questions, r.answered, r.rated, r.helpful) == (1, 1, 1, 0)
    assert "回答 1件（100%" in r.text()


def test_a_question_answered_through_maybe_is_one_question(chat, factory):
    chat.say("補助について")
    assert M.MAYBE in chat.texts()
    chat.tap("協働の形態は？")
    r = _report(factory)
    assert (r.questions, r.answered, r.via_maybe, r.unanswered) == (1, 1, 1, 0)
    chat.say("天気")  # not answered at all
    r = _report(factory)
    assert (r.questions, r.answered, r.unanswered) == (2, 1, 1)
    assert "50%" in r.text()


def test_staff_questions_are_counted_apart(chat, factory):
    chat.say("協働とは")
    with transaction(factory) as s:
        s.add_all([StaffQuestion(answered=True, created_at=T0), StaffQuestion(answered=False, created_at=T0)])
    r = _report(factory)
    assert (r.questions, r.staff_questions, r.staff_answered) == (1, 2, 1)
    assert "職員からの質問: 2件（回答 1件、50%）" in r.text()
    rows = {item: (count, rate) for item, count, rate in r.rows()}
    assert rows["staff_answered"] == (1, "0.5000") and rows["citizen_questions"] == (1, "")
