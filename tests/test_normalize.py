from hypothesis import given
from hypothesis import strategies as st

from knowledge.normalize import fold, normalize, to_hiragana, to_katakana


def test_width_and_kana():
    assert normalize("ＮＰＯ法人　こがねい") == "NPO法人 こがねい"
    assert normalize("ｺｳｴﾝ") == "コウエン"
    assert fold("コウエン") == fold("こうえん")
    assert fold("ボランテイア") == fold("ボランティア")
    assert fold("行なう") == fold("行う")
    assert normalize("協働\u200bとは") == "協働とは"


@given(st.text())
def test_normalize_is_idempotent(s):
    assert normalize(normalize(s)) == normalize(s)


@given(st.text())
def test_fold_is_idempotent_and_total(s):
    assert fold(fold(s)) == fold(s)


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096)))
def test_kana_round_trip(s):
    assert to_hiragana(to_katakana(s)) == s
