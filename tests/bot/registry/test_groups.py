"""Group kinds, names, validation, duplicates and CRUD with ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.registry import groups as registry
from bot.registry import messages as msg
from bot.registry.groups import InvalidGroup, NotOwner, resolve_kind, strip_legal_forms, validate_group
from bot.storage.models import Group, Suggestion

# --- kinds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("NPO法人", "NPO法人"),
        ("NPO", "NPO法人"),
        ("ＮＰＯ", "NPO法人"),
        ("特定非営利活動法人", "NPO法人"),
        ("町内会", "自治会・町会"),
        ("自治会", "自治会・町会"),
        ("大学", "教育・研究機関"),
        ("東京学芸大学", "教育・研究機関"),
        ("株式会社", "企業"),
        ("一般社団法人", "公益法人等"),
        ("社会福祉法人", "公益法人等"),
        ("任意団体", "任意団体・市民活動団体"),
        ("市民活動団体", "任意団体・市民活動団体"),
        ("ボランティア", "ボランティア団体"),
        ("ぼらんてぃあ団体", "ボランティア団体"),
        ("その他", "その他"),
    ],
)
def test_kind_accepts_what_people_type(typed, kind):
    assert resolve_kind(typed) == kind


@pytest.mark.parametrize("typed", ["", "   ", "宇宙船", "xyz"])
def test_unknown_kind_lists_the_choices(typed):
    with pytest.raises(InvalidGroup) as exc:
        resolve_kind(typed)
    assert "NPO法人" in exc.value.problems[0]


def test_every_kind_resolves_to_itself():
    for name in registry.KIND_NAMES:
        assert resolve_kind(name) == name


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("NPO法人 こがねい環境ネットワーク", "こがねい環境ネットワーク"),
        ("特定非営利活動法人こがねい環境ネットワーク", "こがねい環境ネットワーク"),
        ("こがねい環境ネットワーク（任意団体）", "こがねい環境ネットワーク"),
        ("一般社団法人 小金井子ども食堂", "小金井子ども食堂"),
        ("株式会社小金井印刷", "小金井印刷"),
        ("小金井印刷株式会社", "小金井印刷"),
        ("(株)小金井印刷", "小金井印刷"),
        ("NPO法人", "NPO法人"),  # nothing left: keep the name as it is
        ("株の会", "株の会"),  # a bare 株 is only a legal form inside brackets
        ("有田ファーム", "有田ファーム"),
        ("公社住宅自治会", "公社住宅自治会"),
        ("(一社)こがねい観光協会", "こがねい観光協会"),
        ("こがねい観光協会【一社】", "こがねい観光協会"),
        ("(株)", "(株)"),
    ],
)
def test_strip_legal_forms(name, core):
    assert strip_legal_forms(name) == core


# --- validation ------------------------------------------------------------------------------


def test_validate_normalises_and_resolves():
    data = validate_group(
        "ＮＰＯ法人　こがねい環境ネットワーク", "npo", "環境保全;まちづくり", " 湧水の調査 ", ""
    )
    assert data.name == "NPO法人 こがねい環境ネットワーク"
    assert data.kind == "NPO法人"
    assert data.fields == [3, 7]
    assert data.description == "湧水の調査"


def test_validate_reports_every_problem_at_once():
    with pytest.raises(InvalidGroup) as exc:
        validate_group("", "宇宙船", "ぜんぜんちがうことば123", "", "x" * 400)
    text = " ".join(exc.value.problems)
    assert "団体名" in text
    assert "種別" in text
    assert "分野「ぜんぜんちがうことば123」" in text
    assert "連絡先" in text


def test_validate_needs_description_or_fields():
    with pytest.raises(InvalidGroup) as exc:
        validate_group("緑の会", "任意団体", "", "")
    assert exc.value.problems == [msg.PROFILE_EMPTY]
    assert validate_group("緑の会", "任意団体", "7").fields == [7]
    assert validate_group("緑の会", "任意団体", "", "公園の清掃").fields == []


def test_field_numbers_and_separators():
    assert validate_group("a会", "その他", "7、13；2").fields == [2, 7, 13]
    with pytest.raises(InvalidGroup):
        validate_group("a会", "その他", "21")


# --- CRUD, duplicates, ownership -------------------------------------------------------------


def _add(session, name, owner="line:U1", kind="NPO法人", fields="環境保全", description="湧水の調査"):
    return registry.add_group(session, validate_group(name, kind, fields, description), owner)


def test_add_get_update_delete(session):
    added = _add(session, "NPO法人 こがねい環境ネットワーク")
    session.commit()
    group = registry.get_group(session, added.group.id)
    assert group.owner == "line:U1"
    assert group.name_key == registry.name_key("こがねい環境ネットワーク")
    assert added.duplicate_of is None

    new = validate_group("こがねい環境ネットワーク", "NPO法人", "7;13", "湧水と子どもの自然観察")
    registry.update_group(session, group.id, "line:U1", new)
    session.commit()
    assert registry.get_group(session, group.id).fields == [7, 13]

    registry.delete_group(session, group.id, "line:U1")
    session.commit()
    with pytest.raises(registry.GroupNotFound):
        registry.get_group(session, group.id)


def test_only_the_owner_or_staff_may_change_or_delete(session):
    group = _add(session, "緑町の緑を守る会", owner="line:U1").group
    session.commit()
    data = validate_group("緑町の緑を守る会", "任意団体", "7", "植樹")
    with pytest.raises(NotOwner):
        registry.update_group(session, group.id, "line:U2", data)
    with pytest.raises(NotOwner):
        registry.delete_group(session, group.id, "line:U2")
    registry.update_group(session, group.id, "slack:staff", data, admin=True)
    registry.delete_group(session, group.id, "slack:staff", admin=True)
    session.commit()
    assert session.get(Group, group.id) is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("NPO法人 こがねい環境ネットワーク", "こがねい環境ネットワーク"),
        ("こがねい環境ネットワーク", "特定非営利活動法人　コガネイ環境ネットワーク"),
        ("小金井子ども食堂の会", "小金井子ども食堂の会（任意団体）"),
        ("貫井北町子ども食堂ひだまり", "貫井北町こども食堂ひだまり"),  # one character differs
        ("ＫＯＧＡＮＥＩ　ＡＲＴＳ", "koganei arts"),
    ],
)
def test_duplicate_is_flagged_not_merged(session, first, second):
    a = _add(session, first).group
    result = _add(session, second, owner="import:list.csv")
    session.commit()
    assert result.duplicate_of is not None and result.duplicate_of.id == a.id
    assert result.group.id != a.id  # both rows kept: a person decides
    assert result.group.duplicate_of_id == a.id
    assert first in (result.duplicate_message or "") or a.name in (result.duplicate_message or "")
    assert session.scalar(select(func.count()).select_from(Group)) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("こがねい環境ネットワーク", "こがねい子育てネットワーク"),
        ("緑の会", "緑町の会"),
        ("貫井北町子ども食堂", "貫井南町子ども食堂"),
        ("小金井市民合唱団", "小金井市民吹奏楽団"),
    ],
)
def test_different_groups_are_not_flagged(session, first, second):
    _add(session, first)
    assert _add(session, second).duplicate_of is None


def test_renaming_into_a_duplicate_is_flagged_and_can_be_cleared(session):
    a = _add(session, "野川の自然を守る会").group
    b = _add(session, "はけの森の会").group
    result = registry.update_group(
        session, b.id, "line:U1", validate_group("NPO法人 野川の自然を守る会", "NPO法人", "7", "自然観察")
    )
    assert result.duplicate_of is not None and result.duplicate_of.id == a.id
    registry.clear_duplicate_flag(session, b.id, "line:U1")
    assert registry.get_group(session, b.id).duplicate_of_id is None


def test_find_groups_tolerates_typos(session):
    _add(session, "NPO法人 こがねい環境ネットワーク")
    _add(session, "貫井北町子ども食堂")
    hits = registry.find_groups(session, "こがねい環境ネットワ")
    assert hits and hits[0][0].name == "NPO法人 こがねい環境ネットワーク"
    assert registry.find_groups(session, "") == []


def test_list_filters_by_field_word(session):
    _add(session, "湧水の会", fields="環境保全")
    _add(session, "子ども食堂", fields="子どもの健全育成", description="子どもに食事")
    _add(session, "読み聞かせの会", fields="社会教育", description="読み聞かせ")
    assert [g.name for g in registry.list_groups(session, field_word="環境保全")] == ["湧水の会"]
    assert [g.name for g in registry.list_groups(session, field_word="13")] == ["子ども食堂"]
    assert len(list(registry.list_groups(session))) == 3
    with pytest.raises(InvalidGroup):
        list(registry.list_groups(session, field_word="ぜんぜんちがうことば123"))


def test_delete_by_owner_removes_groups_and_their_suggestions(session):
    mine = _add(session, "湧水の会", owner="line:U9").group
    _add(session, "読み聞かせの会", owner="line:U8", fields="社会教育")
    session.add(
        Suggestion(
            group_id=mine.id,
            division_id="x",
            rank=1,
            score=1.0,
            group_fingerprint="g",
            division_fingerprint="d",
        )
    )
    session.commit()
    assert registry.delete_groups_of_owner(session, "line:U9") == 1
    session.commit()
    assert session.scalar(select(func.count()).select_from(Suggestion)) == 0
    assert [g.owner for g in registry.list_groups(session)] == ["line:U8"]


def test_duplicate_index_buckets_find_what_a_full_scan_finds():
    """Length buckets are an optimisation only: same answers as comparing with every key."""
    import random

    from rapidfuzz import fuzz

    rnd = random.Random(7)
    alphabet = "あいうかきくさしすたちつなにぬ"
    keys = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(2, 16))) for _ in range(400)]
    # Near copies (one edit) so that there is something to find.
    keys += [k[:-1] + "ん" for k in keys[:150]] + [k + "ん" for k in keys[150:300]]
    index = registry.DuplicateIndex()
    for i, key in enumerate(keys[:300], start=1):
        index.add(i, key)

    def brute(key):
        hits = [
            i
            for i, other in enumerate(keys[:300], start=1)
            if key == other or (min(len(key), len(other)) >= 4 and fuzz.ratio(key, other) >= 90)
        ]
        return min(hits) if hits else None

    found = 0
    for key in keys[300:] + keys[:50]:
        assert index.find(key) == brute(key), key
        found += index.find(key) is not None
    assert found > 50
