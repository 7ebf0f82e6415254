"""Issue 14, the evaluation "at its target date": 終了予定日 (``ends_on``) set in the division's modal,
shown on the LINE card and in the thread, and the housekeeping chore that opens the evaluation by
both sides once the date has passed in Japan, exactly once (run twice, two sessions racing), only
for 合意/実施中, without changing the status. On SQLite and PostgreSQL (db marker, via ``chat``)."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.engine import collaboration as collab
from bot.engine import messages as M
from bot.engine.notify import Notifier
from bot.staff import collaborations
from bot.staff import messages as msg
from bot.storage.db import transaction
from bot.storage.models import Collaboration, OutboxMessage
from handlers.line.render import render_replies
from handlers.slack import blocks

from .test_collaboration import _open

JST = ZoneInfo("Asia/Tokyo")
LINE = Notifier({"line": render_replies})
ENDS = date(2026, 11, 30)


def jst(*args: int) -> datetime:
    return datetime(*args, tzinfo=JST)


AFTER = jst(2026, 12, 1, 0, 30)  # the day after 終了予定日, in Japan (still 11/30 in UTC)


def _due(chat, cid: int, *, status: str = "running", ends_on: date | None = ENDS) -> None:
    with transaction(chat.factory) as s:
        c = s.get(Collaboration, cid)
        c.status, c.ends_on = status, ends_on


def _clone(chat, cid: int, **values) -> int:
    """Another collaboration of the same group and division."""
    keep = (
        "source_kind",
        "source_id",
        "group_name",
        "division_id",
        "division_name",
        "channel",
        "user_id",
        "form",
        "purpose",
        "goal_what",
        "role_city",
        "role_group",
        "filled",
        "slack_channel",
        "thread_ts",
    )
    with transaction(chat.factory) as s:
        base = s.get(Collaboration, cid)
        n = s.query(Collaboration).count()
        c = Collaboration(
            **{k: getattr(base, k) for k in keep},
            notification_id=100 + n,
            created_at=chat.now,
            updated_at=chat.now,
            **values,
        )
        s.add(c)
        s.flush()
        return c.id


def _chore(chat, now: datetime) -> dict:
    with transaction(chat.factory) as s:
        return collaborations.open_due_evaluations(s, render=blocks.RENDERER, notify=LINE, now=now)


def _outbox(chat, channel: str) -> list[str]:
    with chat.factory() as s:
        rows = s.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == channel).order_by(OutboxMessage.id)
        )
        return [str(r.messages) for r in rows]


def _form(**extra: str) -> dict[str, str]:
    return {
        "purpose": "子どもの居場所",
        "goal_what": "週1回",
        "role_city": "会場",
        "role_group": "運営",
        **extra,
    }


# -- the date in the modal, the thread and the card -------------------------------------------------


def test_the_modal_sets_the_date_and_shows_it_when_editing(chat):
    cid = _open(chat, filled=False)
    with chat.factory() as s:
        modal = blocks.collab_modal(collaborations.form_view(s, cid))
    (picker,) = [b for b in modal["blocks"] if b.get("block_id") == "ends_on"]
    assert picker["optional"] and picker["label"]["text"] == msg.COLLAB_FIELD_ENDS_ON
    assert picker["element"]["type"] == "datepicker" and "initial_date" not in picker["element"]
    with transaction(chat.factory) as s:
        assert collaborations.save_form(
            s,
            cid,
            _form(ends_on="2027-03-31"),
            "kyosai",
            actor="U1",
            actor_name="alice",
            render=blocks.RENDERER,
            notify=LINE,
            now=chat.now,
        )
    with chat.factory() as s:
        view = collaborations.form_view(s, cid)
        c = s.get(Collaboration, cid)
        assert c.ends_on == date(2027, 3, 31)
        card = collab.card(c)
    (picker,) = [b for b in blocks.collab_modal(view)["blocks"] if b.get("block_id") == "ends_on"]
    assert picker["element"]["initial_date"] == "2027-03-31"
    assert "終了予定日: 2027年3月31日" in card.lines
    assert card.lines.index("終了予定日: 2027年3月31日") == card.lines.index("期間: 未定") + 1
    assert "終了予定日: 2027年3月31日" in str(blocks.collaboration(view, "x"))
    assert any("2027年3月31日" in m for m in _outbox(chat, "line"))  # the card asking to agree
    # Cleared again: neither shows it.
    with transaction(chat.factory) as s:
        collaborations.save_form(
            s,
            cid,
            _form(),
            "kyosai",
            actor="U1",
            actor_name="alice",
            render=blocks.RENDERER,
            notify=LINE,
            now=chat.now,
        )
    with chat.factory() as s:
        c = s.get(Collaboration, cid)
        assert c.ends_on is None
        assert not any("終了予定日" in line for line in collab.card(c).lines)
        assert "終了予定日" not in str(blocks.collaboration(collaborations.view_of(c), "x"))


def test_the_date_may_not_be_in_the_past_in_japan_when_set():
    now = jst(2026, 12, 1, 0, 30)  # 11/30 in UTC
    errors = collaborations.form_errors
    assert errors(_form(ends_on="2026-12-01"), "kyosai", now=now) == {}  # today in Japan is fine
    assert errors(_form(ends_on="2026-11-30"), "kyosai", now=now) == {"ends_on": msg.COLLAB_ENDS_ON_PAST}
    assert errors(_form(ends_on="2026-11-30"), "kyosai", now=now, current=date(2026, 11, 30)) == {}
    assert errors(_form(ends_on="2026-11-29"), "kyosai", now=now, current=date(2026, 11, 30)) == {
        "ends_on": msg.COLLAB_ENDS_ON_PAST
    }
    assert errors(_form(ends_on="2026-13-01"), "kyosai", now=now) == {"ends_on": msg.COLLAB_REQUIRED}
    assert errors(_form(), "kyosai", now=now) == {}


# -- the chore ------------------------------------------------------------------------------------


def test_the_chore_opens_the_evaluation_once_after_the_date(chat):
    cid = _open(chat)
    _due(chat, cid, status="running")
    assert _chore(chat, jst(2026, 11, 30, 23, 59)) == {"evaluations_due": 0}  # not before the date
    assert _chore(chat, AFTER) == {"evaluations_due": 1}
    assert _chore(chat, AFTER + timedelta(hours=1)) == {"evaluations_due": 0}  # run twice: once
    with chat.factory() as s:
        c = s.get(Collaboration, cid)
        assert c.status == "running"  # the status does not change by itself
        assert c.eval_requested_at is not None
        assert collab.aware(c.eval_deadline) == AFTER + collab.EVAL_WINDOW
    (push,) = _outbox(chat, "line")
    assert "終了予定日（2026年11月30日）を過ぎました" in push and M.EVAL_START in push
    asks = [t for t in _outbox(chat, "slack") if "終了予定日（2026年11月30日）を過ぎました" in t]
    assert len(asks) == 1 and blocks.ACTION_EVAL_OPEN in asks[0]
    # The group can answer now; staff setting 完了 later asks nobody again.
    chat.now = AFTER + timedelta(minutes=5)
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_Q_GOAL in chat.texts()
    with transaction(chat.factory) as s:
        assert (
            collaborations.set_status(
                s,
                cid,
                "done",
                actor="U1",
                actor_name="alice",
                render=blocks.RENDERER,
                notify=LINE,
                now=chat.now,
            )
            is None
        )
    assert len(_outbox(chat, "line")) == 2  # the status push only, no second ask
    assert sum("評価をお願いします" in t for t in _outbox(chat, "slack")) == 1


def test_agreed_counts_too_but_not_discussing_cancelled_done_or_no_date(chat):
    cid = _open(chat)
    _due(chat, cid, status="agreed")
    for status, ends_on in (
        ("discussing", ENDS),
        ("cancelled", ENDS),
        ("running", None),
        ("running", date(2026, 12, 1)),  # today in Japan: not yet
    ):
        _clone(chat, cid, status=status, ends_on=ends_on)
    assert _chore(chat, AFTER) == {"evaluations_due": 1}
    with chat.factory() as s:
        opened = s.scalars(select(Collaboration.id).where(Collaboration.eval_requested_at.is_not(None))).all()
    assert opened == [cid]


def test_done_and_already_open_is_not_asked_again(chat):
    cid = _open(chat)
    _due(chat, cid, status="running")
    with transaction(chat.factory) as s:
        collaborations.set_status(
            s, cid, "done", actor="U1", actor_name="alice", render=blocks.RENDERER, notify=LINE, now=chat.now
        )
    pushes = len(_outbox(chat, "line"))
    _due(chat, cid, status="running")  # even were it back to 実施中: the evaluation is open already
    assert _chore(chat, AFTER) == {"evaluations_due": 0}
    assert len(_outbox(chat, "line")) == pushes


def test_two_workers_racing_open_it_once(chat):
    cid = _open(chat)
    _due(chat, cid)
    # Both read the row before either writes: the conditional UPDATE lets one through.
    a, b = chat.factory(), chat.factory()
    try:
        ca, cb = a.get(Collaboration, cid), b.get(Collaboration, cid)
        assert ca.eval_requested_at is None and cb.eval_requested_at is None
        assert collab.request_evaluation(a, ca, AFTER)
        a.commit()
        assert not collab.request_evaluation(b, cb, AFTER)
        b.rollback()
    finally:
        a.close()
        b.close()
    # And the chore itself, from two threads at once.
    _clone(chat, cid, status="running", ends_on=ENDS)
    barrier = threading.Barrier(2, timeout=30)
    results: list[dict] = []

    def worker() -> None:
        barrier.wait()
        results.append(_chore(chat, AFTER))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["evaluations_due"] for r in results) == [0, 1]
    assert len(_outbox(chat, "line")) == 1  # the group gets one push


def test_one_record_that_fails_holds_up_neither_the_others_nor_itself_later(chat):
    cid = _open(chat)
    _due(chat, cid)
    other = _clone(chat, cid, status="agreed", ends_on=ENDS)

    class Broken:
        def collaboration(self, view, headline):
            if view.id == cid:
                raise RuntimeError("render failed")
            return blocks.RENDERER.collaboration(view, headline)

    with transaction(chat.factory) as s:
        assert collaborations.open_due_evaluations(s, render=Broken(), notify=LINE, now=AFTER) == {
            "evaluations_due": 1
        }
    with chat.factory() as s:
        assert s.get(Collaboration, cid).eval_requested_at is None  # rolled back with its push
        assert s.get(Collaboration, other).eval_requested_at is not None
    assert len(_outbox(chat, "line")) == 1
    assert _chore(chat, AFTER) == {"evaluations_due": 1}  # the next tick opens it
    assert len(_outbox(chat, "line")) == 2


# -- an English user gets the evaluation's pushes in English ------------------------------------------


def test_the_evaluation_pushes_are_in_english_for_an_english_user(chat):
    from bot.engine import messages_en as EN
    from bot.storage.models import ChatUser

    cid = _open(chat)
    with transaction(chat.factory) as s:
        s.scalars(select(ChatUser).where(ChatUser.user_id == chat.user_id)).one().language = "en"
    _due(chat, cid)
    assert _chore(chat, AFTER) == {"evaluations_due": 1}
    with chat.factory() as s:
        (ask,) = [r.messages[0] for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "line"))]
    values = {"group": "みどりの会", "division": "Child-rearing Support Division (子育て支援課)"}  # ka_en
    assert ask["text"] == EN.EVAL_ASK_DUE.format(**values, date="2026-11-30")
    (button,) = ask["quickReply"]["items"]
    assert button["action"]["label"] == EN.EVAL_START == "Evaluate"
    assert button["action"]["data"] == f"v1|eval|start|{cid}"  # the flow's button, unchanged
    # The reminder, five days on (the deadline is 14 days after it opened: 12/15 in Japan).
    with transaction(chat.factory) as s:
        collaborations.evaluation_rounds(
            s, render=blocks.RENDERER, notify=LINE, now=AFTER + collab.REMIND_AFTER[0] + timedelta(minutes=1)
        )
    assert _outbox(chat, "line")[-1].count(EN.EVAL_REMIND.format(**values, deadline="12/15")) == 1
    # Both answered: the division's answers are pushed, in English too.
    answers = {"goal": "reached", "equality": 4, "understanding": 5, "roles": 3, "goals": 4}
    with transaction(chat.factory) as s:
        assert collab.save_evaluation(s, s.get(Collaboration, cid), "group", answers, now=AFTER)
        assert (
            collaborations.save_city_evaluation(
                s, cid, {**answers, "comment": "また一緒に"}, actor="U1", actor_name="alice", notify=LINE, now=AFTER
            )
            is None
        )
    with chat.factory() as s:
        shown = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first().messages[0]["text"]
    assert shown.splitlines() == [
        EN.EVAL_REVEAL_TITLE.format(**values),
        "Goal: reached",
        "Equal partnership and respect for independence: 4 out of 5",
        "Mutual understanding: 5 out of 5",
        "Clear roles and responsibilities: 3 out of 5",
        "Shared purpose and goals: 4 out of 5",
        "Comment: また一緒に",  # the division's own words stay as written
    ]


def test_a_japanese_users_evaluation_pushes_are_unchanged(chat):
    cid = _open(chat)
    _due(chat, cid)
    _chore(chat, AFTER)
    (push,) = _outbox(chat, "line")
    text = M.EVAL_ASK_DUE.format(group="みどりの会", division="子育て支援課", date="2026年11月30日")
    assert text in push and M.EVAL_START in push


# -- 中止 after the evaluation opened at 終了予定日 ------------------------------------------------------


def _cancel(chat, cid: int, now: datetime) -> None:
    with transaction(chat.factory) as s:
        assert (
            collaborations.set_status(
                s, cid, "cancelled", actor="U1", actor_name="alice", render=blocks.RENDERER, notify=LINE, now=now
            )
            is None
        )


def _line_texts(chat) -> list[str]:
    with chat.factory() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "line").order_by(OutboxMessage.id))
        return [m.get("text", "") for r in rows for m in r.messages]


def _rounds(chat, now: datetime) -> dict:
    with transaction(chat.factory) as s:
        return collaborations.evaluation_rounds(s, render=blocks.RENDERER, notify=LINE, now=now)


ANSWERS = {"goal": "partly", "equality": 4, "understanding": 4, "roles": 3, "goals": 4}


def test_cancelling_withdraws_an_evaluation_nobody_answered(chat):
    from bot.storage.models import StaffAuditEntry

    cid = _open(chat)
    _due(chat, cid)
    _chore(chat, AFTER)
    slack_before = len(_outbox(chat, "slack"))
    _cancel(chat, cid, AFTER + timedelta(days=1))
    ask, status = _line_texts(chat)
    assert M.EVAL_START in str(_outbox(chat, "line")[0])
    assert status.splitlines() == [
        M.NOTIFY_COLLAB_STATUS.format(group="みどりの会", division="子育て支援課", status="中止"),
        M.EVAL_CANCELLED_WITHDRAWN,
        M.NOTIFY_COLLAB_STATUS_NEXT["cancelled"],
    ]
    (post,) = _outbox(chat, "slack")[slack_before:]  # the status change only, saying it was withdrawn
    assert msg.EVAL_WITHDRAWN_DIVISION in post and msg.EVAL_REVEAL_HEAD_CANCELLED not in post
    with chat.factory() as s:
        c = s.get(Collaboration, cid)
        assert c.status == "cancelled" and c.eval_revealed_at is not None
        assert collab.evaluation_state(s, c, "group", AFTER + timedelta(days=1)) == "closed"
        assert collaborations.eval_form(s, cid, AFTER + timedelta(days=1)) == (None, msg.EVAL_NOT_OPEN_DIVISION)
        assert collaborations.for_division(s, "kosodate", now=AFTER + timedelta(days=1)) == []  # App Home
        (entry,) = s.scalars(select(StaffAuditEntry).where(StaffAuditEntry.action == "collab_status")).all()
        assert entry.detail == {"old": "running", "new": "cancelled", "evaluation": "closed"}
    # No reminder, no reveal, ever; the old button says why.
    for days in (5, 10, 15):
        assert _rounds(chat, AFTER + timedelta(days=days, minutes=1)) == {"reminded": 0, "revealed": 0}
    assert len(_line_texts(chat)) == 2 and len(_outbox(chat, "slack")) == slack_before + 1
    chat.now = AFTER + timedelta(days=2)
    chat.postback(f"v1|eval|start|{cid}")
    assert M.EVAL_CLOSED_CANCELLED in chat.texts()


def test_cancelling_closes_it_and_shows_what_was_answered(chat):
    cid = _open(chat)
    _due(chat, cid)
    _chore(chat, AFTER)
    with transaction(chat.factory) as s:  # the division answered; the group had not
        collaborations.save_city_evaluation(s, cid, ANSWERS, actor="U1", actor_name="alice", notify=LINE, now=AFTER)
    _cancel(chat, cid, AFTER + timedelta(days=1))
    (shown,) = [t for t in _outbox(chat, "slack") if msg.EVAL_REVEAL_HEAD_CANCELLED in t]
    assert msg.EVAL_NO_ANSWER in shown  # the group's side
    status = _line_texts(chat)[-1]
    assert M.EVAL_CANCELLED_WITHDRAWN in status  # the group is not asked any more
    assert len(_line_texts(chat)) == 2  # the ask and the status push: the division's answers are not pushed
    assert _rounds(chat, AFTER + timedelta(days=15)) == {"reminded": 0, "revealed": 0}


def test_cancelling_after_the_group_answered_tells_it_its_answer_was_passed_on(chat):
    cid = _open(chat)
    _due(chat, cid)
    _chore(chat, AFTER)
    with transaction(chat.factory) as s:
        assert collab.save_evaluation(s, s.get(Collaboration, cid), "group", ANSWERS, now=AFTER)
    _cancel(chat, cid, AFTER + timedelta(days=1))
    status = _line_texts(chat)[-1]
    assert M.EVAL_CANCELLED_KEPT in status and M.EVAL_CANCELLED_WITHDRAWN not in status
    assert len(_line_texts(chat)) == 2  # the ask and the status push: no 「評価は届きませんでした」
    (shown,) = [t for t in _outbox(chat, "slack") if msg.EVAL_REVEAL_HEAD_CANCELLED in t]
    assert "一部達成" in shown  # the group's answers reach the division's thread


def test_cancelled_in_the_middle_of_answering(chat):
    cid = _open(chat)
    _due(chat, cid)
    _chore(chat, AFTER)
    chat.now = AFTER + timedelta(minutes=5)
    chat.postback(f"v1|eval|start|{cid}")
    chat.tap(M.EVAL_GOALS["reached"])
    for _ in range(4):
        chat.tap("4")
    _cancel(chat, cid, chat.now)
    chat.tap(M.EVAL_NO_COMMENT)
    assert M.EVAL_CLOSED_CANCELLED in chat.texts()
    with chat.factory() as s:
        assert collab.answers(s, cid) == {}


def test_cancelling_before_any_evaluation_changes_nothing_else(chat):
    cid = _open(chat)
    _due(chat, cid, status="agreed", ends_on=None)
    _cancel(chat, cid, AFTER)
    status = _line_texts(chat)[-1]
    assert M.EVAL_CANCELLED_WITHDRAWN not in status and M.EVAL_CANCELLED_KEPT not in status
    with chat.factory() as s:
        assert s.get(Collaboration, cid).eval_requested_at is None
