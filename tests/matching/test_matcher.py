"""Ranking, reasons and messages of the matcher on concrete cases."""

from __future__ import annotations

import re

import pytest

from matching import DivisionMatch, GroupProfile, Matcher, MatchResult
from matching import messages as msg
from matching.matcher import MAX_DESCRIPTION


@pytest.fixture(scope="module")
def m() -> Matcher:
    return Matcher.load()


def top(m: Matcher, description: str = "", fields=(), name: str = "") -> str:
    r = m.match(GroupProfile(name=name, description=description, fields=list(fields)))
    assert r.matches, r.message
    return r.matches[0].division_id


def test_load_is_cached():
    assert Matcher.load() is Matcher.load()


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        # parks and 児童遊園 belong to 環境政策課, not to a parks or children's division
        ("公園の清掃", "kankyo-seisaku"),
        ("近所のこうえんのそうじをしています", "kankyo-seisaku"),
        ("児童遊園の草取り", "kankyo-seisaku"),
        # play parks belong to 児童青少年課, not to the parks division
        ("冒険遊び場", "jido-seishonen"),
        ("プレーパークで子どもが泥んこになって遊ぶ", "jido-seishonen"),
        # collaboration itself: 市民部 コミュニティ文化課
        ("NPOの運営相談と市民活動団体の中間支援", "community-bunka"),
        ("駅前の花壇の手入れと緑化活動をしています", "kankyo-seisaku"),
        ("外国籍の親子向けの日本語教室", "community-bunka"),
        ("高齢者の見守りと配食ボランティア", "kaigo-fukushi"),
        ("子ども食堂", "kosodate-shien"),
        ("食品ロス削減のフードドライブ", "gomi-taisaku"),
        ("防犯パトロール", "chiiki-anzen"),
        ("手話サークル", "jiritsu-seikatsu"),
    ],
)
def test_routing(m, description, expected):
    assert top(m, description) == expected


def test_field_only_goes_to_the_fields_main_division(m):
    assert top(m, fields=["環境保全"]) == "kankyo-seisaku"
    assert top(m, fields=["国際協力"]) == "community-bunka"
    assert top(m, fields=["7"]) == "kankyo-seisaku"


def test_specific_word_beats_generic_field(m):
    # 「子ども」 alone points at the children's field; 「知的障害」 is specific to disability support.
    assert top(m, "知的障害のある子どもの親の会です") == "jiritsu-seikatsu"


def test_place_name_is_not_a_field_word(m):
    r = m.match(GroupProfile(description="緑町の老人クラブです"))
    assert r.matches[0].division_id == "kaigo-fukushi"
    assert not any("環境" in reason for d in r.matches for reason in d.reasons)


def test_reasons_refer_to_real_data(m):
    labels = {f.label for f in m.fields}
    field_names = {f.name for f in m.fields}
    r = m.match(GroupProfile(description="湧水の調査と公園の清掃", fields=["環境保全"]))
    best = r.matches[0]
    assert best.division_id == "kankyo-seisaku"
    assert best.department == "環境部 環境政策課"
    assert "団体が選んだ分野「環境保全」を担当しています" in best.reasons
    assert "活動の「湧水」は、所管事業「環境調査・測定」に関わります" in best.reasons
    assert best.fields == ["環境の保全を図る活動"]
    for d in r.matches:
        division = m.division(d.division_id)
        projects = dict(division.projects)
        assert d.reasons, d
        for reason in d.reasons:
            for project in re.findall(r"所管事業「(.+?)」", reason):
                assert project in projects
            for field in re.findall(r"分野「(.+?)」", reason):
                assert field in labels  # the short labels the buttons use, not the law's wording
            if reason.startswith("活動の"):
                for word in re.findall(r"「([^」]+)」", reason.split("は、")[0]):
                    assert word in "湧水の調査と公園の清掃", word
        assert set(d.fields) <= field_names


def test_several_words_for_one_project_share_a_reason(m):
    r = m.match(GroupProfile(description="外国人と多文化共生の日本語教室"))
    best = r.matches[0]
    assert best.division_id == "community-bunka"
    joined = [x for x in best.reasons if "所管事業「国際交流」" in x]
    assert len(joined) == 1 and joined[0].count("「") >= 3
    # who the activity is for is a reason of its own
    assert "対象の「外国人」は、コミュニティ文化課が支えている方々です" in best.reasons


def test_empty_profile_asks_politely(m):
    for profile in (GroupProfile(), GroupProfile(description="   ", fields=[]), GroupProfile(fields=[""])):
        r = m.match(profile)
        assert r.matches == []
        assert r.message == msg.EMPTY_PROFILE
        assert "ください" in r.message


def test_name_only_still_tries_the_name_and_asks_for_more(m):
    r = m.match(GroupProfile(name="手話サークルこがねい"))
    assert r.message == msg.EMPTY_PROFILE
    assert r.matches and r.matches[0].division_id == "jiritsu-seikatsu"


def test_nothing_recognised_says_so(m):
    r = m.match(GroupProfile(description="よろしくお願いします"))
    assert r.matches == []
    assert r.message == msg.no_match(m.desk)
    assert "コミュニティ文化課" in r.message


def test_very_long_text_is_cut_safely(m):
    text = "公園の清掃をしています。" + "あ" * 200_000 + "冒険遊び場"
    r = m.match(
        GroupProfile(name="名" * 10_000, description=text, fields=["環境保全"] * 500 + ["x" * 100_000])
    )
    assert r.matches[0].division_id == "kankyo-seisaku"
    assert all(d.division_id != "jido-seishonen" for d in r.matches)  # beyond the cut
    assert len(r.name) <= 200
    assert len(text) > MAX_DESCRIPTION


def test_top_limits_and_result_types(m):
    r = m.match(GroupProfile(description="高齢者の見守り、子育て、防災、公園"), top=2)
    assert isinstance(r, MatchResult)
    assert len(r.matches) == 2
    assert all(isinstance(d, DivisionMatch) for d in r.matches)
    assert m.match(GroupProfile(description="公園"), top=0).matches == []


def test_match_many_equals_match(m):
    profiles = [
        GroupProfile(description="公園の清掃"),
        GroupProfile(),
        GroupProfile(name="防災の会", fields=["ぼうさい"]),
        GroupProfile(description="子ども食堂と学習支援", fields=["子どもの健全育成", "不明なもの"]),
    ]
    assert m.match_many(profiles, top=3) == [m.match(p, top=3) for p in profiles]


def test_to_dict_is_the_cli_contract(m):
    d = m.match(GroupProfile(name="会", description="公園の清掃"), top=1).to_dict()
    assert list(d) == ["name", "matches"]
    assert list(d["matches"][0]) == ["department", "division_id", "score", "fields", "reasons"]


def test_ascii_words_need_word_boundaries(m):
    hits = m.match(GroupProfile(description="with kitchen and city"))
    assert hits.matches == []
    r = m.match(GroupProfile(description="IT サポートと DV 防止"))
    assert {d.division_id for d in r.matches} >= {"kikaku-seisaku"}


def test_everyday_hiragana_does_not_trigger_folded_katakana_words(m):
    # Folding drops long-vowel marks, so ドナー/がん/アート/バス/ろう(者) would collide with these.
    r = m.match(
        GroupProfile(
            description="どなたでも参加できます。みんなでがんばろう。そのあと、時間をのばすこともあるだろう。"
        )
    )
    assert r.matches == []
    r = m.match(GroupProfile(description="日本の本人が基本です"))
    assert r.matches == []


def test_huge_field_word_is_cut(m):
    r = m.match(GroupProfile(description="公園の清掃", fields=["かんきょう" * 20_000]))
    assert r.matches[0].division_id == "kankyo-seisaku"
    assert all(len(word) <= 100 for word in r.unknown_fields)
