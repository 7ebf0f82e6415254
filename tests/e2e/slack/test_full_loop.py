"""The whole loop with the real engine, registry and matcher: a citizen registers a group on LINE
(signed webhooks to the app, replies to the LINE stand-in) -> the matched divisions get the
suggestion in Slack -> a member of staff clicks 「担当する」 -> the citizen gets a LINE push."""

from __future__ import annotations

import pytest

from handlers.slack import blocks
from tests.e2e.slack.conftest import LINE_SECRET
from tests.support.line_payloads import message_event, postback_event
from tests.support.loop import every_division_directory, line_sender, postback_data
from tests.support.servers import wait_until

CITIZEN = "U" + "7" * 32


def test_register_on_line_then_take_in_slack_then_line_push(make_bot, slack_api, line_api):
    pytest.importorskip("matching")
    directory = every_division_directory()
    bot = make_bot(directory=directory)
    line = line_sender(bot, line_api, LINE_SECRET)
    data_of = postback_data

    line(message_event("団体登録", CITIZEN))
    kinds = line(message_event("小金井みどりの会", CITIZEN))
    fields = line(postback_event(data_of(kinds, "NPO法人"), CITIZEN))
    fields = line(message_event("環境", CITIZEN))
    line(postback_event(data_of(fields, "次へ"), CITIZEN))
    line(message_event("野川の清掃と自然観察会、川の生き物調査をしています", CITIZEN))
    listed = line(message_event("090-1234-5678", CITIZEN))
    notices = line(postback_event(data_of(listed, "載せない"), CITIZEN))
    confirm = line(postback_event(data_of(notices, "受け取らない"), CITIZEN))
    line(postback_event(data_of(confirm, "登録する"), CITIZEN))

    # Slack: the matched divisions each get one message with the three buttons.
    posts = wait_until(lambda: [m for m in slack_api.posted() if "小金井みどりの会" in m.text], timeout=30)
    post = posts[0]
    actions = [b for b in post.blocks if b["type"] == "actions"][0]
    assert [e["text"]["text"] for e in actions["elements"]] == ["担当する", "見送る", "詳細"]
    division = next(d for d in directory.by_id.values() if d.slack_channel == post.channel)

    pushes_before = len([d for d in line_api.deliveries() if d.kind == "push"])
    r = bot.click(blocks.ACTION_TAKE, actions["elements"][0]["value"], channel=post.channel, ts=post.ts)
    assert r.status_code == 200
    push = wait_until(
        lambda: [d for d in line_api.deliveries() if d.kind == "push"][pushes_before:], timeout=20
    )[0]
    assert push.target == CITIZEN
    assert f"{division.name}が担当することになりました" in push.messages[0]["text"]
    wait_until(lambda: slack_api.find(post.channel, post.ts).updates == 1)
