"""Issue 14: the group's side of a collaboration (the card, 「合意する」, 「変更を依頼」), its line in
「提案の状況」, and the staff side's rules (status moves, App Home), without Slack or LINE."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine import collaboration as collab
from bot.engine import messages as M
from bot.engine.notify import Notifier
from bot.engine.retention import delete_user_data
from bot.staff import collaborations
from bot.staff import messages as msg
from bot.storage.db import transaction
from bot.storage.models import Collaboration, OutboxMessage, Proposal, StaffAuditEntry
from handlers.slack import blocks

from .test_issue12_flows import _propose, register, rows


def _open(chat, *, filled: bool = True, status: str = "discussing") -> int:
    """A collaboration on the user's proposal, as 「担当する」 and the modal leave it."""
    register(chat)
    _propose(chat)
    (p,) = rows(chat, Proposal)
    with transaction(chat.factory) as s:
        c = Collaboration(
            notification_id=1,
            source_kind="proposal",
            source_id=p.id,
            group_name="みどりの会",
            division_id="kosodate",
            division_name="子育て支援課",
            channel="line",
            user_id=chat.user_id,
            form="kyosai",
            purpose="子どもの居場所",
            goal_what="週1回の開催",
            role_city="会場",
            role_group="運営",
            status=status,
            filled=filled,
            slack_channel="CKOSODATE",
            thread_ts="1.0",
            created_at=chat.now,
            updated_at=chat.now,
        )
        s.add(c)
        s.flush()
        return c.id


def _slack_posts(chat) -> list[str]:
    with chat.factory() as s:
        return [
            r.messages[0]["args"].get("text", "")
            for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack"))
        ]


def test_status_view_shows_the_collaboration(chat):
    _open(chat)
    chat.say("提案の状況")
    (card,) = [c for r in chat.last for c in r.cards]
    assert "協働: 協議中（共催）" in card.lines


def test_agree_once_then_the_thread_hears_it(chat):
    cid = _open(chat)
    with chat.factory() as s:
        reply = collab.ask_reply(s.get(Collaboration, cid))
    chat.last = [reply]
    chat.tap(M.COLLAB_AGREE)
    assert "合意しました" in chat.texts()
    with chat.factory() as s:
        assert s.get(Collaboration, cid).status == "agreed"
    assert msg.COLLAB_GROUP_AGREED in _slack_posts(chat)
    chat.last = [reply]
    chat.tap(M.COLLAB_AGREE)
    assert "「合意」" in chat.texts()
    assert _slack_posts(chat).count(msg.COLLAB_GROUP_AGREED) == 1


def test_change_request_is_bounded_and_reaches_the_thread(chat):
    cid = _open(chat)
    with chat.factory() as s:
        chat.last = [collab.ask_reply(s.get(Collaboration, cid))]
    chat.tap(M.COLLAB_CHANGE)
    assert M.COLLAB_CHANGE_ASK in chat.texts()
    chat.say("あ" * 501)
    assert "500字以内" in chat.texts()
    chat.say("開催は <!channel> 月2回に")
    assert "届けました" in chat.texts()
    (posted,) = [t for t in _slack_posts(chat) if "変更の依頼" in t]
    assert "月2回" in posted and "<!channel>" not in posted  # escaped for mrkdwn


def test_not_filled_or_someone_else(chat, factory, services):
    from .conftest import Chat

    cid = _open(chat, filled=False)
    chat.postback(f"v1|collab|start|a{cid}")
    assert M.COLLAB_NOT_READY in chat.texts()
    other = Chat(factory, services, user_id="U" + "b" * 32)
    other.postback(f"v1|collab|start|a{cid}")
    assert M.COLLAB_GONE in other.texts()
    other.postback("v1|collab|start|a99999999999")
    assert M.COLLAB_GONE in other.texts()


def test_deleting_the_users_data_keeps_the_record_but_not_the_user(chat):
    cid = _open(chat)
    with transaction(chat.factory) as s:
        delete_user_data(s, "line", chat.user_id, now=chat.now)
    with chat.factory() as s:
        c = s.get(Collaboration, cid)
        assert c is not None and c.user_id is None


def test_staff_status_moves_follow_the_order(chat):
    cid = _open(chat)
    notify = Notifier({})  # nothing can push: the record still moves
    with transaction(chat.factory) as s:
        args = dict(actor="UALICE", actor_name="alice", render=blocks.RENDERER, notify=notify)
        assert collaborations.set_status(s, cid, "done", **args) is not None  # 協議中 -> 完了: no
        assert collaborations.set_status(s, cid, "bogus", **args) is not None
        assert collaborations.set_status(s, cid, "agreed", **args) is None
        assert collaborations.set_status(s, cid, "running", **args) is None
        assert collaborations.set_status(s, cid, "cancelled", **args) is None
        assert collaborations.set_status(s, cid, "running", **args) is not None  # final
        assert collaborations.set_status(s, 999999, "running", **args) == msg.COLLAB_GONE
        # A saved form after the end changes nothing.
        assert not collaborations.save_form(s, cid, {"purpose": "x"}, "koen", **args)
    with chat.factory() as s:
        audited = s.scalars(
            select(StaffAuditEntry.detail).where(StaffAuditEntry.action == "collab_status")
        ).all()
    assert [(d["old"], d["new"]) for d in audited] == [
        ("discussing", "agreed"),
        ("agreed", "running"),
        ("running", "cancelled"),
    ]


def test_app_home_lists_the_divisions_collaborations(chat):
    cid = _open(chat)
    with chat.factory() as s:
        views = collaborations.for_division(s, "kosodate")
    assert [v.id for v in views] == [cid]
    from bot.staff.directory import DivisionInfo
    from bot.staff.lookups import HomeData

    home = blocks.home(HomeData(DivisionInfo("kosodate", "子育て支援課", "C1"), [], [], [], [], views))
    dumped = str(home)
    assert msg.HOME_COLLABS in dumped and "みどりの会" in dumped and blocks.ACTION_COLLAB_EDIT in dumped
    modal = blocks.collab_modal(views[0])
    assert modal["callback_id"] == blocks.COLLAB_MODAL
    purpose = next(b for b in modal["blocks"] if b.get("block_id") == "purpose")
    assert purpose["element"]["initial_value"] == "子どもの居場所"


def test_status_view_shows_a_collaboration_begun_from_a_suggestion(chat):
    register(chat)
    with transaction(chat.factory) as s:
        s.add(
            Collaboration(
                notification_id=7,
                source_kind="suggestion",
                source_id=1,
                group_name="みどりの会",
                division_id="kankyo",
                division_name="環境政策課",
                channel="line",
                user_id=chat.user_id,
                form="koen",
                status="running",
                filled=True,
                slack_channel="CKANKYO",
            )
        )
    chat.say("提案の状況")
    assert M.STATUS_COLLAB_INTRO in chat.texts()
    (card,) = [c for r in chat.last for c in r.cards]
    assert "状況: 実施中" in card.lines and "形態: 後援" in card.lines and not card.actions
