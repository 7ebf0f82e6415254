"""Pushes from the staff side go through the outbox, and only to people who still follow: the one
notification path (bot/engine/notify.py), with LINE's real renderer as bot/app.py composes it."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine.notify import Notifier
from bot.storage.db import transaction
from bot.storage.models.conversation import Proposal, UnansweredQuestion
from bot.storage.models.messaging import OutboxMessage
from handlers.line.render import render_replies

from .test_flows import register, rows

notify = Notifier({"line": render_replies})


def _propose(chat):
    register(chat)
    chat.say("相談する")
    chat.tap_card(0, "この課に相談する")
    for text in ("目的です", "目標です", "市に期待", "団体が担う"):
        chat.say(text)
    chat.tap("送る")


def test_proposal_decision_is_pushed(chat):
    chat.send("follow")
    _propose(chat)
    with transaction(chat.factory) as s:
        (p,) = s.scalars(select(Proposal)).all()
        assert notify.proposal_decided(s, p, taken=True)
    (row,) = rows(chat, OutboxMessage)
    assert row.destination == chat.user_id and row.reply_token is None
    assert p.reference in row.messages[0]["text"] and "子育て支援課" in row.messages[0]["text"]


def test_no_push_after_unfollow_or_deletion(chat):
    chat.send("follow")
    chat.say("駐車場は何台")
    chat.tap("職員に質問を送る")
    chat.tap("送る")
    chat.send("unfollow")
    with transaction(chat.factory) as s:
        (q,) = s.scalars(select(UnansweredQuestion)).all()
        assert not notify.staff_replied(s, q.channel, q.user_id, q.text, "30台です。")
    chat.send("follow")
    with transaction(chat.factory) as s:
        (q,) = s.scalars(select(UnansweredQuestion)).all()
        assert notify.staff_replied(s, q.channel, q.user_id, q.text, "30台です。")
    (row,) = rows(chat, OutboxMessage)
    assert "30台です。" in row.messages[0]["text"] and "駐車場は何台" in row.messages[0]["text"]
    chat.say("データを削除")
    chat.tap("削除する")
    with transaction(chat.factory) as s:
        (q,) = s.scalars(select(UnansweredQuestion)).all()
        assert q.user_id is None and not notify.staff_replied(s, q.channel, q.user_id, q.text, "again")


def test_terminal_users_get_no_push(factory, services):
    from .conftest import Chat

    cli = Chat(factory, services, user_id="cli:taro", channel="cli")
    cli.send("follow")
    with transaction(factory) as s:
        assert not notify.can_push(s, "cli", "cli:taro")
