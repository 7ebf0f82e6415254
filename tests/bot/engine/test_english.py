"""English users in the conversation engine (issue 15): the 「English」/「日本語」 switch, the
profile language, English answers with English buttons; the flows stay Japanese for now."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.engine import messages as M
from bot.engine import messages_en as EN
from bot.engine.retention import erased_id
from bot.engine.services import Services
from bot.storage.db import transaction
from bot.storage.models.conversation import ChatUser, UnansweredQuestion

from .conftest import Chat
from .test_flows import rows


@pytest.fixture(scope="module")
def real_services():
    return Services()


@pytest.fixture
def real(factory, real_services):
    return Chat(factory, real_services)


def _language(chat: Chat) -> str | None:
    with transaction(chat.factory) as session:
        user = session.scalars(select(ChatUser).where(ChatUser.user_id == chat.user_id)).one()
        return user.language


def test_english_question_gets_english_answer_and_buttons(real):
    real.say("What is kyodo?")
    assert real.last[0].text.startswith("Kyōdō (協働) means")
    assert real.last[0].sources and "(第2章(1)" in real.last[0].sources[0][1]
    assert real.last[1].text == EN.WAS_IT_HELPFUL
    assert {"Yes", "No"} <= set(real.labels())
    assert _language(real) is None  # one English message does not change the user's language
    real.tap("Yes")
    assert real.texts() == M.FEEDBACK_THANKS_YES


def test_english_decline_offers_staff_in_english(real):
    real.say("How do I renew my visa?")
    assert real.texts().startswith("Sorry, I cannot answer this question.")
    assert EN.OFFER_STAFF in real.texts()
    assert EN.ASK_STAFF in real.labels() and "What is kyodo?" in real.labels()
    (q,) = rows(real, UnansweredQuestion)
    assert q.text == "How do I renew my visa?"  # staff see the question as written
    real.tap(EN.ASK_STAFF)
    # the confirmation and the receipt are still in Japanese (the flows' English is left for later)
    assert real.texts() == M.HANDOFF_CONFIRM.format(question="How do I renew my visa?")
    real.tap(M.HANDOFF_SEND)
    assert real.texts().startswith(M.HANDOFF_DONE.split("「")[0])


def test_switch_to_english_and_back(real):
    real.say("English")
    assert real.texts() == EN.SWITCHED_TO_ENGLISH
    assert _language(real) == "en"
    assert real.labels()[:3] == ["What is kyodo?", "Eligibility check", "Register a group"]
    real.say("hello")
    assert real.texts() == EN.HELLO_REPLY
    real.say("NPO")  # ambiguous text: the user's language decides
    assert real.texts() == EN.MAYBE and "What is an NPO?" in real.labels()
    real.say("kyoudou towa")
    assert real.last[0].text.startswith("Kyōdō (協働) means")
    real.say("日本語")
    assert real.texts() == EN.SWITCHED_TO_JAPANESE and _language(real) == "ja"
    real.say("NPO")
    assert real.last[0].text.startswith("NPOは")
    assert M.MENU_ABOUT in [c.label for c in real.last[-1].choices] or real.last[1].text == M.WAS_IT_HELPFUL


def test_english_menu_starts_the_japanese_flow(real):
    real.say("English")
    real.tap("Eligibility check")  # sends the command the engine understands
    assert real.labels() and "はい" in real.labels()


def test_switch_inside_a_flow_keeps_the_flow(real):
    real.say("対象チェック")
    real.say("English")
    assert real.texts() == EN.SWITCHED_TO_ENGLISH and not real.labels()
    real.tap("はい") if "はい" in real.labels() else real.say("はい")
    assert "はい" in real.labels() or "対象" in real.texts()


def test_profile_language_sets_english_greeting(factory, real_services):
    chat = Chat(factory, real_services, user_id="U" + "e" * 32)
    chat.send("follow", language="en-US")
    assert chat.texts() == EN.GREETING
    assert _language(chat) == "en"
    chat.say("help")
    assert chat.texts() == EN.HELP


def test_profile_language_other_or_japanese(factory, real_services):
    chat = Chat(factory, real_services, user_id="U" + "f" * 32)
    chat.send("follow", language="ko")
    city = real_services.city()
    assert chat.texts() == M.GREETING.format(city=city.name, guideline=city.guideline)
    assert _language(chat) is None
    chat.say("English")
    chat.send("follow", language="ja")  # a choice the user made wins over the profile
    assert _language(chat) == "en"


def test_other_language_gets_the_bilingual_line(real):
    real.say("协働是什么？")
    assert "This bot answers in Japanese and English" in real.texts()
    assert "このボットは日本語と英語でお答えします" in real.texts()


def test_data_deletion_forgets_the_language(real):
    real.say("English")
    assert _language(real) == "en"
    real.say("What is kyodo?")  # a question on record: there is something to delete
    real.say(M.MENU_DELETE_DATA)
    real.tap(M.DATA_DELETE)
    with transaction(real.factory) as session:
        # the row no longer names the user (a digest stands in), and keeps no language
        assert session.scalars(select(ChatUser).where(ChatUser.user_id == real.user_id)).first() is None
        kept = session.scalars(select(ChatUser).where(ChatUser.user_id == erased_id("line", real.user_id))).one()
        assert kept.language is None and kept.deleted_at is not None
