"""Fallbacks common to every flow: やめる/最初から, expiry, stale and forged buttons, group chats,
unsupported messages, odd text, unfollow, deletion and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.engine import postback
from bot.engine.retention import purge_expired
from bot.storage.db import transaction
from bot.storage.models.conversation import ChatUser, Conversation, Feedback, Proposal, UnansweredQuestion
from bot.storage.models.registry import Group

from .conftest import Chat
from .test_flows import register, rows


def state(chat):
    convs = rows(chat, Conversation, Conversation.user_id == chat.user_id)
    return (convs[0].flow, convs[0].state) if convs else None


@pytest.mark.parametrize("word", ["やめる", "ヤメル", "ｷｬﾝｾﾙ", " 中止 "])
def test_cancel_anywhere(chat, word):
    chat.say("団体登録")
    chat.say("みどりの会")
    chat.say(word)
    assert "やめました" in chat.texts() and state(chat) is None
    assert rows(chat, Group) == []


def test_cancel_outside_a_flow(chat):
    chat.say("やめる")
    assert "進めている手続きはありません" in chat.texts()


def test_restart_goes_back_to_the_first_step(chat):
    chat.say("対象チェック")
    chat.tap("はい")
    chat.tap("はい")
    assert state(chat) == ("elig", "q3")
    chat.say("最初から")
    assert "もう一度始めます" in chat.texts() and state(chat) == ("elig", "q1")


def test_restart_an_edit_keeps_the_group(chat):
    register(chat)
    chat.say("登録内容を見る")
    chat.tap_card(0, "修正する")
    chat.tap("名前を直す")
    chat.say("最初から")
    assert state(chat) == ("gedit", "confirm") and "名前を直す" in chat.labels()


def test_expired_flow_is_announced_and_the_message_handled_fresh(chat):
    chat.say("対象チェック")
    chat.now += timedelta(minutes=31)
    chat.say("協働とは")
    assert "時間切れ" in chat.texts()
    assert chat.last[1].sources  # the question was answered, not taken as a step answer
    assert state(chat) is None


def test_expired_flow_button(chat):
    chat.say("対象チェック")
    yes = chat.choice("はい")
    chat.now += timedelta(hours=2)
    chat.postback(yes.data)
    assert "時間切れ" in chat.texts() and "対象チェック" in chat.labels()
    assert rows(chat, Conversation) == []


def test_state_survives_within_the_timeout(chat):
    chat.say("対象チェック")
    chat.now += timedelta(minutes=29)
    chat.tap("はい")
    assert "2/4" in chat.texts()


def test_stale_button_from_an_earlier_step(chat):
    chat.say("対象チェック")
    first_yes = chat.choice("はい")
    chat.tap("はい")
    chat.postback(first_yes.data)
    assert "前の質問" in chat.texts() and "2/4" in chat.texts()
    assert state(chat) == ("elig", "q2")


def test_button_of_a_finished_flow(chat):
    chat.say("対象チェック")
    yes = chat.choice("はい")
    chat.say("やめる")
    chat.postback(yes.data)
    assert "終わっています" in chat.texts()


def test_button_of_another_flow_while_in_a_flow(chat):
    chat.say("対象チェック")
    chat.say("対象チェック")
    chat.postback(postback.encode("reg", "kind.kind", "0"))
    assert "終わっています" in chat.texts() and "1/4" in chat.texts()


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "v2|elig|q1.ans|yes",
        "v1|elig|q1.ans",
        "v1|nope|start|",
        "v1|elig|q1.ans|yes|extra",
        "v1|fb|yes|notanumber",
        "v1|fb|yes|999999",
        "v1|qa|handoff|-1",
        "v1|reg|start|<script>",
        "v1|elig|q1.ans|" + "x" * 400,
        "v1|gedit|start|99999999999999999999",
        "\x00\x01",
        "v1|prop|division.division|7",
    ],
)
def test_forged_postbacks_are_answered_politely(chat, data):
    replies = chat.postback(data)
    assert 1 <= len(replies) <= 5 and all(r.text for r in replies)


def test_forged_division_index_reasks(chat):
    register(chat)
    chat.say("相談する")
    chat.postback(postback.encode("prop", "division.division", "99"))
    assert state(chat) == ("prop", "division")


def test_menu_word_interrupts_a_flow(chat):
    chat.say("対象チェック")
    chat.say("よくある質問")
    assert "中断しました" in chat.texts() and state(chat) is None


@pytest.mark.parametrize(
    "kind", ["sticker", "image", "video", "audio", "location", "file", "unknown", "weird"]
)
def test_unsupported_messages(chat, kind):
    chat.send("unsupported", message_type=kind)
    assert "文字で書いて" in chat.texts() and "協働とは" in chat.labels()


def test_unsupported_inside_a_flow_reasks(chat):
    chat.say("対象チェック")
    chat.send("unsupported", message_type="sticker")
    assert "文字で" in chat.texts() and "1/4" in chat.texts() and state(chat) == ("elig", "q1")


def test_unknown_event_kind(chat):
    chat.send("memberJoined")
    assert chat.last


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u3000",
        "😀😀",
        "！？",
        "ｱｲｳ",
        "Ｈｅｌｌｏ",
        "a" * 6000,
        "協働" * 300,
        "\u200b",
        "🇯🇵",
        "\ufeff協働とは",
    ],
)
def test_odd_texts(chat, text):
    replies = chat.say(text)
    assert 1 <= len(replies) <= 5 and all(len(r.text) <= 5000 for r in replies)


def test_group_chat_answers_questions_but_no_personal_flows(factory, services):
    group = Chat(factory, services, source_type="group")
    group.say("協働とは")
    assert group.last[0].sources
    group.say("団体登録")
    assert "1対1" in group.texts() and rows(group, Conversation) == []
    group.say("データを削除")
    assert "1対1" in group.texts()
    group.say("登録内容を見る")
    assert "1対1" in group.texts()
    group.postback(postback.encode("reg", "start"))
    assert "1対1" in group.texts()


def test_unfollow_marks_blocked_and_replies_nothing(chat):
    chat.say("対象チェック")
    assert chat.send("unfollow") == []
    (user,) = rows(chat, ChatUser)
    assert user.blocked and not user.followed and user.blocked_at is not None
    assert rows(chat, Conversation) == []
    chat.send("follow")
    (user,) = rows(chat, ChatUser)
    assert not user.blocked and user.followed
    assert "おかえりなさい" in chat.texts()


def _fill_user_data(chat):
    register(chat)
    chat.say("協働とは")
    chat.tap("はい")
    chat.say("駐車場は何台")
    chat.tap("職員に質問を送る")
    chat.tap("送る")
    chat.say("相談する")
    chat.tap("市に任せる")
    for text in ("a目的", "b目標", "c市", "d団体"):
        chat.say(text)
    chat.tap("送る")
    chat.say("対象チェック")  # an open conversation


def _assert_erased(chat):
    assert rows(chat, Group) == [] and rows(chat, Conversation) == []
    (p,) = rows(chat, Proposal)
    assert p.user_id is None and p.group_id is None and p.reference  # the record stays for the city
    assert p.purpose == p.goal == p.group_name == ""  # but not what the citizen wrote
    assert all(f.user_id is None and f.question == "" for f in rows(chat, Feedback))
    assert [f.helpful for f in rows(chat, Feedback)] == [True]  # the count survives
    assert all(q.user_id is None and q.text == "" for q in rows(chat, UnansweredQuestion))
    (user,) = rows(chat, ChatUser)
    assert user.deleted_at is not None and chat.user_id not in user.user_id


def test_delete_my_data_after_confirmation(chat, factory, services):
    other = Chat(factory, services, user_id="U" + "e" * 32)
    register(other, "ほかの会")
    _fill_user_data(chat)
    chat.say("データを削除")
    assert "1件" in chat.texts() and "元に戻せません" in chat.texts()
    chat.tap("やめる")
    assert "そのまま" in chat.texts() and len(rows(chat, Group)) == 2
    chat.say("データを削除")
    chat.tap("削除する")
    assert "削除しました" in chat.texts()
    assert [g.name for g in rows(chat, Group)] == ["ほかの会"]  # nobody else's data touched
    with transaction(chat.factory) as s:
        assert s.scalars(select(Group)).all()
    remaining = [g for g in rows(chat, Group) if g.owner == f"line:{chat.user_id}"]
    assert remaining == []
    (p,) = rows(chat, Proposal)
    assert p.user_id is None and p.group_id is None
    assert rows(chat, Conversation) == []


def test_purge_after_retention_period(chat, factory):
    _fill_user_data(chat)
    chat.send("unfollow")
    with transaction(factory) as s:
        assert purge_expired(s, chat.now + timedelta(days=29)) == 0
    with transaction(factory) as s:
        assert purge_expired(s, chat.now + timedelta(days=31)) == 1
    with transaction(factory) as s:
        assert purge_expired(s, chat.now + timedelta(days=32)) == 0  # once only
    _assert_erased(chat)


def test_purge_leaves_followers_alone(chat, factory):
    register(chat)
    with transaction(factory) as s:
        assert purge_expired(s, chat.now + timedelta(days=365)) == 0
    assert rows(chat, Group)


def test_long_and_missing_user_ids(factory, services):
    long_a = Chat(factory, services, user_id="U" + "x" * 300 + "a")
    long_b = Chat(factory, services, user_id="U" + "x" * 300 + "b")
    long_a.say("対象チェック")
    long_b.say("対象チェック")
    long_a.tap("はい")
    assert "2/4" in long_a.texts()
    ids = {u.user_id for u in rows(long_a, ChatUser)}
    assert len(ids) == 2 and all(len(i) <= 120 for i in ids)
    nobody = Chat(factory, services, user_id="", source_type="group")
    nobody.say("協働とは")
    assert nobody.last[0].sources
    nobody.say("対象チェック")
    assert "1対1" in nobody.texts()


def test_joining_a_group_greets_the_group(factory, services):
    group = Chat(factory, services, source_type="group")
    group.send("follow")
    assert "グループに招待" in group.texts()
    assert "団体登録" not in group.labels() and "協働とは" in group.labels()


def test_purge_drops_long_expired_flow_state(chat, factory):
    chat.say("団体登録")
    chat.say("みどりの会")
    with transaction(factory) as s:
        purge_expired(s, chat.now + timedelta(hours=2))
    assert rows(chat, Conversation)  # expired, but only just: kept until a day has passed
    with transaction(factory) as s:
        purge_expired(s, chat.now + timedelta(days=2))
    assert rows(chat, Conversation) == []


def test_delete_my_data_also_blanks_stored_messages_and_handoffs(chat):
    """What the user wrote (inbox), what was sent to them (outbox) and handoff copies go too."""
    import uuid

    from bot.messaging import inbox
    from bot.storage.db import utcnow
    from bot.storage.models.messaging import InboxEvent, OutboxMessage
    from bot.storage.models.staff import Handoff

    payload = {"type": "message", "source": {"type": "user", "userId": chat.user_id},
               "message": {"type": "text", "text": "わたしの住所は…"}}  # fmt: skip
    with transaction(chat.factory) as s:
        inbox.store_events(s, "line", [("ev-1", payload, True)])
        s.add(
            OutboxMessage(
                channel="line",
                destination=chat.user_id,
                messages=[{"type": "text", "text": "回答"}],
                retry_key=str(uuid.uuid4()),
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
            )
        )
        s.add(Handoff(unanswered_id=1, channel="line", user_id=chat.user_id, question="わたしの住所は…",
                      slack_channel="C1"))  # fmt: skip
    chat.say("データを削除")
    chat.tap("削除する")
    assert "削除しました" in chat.texts()
    (event,) = rows(chat, InboxEvent)
    assert event.payload == {}
    (sent,) = rows(chat, OutboxMessage)
    assert (sent.status, sent.messages) == ("cancelled", [])
    (handoff,) = rows(chat, Handoff)
    assert handoff.user_id is None and handoff.question == ""
