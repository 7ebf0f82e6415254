"""Answers, abstention and robustness of the answerer."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import Answer, Answerer
from knowledge.answerer import MAX_QUESTION_CHARS, MAX_SUGGESTIONS

CONTACT = "小金井市 市民部 コミュニティ文化課"  # the shipped city.yaml's desk (contacts.yaml)

# -- the fixture data: mechanism tests independent of the shipped content ---------------------------


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("協働とは", "about-kyodo"),
        ("きょうどうってなに", "about-kyodo"),
        ("市の名前を使いたい", "form-kouen"),
        ("ほじょきんはありますか", "form-hojo"),
        ("会社でも協働できる？", "target-company"),
    ],
)
def test_fixture_answers(fixture_answerer, question, faq_id):
    a = fixture_answerer.answer(question)
    assert a.answered and a.faq_id == faq_id, a


def test_answer_shape(fixture_answerer):
    a = fixture_answerer.answer("協働の形態は？")
    assert a.answered and a.reason == "answered"
    assert a.text.startswith("後援、共催")
    assert a.text.endswith("（出典：協働推進基本指針 第2章(4)「協働の形態」）")
    assert [s.id for s in a.sources] == ["ch2-4"]
    assert a.suggestions == ["後援とは何ですか？", "補助とは何ですか？", "共催とは何ですか？"]
    assert 0 < a.score <= 2


def test_note_only_source_is_cited_as_reference(fixture_answerer):
    a = fixture_answerer.answer("協働の問い合わせ先はどこですか")
    assert a.faq_id == "contact"
    assert a.text.endswith("（参考：小金井市の協働の窓口）")


def test_entry_and_section_lookup(fixture_answerer):
    assert fixture_answerer.entry("form-hojo").question == "補助とは何ですか？"
    assert fixture_answerer.entry("nope") is None
    assert fixture_answerer.section("ch2-4").title == "第2章(4) 協働の形態"
    assert len(fixture_answerer.entries) == 9


def test_load_is_cached_and_extra_faq_is_not(fixture_answerer):
    from tests.knowledge.conftest import FIXTURE_DATA

    assert Answerer.load(FIXTURE_DATA) is fixture_answerer
    extra = {
        "id": "staff-room",
        "category": "env",
        "question": "会議室を借りられますか？",
        "phrasings": ["会議室 予約", "集会室を使いたい"],
        "answer": "公民館などの施設をご利用ください。",
        "sources": ["note-contact"],
    }
    other = Answerer.load(FIXTURE_DATA, extra_faq=[extra])
    assert other is not fixture_answerer
    assert other.answer("会議室を借りたい").faq_id == "staff-room"


# -- the shipped data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("協働とは", {"about-kyodo"}),
        ("協働とは何ですか？", {"about-kyodo"}),
        ("後援してもらうにはどうすればいいですか", {"form-kouen", "form-procedure", "kouen-apply"}),
        ("補助金はもらえますか", {"form-hojo", "env-funding"}),
        ("企業も協働できますか", {"target-company"}),
        ("宗教団体でも協働できる？", {"target-religion"}),
        ("問い合わせ先はどこですか", {"contact"}),
        ("共催とは", {"form-kyosai"}),
    ],
)
def test_key_answers(answerer, question, expect):
    a = answerer.answer(question)
    assert a.answered and a.faq_id in expect, a
    assert a.sources and "（出典：" in a.text or "（参考：" in a.text


@pytest.mark.parametrize(
    "question",
    [
        "ごみの出し方を教えてください",
        "住民票の写しがほしい",
        "保育園の申し込み",
        "明日の天気は？",
        "ふぁｓｄｆｇｈじぇｒ",
        "市役所の駐車場は何時まで",
        "🐶🐱",
    ],
)
def test_out_of_scope_declined(answerer, question):
    a = answerer.answer(question)
    assert not a.answered
    assert a.faq_id is None and a.sources == []
    if a.reason == "out_of_scope":
        assert CONTACT in a.text and "協働" in a.text


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("\u200b\u200b", "empty"),
        ("😀😀😀", "no_text"),
        ("？！…", "no_text"),
        ("あ" * (MAX_QUESTION_CHARS + 1), "too_long"),
        ("協働" * 6000, "too_long"),
    ],
)
def test_bad_input(answerer, question, reason):
    a = answerer.answer(question)
    assert a.reason == reason and not a.answered and a.text


@pytest.mark.parametrize(
    "question",
    [
        "<script>alert('協働')</script>",
        "'; DROP TABLE faq; --",
        "SELECT * FROM users WHERE id = 1 OR 1=1",
        "\x00\x01協働\x7f",
        "ｷｮｳﾄﾞｳ",
        "\ufeff協働とは\u202e",
        "協働とは" + "\n" * 50,
    ],
)
def test_adversarial_never_crash(answerer, question):
    a = answerer.answer(question)
    assert isinstance(a, Answer) and a.text


def _check(a: Answer) -> None:
    assert isinstance(a.answered, bool)
    assert isinstance(a.text, str) and a.text.strip()
    assert len(a.text) <= 1000
    assert len(a.suggestions) <= MAX_SUGGESTIONS
    assert a.answered == (a.reason == "answered")
    assert (a.faq_id is not None) == a.answered
    d = a.to_dict()
    # the original contract first; fields added later (faq_id, reason, kind, activity) follow it
    assert list(d)[:5] == ["answered", "text", "sources", "score", "suggestions"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_answered_safely(answerer, text):
    _check(answerer.answer(text))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "協働",
                "後援",
                "ほじょ",
                "ｷｮｳｻｲ",
                "市",
                "の",
                "とは",
                "？",
                "😀",
                " ",
                "ごみ",
                "ＮＰＯ",
                "企業",
                "ー",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_domain_word_soup_is_answered_safely(answerer, text):
    _check(answerer.answer(text))


def test_built_index_cache_follows_the_data(tmp_path, monkeypatch):
    """The cached answerer is reused only while the data is unchanged; a broken cache is ignored."""
    import shutil

    from tests.knowledge.conftest import FIXTURE_DATA

    monkeypatch.setenv("KYODO_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    monkeypatch.setattr(Answerer, "_cache", {})
    first = Answerer.load(data).answer("補助とは")
    assert first.faq_id == "form-hojo"
    stored = list((tmp_path / "cache").glob("tokens-*.json"))
    assert stored and not list((tmp_path / "cache").glob("*.pickle"))
    from knowledge.tokencache import TokenCache

    key = stored[0].stem.removeprefix("tokens-")
    assert len(TokenCache(key)._memo) > 10  # the stored file is read back
    legacy = tmp_path / "cache" / "answerer-0123.pickle"  # written by earlier versions
    legacy.write_bytes(b"x")

    faq = data / "faq.yaml"
    faq.write_text(
        faq.read_text(encoding="utf-8").replace("経費の一部を支出", "費用の一部を負担"), encoding="utf-8"
    )
    monkeypatch.setattr(Answerer, "_cache", {})
    assert "費用の一部を負担" in Answerer.load(data).answer("補助とは").text
    assert not legacy.exists()  # never read, and removed when a new cache file is written

    # corrupt, truncated or wrongly shaped files are ignored (and replaced)
    for content in (
        "not json",
        '{"format": 5',
        "[]",
        '{"format": 5, "key": 1, "tokens": [[1]], "texts": {}}',
    ):
        for f in (tmp_path / "cache").glob("tokens-*.json"):
            f.write_text(content, encoding="utf-8")
        monkeypatch.setattr(Answerer, "_cache", {})
        assert "費用の一部を負担" in Answerer.load(data).answer("補助とは").text


def test_token_cache_rejects_malformed_tokens():
    from knowledge.analysis import Token
    from knowledge.tokencache import dump, parse

    memo = {"協働とは": (Token("協働", "協働", "きようどう", "名詞", False, True, False, (1,)),)}
    good = json.loads(json.dumps(dump(memo, "k")))
    assert parse(good, "k") == memo
    with pytest.raises(ValueError):
        parse(good, "other-key")
    for bad_token in (
        ["協働", "協働", "きょうどう", "名詞", 0, True, False, []],
        ["協働", "協働", "きょうどう", "名詞", False, True, False, ["1"]],
        ["協働", "協働", "きょうどう", "名詞", False, True, False],
    ):
        with pytest.raises(ValueError):
            parse({**good, "tokens": [bad_token]}, "k")
    for bad_ids in ([1], [-1], ["0"], 0):
        with pytest.raises(ValueError):
            parse({**good, "texts": {"協働とは": bad_ids}}, "k")


def test_read_only_cache_directory_still_answers(tmp_path, monkeypatch):
    """A cache directory that cannot be written (read-only filesystem) only costs time."""
    from tests.knowledge.conftest import FIXTURE_DATA

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")  # (a chmod would not stop root, who runs CI containers)
    monkeypatch.setenv("KYODO_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(Answerer, "_cache", {})
    assert Answerer.load(FIXTURE_DATA).answer("補助とは").faq_id == "form-hojo"


@pytest.mark.parametrize(
    ("text", "reason"),
    [("こんにちは", "greeting"), ("ｺﾝﾆﾁﾊ！", "greeting"), ("ありがとうございました😊", "thanks")],
)
def test_small_talk_gets_a_friendly_reply(fixture_answerer, text, reason):
    a = fixture_answerer.answer(text)
    assert a.reason == reason and not a.answered and "申し訳" not in a.text


def test_small_talk_is_matched_whole(fixture_answerer):
    assert fixture_answerer.answer("history").reason != "greeting"


@pytest.mark.parametrize(
    ("message", "expect"),
    [
        (
            "先月から地域で清掃活動をしています。参加者は20人ほどで、毎月第一日曜日に集まっています。"
            "今度のイベントについて、市の後援をもらうにはどうすればいいですか？",
            {"form-kouen", "form-procedure", "kouen-apply"},
        ),
        (
            "私たちは高齢者の見守りをしているボランティアグループです。会員は15人ほどで、会費で運営しています。"
            "法人格はありませんが、市と協働できますか？",
            {"target-npo-required", "target-groups"},
        ),
    ],
)
def test_long_message_is_read_as_context_and_question(answerer, message, expect):
    a = answerer.answer(message)
    assert a.answered and a.faq_id in expect, a


def test_answering_from_several_threads(answerer):
    """Web handlers may answer from a thread pool: Sudachi tokenizers must not be shared."""
    from concurrent.futures import ThreadPoolExecutor

    questions = ["協働とは", "後援と共催の違いは？", "補助金はもらえますか", "ごみの出し方"] * 100
    expected = [answerer.answer(q).faq_id for q in questions]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda q: answerer.answer(q).faq_id, questions))
    assert got == expected
