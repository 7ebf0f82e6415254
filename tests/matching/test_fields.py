"""Field words as people write them resolve to the right one of the 20 fields."""

from __future__ import annotations

import pytest

import matching
from matching import Matcher


@pytest.mark.parametrize(
    ("word", "number"),
    [
        ("環境の保全を図る活動", 7),  # official wording
        ("環境保全", 7),  # short label
        ("7", 7),
        ("７", 7),  # full-width digit
        ("七", 7),
        ("環境保全活動", 7),  # label + 活動
        ("保健・医療・福祉", 1),
        ("福祉", 1),  # part of a label
        ("子どもの健全育成", 13),
        ("子供の健全育成", 13),  # 子供 for 子ども
        ("中間支援", 19),
        ("防災", 8),  # everyday word
        ("多文化共生", 11),
        ("食品ロス", 7),
        ("見守り", 1),
        ("不登校", 13),
        ("消費者", 18),
        # typos
        ("環境保善", 7),
        ("まちずくり", 3),
        ("国際協カ", 11),  # katakana カ for 力
        # hiragana and mixed spellings
        ("こそだて", 13),
        ("ぼうさい", 8),
        ("ちいき安全", 9),
        ("だんじょ共同参画", 12),
        ("かんきょう", 7),
        ("ボランティアのコーディネート", 19),
    ],
)
def test_resolve(word, number):
    field = matching.resolve_field(word)
    assert field is not None, word
    assert field.number == number


@pytest.mark.parametrize("word", ["", "   ", "あ", "ラーメン", "21", "0", "x" * 5000])
def test_unresolvable_words_give_none(word):
    assert matching.resolve_field(word) is None


def test_unknown_word_offers_closest_fields():
    m = Matcher.load()
    suggestions = m.suggest_fields("かんきょうほご")
    assert suggestions
    assert 7 in [f.number for f in suggestions]


def test_unknown_fields_reported_in_result_with_candidates():
    m = Matcher.load()
    r = m.match(matching.GroupProfile(description="公園の清掃", fields=["環境保全", "ラーメン研究"]))
    assert r.field_numbers == [7]
    assert r.fields == ["環境の保全を図る活動"]
    assert list(r.unknown_fields) == ["ラーメン研究"]
    assert all(isinstance(c, str) for c in r.unknown_fields["ラーメン研究"])
    assert r.matches[0].division_id == "kankyo-seisaku"


def test_several_fields_in_one_entry_are_split():
    m = Matcher.load()
    r = m.match(matching.GroupProfile(fields=["環境保全、まちづくり", "1,13", "保健・医療・福祉"]))
    assert r.field_numbers == [7, 3, 1, 13]
    assert r.unknown_fields == {}
