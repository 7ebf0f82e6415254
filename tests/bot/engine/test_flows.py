"""Every flow end to end through handle(), on SQLite and PostgreSQL (db_url)."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.db import transaction
from bot.storage.models.conversation import (
    Conversation,
    EligibilityCheck,
    Feedback,
    Proposal,
    UnansweredQuestion,
)
from bot.storage.models.registry import Group


def rows(chat, model, *where):
    with transaction(chat.factory) as s:
        return list(s.scalars(select(model).where(*where)))


def register(chat, name="みどりの会", fields=("環境保全",)):
    chat.say("団体登録")
    chat.say(name)
    chat.tap("任意団体・市民活動団体")
    for f in fields:
        chat.tap(f)
    chat.tap("次へ")
    chat.say("公園の清掃と子どもの自然観察会をしています。")
    chat.tap("省略する")
    chat.tap("載せない")
    chat.tap("受け取らない")
    assert any(r.cards for r in chat.last), chat.texts()
    chat.tap("登録する")
    assert "登録しました" in chat.texts()


# -- questions ---------------------------------------------------------------------------------


def test_follow_greets_with_menu(chat):
    chat.send("follow")
    assert "協働ボット" in chat.texts()
    assert {
        "協働とは",
        "対象チェック",
        "団体登録",
        "相談する",
        "よくある質問",
        "問い合わせ",
        "ヘルプ",
    } <= set(chat.labels())


def test_answer_cites_source_and_stores_feedback(chat):
    chat.say("協働とは何ですか")
    assert chat.last[0].sources == [("ch2-1", "第2章(1) 協働の理念と目的")]
    assert "協働の原則は？" in chat.labels()  # related questions
    chat.tap("いいえ")
    assert "改善" in chat.texts()
    (fb,) = rows(chat, Feedback)
    assert fb.helpful is False and fb.faq_id == "about-kyodo" and fb.question == "協働とは何ですか"
    # an unhelpful answer can be sent to staff
    chat.tap("職員に質問を送る")
    assert "協働とは何ですか" in chat.texts()  # the question is shown before it is sent
    chat.tap("送る")
    (q,) = rows(chat, UnansweredQuestion)
    assert q.handoff_requested and q.status == "handoff" and q.reason == "unhelpful"


def test_feedback_twice_is_acknowledged_once(chat):
    chat.say("協働とは")
    yes = chat.choice("はい")
    chat.postback(yes.data)
    chat.postback(yes.data)
    assert "すでに" in chat.texts()
    assert [f.helpful for f in rows(chat, Feedback)] == [True]


def test_unsure_offers_maybe_candidates(chat):
    chat.say("補助")
    assert "もしかして" in chat.texts()
    assert "補助金はありますか？" in chat.labels()
    assert "職員に質問を送る" in chat.labels()
    (q,) = rows(chat, UnansweredQuestion)
    assert q.reason == "unsure" and not q.handoff_requested


def test_cannot_answer_logs_and_hands_off(chat):
    chat.say("市役所の駐車場は何台？")
    assert "申し訳ありません" in chat.texts()
    handoff = chat.choice("職員に質問を送る")
    chat.postback(handoff.data)
    assert "市役所の駐車場は何台?" in chat.texts() and "よろしいですか" in chat.texts()
    assert not rows(chat, UnansweredQuestion)[0].handoff_requested
    chat.tap("送る")
    assert "職員に送りました" in chat.texts() and "市役所の駐車場は何台?" in chat.texts()
    chat.postback(handoff.data)
    assert "すでに" in chat.texts()
    (q,) = rows(chat, UnansweredQuestion)
    assert q.text == "市役所の駐車場は何台?" and q.handoff_requested and q.handoff_requested_at is not None


def test_someone_elses_feedback_button_is_refused(chat, factory, services):
    from .conftest import Chat

    chat.say("協働とは")
    data = chat.choice("はい").data
    other = Chat(factory, services, user_id="U" + "b" * 32)
    other.postback(data)
    assert "終わっています" in other.texts()
    assert rows(chat, Feedback)[0].helpful is None


def test_menu_words(chat):
    chat.say("よくある質問")
    assert "協働とは何ですか？" in chat.labels()
    chat.say("問い合わせ")
    assert chat.last[0].sources[0][0] == "note-contact"
    chat.say("ヘルプ")
    assert "使い方" in chat.texts() and "データを削除" in chat.labels()


def test_answerer_failure_is_polite(chat, services):
    services.fail_answer = True
    chat.say("協働とは")
    assert "申し訳ありません" in chat.texts()


# -- 対象チェック ---------------------------------------------------------------------------------


def test_eligibility_all_yes(chat):
    chat.say("対象チェック")
    assert "1/4" in chat.texts() and chat.labels()[:3] == ["はい", "いいえ", "わからない"]
    for _ in range(4):
        chat.tap("はい")
    assert "対象になる活動と考えられます" in chat.texts()
    assert any(r.sources == [("ch2-2", "第2章(2) 協働の対象となる活動")] for r in chat.last)
    assert "公益性のある活動" in chat.texts()  # the cited text itself
    assert "団体登録" in chat.labels()
    (check,) = rows(chat, EligibilityCheck)
    assert check.outcome == "eligible" and set(check.answers.values()) == {"yes"}
    assert rows(chat, Conversation) == []


def test_eligibility_no_and_unknown(chat):
    chat.say("対象チェック")
    chat.tap("はい")
    chat.tap("いいえ")
    chat.say("わからない")  # typed answers work too
    chat.tap("はい")
    assert "× 非営利" in chat.texts() and "？ 政治・宗教が目的でない" in chat.texts()
    assert "団体登録" not in chat.labels()
    assert rows(chat, EligibilityCheck)[0].outcome == "not_eligible"


def test_eligibility_unclear(chat):
    chat.say("対象チェック")
    for label in ("はい", "わからない", "はい", "はい"):
        chat.tap(label)
    assert rows(chat, EligibilityCheck)[0].outcome == "unclear"


def test_eligibility_reasks_on_other_text(chat):
    chat.say("対象チェック")
    chat.say("たぶん")
    assert "1/4" in chat.texts()


# -- 団体登録 ------------------------------------------------------------------------------------


def test_registration_end_to_end(chat):
    chat.say("団体登録")
    assert "1/5" in chat.texts()
    chat.say("  ＫＯＧＡＮＥＩ みどりの会  ")
    chat.tap("NPO法人")
    assert "3/5" in chat.texts() and len(chat.labels()) <= 13
    chat.tap("環境保全")
    assert "選択中: 環境保全" in chat.texts() and "✓環境保全" in chat.labels()
    chat.tap("他の分野")
    chat.tap("子ども")
    chat.say("福祉、宇宙開発")  # free words, one unknown
    assert "宇宙開発" in chat.texts()
    assert "保健・医療・福祉" in chat.texts()
    chat.tap("次へ")
    chat.say("公園の清掃をしています。")
    chat.say("midori@example.jp")
    assert "団体をさがす" in chat.texts() and "載せない" in chat.labels()
    chat.tap("載せる")
    assert "協働の募集" in chat.texts()
    chat.tap("受け取らない")
    (card,) = [c for r in chat.last for c in r.cards]
    assert card.title == "KOGANEI みどりの会"
    assert any("環境保全" in line and "子ども" in line for line in card.lines)
    assert "団体をさがすに掲載: 載せる" in card.lines and "協働の募集のお知らせ: 受け取らない" in card.lines
    assert len(card.actions) <= 3
    chat.tap("登録する")
    (g,) = rows(chat, Group)
    assert (g.name, g.kind, g.fields, g.contact, g.listed, g.notices_opt_in) == (
        "KOGANEI みどりの会",
        "NPO法人",
        [1, 7, 13],
        "midori@example.jp",
        True,
        False,
    )
    assert g.owner == f"line:{chat.user_id}"
    assert rows(chat, Conversation) == []


def test_registration_needs_a_field(chat):
    chat.say("団体登録")
    chat.say("みどりの会")
    chat.tap("その他")
    chat.tap("次へ")
    assert "1つ以上" in chat.texts()


def test_registration_toggle_field_off(chat):
    chat.say("団体登録")
    chat.say("みどりの会")
    chat.tap("その他")
    chat.tap("環境保全")
    chat.tap("✓環境保全")
    assert "まだ分野が選ばれていません" in chat.texts()


def _register_similar(other, answer):
    other.say("団体登録")
    other.say("ミドリの会")
    assert "すでに登録されています" in other.texts()
    other.tap(answer)
    other.tap("その他")
    other.tap("環境保全")
    other.tap("次へ")
    other.say("別の活動です")
    other.tap("省略する")
    other.tap("載せない")
    other.tap("受け取らない")
    other.tap("登録する")


def test_a_different_group_is_not_flagged_the_citizens_answer_is_final(chat, factory, services):
    from .conftest import Chat

    register(chat, "みどりの会")
    other = Chat(factory, services, user_id="U" + "c" * 32)
    _register_similar(other, "別の団体です")
    assert "職員が確認" not in other.texts()
    first, second = sorted(rows(chat, Group), key=lambda g: g.id)
    assert second.duplicate_of_id is None  # matched like any other group


def test_another_member_of_the_same_group_is_flagged_for_staff(chat, factory, services):
    from .conftest import Chat

    register(chat, "みどりの会")
    other = Chat(factory, services, user_id="U" + "c" * 32)
    _register_similar(other, "同じ団体です")
    assert "職員が確認" in other.texts()
    first, second = sorted(rows(chat, Group), key=lambda g: g.id)
    assert second.duplicate_of_id == first.id


def test_own_duplicate_points_to_edit(chat):
    register(chat, "みどりの会")
    chat.say("団体登録")
    chat.say("みどりの会")
    assert "あなたがすでに登録" in chat.texts()


def test_overlong_and_empty_inputs_in_registration(chat):
    chat.say("団体登録")
    chat.say("あ" * 101)
    assert "100字以内" in chat.texts()
    chat.say("🌳🌳")
    assert "1/5" in chat.texts()


def test_view_edit_delete_group(chat):
    register(chat, "みどりの会")
    chat.say("登録内容を見る")
    (card,) = chat.last[0].cards
    assert card.title == "みどりの会"
    chat.tap_card(0, "修正する")
    assert "名前を直す" in chat.labels() and [c for r in chat.last for c in r.cards]  # the card, at once
    chat.tap("名前を直す")
    assert "変更しない" in chat.labels() and "いまの内容: みどりの会" in chat.texts()
    chat.say("みどりの会 小金井")
    assert "連絡先を直す" in chat.labels()  # back at the card, nothing else asked
    chat.tap("連絡先を直す")
    chat.say("090-0000-0000")
    chat.tap("更新する")
    (g,) = rows(chat, Group)
    assert (g.name, g.kind, g.fields, g.contact) == (
        "みどりの会 小金井",
        "任意団体・市民活動団体",
        [7],
        "090-0000-0000",
    )
    chat.say("登録内容を見る")
    chat.tap_card(0, "削除する")
    chat.tap("やめる")
    assert "そのまま" in chat.texts() and rows(chat, Group)
    chat.say("登録内容を見る")
    chat.tap_card(0, "削除する")
    chat.tap("削除する")
    assert "削除しました" in chat.texts() and rows(chat, Group) == []


def test_cannot_edit_someone_elses_group(chat, factory, services):
    from .conftest import Chat

    register(chat)
    gid = rows(chat, Group)[0].id
    other = Chat(factory, services, user_id="U" + "d" * 32)
    other.postback(f"v1|gedit|start|{gid}")
    assert "見つかりませんでした" in other.texts()
    other.postback(f"v1|gdel|start|{gid}")
    assert "見つかりませんでした" in other.texts()
    assert rows(chat, Group)


# -- 相談・提案 -----------------------------------------------------------------------------------


def test_proposal_requires_a_group(chat):
    chat.say("相談する")
    assert "団体を登録してから" in chat.texts() and "団体登録" in chat.labels()


def test_proposal_end_to_end(chat):
    register(chat)
    chat.say("相談する")
    cards = [c for r in chat.last for c in r.cards]
    assert [c.title for c in cards] == ["子育て支援課", "環境政策課"]
    assert cards[0].subtitle == "子ども家庭部" and cards[0].lines == ["分野「子ども」が重なります"]
    assert "市に任せる" in chat.labels()
    chat.tap_card(1, "この課に相談する")
    assert "目的" in chat.texts() and "原則④" in chat.texts()
    chat.say("子どもが自然にふれる機会を増やすため")
    assert "いつまでに" in chat.texts()
    chat.say("来年3月までに観察会を6回")
    assert "原則③" in chat.texts()
    chat.say("公園の使用許可と広報")
    chat.say("観察会の企画と運営")
    card = chat.last[-1].cards[0]
    assert "担当課: 環境政策課" in card.lines
    chat.tap("送る")
    (p,) = rows(chat, Proposal)
    assert p.reference == f"KY-2026-{p.id:06d}" and p.reference in chat.texts()
    assert (p.division_id, p.division_name, p.status) == ("kankyo", "環境政策課", "queued")
    assert (p.purpose, p.goal, p.role_city, p.role_group) == (
        "子どもが自然にふれる機会を増やすため",
        "来年3月までに観察会を6回",
        "公園の使用許可と広報",
        "観察会の企画と運営",
    )
    assert p.group_name == "みどりの会" and p.user_id == chat.user_id


def test_proposal_leave_it_to_the_city_and_group_choice(chat):
    register(chat, "みどりの会")
    register(chat, "こどもの広場")
    chat.say("相談する")
    assert "どの団体として" in chat.texts()
    chat.tap("こどもの広場")
    chat.tap("市に任せる")
    for text in ("目的", "目標", "市に期待", "団体が担う"):
        chat.say(text + "です")
    chat.tap("送る")
    (p,) = rows(chat, Proposal)
    assert (
        p.division_id is None and p.division_name == "市が担当課を決めます" and p.group_name == "こどもの広場"
    )


def test_reference_numbers_are_unique(chat):
    register(chat)
    for _ in range(2):
        chat.say("相談する")
        chat.tap("市に任せる")
        for text in ("a目的", "b目標", "c市", "d団体"):
            chat.say(text)
        chat.tap("送る")
    refs = [p.reference for p in rows(chat, Proposal)]
    assert len(set(refs)) == 2 and all(r.startswith("KY-2026-") for r in refs)


def test_small_talk_is_not_logged_as_unanswered(chat):
    chat.say("こんにちは！")
    assert "協働ボットです" in chat.texts()
    chat.say("ありがとうございました")
    assert "どういたしまして" in chat.texts()
    assert rows(chat, UnansweredQuestion) == []
