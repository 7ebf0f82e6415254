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
