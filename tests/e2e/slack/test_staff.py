"""Handoff threads, App Home and the 「FAQに追加」 modal, end to end over real HTTP."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.storage.db import transaction, utcnow
from bot.storage.models import StaffFaqEntry, UnansweredQuestion
from bot.storage.models.staff import Handoff, StaffMember
from handlers.slack import blocks
from tests.e2e.slack.conftest import STAFF_CHANNEL
from tests.e2e.slack.test_slack import add_group_with_suggestion
from tests.support.servers import wait_until

CITIZEN = "U" + "c" * 32


def first(bot, stmt):
    with bot.factory() as s:
        return s.scalars(stmt).first()


def add_unanswered(
    bot, text: str = "粗大ごみの出し方を教えてください", *, handoff: bool = True, channel: str = "line"
) -> int:
    with transaction(bot.factory) as s:
        q = UnansweredQuestion(
            channel=channel,
            user_id=CITIZEN if channel == "line" else "web:" + "a" * 24,
            text=text,
            reason="out_of_scope",
            suggestions=[],
            handoff_requested=handoff,
            handoff_requested_at=utcnow() if handoff else None,
            status="handoff" if handoff else "open",
        )
        s.add(q)
        s.flush()
        return q.id


def test_a_reply_to_a_web_question_tells_staff_it_cannot_reach_the_asker(make_bot, slack_api, line_api):
    bot = make_bot()
    add_unanswered(bot, "ウェブからの質問です", channel="web")
    parent = wait_until(lambda: slack_api.posted(STAFF_CHANNEL))[0]
    wait_until(lambda: first(bot, select(Handoff.thread_ts)) == parent.ts)
    reply = {
        "type": "message",
        "channel": STAFF_CHANNEL,
        "user": "UALICE",
        "text": "コミュニティ文化課へどうぞ。",
        "ts": f"{time.time():.6f}",
        "thread_ts": parent.ts,
        "channel_type": "channel",
    }
    assert bot.event(reply).status_code == 200
    confirm = wait_until(lambda: [m for m in slack_api.posted(STAFF_CHANNEL) if m.thread_ts == parent.ts])
    assert "ウェブの協働推進コーナー" in confirm[0].text
    assert [d for d in line_api.deliveries() if d.kind == "push"] == []


def test_handoff_thread_reply_reaches_citizen_and_close(make_bot, slack_api, line_api):
    bot = make_bot()
    qid = add_unanswered(bot)
    parent = wait_until(lambda: slack_api.posted(STAFF_CHANNEL))[0]
    assert "粗大ごみ" in json.dumps(parent.blocks, ensure_ascii=False)
    wait_until(lambda: first(bot, select(Handoff.thread_ts)) == parent.ts)

    reply = {
        "type": "message",
        "channel": STAFF_CHANNEL,
        "user": "UALICE",
        "text": "ごみ対策課の窓口で受け付けています。",
        "ts": f"{time.time():.6f}",
        "thread_ts": parent.ts,
        "channel_type": "channel",
    }
    assert bot.event(reply).status_code == 200
    push = wait_until(lambda: [d for d in line_api.deliveries() if d.kind == "push"])[0]
    assert push.target == CITIZEN
    assert "市の担当者から回答がありました" in push.messages[0]["text"]
    assert "ごみ対策課の窓口" in push.messages[0]["text"]
    confirm = wait_until(lambda: [m for m in slack_api.posted(STAFF_CHANNEL) if m.thread_ts == parent.ts])
    assert "LINEで送りました" in confirm[0].text

    # The bot's own confirmation (bot_id set) is not taken for a staff reply.
    own = {**reply, "bot_id": "BKYODO", "text": "x", "ts": f"{time.time():.6f}"}
    assert bot.event(own).status_code == 200

    close_value = [b for b in parent.blocks if b["type"] == "actions"][0]["elements"][0]["value"]
    assert (
        bot.click(blocks.ACTION_CLOSE_HANDOFF, close_value, channel=STAFF_CHANNEL, ts=parent.ts).status_code
        == 200
    )
    wait_until(lambda: slack_api.find(STAFF_CHANNEL, parent.ts).updates == 1)
    assert "対応完了" in json.dumps(slack_api.find(STAFF_CHANNEL, parent.ts).blocks, ensure_ascii=False)
    pushes = wait_until(
        lambda: len([d for d in line_api.deliveries() if d.kind == "push"]) == 2 and line_api.deliveries()
    )
    assert "対応を完了しました" in [d for d in pushes if d.kind == "push"][1].messages[0]["text"]
    with bot.factory() as s:
        h = s.scalars(select(Handoff)).one()
        assert (h.status, h.replies, h.closed_by) == ("closed", 1, "UALICE")
        assert s.get(UnansweredQuestion, qid).status == "answered"

    # A second 「対応完了」 is answered with an ephemeral note, nothing else changes.
    bot.click(blocks.ACTION_CLOSE_HANDOFF, close_value, user="UBOB", channel=STAFF_CHANNEL, ts=parent.ts)
    eph = wait_until(lambda: slack_api.calls_to("chat.postEphemeral"))
    assert "すでに対応完了" in eph[0].body["text"]


def test_app_home_and_faq_addition_used_at_once(make_bot, slack_api):
    bot = make_bot()
    add_group_with_suggestion(bot)
    for _ in range(2):
        qid = add_unanswered(bot, "コロッケの作り方は？", handoff=False)
    wait_until(lambda: slack_api.posted("CKANKYO"))

    bot.command("所属 環境政策課")
    wait_until(lambda: slack_api.responses)
    assert "環境政策課" in slack_api.responses[0]["text"]
    with bot.factory() as s:
        assert s.get(StaffMember, "UALICE").division_id == "kankyo-seisaku"

    bot.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": "1.0"}
    )
    call = wait_until(lambda: slack_api.calls_to("views.publish"))[0]
    view = call.body["view"]
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "小金井みどりの会" in text and "担当する" in text
    assert "コロッケの作り方" in text and "2回" in text and "FAQに追加" in text

    add_faq = next(
        b["accessory"]["value"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == blocks.ACTION_ADD_FAQ
    )
    bot.click(blocks.ACTION_ADD_FAQ, add_faq)
    modal = wait_until(lambda: slack_api.calls_to("views.open"))[0].body["view"]
    assert modal["callback_id"] == blocks.FAQ_MODAL
    assert any(b.get("block_id") == "sources" for b in modal["blocks"])

    # An empty answer is refused inline by the modal.
    r = bot.view_submission(
        blocks.FAQ_MODAL,
        {"question": {"value": {"type": "plain_text_input", "value": "コロッケの作り方は？"}}},
        modal["private_metadata"],
    )
    assert r.status_code == 200 and r.json()["response_action"] == "errors"

    section = modal["blocks"][-1]["element"]["options"][0]["value"]
    values = {
        "question": {"value": {"type": "plain_text_input", "value": "コロッケの作り方は？"}},
        "phrasings": {"value": {"type": "plain_text_input", "value": "コロッケはどう作るの"}},
        "answer": {
            "value": {"type": "plain_text_input", "value": "協働ボットは料理の質問には答えられません。"}
        },
        "sources": {"value": {"type": "multi_static_select", "selected_options": [{"value": section}]}},
    }
    r = bot.view_submission(blocks.FAQ_MODAL, values, modal["private_metadata"])
    assert r.status_code == 200
    entry = wait_until(lambda: first(bot, select(StaffFaqEntry)))
    assert (
        entry.sources == [section] and entry.from_unanswered_id == json.loads(modal["private_metadata"])["q"]
    )
    with bot.factory() as s:
        assert s.get(UnansweredQuestion, qid).status == "closed"

    slack_api.responses.clear()
    bot.command("コロッケの作り方は？")
    resp = wait_until(lambda: slack_api.responses)[0]
    assert "料理の質問には答えられません" in resp["text"]


def test_an_event_left_unprocessed_by_a_crash_is_picked_up_once(make_bot, slack_api, line_api):
    """A thread reply accepted (event stored) by a process that died before handling it: the
    processing loop handles it, once, and Slack's retry of it is still dropped."""
    from datetime import timedelta

    from bot.storage.models.messaging import InboxEvent

    bot = make_bot()
    add_unanswered(bot)
    parent = wait_until(lambda: slack_api.posted(STAFF_CHANNEL))[0]
    wait_until(lambda: first(bot, select(Handoff.thread_ts)) == parent.ts)
    reply = {
        "type": "message",
        "channel": STAFF_CHANNEL,
        "user": "UALICE",
        "text": "窓口は市役所第二庁舎です。",
        "ts": f"{time.time():.6f}",
        "thread_ts": parent.ts,
    }
    with transaction(bot.factory) as s:
        s.add(
            InboxEvent(
                platform="slack",
                event_id="EvCRASHED",
                payload=reply,
                received_at=utcnow() - timedelta(minutes=2),
                attempts=0,
            )
        )
    push = wait_until(lambda: [d for d in line_api.deliveries() if d.kind == "push"])[0]
    assert "第二庁舎" in push.messages[0]["text"]
    assert bot.event(reply, event_id="EvCRASHED", retry=2).status_code == 200
    time.sleep(0.5)
    assert len([d for d in line_api.deliveries() if d.kind == "push"]) == 1
    with bot.factory() as s:
        row = s.scalars(select(InboxEvent).where(InboxEvent.event_id == "EvCRASHED")).one()
        assert row.processed_at is not None and row.payload == {}


def test_faq_closes_every_spelling_and_staff_entries_are_edited_and_retired(make_bot, slack_api):
    """Issue 12 item 14: 「…開催されますか」 and 「…開催されますか？」 are one question; a staff entry
    can be edited and retired from App Home, each change audited and used at once."""
    from bot.storage.models import StaffAuditEntry

    bot = make_bot()
    ids = [
        add_unanswered(bot, text, handoff=False)
        for text in (
            "花火大会は今年も開催されますか",
            "花火大会は今年も開催されますか？",
            "花火大会は、今年も開催されますか?",
        )
    ]
    other = add_unanswered(bot, "盆踊りは開催されますか", handoff=False)
    bot.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": "1.0"}
    )
    view = wait_until(lambda: slack_api.calls_to("views.publish"))[-1].body["view"]
    assert "3回" in json.dumps(view, ensure_ascii=False)
    add_faq = next(
        b["accessory"]["value"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == blocks.ACTION_ADD_FAQ
    )
    bot.click(blocks.ACTION_ADD_FAQ, add_faq)
    modal = wait_until(lambda: slack_api.calls_to("views.open"))[0].body["view"]

    def values(answer: str) -> dict:
        return {
            "question": {"value": {"type": "plain_text_input", "value": "花火大会は今年も開催されますか"}},
            "answer": {"value": {"type": "plain_text_input", "value": answer}},
        }

    bot.view_submission(blocks.FAQ_MODAL, values("市の行事予定をご覧ください。"), modal["private_metadata"])
    entry = wait_until(lambda: first(bot, select(StaffFaqEntry)))
    with bot.factory() as s:
        assert [s.get(UnansweredQuestion, i).status for i in ids] == ["closed"] * 3
        assert s.get(UnansweredQuestion, other).status == "open"

    # App Home lists the entry with 編集 and 取り下げ.
    bot.event(
        {"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": "2.0"}
    )
    home = wait_until(
        lambda: [
            c.body["view"]
            for c in slack_api.calls_to("views.publish")
            if blocks.ACTION_EDIT_FAQ in json.dumps(c.body["view"])
        ]
    )[-1]
    buttons = {
        e["action_id"]: e["value"] for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert json.loads(buttons[blocks.ACTION_EDIT_FAQ]) == {"e": entry.id}

    opened = len(slack_api.calls_to("views.open"))
    bot.click(blocks.ACTION_EDIT_FAQ, buttons[blocks.ACTION_EDIT_FAQ])
    edit = wait_until(lambda: slack_api.calls_to("views.open")[opened:])[0].body["view"]
    assert "市の行事予定" in json.dumps(edit, ensure_ascii=False)  # filled with the entry
    bot.view_submission(blocks.FAQ_MODAL, values("今年は8月に開催予定です。"), edit["private_metadata"])
    wait_until(lambda: "8月" in (first(bot, select(StaffFaqEntry.answer)) or ""))
    slack_api.responses.clear()
    bot.command("花火大会は今年も開催されますか")
    assert "8月に開催予定" in wait_until(lambda: slack_api.responses)[0]["text"]

    bot.click(blocks.ACTION_RETIRE_FAQ, buttons[blocks.ACTION_RETIRE_FAQ])
    wait_until(lambda: first(bot, select(StaffFaqEntry.active)) is False)
    slack_api.responses.clear()
    bot.command("花火大会は今年も開催されますか")
    assert "8月に開催予定" not in wait_until(lambda: slack_api.responses)[0]["text"]
    with bot.factory() as s:
        actions = [a for (a,) in s.execute(select(StaffAuditEntry.action).order_by(StaffAuditEntry.id))]
    assert actions[-3:] == ["faq_add", "faq_edit", "faq_retire"]
