"""Staff see a citizen's question in the original with a note of its language (issue 15): in the
handoff thread's first message and in the App Home lists of handoffs and unanswered questions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.staff import messages as msg
from bot.staff.lookups import HomeData
from bot.staff.views import HandoffView, language_note
from handlers.slack import blocks

ASKED = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_language_note_only_for_questions_not_in_japanese():
    assert language_note("協働とは何ですか") == ""
    assert language_note("How do I apply for a subsidy?") == msg.LANGUAGE_NOTES["en"]
    assert language_note("我想和市政府合作，怎么办？") == msg.LANGUAGE_NOTES["other"]


def test_handoff_shows_the_original_and_the_language():
    q = "Can our group borrow a room for English lessons?"
    post = json.dumps(blocks.handoff(HandoffView(1, q, ASKED)), ensure_ascii=False)
    assert q in post and msg.LANGUAGE_NOTES["en"] in post
    post = json.dumps(blocks.handoff(HandoffView(2, "会議室を借りたい", ASKED)), ensure_ascii=False)
    assert msg.LANGUAGE_NOTES["en"] not in post and msg.LANGUAGE_NOTES["other"] not in post


def test_home_lists_mark_english_questions():
    en, ja = "Where can I learn about kyodo?", "協働の窓口はどこですか"
    view = blocks.home(HomeData(None, [], [HandoffView(1, en, ASKED)], [(1, en, 2), (2, ja, 1)]))
    text = json.dumps(view, ensure_ascii=False)
    assert text.count(msg.LANGUAGE_NOTE_SHORT["en"] + en) == 2
    assert msg.LANGUAGE_NOTE_SHORT["en"] + ja not in text
