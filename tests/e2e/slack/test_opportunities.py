"""Issue 14 step 3, opportunities (協働の募集), end to end against the stand-ins and the real HTTP
server with real signatures: a group registers on LINE agreeing to receive notices -> a division
writes an opportunity in the `/kyodo 募集` modal -> the ranked list (with reasons) is posted with
「送信」 -> clicked twice, sent once as a LINE multicast with X-Line-Retry-Key -> the group answers
「関心あり」 -> the division's thread gets it with the group's profile; 「募集中の協働は？」 lists it;
「お知らせを停止」 stops the next one. Then many groups: batches of at most 500, the monthly cap,
opt-outs, unfollowed and deleted users, and multicast faults (500, 429, a lost answer -> 409), each
user served exactly once. Runs on SQLite and PostgreSQL (db marker)."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.engine import messages as M
from bot.staff import messages as msg
from bot.storage.db import transaction, utcnow
from bot.storage.models import ChatUser, Group, OutboxMessage
from bot.storage.models.opportunity import Opportunity, OpportunityRecipient
from bot.storage.models.staff import StaffAuditEntry
from handlers.slack import blocks
from tests.e2e.slack.conftest import LINE_SECRET
from tests.support.line_payloads import body_for, message_event, postback_event, signed
from tests.support.loop import every_division_directory, line_sender, postback_data
from tests.support.servers import wait_until

CITIZEN = "U" + "7" * 32
DIVISION = "kankyo-seisaku"
CHANNEL = "C" + DIVISION.upper()


def opp_values(
    title: str, *, fields=("7",), sought="野川の清掃に参加してくれる団体を探しています", deadline=None
) -> dict:
    def select_(value):
        return {"value": {"type": "static_select", "selected_option": {"value": value}}}

    return {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "division": select_(DIVISION),
        "fields": {
            "value": {"type": "multi_static_select", "selected_options": [{"value": f} for f in fields]}
        },
        "sought": {"value": {"type": "plain_text_input", "value": sought}},
        "deadline": {"value": {"type": "datepicker", "selected_date": deadline}},
        "form": select_("kyoryoku"),
    }


def send_value(message) -> str:
    for b in message.blocks:
        for e in b.get("elements") or []:
            if e.get("action_id") == blocks.ACTION_OPP_SEND:
                return e["value"]
    raise AssertionError(f"no 送信 in {message.blocks}")


def multicasts(line_api) -> list:
    return [d for d in line_api.deliveries() if d.kind == "multicast"]


def create(bot, slack_api, title: str, **kw):
    r = bot.view_submission(blocks.OPP_MODAL, opp_values(title, **kw))
    assert r.status_code == 200 and not r.content.strip(b" {}"), r.text
    return wait_until(lambda: [m for m in slack_api.posted(CHANNEL) if title in m.text], timeout=30)[0]


def register(line, user: str = CITIZEN, name: str = "野川ほたるの会", contact: str = "090-1234-5678") -> None:
    """A group registers on LINE and agrees to receive the city's calls (the default is no)."""
    line(message_event("団体登録", user))
    kinds = line(message_event(name, user))
    line(postback_event(postback_data(kinds, "NPO法人"), user))
    fields = line(message_event("環境", user))
    line(postback_event(postback_data(fields, "次へ"), user))
    line(message_event("野川の清掃と自然観察会をしています", user))
    listed = line(message_event(contact, user))
    notices = line(postback_event(postback_data(listed, "載せない"), user))
    assert M.REG_ASK_NOTICES in json.dumps(notices, ensure_ascii=False)
    confirm = line(postback_event(postback_data(notices, M.REG_NOTICES_YES), user))
    line(postback_event(postback_data(confirm, "登録する"), user))


def test_modal_rank_send_interest_list_and_stop(make_bot, slack_api, line_api):
    pytest.importorskip("matching")
    bot = make_bot(directory=every_division_directory())
    line = line_sender(bot, line_api, LINE_SECRET)
    register(line)
    with bot.factory() as s:
        assert s.scalar(select(Group.notices_opt_in).where(Group.owner == f"line:{CITIZEN}")) is True

    # `/kyodo 募集` opens the modal (views.open with the command's trigger).
    opens = len(slack_api.calls_to("views.open"))
    assert bot.command("募集").status_code == 200
    call = wait_until(lambda: slack_api.calls_to("views.open")[opens:], timeout=10)[0]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(call.body["view"])
    assert view["callback_id"] == blocks.OPP_MODAL
    assert {b["block_id"] for b in view["blocks"]} >= {"title", "fields", "sought", "deadline", "form"}

    # Required fields and a past deadline are refused in the modal.
    r = bot.view_submission(blocks.OPP_MODAL, opp_values("", fields=(), deadline="2020-01-01"))
    assert r.json()["response_action"] == "errors"
    assert set(r.json()["errors"]) >= {"title", "fields", "deadline"}

    # Saved: the ranked list with reasons and 「送信」 in the division's channel.
    post = create(bot, slack_api, "野川クリーン作戦2027")
    dumped = json.dumps(post.blocks, ensure_ascii=False)
    assert (
        "野川ほたるの会" in dumped and "分野「環境保全」が一致" in dumped and "活動内容に「野川」" in dumped
    )

    # 「送信」 clicked twice: one multicast, one audit entry, the loser is told.
    value = send_value(post)
    ephemerals = len(slack_api.calls_to("chat.postEphemeral"))
    bot.click(blocks.ACTION_OPP_SEND, value, channel=post.channel, ts=post.ts)
    bot.click(blocks.ACTION_OPP_SEND, value, channel=post.channel, ts=post.ts)
    notice = wait_until(lambda: multicasts(line_api), timeout=20)[0]
    assert notice.target == CITIZEN and notice.retry_key
    request = line_api.requests("/v2/bot/message/multicast")[0]
    assert request.headers["x-line-retry-key"] == notice.retry_key
    assert "野川クリーン作戦2027" in json.dumps(notice.messages, ensure_ascii=False)
    wait_until(lambda: len(slack_api.calls_to("chat.postEphemeral")) > ephemerals, timeout=10)
    wait_until(
        lambda: any(m.thread_ts == post.ts and "送信しました" in m.text for m in slack_api.posted(CHANNEL))
    )
    updated = slack_api.find(CHANNEL, post.ts)
    assert blocks.ACTION_OPP_SEND not in json.dumps(updated.blocks)  # the button is gone
    assert len(multicasts(line_api)) == 1

    # 関心あり: the group is thanked, the division's thread gets the profile.
    thanks = line(postback_event(postback_data(notice.messages, M.OPP_INTERESTED), CITIZEN))
    assert "お伝えしました" in thanks[0]["text"]
    interest = wait_until(
        lambda: [m for m in slack_api.posted(CHANNEL) if m.thread_ts == post.ts and "と答えました" in m.text],
        timeout=20,
    )[0]
    assert (
        "野川ほたるの会" in interest.text
        and "090-1234-5678" in interest.text
        and "自然観察会" in interest.text
    )
    again = line(postback_event(postback_data(notice.messages, M.OPP_INTERESTED), CITIZEN))
    assert "すでに" in again[0]["text"]
    # LINE redelivers the first tap's webhook (same webhookEventId): dropped, no second post.
    tap = postback_event(postback_data(notice.messages, M.OPP_INTERESTED), CITIZEN)
    line(tap)
    replies, threads = len(line_api.deliveries()), len(slack_api.posted(CHANNEL))
    redelivered = {**tap, "deliveryContext": {"isRedelivery": True}}
    body = body_for(redelivered)
    assert bot.http.post("/line/callback", content=body, headers=signed(LINE_SECRET, body)).status_code == 200
    time.sleep(1.0)
    assert (len(line_api.deliveries()), len(slack_api.posted(CHANNEL))) == (replies, threads)

    # 「募集中の協働は？」 lists it; the web corner too.
    listing = line(message_event("募集中の協働は？", CITIZEN))
    assert "野川クリーン作戦2027" in json.dumps(listing, ensure_ascii=False)
    page = bot.http.get("/opportunities")
    assert page.status_code == 200 and "野川クリーン作戦2027" in page.text

    # 「お知らせを停止」: the next opportunity lists nobody to send to; 再開 works again.
    stopped = line(message_event("お知らせを停止", CITIZEN))
    assert "停止しました" in stopped[0]["text"]
    post2 = create(bot, slack_api, "川の生き物調査")
    assert msg.OPP_LIST_NONE.split("、")[0] in post2.text or "合いそうな団体はありません" in json.dumps(
        post2.blocks, ensure_ascii=False
    )
    resumed = line(message_event("お知らせを再開", CITIZEN))
    assert "再開しました" in resumed[0]["text"]

    with transaction(bot.factory) as s:
        actions = [
            e.action
            for e in s.scalars(select(StaffAuditEntry).where(StaffAuditEntry.target_kind == "opportunity"))
        ]
        assert actions == ["opp_create", "opp_send", "opp_create"]
        opp = s.scalars(select(Opportunity).where(Opportunity.title == "野川クリーン作戦2027")).one()
        rec = s.scalars(
            select(OpportunityRecipient).where(OpportunityRecipient.opportunity_id == opp.id)
        ).one()
        assert (opp.status, rec.status) == ("sent", "sent") and rec.interested_at is not None


def close_value(blocks_: list) -> str | None:
    for b in blocks_:
        for e in [*(b.get("elements") or []), b.get("accessory") or {}]:
            if e.get("action_id") == blocks.ACTION_OPP_CLOSE:
                return e["value"]
    return None


def test_close_a_call_from_its_post_and_from_app_home(make_bot, slack_api, line_api):
    """「募集を締め切る」: App Home lists the division's open calls with their counts; a double click
    on the post closes it once (one audit entry, the loser told); the call leaves 「募集中の協働は？」
    and /opportunities, and a 関心あり tap is answered that it is closed. A second call is closed
    from App Home (its post is edited through the outbox, App Home published again)."""
    pytest.importorskip("matching")
    from bot.storage.models.staff import StaffMember

    bot = make_bot(directory=every_division_directory())
    line = line_sender(bot, line_api, LINE_SECRET)
    register(line)
    with transaction(bot.factory) as s:
        s.add(StaffMember(slack_user_id="UALICE", division_id=DIVISION, display_name="alice"))
    post = create(bot, slack_api, "野川の清掃ボランティア", deadline="2099-12-20")
    assert close_value(post.blocks) is None  # a draft has 送信, not 締め切る
    bot.click(blocks.ACTION_OPP_SEND, send_value(post), channel=post.channel, ts=post.ts)
    notice = wait_until(lambda: multicasts(line_api), timeout=20)[0]
    line(postback_event(postback_data(notice.messages, M.OPP_INTERESTED), CITIZEN))
    sent = wait_until(lambda: close_value(slack_api.find(CHANNEL, post.ts).blocks), timeout=20)
    post2 = create(bot, slack_api, "川辺の観察会")
    bot.click(blocks.ACTION_OPP_SEND, send_value(post2), channel=post2.channel, ts=post2.ts)
    wait_until(lambda: len(multicasts(line_api)) == 2, timeout=20)

    # App Home: both open calls, with deadline, groups sent to and 関心あり, each closable.
    bot.event({"type": "app_home_opened", "user": "UALICE", "channel": "D1", "tab": "home", "event_ts": "1.0"})
    home = wait_until(lambda: slack_api.calls_to("views.publish"), timeout=10)[-1].body["view"]
    dumped = json.dumps(home, ensure_ascii=False)
    assert msg.HOME_OPPS in dumped and "野川の清掃ボランティア" in dumped and "川辺の観察会" in dumped
    assert "締切: 12月20日／お知らせ 1団体／「関心あり」1団体" in dumped
    assert "締切: 定めなし／お知らせ 1団体／「関心あり」0団体" in dumped

    # Closed from the post, clicked twice: one wins, the other is told.
    ephemerals = len(slack_api.calls_to("chat.postEphemeral"))
    bot.click(blocks.ACTION_OPP_CLOSE, sent, channel=post.channel, ts=post.ts)
    bot.click(blocks.ACTION_OPP_CLOSE, sent, channel=post.channel, ts=post.ts)
    wait_until(lambda: len(slack_api.calls_to("chat.postEphemeral")) > ephemerals, timeout=10)
    told = slack_api.calls_to("chat.postEphemeral")[-1].body
    assert msg.OPP_ALREADY_CLOSED in json.dumps(told, ensure_ascii=False)
    wait_until(lambda: close_value(slack_api.find(CHANNEL, post.ts).blocks) is None, timeout=20)
    assert "締め切りました" in json.dumps(slack_api.find(CHANNEL, post.ts).blocks, ensure_ascii=False)
    wait_until(
        lambda: [m for m in slack_api.posted(CHANNEL) if m.thread_ts == post.ts and "締め切りました" in m.text],
        timeout=20,
    )

    # Gone from LINE's list and the web page; 関心あり is answered that it is closed.
    listing = json.dumps(line(message_event("募集中の協働は？", CITIZEN)), ensure_ascii=False)
    assert "野川の清掃ボランティア" not in listing and "川辺の観察会" in listing
    page = bot.http.get("/opportunities").text
    assert "野川の清掃ボランティア" not in page and "川辺の観察会" in page
    late = line(postback_event(postback_data(notice.messages, M.OPP_INTERESTED), CITIZEN))
    assert late[0]["text"] == M.OPP_CLOSED.format(title="野川の清掃ボランティア")

    # The second call, closed from App Home: its post is edited, App Home shows none open.
    publishes = len(slack_api.calls_to("views.publish"))
    row = [b for b in home["blocks"] if "川辺の観察会" in json.dumps(b, ensure_ascii=False)]
    bot.click(blocks.ACTION_OPP_CLOSE, close_value(row))  # no message: clicked in App Home
    wait_until(lambda: close_value(slack_api.find(CHANNEL, post2.ts).blocks) is None, timeout=20)
    home = wait_until(lambda: slack_api.calls_to("views.publish")[publishes:], timeout=10)[-1].body["view"]
    assert msg.HOME_OPPS_NONE in json.dumps(home, ensure_ascii=False)

    with bot.factory() as s:
        actions = [
            e.action
            for e in s.scalars(
                select(StaffAuditEntry)
                .where(StaffAuditEntry.target_kind == "opportunity")
                .order_by(StaffAuditEntry.id)
            )
        ]
        assert actions.count("opp_close") == 2
        assert set(s.scalars(select(Opportunity.status))) == {"closed"}


def _groups(bot, n: int, *, prefix: str = "U") -> list[str]:
    """``n`` groups opted in to notices, field 環境保全, one LINE user each."""
    users = [f"{prefix}{i:032x}"[-33:] for i in range(n)]
    with transaction(bot.factory) as s:
        s.execute(
            Group.__table__.insert(),
            [
                {
                    "name": f"みどりの会{i}",
                    "name_key": f"みどりの会{i}",
                    "kind": "任意団体",
                    "kind_note": "",
                    "fields": [7],
                    "description": "公園の清掃",
                    "contact": "",
                    "listed": False,
                    "public_contact": "",
                    "notices_opt_in": True,
                    "owner": f"line:{u}",
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for i, u in enumerate(users)
            ],
        )
    return users


def test_batches_cap_optouts_and_faults_exactly_once(make_bot, slack_api, line_api):
    pytest.importorskip("matching")
    bot = make_bot(directory=every_division_directory(), opportunity_monthly_cap=1)
    users = _groups(bot, 1203)
    capped, unfollowed, deleted, stopped = users[0], users[1], users[2], users[3]
    with transaction(bot.factory) as s:
        now = utcnow()
        # users[0]'s group already had its one notice this month.
        s.add(Opportunity(division_name="x", title="old", status="sent", created_at=now, updated_at=now))
        s.flush()
        old = s.scalar(select(func.max(Opportunity.id)))
        gid = s.scalar(select(Group.id).where(Group.owner == f"line:{capped}"))
        s.add(
            OpportunityRecipient(
                opportunity_id=old, group_id=gid, status="sent", sent_at=now - timedelta(seconds=5)
            )
        )
        s.add(ChatUser(channel="line", user_id=unfollowed, blocked=True, first_seen=now, last_seen=now))
        s.add(ChatUser(channel="line", user_id=deleted, deleted_at=now, first_seen=now, last_seen=now))
    post = create(bot, slack_api, "公園の一斉清掃")
    with transaction(bot.factory) as s:  # stops after the list was made, before 送信
        s.execute(
            Group.__table__.update().where(Group.owner == f"line:{stopped}").values(notices_opt_in=False)
        )

    # Faults on the multicast endpoint: a 500, a 429 with Retry-After, and an answer lost after
    # delivery (retried with the same key: 409, not delivered twice).
    line_api.fail("500", endpoint="multicast")
    line_api.fail("429", endpoint="multicast", retry_after=0.2)
    line_api.fail("timeout", endpoint="multicast", delay=1.0)
    value = send_value(post)
    bot.click(blocks.ACTION_OPP_SEND, value, channel=post.channel, ts=post.ts)
    expected = set(users) - {capped, unfollowed, deleted, stopped}

    def all_delivered():
        with bot.factory() as s:
            pending = s.scalar(
                select(func.count()).where(
                    OutboxMessage.destination.like("multicast:%"), OutboxMessage.status == "pending"
                )
            )
        return pending == 0 and len(multicasts(line_api)) >= len(expected)

    wait_until(all_delivered, timeout=60)
    got = [d.target for d in multicasts(line_api)]
    assert len(got) == len(set(got)) == len(expected) and set(got) == expected
    sizes = [len(r.body["to"]) for r in line_api.requests("/v2/bot/message/multicast") if r.status == 200]
    assert max(sizes) <= 500 and sum(sizes) == len(expected)
    statuses = [r.status for r in line_api.requests("/v2/bot/message/multicast")]
    assert 500 in statuses and 429 in statuses and 409 in statuses
    with bot.factory() as s:
        counts = dict(
            s.execute(
                select(OpportunityRecipient.status, func.count())
                .where(OpportunityRecipient.opportunity_id != old)
                .group_by(OpportunityRecipient.status)
            ).all()
        )
        assert counts == {"sent": len(expected), "capped": 1, "unreachable": 2, "stopped": 1}
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.destination.like("multicast:%"))).all()
        assert {r.status for r in rows} == {"delivered"} and len(rows) == 3
    thread = wait_until(lambda: [m for m in slack_api.posted(CHANNEL) if m.thread_ts == post.ts], timeout=20)
    assert "月の上限で見送り 1団体" in thread[0].text

    # A later click (from an old copy of the post) is told it was sent; nothing more goes out.
    before = len(line_api.requests("/v2/bot/message/multicast"))
    bot.click(blocks.ACTION_OPP_SEND, value, channel=post.channel, ts=post.ts)
    wait_until(lambda: len(slack_api.calls_to("chat.postEphemeral")) >= 1, timeout=10)
    assert len(line_api.requests("/v2/bot/message/multicast")) == before


def test_deleting_my_data_takes_the_group_out_of_opportunities(make_bot, slack_api, line_api):
    """「データを削除」 after 関心あり: the thread's post with the profile is edited to the notice, and
    no table keeps the user's id or the group's texts (the ranked row keeps its rank and status)."""
    pytest.importorskip("matching")
    from tests.e2e.slack.test_erasure import scan

    user, name, contact = "U" + "6" * 32, "秘密の川辺クラブ", "090-2468-1357"
    bot = make_bot(directory=every_division_directory())
    line = line_sender(bot, line_api, LINE_SECRET)
    register(line, user, name, contact)
    post = create(bot, slack_api, "野川の水辺まつり")
    bot.click(blocks.ACTION_OPP_SEND, send_value(post), channel=post.channel, ts=post.ts)
    notice = wait_until(lambda: multicasts(line_api), timeout=20)[0]
    line(postback_event(postback_data(notice.messages, M.OPP_INTERESTED), user))
    interest = wait_until(
        lambda: [m for m in slack_api.posted(CHANNEL) if m.thread_ts == post.ts and name in m.text],
        timeout=20,
    )[0]

    def slack_settled() -> bool:  # the post is recorded as delivered (erasure edits what it knows)
        with bot.factory() as s:
            return not s.scalar(
                select(func.count()).where(
                    OutboxMessage.channel == "slack", OutboxMessage.status == "pending"
                )
            )

    wait_until(slack_settled, timeout=20)
    ask = line(message_event("データを削除", user))
    line(postback_event(postback_data(ask, "削除する"), user))
    wait_until(lambda: slack_api.find(CHANNEL, interest.ts).text == msg.ITEM_ERASED, timeout=30)
    # The ranked list staff saw before 送信 is rendered again: the group's line says it was deleted.
    listed = wait_until(
        lambda: "データは削除されました" in json.dumps(slack_api.find(CHANNEL, post.ts).blocks, ensure_ascii=False)
        and slack_api.find(CHANNEL, post.ts),
        timeout=30,
    )
    assert name not in json.dumps(listed.blocks, ensure_ascii=False) and name not in listed.text
    assert blocks.ACTION_OPP_CLOSE in json.dumps(listed.blocks)  # still open, still closable
    import tests.e2e.slack.test_erasure as erasure_test

    secrets = erasure_test.SECRETS
    try:
        erasure_test.SECRETS = [user, name, contact]
        # (the confirmation's row loses the user's id once its delivery is recorded)
        wait_until(lambda: scan(bot.factory) == [], timeout=10)
    finally:
        erasure_test.SECRETS = secrets
    with bot.factory() as s:
        rec = s.scalars(select(OpportunityRecipient)).one()
        assert (rec.status, rec.rank, rec.user_id, rec.group_name) == ("sent", 1, None, "")


def test_multicast_rows_of_a_killed_process_are_sent_once(make_bot, line_api):
    """A process died after leasing two multicast rows: LINE had accepted the first (its retry key
    is known there), not the second. The survivor takes both over as uncertain: the first is
    answered 409 and counted delivered without a second notice, the second goes out once."""
    import uuid

    from tests.support.line_standin import Delivered

    bot = make_bot()
    first, second = [f"U{i:032x}" for i in range(3)], [f"U{i:032x}" for i in range(3, 5)]
    keys = [str(uuid.uuid4()), str(uuid.uuid4())]
    text = [{"type": "text", "text": "協働の募集のお知らせです"}]
    with line_api.lock:  # what LINE did before the kill: the first row was accepted
        line_api.state.accepted_keys[keys[0]] = "accepted-before-the-kill"
        line_api.state.delivered.extend(Delivered("multicast", u, text, keys[0]) for u in first)
    with transaction(bot.factory) as s:
        for n, (to, key) in enumerate(zip((first, second), keys, strict=True)):
            s.add(
                OutboxMessage(
                    channel="line",
                    destination=f"multicast:opp99-ja:{n}",
                    messages=[{"type": "multicast", "to": to, "messages": text}],
                    retry_key=key,
                    status="pending",
                    attempts=0,
                    next_attempt_at=utcnow() - timedelta(seconds=5),
                    lease_until=utcnow() + timedelta(minutes=5),  # still leased: its owner is gone
                    claimed_by="dead-worker",
                )
            )

    def settled() -> bool:
        with bot.factory() as s:
            rows = s.scalars(
                select(OutboxMessage).where(OutboxMessage.destination.like("multicast:opp99%"))
            ).all()
            return all(r.status == "delivered" for r in rows)

    wait_until(settled, timeout=20)
    got = Counter(d.target for d in multicasts(line_api))
    assert got == Counter(first + second)  # each user once
    assert sorted(r.status for r in line_api.requests("/v2/bot/message/multicast")) == [200, 409]
