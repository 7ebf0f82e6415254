"""Issue 14, collaboration records, end to end against the stand-ins: a group registered on LINE
-> the division clicks 「担当する」 in Slack -> a collaboration opens in the item's thread -> the
division fills the modal -> the group gets the card on LINE, asks for a change (it reaches the
thread), gets the revised card and agrees (the thread hears it) -> staff move the status (audited,
pushed to LINE once even when clicked twice). Runs on SQLite and PostgreSQL (db marker)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.engine import messages as M
from bot.staff import messages as msg
from bot.storage.db import transaction
from bot.storage.models.collaboration import Collaboration, CollaborationEvaluation
from bot.storage.models.staff import StaffAuditEntry
from handlers.slack import blocks
from tests.e2e.slack.conftest import LINE_SECRET
from tests.support.line_payloads import message_event, postback_event
from tests.support.loop import every_division_directory, line_sender, postback_data
from tests.support.servers import wait_until

CITIZEN = "U" + "8" * 32


data_of = postback_data


def modal_values(form: str = "kyosai", ends_on: str | None = None, **texts: str) -> dict:
    values = {"form": {"value": {"type": "static_select", "selected_option": {"value": form}}}}
    for key, *_ in blocks.COLLAB_INPUTS:
        values[key] = {"value": {"type": "plain_text_input", "value": texts.get(key)}}
    values["ends_on"] = {"value": {"type": "datepicker", "selected_date": ends_on}}
    return values


def action_value(message, action_id: str) -> str:
    for b in message.blocks:
        for e in b.get("elements") or []:
            if e.get("action_id") == action_id:
                return e["value"]
    raise AssertionError(f"no {action_id} in {message.blocks}")


def test_take_fill_agree_and_status_on_line_and_slack(make_bot, slack_api, line_api):
    pytest.importorskip("matching")
    bot = make_bot(directory=every_division_directory())
    line = line_sender(bot, line_api, LINE_SECRET)

    def pushes() -> list:
        return [d for d in line_api.deliveries() if d.kind == "push"]

    def thread(channel: str, ts: str) -> list:
        return [m for m in slack_api.posted(channel) if m.thread_ts == ts]

    # A group registers on LINE (as in test_full_loop) and a division takes it up.
    line(message_event("団体登録", CITIZEN))
    kinds = line(message_event("小金井ほたるの会", CITIZEN))
    fields = line(postback_event(data_of(kinds, "NPO法人"), CITIZEN))
    fields = line(message_event("環境", CITIZEN))
    line(postback_event(data_of(fields, "次へ"), CITIZEN))
    line(message_event("野川の清掃と自然観察会、川の生き物調査をしています", CITIZEN))
    listed = line(message_event("090-1234-5678", CITIZEN))
    notices = line(postback_event(data_of(listed, "載せない"), CITIZEN))
    confirm = line(postback_event(data_of(notices, "受け取らない"), CITIZEN))
    line(postback_event(data_of(confirm, "登録する"), CITIZEN))
    post = wait_until(lambda: [m for m in slack_api.posted() if "小金井ほたるの会" in m.text], timeout=30)[0]
    actions = [b for b in post.blocks if b["type"] == "actions"][0]
    n_push = len(pushes())
    assert bot.click(blocks.ACTION_TAKE, actions["elements"][0]["value"], channel=post.channel, ts=post.ts)
    wait_until(lambda: len(pushes()) > n_push, timeout=20)

    # The collaboration opens in the item's thread, 協議中, with 「内容を記入・編集」.
    opened = wait_until(lambda: thread(post.channel, post.ts), timeout=20)[0]
    assert "協働の記録を作りました" in opened.text and "協議中" in json.dumps(
        opened.blocks, ensure_ascii=False
    )
    edit_value = action_value(opened, blocks.ACTION_COLLAB_EDIT)
    cid = json.loads(edit_value)["c"]

    # 「内容を記入・編集」 opens the modal (views.open), pre-filled with the record.
    opens = len(slack_api.calls_to("views.open"))
    bot.click(blocks.ACTION_COLLAB_EDIT, edit_value, channel=post.channel, ts=opened.ts)
    call = wait_until(lambda: slack_api.calls_to("views.open")[opens:], timeout=10)[0]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    assert view["callback_id"] == blocks.COLLAB_MODAL
    assert json.loads(view["private_metadata"]) == {"c": cid}

    # A submission without 目的 is refused with the field's error (Slack shows it in the modal).
    r = bot.view_submission(blocks.COLLAB_MODAL, modal_values(goal_what="清掃"), json.dumps({"c": cid}))
    assert r.status_code == 200 and r.json()["response_action"] == "errors"
    assert "purpose" in r.json()["errors"]

    texts = dict(
        purpose="野川の自然を守り、子どもが川に親しむ機会を増やす",
        goal_what="清掃と観察会",
        goal_by="2027年3月まで",
        goal_amount="年6回・延べ300人",
        role_city="会場の手配と広報",
        role_group="当日の運営と安全管理",
        period="2026年12月〜2027年3月",
    )
    # 終了予定日 in the past is refused (this record had none).
    r = bot.view_submission(
        blocks.COLLAB_MODAL, modal_values("kyosai", ends_on="2020-01-01", **texts), json.dumps({"c": cid})
    )
    assert r.json()["response_action"] == "errors" and r.json()["errors"] == {
        "ends_on": msg.COLLAB_ENDS_ON_PAST
    }
    n_push = len(pushes())
    r = bot.view_submission(
        blocks.COLLAB_MODAL, modal_values("kyosai", ends_on="2099-03-31", **texts), json.dumps({"c": cid})
    )
    assert r.status_code == 200
    card_push = wait_until(lambda: pushes()[n_push:], timeout=20)[0]
    assert card_push.target == CITIZEN
    dumped = json.dumps(card_push.messages, ensure_ascii=False)
    assert "共催" in dumped and "会場の手配と広報" in dumped and "終了予定日: 2099年3月31日" in dumped
    wait_until(
        lambda: any(
            "終了予定日: 2099年3月31日" in json.dumps(m.blocks, ensure_ascii=False)
            for m in thread(post.channel, post.ts)
        ),
        timeout=20,
    )
    # Editing again: the modal shows the date.
    opens = len(slack_api.calls_to("views.open"))
    bot.click(blocks.ACTION_COLLAB_EDIT, edit_value, channel=post.channel, ts=opened.ts)
    call = wait_until(lambda: slack_api.calls_to("views.open")[opens:], timeout=10)[0]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    (picker,) = [b for b in view["blocks"] if b.get("block_id") == "ends_on"]
    assert picker["element"]["initial_date"] == "2099-03-31"
    wait_until(lambda: any("確認を依頼しました" in m.text for m in thread(post.channel, post.ts)), timeout=20)

    # The group asks for a change: free text back to the division's thread.
    ask = line(postback_event(data_of(card_push.messages, M.COLLAB_CHANGE), CITIZEN))
    assert M.COLLAB_CHANGE_ASK in json.dumps(ask, ensure_ascii=False)
    sent = line(message_event("回数は年4回にしてください", CITIZEN))
    assert "届けました" in sent[0]["text"]
    wait_until(
        lambda: any("年4回" in m.text and "変更の依頼" in m.text for m in thread(post.channel, post.ts)),
        timeout=20,
    )

    # The division revises; the group gets the new card and agrees; the thread hears it.
    n_push = len(pushes())
    texts["goal_amount"] = "年4回・延べ200人"
    bot.view_submission(blocks.COLLAB_MODAL, modal_values("kyosai", **texts), json.dumps({"c": cid}))
    card_push = wait_until(lambda: pushes()[n_push:], timeout=20)[0]
    assert "年4回" in json.dumps(card_push.messages, ensure_ascii=False)
    agree = data_of(card_push.messages, M.COLLAB_AGREE)
    agreed = line(postback_event(agree, CITIZEN))
    assert "合意しました" in agreed[0]["text"]
    wait_until(
        lambda: any(msg.COLLAB_GROUP_AGREED in m.text for m in thread(post.channel, post.ts)), timeout=20
    )
    again = line(postback_event(agree, CITIZEN))  # a second tap changes nothing
    assert "「合意」" in again[0]["text"]

    # Staff move it to 実施中, clicking twice: one change, one push, one audit entry.
    n_push = len(pushes())
    value = json.dumps({"c": cid, "s": "running"})
    bot.click(f"{blocks.ACTION_COLLAB_STATUS}_running", value, channel=post.channel, ts=post.ts)
    bot.click(f"{blocks.ACTION_COLLAB_STATUS}_running", value, channel=post.channel, ts=post.ts)
    status_push = wait_until(lambda: pushes()[n_push:], timeout=20)[0]
    assert "「実施中」" in status_push.messages[0]["text"]
    wait_until(
        lambda: any("実施中" in m.text and "変えました" in m.text for m in thread(post.channel, post.ts))
    )
    wait_until(lambda: len(slack_api.calls_to("chat.postEphemeral")) >= 1, timeout=10)  # the loser is told
    assert len(pushes()) == n_push + 1

    with transaction(bot.factory) as s:
        c = s.get(Collaboration, cid)
        assert (c.status, c.form, c.goal_amount) == ("running", "kyosai", "年4回・延べ200人")
        assert c.agreed_at is not None
        actions_done = [
            e.action
            for e in s.scalars(
                select(StaffAuditEntry)
                .where(StaffAuditEntry.target_kind == "collaboration")
                .order_by(StaffAuditEntry.id)
            )
        ]
    assert actions_done == ["collab_open", "collab_edit", "collab_edit", "collab_status"]

    # 完了: both sides are asked for the same evaluation (第3章(3)); the division in a modal.
    n_push = len(pushes())
    done = json.dumps({"c": cid, "s": "done"})
    bot.click(f"{blocks.ACTION_COLLAB_STATUS}_done", done, channel=post.channel, ts=post.ts)
    asked = wait_until(lambda: pushes()[n_push:] if len(pushes()) >= n_push + 2 else None, timeout=20)
    assert "「完了」" in asked[0].messages[0]["text"]
    start_eval = data_of(asked[1].messages, M.EVAL_START)
    ask_post = wait_until(
        lambda: [m for m in thread(post.channel, post.ts) if "課としての評価" in m.text], timeout=20
    )[0]
    opens = len(slack_api.calls_to("views.open"))
    bot.click(
        blocks.ACTION_EVAL_OPEN,
        action_value(ask_post, blocks.ACTION_EVAL_OPEN),
        channel=post.channel,
        ts=ask_post.ts,
    )
    call = wait_until(lambda: slack_api.calls_to("views.open")[opens:], timeout=10)[0]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    assert view["callback_id"] == blocks.EVAL_MODAL

    def pick(value: str) -> dict:
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    incomplete = {"goal": pick("partly"), "equality": pick("4")}
    r = bot.view_submission(blocks.EVAL_MODAL, incomplete, view["private_metadata"])
    assert set(r.json()["errors"]) == {"understanding", "roles", "goals"}
    answers = {
        "goal": pick("partly"),
        "equality": pick("4"),
        "understanding": pick("5"),
        "roles": pick("3"),
        "goals": pick("4"),
        "comment": {"value": {"type": "plain_text_input", "value": "運営がとても丁寧でした"}},
    }
    bot.view_submission(blocks.EVAL_MODAL, answers, view["private_metadata"])
    wait_until(
        lambda: any("課の評価を受け付けました" in m.text for m in thread(post.channel, post.ts)), timeout=20
    )

    # The group answers on LINE; only then does each side see the other's answers.
    goal_q = line(postback_event(start_eval, CITIZEN))
    step = line(postback_event(data_of(goal_q, "一部達成"), CITIZEN))
    for score in ("3", "4", "2", "4"):
        step = line(postback_event(data_of(step, score), CITIZEN))
    final = line(message_event("会場の手配が助かりました", CITIZEN))
    final_text = json.dumps(final, ensure_ascii=False)
    assert "の評価です" in final_text and "運営がとても丁寧でした" in final_text
    revealed = wait_until(
        lambda: [m for m in thread(post.channel, post.ts) if msg.EVAL_REVEAL_HEAD in m.text], timeout=20
    )
    assert "会場の手配が助かりました" in revealed[0].text and "運営がとても丁寧でした" in revealed[0].text

    # Someone else cannot answer the group's card.
    other = line(postback_event(agree, "U" + "9" * 32))
    assert M.COLLAB_GONE in other[0]["text"]

    # 「データを削除」: the record keeps form, division and status, not the texts or the user, and
    # every post of the thread (the group's change request among them) is edited to the notice.
    ask = line(message_event("データを削除", CITIZEN))
    line(postback_event(data_of(ask, "削除する"), CITIZEN))

    def thread_erased() -> bool:
        return all(m.text == msg.ITEM_ERASED for m in thread(post.channel, post.ts))

    wait_until(thread_erased, timeout=30)
    with bot.factory() as s:
        c = s.get(Collaboration, cid)
        assert (c.status, c.form, c.group_name, c.purpose, c.user_id) == ("done", "kyosai", "", "", None)
        evaluations = {e.side: e for e in s.scalars(select(CollaborationEvaluation))}
        assert (evaluations["group"].comment, evaluations["group"].roles) == ("", 2)  # scores stay


def test_the_worker_opens_the_evaluation_after_the_target_date(make_bot, slack_api, line_api):
    """終了予定日 passed while 実施中: the worker's housekeeping (run twice) asks both sides once, the
    group on LINE and the division in its thread; the status stays 実施中."""
    bot = make_bot(directory=every_division_directory())
    root = "1700000000.000100"  # the division's item, whose thread it is
    with transaction(bot.factory) as s:
        c = Collaboration(
            notification_id=1,
            source_kind="proposal",
            source_id=1,
            group_name="小金井ほたるの会",
            division_id="kosodate",
            division_name="子育て支援課",
            channel="line",
            user_id=CITIZEN,
            form="kyosai",
            purpose="野川の清掃",
            goal_what="年4回",
            role_city="会場",
            role_group="運営",
            status="running",
            filled=True,
            ends_on=date(2026, 3, 31),
            slack_channel="CKOSODATE",
            thread_ts=root,
        )
        s.add(c)
        s.flush()
        cid = c.id
    worker = bot.app.state.loops.worker
    # (the worker's own housekeeping loop may run it as well, at start: still once in all)
    runs = [worker.housekeeping()["evaluations_due"] for _ in range(2)]
    assert runs in ([1, 0], [0, 0])
    (push,) = wait_until(lambda: [d for d in line_api.deliveries() if d.kind == "push"], timeout=20)
    assert push.target == CITIZEN
    text = json.dumps(push.messages, ensure_ascii=False)
    assert "終了予定日（2026年3月31日）を過ぎました" in text and M.EVAL_START in text
    (ask,) = wait_until(
        lambda: [m for m in slack_api.posted("CKOSODATE") if m.thread_ts == root and "終了予定日" in m.text],
        timeout=20,
    )
    assert blocks.ACTION_EVAL_OPEN in json.dumps(ask.blocks)
    with bot.factory() as s:
        c = s.get(Collaboration, cid)
        assert c.status == "running" and c.eval_requested_at is not None
    assert len([d for d in line_api.deliveries() if d.kind == "push"]) == 1
