"""Query understanding: synonyms, readings, fuzzy corrections (on the fixture vocabulary)."""

from __future__ import annotations

import pytest

from knowledge.analysis import terms, tokenize


def test_content_words_only():
    assert terms("協働とは何ですか？") == ("協働",)
    assert "を" not in terms("補助金を教えてください")
    # Sudachi's normalized form unifies spelling variants
    assert terms("行なう") == terms("行う")
    assert terms("ＮＰＯ法人") == terms("NPO法人")


@pytest.mark.parametrize(
    ("text", "term", "how"),
    [
        ("お金を出してほしい", "補助", "synonym"),
        ("おかねをだして", "補助", "synonym"),  # variants are matched on folded text
        ("市の名前を使いたい", "後援", "synonym"),
        ("協同とは", "協働", "協同"),  # homophone slip sharing a character
        ("きょうどうってなに", "協働", None),  # hiragana typed without conversion
        ("ほじょきんはありますか", "補助金", None),  # unsegmentable hiragana run
        ("共際したい", "共催", "共際"),  # one wrong kanji
        ("コウエン", "後援", None),
    ],
)
def test_corrections(fixture_answerer, text, term, how):
    q = fixture_answerer.analyzer.analyze(text)
    assert term in q.weights, q
    if how:
        assert how in q.added.get(term, ""), q


def test_paraphrase_replaces_its_words(fixture_answerer):
    q = fixture_answerer.analyzer.analyze("市の名前を使いたい")
    assert set(q.weights) == {"後援"}
    assert q.unknown == []


@pytest.mark.parametrize("text", ["公園の予約", "児童手当の申請", "実際どう？"])
def test_real_words_are_not_corrected(fixture_answerer, text):
    q = fixture_answerer.analyzer.analyze(text)
    assert "後援" not in q.weights and "相手" not in q.weights and "実施" not in q.weights


def test_unknown_words_are_reported(fixture_answerer):
    q = fixture_answerer.analyzer.analyze("住民票の写しがほしい")
    assert "住民票" in q.unknown


def test_tokenize_total():
    assert tokenize("") == []
    assert [t.content for t in tokenize("😀")] == [False] or tokenize("😀")


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("ｷｮｳﾄﾞｳ ﾄﾊ ﾅﾝﾃﾞｽｶ", "about-kyodo"),  # half-width katakana sentence, read as kana
        ("ｺｳｴﾝ ﾄ ｷｮｳｻｲ ﾉ ﾁｶﾞｲ", "form-kouen-vs-kyosai"),
        ("🌸後援🌸してほしい🌸", "form-kouen"),  # pictographs split words apart
        ("捕助金の種類", "form-hojo"),  # a wrong kanji next to a real word (捕 + 助金)
        ("協働の原側を知りたい", "principle-list"),  # reading uninformative: the FAQ's usual word
        ("協働の相棒になれる団体は？", "target-groups"),
        ("催共とは", "form-kyosai"),  # two neighbouring kanji swapped
        ("きょーどーってなに", "about-kyodo"),  # casual long vowels in hiragana
        ("企業モ協働デキマスカ", "target-company"),  # kanji with katakana grammar
        ("ぼらんてぃあだんたいでもいい？", "target-npo-required"),  # a katakana word typed in hiragana
        ("協働の景背", "bg-social"),  # Sudachi synonym group: 相棒 ~ パートナー
    ],
)
def test_mechanisms_on_shipped_data(question, expect):
    """What the query mechanisms find, answered by the rules (the verifier, a second opinion on
    top of them, may still turn a short typo into もしかして: tests/knowledge/test_verifier.py)."""
    from knowledge import Answerer

    answerer = Answerer.load()
    saved, answerer.verifier = answerer.verifier, None
    try:
        a = answerer.answer(question)
    finally:
        answerer.verifier = saved
    assert a.answered and a.faq_id == expect, a


def test_katakana_sentence_and_symbols():
    from knowledge.normalize import drop_symbols, is_katakana_sentence, normalize

    assert is_katakana_sentence(normalize("ｷｮｳﾄﾞｳ ﾄﾊ"))
    assert not is_katakana_sentence("ボランティアとは")
    assert drop_symbols("後援🌸してほしい🙆") == "後援 してほしい"
    assert drop_symbols("（汗）補助金ほしいwww") == "補助金ほしい"
    assert drop_symbols("www.example.com") == "www.example.com"


def test_long_vowels_spelt_out_in_hiragana_only():
    from knowledge.normalize import spell_out_long_vowels

    assert spell_out_long_vowels("こーえんってなに") == "こうえんってなに"
    assert spell_out_long_vowels("センターの場所") == "センターの場所"


def test_known_word_modifying_an_unknown_head_is_weak_evidence():
    """ロボット is the head of 協働ロボット: a question about robots, not about 協働."""
    from knowledge import Answerer

    answerer = Answerer.load()
    assert not answerer.answer("協働ロボットの導入").answered
    q = answerer.analyzer.analyze("協働ロボットの導入")
    assert "協働" in q.modifiers


def test_aspect_words_do_not_count_against_the_domain():
    from knowledge import Answerer

    answerer = Answerer.load()
    a = answerer.answer("協働の種類")
    assert a.answered and a.faq_id == "form-list"
    assert not answerer.answer("住民票の手順").answered


def test_a_synonym_inside_a_longer_one_does_not_match():
    from knowledge import Answerer

    q = Answerer.load().analyzer.analyze("NPO法人の定款")
    assert not any(how.endswith(":npo法") for how in q.added.values())


def test_focus_sentence_of_a_long_message():
    from knowledge.query import focus_sentence

    assert focus_sentence("協働とは") is None
    text = "町内で夏祭りを企画しています。毎年たくさんの人が来てくれて、子どもから高齢の方まで楽しみにしています。市の後援はもらえますか？"
    assert focus_sentence(text) == "市の後援はもらえますか？"
    # an asking sentence without a topic of its own is joined to the one before it
    text = "地域の清掃をしているグループです。市の人から協働の原則という言葉を聞きましたが、よく分かっていません。ざっくり教えてもらえますか。"
    assert focus_sentence(text, lambda s: "原則" in s or "清掃" in s).startswith("市の人から")


def test_long_message_decided_by_its_question():
    """Context about a summer festival must not drown a clear question about co-hosting."""
    from knowledge import Answerer

    a = Answerer.load().answer(
        "商店会で秋の音楽イベントを計画しています。これまでは会員だけで準備してきましたが、"
        "今回は市にも加わってほしいと考えています。市と一緒に主催することはできますか？"
    )
    assert a.answered and a.faq_id == "form-kyosai", a


def test_words_only_the_answers_use_are_weak_evidence():
    """販売 appears in the knowledge base's text, but no question is about it: it counts less as
    evidence that a question (委託販売のやり方, consignment sales) is about 協働."""
    import dataclasses

    from knowledge import Answerer

    answerer = Answerer.load()
    assert "販売" in answerer.vocabulary and "販売" not in answerer._key_terms
    weighted = answerer.analyze("盆踊りの屋台の販売").domain
    saved = answerer.weights
    try:
        answerer.weights = dataclasses.replace(saved, background_weight=1.0)
        assert weighted < answerer.analyze("盆踊りの屋台の販売").domain
    finally:
        answerer.weights = saved


def test_polite_request_does_not_steer_spelling_similarity():
    from knowledge.answerer import strip_request

    assert strip_request("協働の原則について詳しく教えていただけますでしょうか") == "協働の原則"
    assert strip_request("補助金を知りたいです。よろしくお願いします。") == "補助金"
    assert strip_request("教えて") == "教えて"  # nothing else would remain
    assert strip_request("すみません、後援と共催の違い") == "後援と共催の違い"


def test_corrections_are_applied_to_the_text_compared_by_spelling():
    from knowledge import Answerer

    q = Answerer.load().analyzer.analyze("自冶会の役員です")
    assert ("自冶会", "自治会") in q.corrections
    assert q.corrected("自冶会の役員です") == "自治会の役員です"


@pytest.mark.parametrize("question", ["市役所", "小金井市", "申請"])
def test_civic_words_alone_are_not_answered(question):
    """Words every city question uses name no topic: offer candidates rather than guess."""
    from knowledge import Answerer

    assert not Answerer.load().answer(question).answered


def test_short_question_about_someone_that_asks_something_else_is_not_answered():
    from knowledge import Answerer

    answerer = Answerer.load()
    assert not answerer.answer("宗教団体の勧誘を断りたい").answered
    a = answerer.answer("宗教団体でも大丈夫？")
    assert a.answered and a.faq_id == "target-religion"


def test_unsure_with_unknown_words_also_says_where_else_to_ask():
    from knowledge import Answerer, messages

    a = Answerer.load().answer("今日の晩ご飯なにがいいかな")
    assert not a.answered
    if a.reason == "unsure":
        assert a.text.endswith(messages.UNSURE_ELSE.format(desk="小金井市 市民部 コミュニティ文化課"))
