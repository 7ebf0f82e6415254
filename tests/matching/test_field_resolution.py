"""Field words resolved with their status (issue 12 item 1): what was chosen and how sure it is."""

from __future__ import annotations

import pytest

import matching
from matching import Matcher
from matching.fields import AMBIGUOUS, EXACT, GUESS, NONE


def one(text: str):
    r = matching.resolve_fields(text)
    assert len(r.parts) == 1, r
    return r.parts[0]


@pytest.mark.parametrize(
    ("word", "number", "how"),
    [
        ("環境の保全を図る活動", 7, "name"),
        ("環境保全", 7, "label"),
        ("福祉", 1, "label"),
        ("7", 7, "number"),
        ("七", 7, "number"),
        ("子育て", 13, "word"),
        ("学習支援", 13, "word"),
    ],
)
def test_exact_hits_say_how(word, number, how):
    r = one(word)
    assert r.status == EXACT
    assert r.field.number == number
    assert r.candidates[0].how == how
    assert not r.needs_confirmation


def test_a_synonym_says_what_it_was_stored_as():
    r = one("学習支援")
    assert r.is_synonym
    assert r.message() == "「学習支援」は「子どもの健全育成」の分野として登録します。"
    assert one("環境保全").message() is None  # a label needs no word


@pytest.mark.parametrize(
    ("word", "number", "matched"),
    [
        ("将棋", 6, "将棋"),  # was 経済活動 (しょうぎ read close to しょうぎょう)
        ("将棋教室", 6, "将棋"),
        ("囲碁", 6, "囲碁"),
        ("地域猫", 7, "地域猫"),
        ("まちずくり", 3, "まちづくり"),  # typo
        ("ちいき安全", 9, "地域安全"),  # other kana
        ("食育", 1, "食育"),
    ],
)
def test_guesses_name_the_word_and_ask(word, number, matched):
    r = one(word)
    assert r.status == GUESS, r
    assert r.field.number == number
    assert r.candidates[0].word == matched
    assert r.needs_confirmation
    assert "よろしいですか" in r.message()
    assert matching.resolve_field(word).number == number  # the old API keeps working


def test_a_guess_from_a_word_inside_says_which_word():
    assert (
        one("将棋教室").message()
        == "「将棋教室」は、「将棋」から「学術・文化・芸術・スポーツ」の分野と考えました。よろしいですか？"
    )


def test_several_candidates():
    r = one("子ども食堂と高齢者の配食")
    assert r.status == AMBIGUOUS
    assert {c.field.number for c in r.candidates} == {1, 13}
    assert r.field is None
    assert matching.resolve_field("子ども食堂と高齢者の配食") is None
    assert "選んでください" in r.message()


@pytest.mark.parametrize("word", ["ラーメン", "ラーメン研究", "ほげ", "しょうぎ", "料理", "21", "x" * 500])
def test_nothing_fits_means_no_guess(word):
    r = one(word)
    assert r.status == NONE
    assert r.candidates == ()
    assert r.field is None
    assert "見つかりませんでした" in r.message()
    assert matching.resolve_field(word) is None


def test_several_fields_in_one_text():
    r = matching.resolve_fields("食育、貧困")
    assert [p.text for p in r.parts] == ["食育", "貧困"]
    assert all(p.status == GUESS for p in r.parts)
    assert [f.number for f in r.guessed] == [1]
    assert r.needs_confirmation
    r = matching.resolve_fields("環境保全、子育て と まちづくり")
    assert [f.number for f in r.fields] == [7, 13, 3]
    r = matching.resolve_fields("環境と福祉")
    assert [f.number for f in r.fields] == [7, 1]
    r = matching.resolve_fields("1,13")
    assert [f.number for f in r.fields] == [1, 13]
    r = matching.resolve_fields("保健、医療又は福祉の増進を図る活動、学術・文化・芸術・スポーツ")
    assert [f.number for f in r.fields] == [1, 6]
    assert not r.needs_confirmation and r.messages() == []
    r = matching.resolve_fields("環境、ラーメン")
    assert r.unknown == ("ラーメン",)
    assert matching.resolve_fields("").parts == ()


def test_profile_field_words_use_the_same_resolution():
    r = Matcher.load().match(matching.GroupProfile(name="将棋の会", fields=["将棋"]))
    assert r.field_numbers == [6]
