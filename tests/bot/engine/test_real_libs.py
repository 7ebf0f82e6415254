"""The engine over the real knowledge and matching libraries (not the stand-in)."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.services import Services
from bot.storage.models.conversation import UnansweredQuestion

from .conftest import Chat
from .test_flows import rows


@pytest.fixture(scope="module")
def real_services():
    return Services()


@pytest.fixture
def real(factory, real_services):
    return Chat(factory, real_services)


def test_real_answer_cites_the_guideline(real):
    real.say("協働って何？")
    assert real.last[0].sources and real.last[0].sources[0][0].startswith(("ch", "intro", "note"))
    assert {"はい", "いいえ"} <= set(real.labels())


def test_real_out_of_scope_is_logged_for_staff(real):
    real.say("今日の天気は？")
    assert "職員に質問を送る" in real.labels()
    (q,) = rows(real, UnansweredQuestion)
    assert q.reason and not q.handoff_requested


def test_real_eligibility_cites_chapter_2_2(real):
    real.say("対象チェック")
    for _ in range(4):
        real.tap("はい")
    assert "公序良俗に反しない活動" in real.texts()
    assert any(r.sources and r.sources[0][0] == "ch2-2" for r in real.last)


def test_real_fields_and_divisions(real):
    real.say("団体登録")
    real.say("野川の生きもの調査隊")
    real.tap("ボランティア団体")
    assert len(real.labels()) == 13  # 10 fields, 他の分野, 次へ, 戻る
    real.say("環境、子育て")
    assert "選択中: 環境保全、子どもの健全育成" in real.texts()
    assert "「子育て」は、分野「子どもの健全育成」として登録します" in real.texts()
    real.tap("次へ")
    real.say("野川の水辺で生きもの調査と観察会をしています")
    real.tap("省略する")
    real.tap("載せない")
    real.tap("受け取らない")
    real.tap("登録する")
    real.say("相談する")
    titles = [c.title for r in real.last for c in r.cards]
    assert "環境政策課" in titles
    assert all(len(c.actions) == 1 for r in real.last for c in r.cards)


def test_real_answer_offers_the_next_step(real):
    real.say("団体を登録するには？")
    assert "団体登録" in real.labels()
    real.say("企業も協働できますか")
    assert "対象チェック" in real.labels()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
def test_real_libraries_take_any_text_without_failing(real, caplog, text):
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        replies = real.say(text)
    assert 1 <= len(replies) <= 5
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]


def test_a_staff_faq_entry_answers_on_line_at_once(real, factory):
    """An entry staff add from Slack (App Home 「FAQに追加」) is used by the LINE conversation too."""
    from bot.storage.db import transaction
    from bot.storage.models import StaffFaqEntry

    question = "協働まつりの出店者説明会はいつですか"
    real.say(question)
    assert "職員に質問を送る" in real.labels()  # not in the shipped FAQ
    with transaction(factory) as s:
        s.add(
            StaffFaqEntry(
                question=question,
                phrasings=[question, "協働まつり 出店 説明会"],
                answer="協働まつりの出店者説明会は、例年6月に市民会館で開いています。",
                sources=["ch3-1"],
                created_by="U0STAFF",
            )
        )
    real.say(question)
    assert "市民会館" in real.last[0].text


def test_self_introduction_gets_the_answer_then_a_note_on_the_activity(real):
    """Issue 9: the question is answered, then what the group said is used: the divisions the
    matcher finds, and the two flows that take it further (offered on the last message, where
    LINE shows quick replies)."""
    real.say("子どもの見守りをしています。市と一緒にできますか")
    texts = [r.text for r in real.last]
    assert len(real.last) == 3, texts
    assert "課" in texts[1] and "関係しそう" in texts[1]
    assert not real.last[1].choices
    labels = real.labels()
    assert {"対象チェック", "相談する", "はい", "いいえ"} <= set(labels)
    assert len(labels) == len(set(labels))


def test_a_self_introduction_with_maybe_also_gets_the_note(real):
    # (「…市と一緒に何かできますか」 is now answered by the activity conditions: see the test above)
    real.say("私たちは公園の花壇の手入れをしているボランティアの会ですが、市とはどう付き合えばいいですか")
    assert any("もしかして" in r.text for r in real.last)
    assert any("関係しそう" in r.text for r in real.last)
    assert {"対象チェック", "相談する", "職員に質問を送る"} <= set(real.labels())


def test_a_plain_question_gets_no_activity_note(real):
    real.say("後援とは何ですか")
    assert len(real.last) == 2
    assert not any("関係しそう" in r.text for r in real.last)


def test_a_broken_matcher_costs_the_note_not_the_answer(factory, real_services, monkeypatch):
    chat = Chat(factory, real_services)

    def broken(*args, **kwargs):
        raise RuntimeError("directory unreadable")

    monkeypatch.setattr(real_services, "match", broken)
    chat.say("私たちは公園の花壇の手入れをしているボランティアの会ですが、市と一緒に何かできますか")
    assert chat.last[0].sources  # the answer itself
    assert any("公序良俗" in r.text or "対象" in r.text for r in chat.last)


def test_real_referral_names_the_window_and_offers_staff(real):
    """ボランティア保険 is not the guideline's: the reply names the volunteer centre, and the
    question is kept for staff as not answered."""
    real.say("ボランティア活動中にけがをしたら保険はありますか")
    assert "小金井ボランティア・市民活動センター" in real.texts()
    assert "職員に質問を送る" in real.labels()
    (q,) = rows(real, UnansweredQuestion)
    assert q.reason == "referral"


def test_real_several_questions_get_one_block_each(real):
    real.say("市外の団体でも大丈夫ですか？あとNPO法人じゃないとダメですか？")
    text = real.texts()
    assert "①" in text and "②" in text and "順にお答えします" in text
    assert {"はい", "いいえ"} <= set(real.labels())


def test_a_doubted_answer_picked_from_its_suggestions_is_one_question(real):
    """The verifier turns an answer into もしかして (reason "doubt"); picking the suggestion answers
    it, and the two messages are one question for the report, as with the rules' もしかして."""
    from bot.storage.models.conversation import Feedback
    from knowledge.answerer import Answerer
    from knowledge.verifier import Verifier

    answerer = Answerer.load()
    saved = answerer.verifier
    names = saved.names if saved is not None else ()
    answerer.verifier = Verifier(
        tuple(names), tuple(0.0 for _ in names), tuple(1.0 for _ in names), tuple(0.0 for _ in names), 30.0, 0.5
    )
    try:
        real.say("協働するときの原則のようなものはありますか")
        (q,) = rows(real, UnansweredQuestion)
        assert q.reason == "doubt" and q.suggestions
        pick = q.suggestions[0]
    finally:
        answerer.verifier = saved
    real.say(pick)
    (fb,) = rows(real, Feedback)
    assert fb.via_unanswered_id == q.id
