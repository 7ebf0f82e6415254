"""Personal data gone everywhere (issue 11 item 6, issue 12 item 15), end to end: a citizen
registers a group on LINE, a proposal and a handoff question reach Slack, staff take one item;
then 「データを削除」. The division's posts are edited to a notice, a later click posts nothing
about the group, and a scan of every text and JSON column of every table, and of the logs, finds
none of the citizen's ids or texts — after the deletion, and again after retention."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import JSON, String, Text, select

from bot.engine.retention import purge_expired
from bot.messaging import inbox, outbox
from bot.staff import messages as staff_msg
from bot.storage.db import Base, transaction, utcnow
from bot.storage.models import Group, Proposal, UnansweredQuestion
from handlers.slack import blocks
from tests.e2e.slack.conftest import LINE_SECRET
from tests.support.line_payloads import message_event, postback_event
from tests.support.loop import every_division_directory, line_sender, postback_data
from tests.support.servers import wait_until

CITIZEN = "U" + "5" * 32
NAME = "こがねい秘密の森の会"
DESCRIPTION = "秘密基地の近くで野川の清掃と自然観察会、川の生き物調査をしています"
CONTACT = "090-1357-2468"
PURPOSE = "秘密の川辺を市と一緒に守りたい"
GOAL = "秘密の目標として年内に十回の清掃"
QUESTION = "秘密の質問：団体の口座は市に登録できますか"
SECRETS = [CITIZEN, NAME, DESCRIPTION, CONTACT, PURPOSE, GOAL, QUESTION]


def scan(factory) -> list[str]:
    """Every text and JSON value of every table that contains a secret: 'table.column: secret'."""
    found = []
    with factory() as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if not cols:
                continue
            for row in s.execute(select(*cols)):
                for col, value in zip(cols, row, strict=True):
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    found += [f"{table.name}.{col.name}: {x[:20]}" for x in SECRETS if x in text]
    return found


_buttons = postback_data


@pytest.mark.db
def test_delete_my_data_leaves_nothing_in_slack_the_tables_or_the_logs(make_bot, slack_api, line_api, caplog):
    pytest.importorskip("matching")
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="handlers")
    directory = every_division_directory()
    bot = make_bot(directory=directory)
    line = line_sender(bot, line_api, LINE_SECRET)

    line(message_event("団体登録", CITIZEN))
    kinds = line(message_event(NAME, CITIZEN))
    line(postback_event(_buttons(kinds, "NPO法人"), CITIZEN))
    fields = line(message_event("環境", CITIZEN))
    line(postback_event(_buttons(fields, "次へ"), CITIZEN))
    line(message_event(DESCRIPTION, CITIZEN))
    listed = line(message_event(CONTACT, CITIZEN))
    notices = line(postback_event(_buttons(listed, "載せない"), CITIZEN))
    confirm = line(postback_event(_buttons(notices, "受け取らない"), CITIZEN))
    line(postback_event(_buttons(confirm, "登録する"), CITIZEN))
    posts = wait_until(lambda: [m for m in slack_api.posted() if NAME in m.text], timeout=30)

    # A proposal and a handoff question of the same citizen reach Slack too.
    with transaction(bot.factory) as s:
        g = s.scalars(select(Group).where(Group.name == NAME)).one()
        division = next(d for d in directory.by_id.values() if d.slack_channel == posts[0].channel)
        s.add(
            Proposal(
                reference="KY-2026-009999",
                group_id=g.id,
                group_name=NAME,
                channel="line",
                user_id=CITIZEN,
                division_id=division.id,
                division_name=division.name,
                purpose=PURPOSE,
                goal=GOAL,
                role_city="秘密の広報",
                role_group="秘密の運営",
            )
        )
        s.add(
            UnansweredQuestion(
                channel="line",
                user_id=CITIZEN,
                text=QUESTION,
                status="handoff",
                handoff_requested=True,
                handoff_requested_at=utcnow(),
            )
        )
    wait_until(lambda: [m for m in slack_api.posted() if "KY-2026-009999" in m.text], timeout=30)
    wait_until(lambda: [m for m in slack_api.posted() if QUESTION in m.text], timeout=30)
    everything = [m for m in slack_api.posted() if NAME in m.text or QUESTION in m.text]
    assert len(everything) >= len(posts) + 2

    values = [
        (m.channel, m.ts, [b for b in m.blocks if b["type"] == "actions"][0]["elements"][0]["value"])
        for m in posts
    ]

    # Staff take the first suggestion (a chat.update with the group's name, and a LINE push).
    first = posts[0]
    value = [b for b in first.blocks if b["type"] == "actions"][0]["elements"][0]["value"]
    assert bot.click(blocks.ACTION_TAKE, value, channel=first.channel, ts=first.ts).status_code == 200
    wait_until(lambda: slack_api.find(first.channel, first.ts).updates == 1)

    before = scan(bot.factory)
    assert {f.split(":")[0] for f in before} >= {
        "groups.name",
        "proposals.purpose",
        "outbox_messages.messages",
    }

    # 「データを削除」, confirmed.
    ask = line(message_event("データを削除", CITIZEN))
    done = line(postback_event(_buttons(ask, "削除する"), CITIZEN))
    assert "削除しました" in json.dumps(done, ensure_ascii=False)

    # Every post about the citizen is edited to the notice.
    def all_erased() -> bool:
        for m in everything:
            current = slack_api.find(m.channel, m.ts)
            if any(x in json.dumps([current.text, current.blocks], ensure_ascii=False) for x in SECRETS):
                return False
        return True

    wait_until(all_erased, timeout=30)
    notices = [slack_api.find(m.channel, m.ts).text for m in everything]
    assert staff_msg.ITEM_ERASED in notices and staff_msg.HANDOFF_ERASED in notices

    # A later click on any of the erased posts posts nothing about the group.
    calls_before = len(slack_api.calls)
    for channel, ts, value in values:
        for action in (blocks.ACTION_TAKE, blocks.ACTION_PASS, blocks.ACTION_DETAIL):
            assert bot.click(action, value, channel=channel, ts=ts).status_code == 200
    wait_until(
        lambda: len([c for c in slack_api.calls[calls_before:] if c.method == "chat.postEphemeral"]) >= 1
    )
    later = json.dumps([c.body for c in slack_api.calls[calls_before:]], ensure_ascii=False)
    assert not [x for x in SECRETS if x in later]
    assert not [c for c in slack_api.calls[calls_before:] if c.method in ("chat.postMessage", "views.open")]

    # Wait for the last delivery (the confirmation) to be recorded, then scan.
    wait_until(lambda: not scan(bot.factory), timeout=15)
    assert scan(bot.factory) == []
    logged = caplog.text
    assert not [x for x in SECRETS if x in logged]

    # Retention (40 days on) leaves nothing either, and blanks the rest of the old texts.
    with transaction(bot.factory) as s:
        later_now = utcnow() + timedelta(days=40)
        inbox.purge_payloads(s, before=later_now - timedelta(days=30))
        outbox.purge_messages(s, before=later_now - timedelta(days=30))
        purge_expired(s, later_now, timedelta(days=30))
    assert scan(bot.factory) == []
