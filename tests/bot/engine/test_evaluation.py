"""Issue 14, evaluation by both sides (第3章(3)): the group's LINE flow, the division's answers,
neither side seeing the other's before both answered or the deadline, at most two reminders, and
the report's figures (goals, each principle by side, the gap)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.engine import messages as M
from bot.engine.notify import Notifier
from bot.staff import collaborations
from bot.staff import messages as msg
from bot.staff.report import report
from bot.staff.views import JST
from bot.storage.db import transaction
from bot.storage.models import Collaboration, CollaborationEvaluation, OutboxMessage
from handlers.slack import blocks

from .test_collaboration import _open

NOBODY = Notifier({})  # the staff side's pushes are checked end to end (tests/e2e/slack)
CITY = {
    "goal": "partly",
    "equality": 4,
    "understanding": 5,
    "roles": 3,
    "goals": 4,
    "comment": "助かりました",
}


def _finish(chat, cid, now=None):
    args = dict(
        actor="UALICE", actor_name="alice", render=blocks.RENDERER, notify=NOBODY, now=now or chat.now
    )
    with transaction(chat.factory) as s:
        for status in ("agreed", "running", "done"):
            assert collaborations.set_status(s, cid, status, **args) is None


def _group_answers(chat, cid, goal="達成", scores=("3", "3", "2", "4"), comment=None):
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_Q_GOAL in chat.texts()
    chat.tap(goal)
    for score in scores:
        assert "1（できなかった）" in chat.texts()
        chat.tap(score)
    assert M.EVAL_Q_COMMENT in chat.texts()
    return chat.say(comment) if comment else chat.tap(M.EVAL_NO_COMMENT)


def _thread_texts(chat) -> list[str]:
    with chat.factory() as s:
        rows = s.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "slack").order_by(OutboxMessage.id)
        )
        return [r.messages[0]["args"].get("text", "") for r in rows]


def test_not_open_before_the_end(chat):
    cid = _open(chat)
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_NOT_OPEN in chat.texts()


def test_group_first_then_city_reveals_both(chat):
    cid = _open(chat)
    _finish(chat, cid)
    assert any("課としての評価をお願いします" in t for t in _thread_texts(chat))
    _group_answers(chat, cid, comment="楽しかったです")
    assert M.EVAL_THANKS in chat.texts() and "4" not in chat.texts()  # nothing of the city's yet
    assert not any(msg.EVAL_REVEAL_HEAD in t for t in _thread_texts(chat))  # nor of the group's
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_ALREADY in chat.texts()
    with transaction(chat.factory) as s:
        notice = collaborations.save_city_evaluation(
            s, cid, CITY, actor="UALICE", actor_name="alice", notify=NOBODY
        )
        assert notice is None
        again = collaborations.save_city_evaluation(
            s, cid, CITY, actor="UBOB", actor_name="bob", notify=NOBODY
        )
        assert again == msg.EVAL_ALREADY_DIVISION
    (revealed,) = [t for t in _thread_texts(chat) if msg.EVAL_REVEAL_HEAD in t]
    assert "楽しかったです" in revealed and "助かりました" in revealed and "一部達成" in revealed
    with chat.factory() as s:
        assert s.get(Collaboration, cid).eval_revealed_at is not None
        rows = {e.side: e for e in s.scalars(select(CollaborationEvaluation))}
    assert (rows["group"].goal, rows["group"].roles, rows["city"].understanding) == ("reached", 2, 5)


def test_city_first_then_the_group_sees_the_citys_answers(chat):
    cid = _open(chat)
    _finish(chat, cid)
    with transaction(chat.factory) as s:
        assert (
            collaborations.save_city_evaluation(s, cid, CITY, actor="U1", actor_name="a", notify=NOBODY)
            is None
        )
    assert not any(msg.EVAL_REVEAL_HEAD in t for t in _thread_texts(chat))
    _group_answers(chat, cid, goal="未達")
    assert "子育て支援課の評価です" in chat.texts() and "相互理解: 5" in chat.texts()
    assert any(msg.EVAL_REVEAL_HEAD in t for t in _thread_texts(chat))


def test_a_score_must_be_one_to_five_and_the_comment_is_bounded(chat):
    cid = _open(chat)
    _finish(chat, cid)
    chat.postback(f"v1|eval|start|{cid}")
    chat.tap("一部達成")
    chat.say("6")
    assert M.EVAL_PICK in chat.texts()
    chat.say("3")  # typed is fine
    for score in ("3", "3", "3"):
        chat.tap(score)
    chat.say("あ" * 301)
    assert "300字以内" in chat.texts()
    chat.say("ありがとうございました")
    assert M.EVAL_THANKS in chat.texts()


def test_reminders_at_most_twice_then_the_deadline_reveals(chat):
    cid = _open(chat)
    t0 = chat.now
    _finish(chat, cid, now=t0)

    def rounds(days: float) -> dict:
        with transaction(chat.factory) as s:
            return collaborations.evaluation_rounds(
                s, render=blocks.RENDERER, notify=NOBODY, now=t0 + timedelta(days=days)
            )

    assert rounds(1) == {"reminded": 0, "revealed": 0}
    assert rounds(6) == {"reminded": 1, "revealed": 0}
    assert rounds(7) == {"reminded": 0, "revealed": 0}
    assert rounds(11) == {"reminded": 1, "revealed": 0}
    assert rounds(13) == {"reminded": 0, "revealed": 0}  # never a third
    assert sum("評価がまだです" in t for t in _thread_texts(chat)) == 2
    assert rounds(15) == {"reminded": 0, "revealed": 1}
    assert rounds(16) == {"reminded": 0, "revealed": 0}
    (revealed,) = [t for t in _thread_texts(chat) if msg.EVAL_REVEAL_HEAD in t]
    assert revealed.count(msg.EVAL_NO_ANSWER) == 2
    chat.now = t0 + timedelta(days=16)
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_CLOSED in chat.texts()


def test_report_has_forms_goals_and_the_gap_between_the_views(chat):
    cid = _open(chat)
    _finish(chat, cid)
    _group_answers(chat, cid, goal="達成", scores=("3", "4", "2", "4"))
    with transaction(chat.factory) as s:
        collaborations.save_city_evaluation(
            s, cid, CITY, actor="U1", actor_name="a", notify=NOBODY, now=chat.now
        )
    day = chat.now.astimezone(JST).date()
    with chat.factory() as s:
        r = report(s, day - timedelta(days=30), day + timedelta(days=1))
    text = r.text()
    assert "始まった協働: 1件" in text and "共催 1" in text and "子育て支援課 1" in text
    assert "達成 0／1" in text and "一部 1／0" in text
    assert "対等性・自主性の尊重: 4.0／3.0（差 +1.0）" in text
    assert "役割分担・責任の明確化: 3.0／2.0（差 +1.0）" in text
    rows = {item: (count, rate) for item, count, rate in r.rows()}
    assert rows["collaborations_form_kyosai"] == (1, "1.0000")
    assert rows["collaborations_division_kosodate"] == (1, "1.0000")
    assert rows["principle_understanding_city"] == (1, "5.0000")
    assert rows["principle_understanding_gap_city_minus_group"] == ("", "1.0000")
    assert rows["goal_reached_group"] == (1, "1.0000")


def test_app_home_offers_the_evaluation_until_the_division_answered(chat):
    cid = _open(chat)
    _finish(chat, cid)
    with chat.factory() as s:
        (view,) = collaborations.for_division(s, "kosodate", now=chat.now)
    assert view.status == "done" and view.evaluate
    assert blocks.ACTION_EVAL_OPEN in str(blocks.collaboration(view, "x"))
    with transaction(chat.factory) as s:
        collaborations.save_city_evaluation(
            s, cid, CITY, actor="U1", actor_name="a", notify=NOBODY, now=chat.now
        )
    with chat.factory() as s:
        (view,) = collaborations.for_division(s, "kosodate", now=chat.now)
    assert not view.evaluate  # answered: the group's answer (or the deadline) is awaited
