"""Small pure pieces of the staff side, checked directly rather than only end to end: which events
are durable, the FAQ form's checks, what a losing click is told."""

from __future__ import annotations

from bot.staff import decisions
from bot.staff import events as slack_events
from bot.staff import faq as staff_faq
from bot.staff import messages as msg


def test_durable_events_are_mentions_and_replies_in_staff_threads():
    reply = {"type": "message", "channel": "CSTAFF", "thread_ts": "1.0", "ts": "2.0", "text": "はい"}
    assert slack_events.needs_work({"type": "app_mention", "text": "<@UBOT> 質問"}, "CSTAFF")
    assert slack_events.needs_work(reply, "CSTAFF")
    assert slack_events.needs_work({**reply, "channel": "COTHER"}, "")  # no staff channel yet
    assert not slack_events.needs_work({**reply, "channel": "COTHER"}, "CSTAFF")
    assert not slack_events.needs_work({**reply, "thread_ts": "2.0"}, "CSTAFF")  # thread parent
    assert not slack_events.needs_work({**reply, "thread_ts": None}, "CSTAFF")
    assert not slack_events.needs_work({**reply, "bot_id": "B1"}, "CSTAFF")
    assert not slack_events.needs_work({**reply, "subtype": "message_changed"}, "CSTAFF")


def test_faq_form_errors():
    def errors(q: str, a: str) -> dict[str, str]:
        return staff_faq.faq_form_errors(q, a, question_max=5, answer_max=10)

    assert errors("質問", "回答") == {}
    assert errors("", "") == {"question": msg.FAQ_INVALID_QUESTION, "answer": msg.FAQ_INVALID_ANSWER}
    assert errors("質問です長い", "回答" * 6) == {
        "question": msg.FAQ_TOO_LONG.format(limit=5, count=6),
        "answer": msg.FAQ_TOO_LONG.format(limit=10, count=12),
    }


def test_decision_notice_tells_the_loser_who_won():
    assert decisions.decision_notice(decisions.Decision(won=True, winner_name="山田")) is None
    assert decisions.decision_notice(decisions.Decision(won=False, gone=True)) == msg.ITEM_GONE
    assert decisions.decision_notice(
        decisions.Decision(won=False, winner_name="山田")
    ) == msg.ALREADY_DECIDED.format(name="山田")
    assert decisions.decision_notice(decisions.Decision(won=False)) == msg.ALREADY_DECIDED_UNKNOWN
