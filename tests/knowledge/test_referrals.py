"""referrals.yaml: matters the guideline is silent about, answered with where to ask."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.loader import DataError, load_data
from knowledge.referrals import find_referral, parse_referrals


def _one(**over):
    item = {
        "id": "volunteer-insurance",
        "about": "保険",
        "when": [["保険", "補償"], ["ボランティア"]],
        "reply": "指針には書かれていません。センターにお尋ねください。",
    }
    item.update(over)
    return {"referrals": [item]}


def test_a_referral_needs_a_word_of_every_group_after_folding():
    (r,) = parse_referrals(_one(), [])
    assert r.matches("ﾎﾞﾗﾝﾃｨｱの保険に入りたい")
    assert r.matches("ぼらんてぃあ 補償")
    assert not r.matches("保険に入りたい")  # no ボランティア
    assert not r.matches("ボランティアをしたい")


def test_unless_words_make_it_another_question():
    (r,) = parse_referrals(_one(unless=["健康保険"]), [])
    assert not r.matches("ボランティアを辞めたら健康保険はどうなりますか")


@pytest.mark.parametrize(
    "over, problem",
    [
        ({"id": "Bad Id"}, "id must be"),
        ({"when": "保険"}, "'when' must be a list of word lists"),
        ({"when": [["保険"], []]}, "'when' must be a list of word lists"),
        ({"reply": ""}, "'reply' must be"),
        ({"reply": "あ" * 301}, "at most 300"),
        ({"colour": "red"}, "unknown key(s) colour"),
        ({"about": None}, "'about' must say"),
        ({"unless": "協働"}, "'unless' must be a list"),
    ],
)
def test_every_mistake_is_reported_with_the_referral(over, problem):
    problems: list[str] = []
    parse_referrals(_one(**over), problems)
    assert any(problem in p for p in problems), problems
    assert all(p.startswith("referrals.yaml") for p in problems)


def test_a_duplicate_id_and_a_wrong_shape_are_reported():
    problems: list[str] = []
    parse_referrals({"referrals": [_one()["referrals"][0], _one()["referrals"][0]]}, problems)
    assert any("used twice" in p for p in problems)
    problems = []
    parse_referrals(["not", "a", "mapping"], problems)
    assert problems == ["referrals.yaml: expected a mapping with a list 'referrals'"]


def test_the_loader_fills_in_confirmed_contacts_and_rejects_unknown_ones(tmp_path):
    data = load_data()
    assert {r.id for r in data.referrals} >= {
        "volunteer-insurance",
        "jichikai-membership",
        "npo-corporation-filings",
        "grant-details",
    }
    for r in data.referrals:
        assert "{{" not in r.reply and "。 " not in r.reply, r.reply
    import shutil

    from knowledge.loader import DATA_DIR

    for f in DATA_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "referrals.yaml").write_text(
        "referrals:\n  - id: x\n    about: x\n    when: [[保険]]\n    reply: 電話 {{contact:nowhere:phone}} へ。\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        load_data(tmp_path)
    assert any("referral 'x'" in p and "nowhere" in p for p in exc.value.problems)


@pytest.mark.parametrize(
    "question, rid",
    [
        ("ぼらんてぃあほけん　はいりたい", "volunteer-insurance"),
        ("個人で行うボランティア活動中の事故も補償されますか?", "volunteer-insurance"),
        ("町内会やめたいんだけど市役所に言えばいい?", "jichikai-membership"),
        ("NPO法人の事業報告書等の書類はいつまでにだすの?", "npo-corporation-filings"),
        ("補助金で人件費は出せますか", "grant-details"),
    ],
)
def test_the_answerer_refers_instead_of_answering(answerer, question, rid):
    a = answerer.answer(question)
    assert not a.answered and a.reason == "referral", a
    ref = next(r for r in answerer.data.referrals if r.id == rid)
    assert a.text == ref.reply


@pytest.mark.parametrize(
    "question",
    [
        "自治会も協働できますか",
        "自治会の役員です。市と協働できますか",  # the introduction is not the question
        "NPO法人の「所轄庁」とは?",
        "ボランティアをしたいのですが",
        "ボランティアって何かわけがわからない",  # けが inside わけが
        "ほかの助成金をもらっている事業でも補助の対象になりますか",  # other funding has its entry
    ],
)
def test_questions_about_collaboration_are_not_referred(answerer, question):
    assert answerer.answer(question).reason != "referral"


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_matching_never_fails(text):
    data = load_data()
    r = find_referral(data.referrals, text)
    assert r is None or r.id
