"""Eighth matcher round (issue 12 item 13): vocabulary written from each division's work, and the
conventions the words were checked against. The sentences are written for these tests, not taken from
the evaluation sets."""

from __future__ import annotations

import pytest

from matching import GroupProfile, Matcher
from matching.folding import fold_word
from matching.loader import load_divisions, load_fields


@pytest.fixture(scope="module")
def m() -> Matcher:
    return Matcher.load()


def top(m: Matcher, description: str) -> str:
    return m.match(GroupProfile(name="", description=description, fields=[]), top=3).matches[0].division_id


@pytest.mark.parametrize(
    ("description", "division"),
    [
        ("スズメバチやハクビシンの相談にのっています。", "kankyo-seisaku"),
        ("カブトムシやクワガタを探す虫とりの会です。", "kankyo-seisaku"),
        ("ブラインドサッカーとデフリンピックを応援しています。", "jiritsu-seikatsu"),
        ("拡大写本とデイジー図書を作っています。", "jiritsu-seikatsu"),
        ("霊感商法やマルチ商法の手口を学ぶ会です。", "keizai"),
        ("有機栽培と養蜂に取り組む仲間です。", "keizai"),
        ("ローリングストックと図上訓練を広めています。", "chiiki-anzen"),
        ("ロコモや閉じこもりを防ぐ集まりです。", "kaigo-fukushi"),
        ("沐浴の練習と父親学級を開いています。", "kodomo-katei-center"),
        ("スクールソーシャルワーカーと一緒に、教室に入れない子を支えます。", "shidoshitsu"),
        ("縄文の土器や石器を調べ、道祖神の記録をとっています。", "shogai-gakushu"),
        ("ミニコミ誌とフリーペーパーで地域の話題を届けています。", "koho-hisho"),
        ("そば打ちとパン作りを楽しむ会です。", "kominkan"),
        ("パネルシアターとわらべうたで乳幼児と遊んでいます。", "toshokan"),
        ("耕作放棄地や遊休農地の貸し借りの相談にのります。", "nogyo-iinkai"),
    ],
)
def test_new_words_route(m: Matcher, description: str, division: str) -> None:
    assert top(m, description) == division


def test_new_how_words_yield_to_the_people_named(m: Matcher) -> None:
    # 話し相手 and 通院の付き添い are how help is given: the people named decide
    assert top(m, "障害のある方の話し相手と通院の付き添いをしています。") == "jiritsu-seikatsu"
    assert top(m, "一人暮らしの高齢者の話し相手をしています。") == "kaigo-fukushi"


def test_no_word_is_two_words_the_division_already_has() -> None:
    """A compound of two words of the same division (パソコン講座 = パソコン + 講座) only lowers it:
    one 4+ character word weighs less than the two it hides. Checked for the words of this round."""
    fields, _ = load_fields()
    divisions = load_divisions(fields=fields)
    new = {"パソコン講座", "スマホ講座", "芸術文化", "文化芸術", "防火防災", "市議会議員", "野菜の直売"}
    for d in divisions:
        words = {fold_word(w) for _, ws in d.projects for w in ws} | {fold_word(w) for w in d.keywords}
        for w in new:
            assert fold_word(w) not in words, (d.id, w)
