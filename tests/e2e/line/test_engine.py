"""End to end with the real conversation engine: what a citizen actually receives on LINE."""

from __future__ import annotations

from bot.engine import handle
from bot.engine import messages as M
from tests.support.line_payloads import (
    follow_event,
    message_event,
    postback_event,
    sticker_event,
    unfollow_event,
)
from tests.support.line_standin import check_messages
from tests.support.servers import wait_until


def _texts(delivery) -> str:
    return "\n".join(m.get("text", m.get("altText", "")) for m in delivery.messages)


def test_follow_greeting_is_delivered_with_quick_replies(make_bot, standin):
    bot = make_bot(handle=handle)
    ev = follow_event(user="U" + "a" * 32)
    assert bot.post_events(ev).status_code == 200
    d = wait_until(standin.deliveries)[0]
    assert d.kind == "reply" and d.target == ev["replyToken"]
    assert "協働ボット" in _texts(d)
    labels = [i["action"]["label"] for i in d.messages[-1]["quickReply"]["items"]]
    assert M.MENU_CHECK in labels and check_messages(d.messages) == []


def test_question_is_answered_with_its_source(make_bot, standin):
    bot = make_bot(handle=handle)
    bot.post_events(message_event("協働とは何ですか", user="U" + "b" * 32))
    d = wait_until(standin.deliveries)[0]
    text = _texts(d)
    assert "協働" in text and "第2章" in text
    assert M.WAS_IT_HELPFUL in text  # feedback buttons come with every answer
    assert standin.rejected() == []


def test_sticker_gets_a_polite_request_for_text(make_bot, standin):
    bot = make_bot(handle=handle)
    bot.post_events(sticker_event(user="U" + "c" * 32))
    d = wait_until(standin.deliveries)[0]
    assert "文字で" in _texts(d) and "ください" in _texts(d)


def test_eligibility_check_by_postback_round_trip(make_bot, standin):
    """The first question's buttons carry postback data; sending it back moves the flow on."""
    bot = make_bot(handle=handle)
    user = "U" + "d" * 32
    bot.post_events(message_event(M.MENU_CHECK, user=user))
    first = wait_until(standin.deliveries)[0]
    yes = next(
        i["action"] for i in first.messages[-1]["quickReply"]["items"] if i["action"]["label"] == M.YES
    )
    bot.post_events(postback_event(yes["data"], user=user))
    second = wait_until(lambda: standin.deliveries()[1:])[0]
    assert "2/4" in _texts(second)


def test_unfollow_sends_nothing(make_bot, standin):
    bot = make_bot(handle=handle)
    bot.post_events(unfollow_event(user="U" + "e" * 32), message_event("こんにちは", user="U" + "f" * 32))
    wait_until(standin.deliveries)
    assert [d.target for d in standin.deliveries() if d.kind == "push"] == []
    assert len(standin.deliveries()) == 1
