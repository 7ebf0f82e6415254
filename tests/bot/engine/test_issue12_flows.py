"""Issue 12, items 1-11: a citizen cannot get stuck in a consultation flow (through handle())."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.engine import messages as M
from bot.storage.db import transaction
from bot.storage.models.conversation import Conversation, Proposal, UnansweredQuestion
from bot.storage.models.registry import Group

from .test_flows import register


def rows(chat, model):
    with transaction(chat.factory) as s:
        return list(s.scalars(select(model)))


def state(chat):
    convs = rows(chat, Conversation)
    return (convs[0].flow, convs[0].state) if convs else None


def to_fields(chat, name="みどりの会"):
    chat.say("団体登録")
    chat.say(name)
    chat.tap("その他")
    assert state(chat) == ("reg", "fields")


def card_lines(chat):
    return [line for r in chat.last for c in r.cards for line in c.lines]


# -- 1. fields: a guess is confirmed, a synonym is said, nothing fits is said -------------------


def test_a_guessed_field_is_asked_about_not_stored(chat):
    to_fields(chat)
    chat.say("将棋")
    assert state(chat) == ("reg", "field_check")
    assert "「将棋」は、分野「学術・文化・芸術・スポーツ」のことでしょうか" in chat.texts()
    chat.tap("違います")
    assert state(chat) == ("reg", "fields") and "まだ分野が選ばれていません" in chat.texts()
    chat.say("将棋")
    chat.tap("はい")
    assert "選択中: 学術・文化・芸術・スポーツ" in chat.texts()


def test_several_words_each_confirmed(chat):
    to_fields(chat)
    chat.say("食育、貧困")
    assert "「食育」" in chat.texts()
    chat.tap("はい")
    assert "「貧困」" in chat.texts()
    chat.tap("はい")
    assert "選択中: 保健・医療・福祉" in chat.texts()


def test_a_synonym_says_what_it_is_stored_as_and_can_be_undone(chat):
    to_fields(chat)
    chat.say("学習支援")
    assert "「学習支援」は、分野「子ども」として登録します" in chat.texts()
    chat.tap("他の分野")
    chat.tap("✓子ども")  # the citizen corrects it
    assert "まだ分野が選ばれていません" in chat.texts()


def test_several_candidates_are_offered(chat):
    to_fields(chat)
    chat.say("子ども食堂")
    assert "いくつか" in chat.texts() and {"子ども", "保健・医療・福祉", "どれでもない"} <= set(chat.labels())
    chat.tap("子ども")
    assert "選択中: 子ども" in chat.texts()


def test_a_word_that_fits_nothing_is_said(chat):
    to_fields(chat)
    chat.say("宇宙開発")
    assert "「宇宙開発」に当てはまる分野が見つかりませんでした" in chat.texts()


# -- 2. kind: free text has a home --------------------------------------------------------------


def test_free_text_kind_is_kept_as_other(chat):
    chat.say("団体登録")
    chat.say("小金井一小PTAのOB会")
    assert "種類" in chat.texts() and "種別" not in chat.texts()
    chat.say("PTAのOB会")
    assert "その他（PTAのOB会）" in chat.texts() and state(chat) == ("reg", "fields")
    chat.tap("社会教育")
    chat.tap("次へ")
    chat.say("卒業生で見守り活動をしています")
    chat.tap("省略する")
    chat.tap("載せない")
    chat.tap("受け取らない")
    assert "種類: その他（PTAのOB会）" in card_lines(chat)
    chat.tap("登録する")
    (g,) = rows(chat, Group)
    assert (g.kind, g.kind_note) == ("その他", "PTAのOB会")
    chat.say("登録内容を見る")  # the stored card shows the same
    assert "種類: その他（PTAのOB会）" in card_lines(chat)
    assert "団体をさがすに掲載: 載せない" in card_lines(chat)


# -- 3. name and contact are validated ----------------------------------------------------------


def test_a_question_is_not_taken_as_the_group_name(chat):
    chat.say("団体登録")
    chat.say("補助金はもらえますか？")
    assert state(chat) == ("reg", "name") and "団体の名前をお聞きしています" in chat.texts()


def test_contact_must_be_an_email_or_phone(chat):
    chat.say("団体登録")
    chat.say("みどりの会")
    chat.tap("その他")
    chat.tap("環境保全")
    chat.tap("次へ")
    chat.say("公園の清掃")
    chat.say("あいうえお")
    assert state(chat) == ("reg", "contact") and "メールアドレス" in chat.texts()
    chat.say("０４２－３８３－１１１１")  # full width, normalised
    assert state(chat) == ("reg", "listed")


# -- listed / notices (migration 0006): asked, default no, on the card --------------------------


def test_listed_and_notices_default_to_no(chat):
    register(chat)
    (g,) = rows(chat, Group)
    assert g.listed is False and g.notices_opt_in is False


# -- 5. 対象チェック: plain words, hints, unambiguous wording ---------------------------------------


def test_eligibility_understands_plain_answers(chat):
    chat.say("対象チェック")
    chat.say("うん")
    assert "2/4" in chat.texts()
    chat.say("いいえ、違います")
    assert "3/4" in chat.texts()
    chat.say("よくわかりません")
    assert "4/4" in chat.texts()
    chat.say("はい")
    assert "× 非営利" in chat.texts() and "？ 政治・宗教が目的でない" in chat.texts()


def test_eligibility_question_gets_a_hint(chat):
    chat.say("対象チェック")
    chat.say("公益性って何ですか？")
    assert "「はい」「いいえ」「わからない」" in chat.texts() and "やめる" in chat.texts()
    assert state(chat) == ("elig", "q1")


def test_eligibility_questions_have_no_double_negatives():
    for _key, _name, question, _explanation in M.CHECK_CONDITIONS:
        assert "としない活動ですか" not in question and "反しない" not in question
    assert "「わからない」の項目があります（？）" not in M.CHECK_UNCLEAR


# -- 7. 戻る and resuming --------------------------------------------------------------------------


def test_back_in_registration(chat):
    to_fields(chat)
    assert "戻る" in chat.labels()
    chat.say("戻る")
    assert state(chat) == ("reg", "kind") and "2/5" in chat.texts()
    chat.say("戻る")
    assert state(chat) == ("reg", "name")
    chat.say("戻る")
    assert state(chat) == ("reg", "name") and "最初の質問" in chat.texts()


def test_back_in_eligibility_and_proposal(chat):
    chat.say("対象チェック")
    chat.tap("はい")
    chat.tap("戻る")
    assert state(chat) == ("elig", "q1")
    chat.say("やめる")
    register(chat)
    chat.say("相談する")
    chat.tap("市に任せる")
    chat.say("目的です")
    assert state(chat) == ("prop", "goal")
    chat.tap("戻る")
    assert state(chat) == ("prop", "purpose")
    chat.tap("戻る")
    assert state(chat) == ("prop", "division")


def test_delete_data_mid_registration_then_cancel_resumes(chat):
    to_fields(chat)
    chat.tap("環境保全")
    chat.say("データを削除")
    assert "手続きの途中の内容" in chat.texts()
    chat.tap("やめる")
    assert "団体登録の続きです" in chat.texts() and state(chat) == ("reg", "fields")
    assert "選択中: 環境保全" in chat.texts()


def test_typed_cancel_in_an_interrupting_flow_resumes(chat):
    to_fields(chat)
    chat.say("対象チェック")
    chat.say("やめる")
    assert state(chat) == ("reg", "fields") and "団体登録の続きです" in chat.texts()


def test_delete_data_mid_registration_confirmed_removes_the_draft(chat):
    to_fields(chat)
    chat.say("データを削除")
    chat.tap("削除する")
    assert state(chat) is None and "削除しました" in chat.texts()


# -- 6. edit one item -----------------------------------------------------------------------------


def test_fix_one_item_from_the_confirmation_card(chat):
    chat.say("団体登録")
    chat.say("みどりの会")
    chat.tap("その他")
    chat.tap("環境保全")
    chat.tap("次へ")
    chat.say("公園の清掃")
    chat.tap("省略する")
    chat.tap("載せない")
    chat.tap("受け取らない")
    chat.tap("分野を直す")
    assert "変更しない" in chat.labels() and len(chat.labels()) <= 13
    chat.tap("他の分野")
    chat.tap("子ども")
    chat.tap("次へ")
    assert state(chat) == ("reg", "confirm")
    assert any("環境保全、子ども" in line for line in card_lines(chat))


# -- 8. menu buttons; nothing to delete ------------------------------------------------------------


def test_menu_after_group_deletion_and_list(chat):
    register(chat)
    chat.say("登録内容を見る")
    assert M.MENU_CONSULT in chat.labels()
    chat.tap_card(0, "削除する")
    chat.tap("削除する")
    assert "削除しました" in chat.texts() and M.MENU_CHECK in chat.labels()


def test_delete_data_with_nothing_stored(chat):
    chat.say("データを削除")
    assert "削除するデータはありません" in chat.texts() and "0件" not in chat.texts()
    assert state(chat) is None and chat.labels()


# -- 9. 提案の状況 ----------------------------------------------------------------------------------


def _propose(chat):
    chat.say("相談する")
    chat.tap_card(0, "この課に相談する")
    for text in ("a目的", "b目標", "c市", "d団体"):
        chat.say(text)
    chat.tap("送る")


def test_proposal_status(chat):
    chat.say("提案の状況")
    assert "まだありません" in chat.texts()
    register(chat)
    _propose(chat)
    (p,) = rows(chat, Proposal)
    for question in ("提案の状況", "提案の返事はまだですか", f"{p.reference} の状況"):
        chat.say(question)
        (card,) = [c for r in chat.last for c in r.cards]
        assert card.title == p.reference
        assert "担当課: 子育て支援課" in card.lines and "送った日: 2026年11月26日" in card.lines
        assert any("2週間" in line for line in card.lines)
    with transaction(chat.factory) as s:
        s.get(Proposal, p.id).status = "sent"
    chat.say("提案の状況")
    assert any("2026年12月" in line and "ごろまで" in line for line in card_lines(chat))
    chat.now += timedelta(days=30)
    chat.say("提案の状況")
    assert any("コミュニティ文化課" in line for line in card_lines(chat))


def test_someone_elses_reference_is_not_shown(chat, factory, services):
    from .conftest import Chat

    register(chat)
    _propose(chat)
    (p,) = rows(chat, Proposal)
    other = Chat(factory, services, user_id="U" + "f" * 32)
    other.say(f"{p.reference}の状況")
    assert "見つかりませんでした" in other.texts() and not [c for r in other.last for c in r.cards]


# -- 10, 11 -------------------------------------------------------------------------------------------


def test_handoff_shows_the_question_and_can_be_declined(chat):
    chat.say("市役所の駐車場は何台？")
    chat.tap("職員に質問を送る")
    assert "市役所の駐車場は何台?" in chat.texts()
    chat.tap("送らない")
    (q,) = rows(chat, UnansweredQuestion)
    assert not q.handoff_requested and q.status == "open"


def test_receipt_has_no_citation_and_faq_is_listed_once(chat):
    register(chat)
    _propose(chat)
    assert all(not r.sources for r in chat.last) and "受付番号" in chat.texts()
    chat.say("よくある質問")
    text = chat.texts()
    assert all(q not in text for q in chat.labels())


def test_typing_a_buttons_label_presses_it(chat):
    """On a phone some people type what a button says: 「登録する」 under the confirmation card
    registers, as the tap does (it used to show the card again without a word)."""
    chat.say("団体登録")
    chat.say("さくら子ども食堂")
    chat.say("任意団体・市民活動団体")
    chat.say("子ども")
    chat.say("次へ")
    chat.say("子ども食堂をしています。")
    chat.say("省略する")
    chat.say("載せない")
    chat.say("受け取らない")
    assert any(r.cards for r in chat.last)
    chat.say("登録する")
    assert "登録しました" in chat.texts()
    # a label that several buttons share (「この課に相談する」 on every card) names no one of them
    chat.say("相談する")
    assert state(chat) == ("prop", "division")
    chat.say(M.PROP_CHOOSE)
    assert state(chat) == ("prop", "division")
    chat.say(M.PROP_LEAVE_TO_CITY)  # one button: pressed
    assert state(chat) == ("prop", "purpose")
