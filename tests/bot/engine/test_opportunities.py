"""Issue 14 step 3: the group's side of calls for collaboration (協働の募集) through ``handle``:
「お知らせを停止」/「お知らせを再開」, 「募集中の協働は？」, 「関心あり」 (once, closed, no group, group
chats), the words inside a flow; and the staff side's ranking and sending rules (cap, opt-outs,
unreachable users, batches of 500, English users), without Slack or LINE."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.engine import messages as M
from bot.engine import opportunities as opp
from bot.engine.notify import Notifier
from bot.staff import opportunities as staff_opp
from bot.staff.directory import Directory, DivisionInfo
from bot.storage.db import transaction
from bot.storage.models import ChatUser, Group, Opportunity, OpportunityRecipient, OutboxMessage

from .conftest import T0, Chat
from .test_flows import register


class Render:
    """A staff renderer that keeps what it was given."""

    def opportunity(self, view):
        return {"text": view.head, "lines": view.lines, "footer": view.footer}


def _notifier() -> Notifier:
    return Notifier({"line": lambda replies: [{"type": "text", "text": r.text or "card"} for r in replies]})


def _sent_opportunity(chat, *, deadline: date | None = None, title: str = "公園の清掃") -> int:
    with transaction(chat.factory) as s:
        o = Opportunity(
            division_id="kankyo",
            division_name="環境政策課",
            title=title,
            fields=[7],
            sought="清掃に参加する団体",
            deadline=deadline,
            form="kyoryoku",
            status="sent",
            slack_channel="CKANKYO",
            message_ts="1.0",
            created_at=T0,
            updated_at=T0,
        )
        s.add(o)
        s.flush()
        return o.id


def test_stop_and_resume_notices(chat):
    assert M.OPP_NO_GROUPS in chat.say("お知らせを停止")[0].text
    register(chat)  # answered 受け取らない
    assert M.OPP_ALREADY_STOPPED in chat.say("お知らせを停止")[0].text
    assert "再開しました" in chat.say("お知らせを再開")[0].text
    with chat.factory() as s:
        assert s.scalar(select(Group.notices_opt_in)) is True
    assert "停止しました" in chat.say("お知らせ停止")[0].text
    with chat.factory() as s:
        assert s.scalar(select(Group.notices_opt_in)) is False


def test_words_inside_a_flow_answer_and_ask_the_question_again(chat):
    chat.say("団体登録")
    replies = chat.say("募集中の協働は？")
    assert M.OPP_LIST_NONE in replies[0].text
    assert len(replies) >= 2  # and the flow's question again
    chat.say("やめる")


def test_group_chat_refuses_personal_words(factory, services):
    room = Chat(factory, services, source_type="group")
    assert "グループでは使えません" in room.say("お知らせを停止")[0].text
    assert M.OPP_LIST_NONE in room.say("募集中の協働は？")[0].text  # the list is not personal


def test_no_open_call_offers_only_what_applies_to_the_user(factory, services):
    """「募集中の協働は？」 with nothing open: 「お知らせを停止」 only to someone whose group receives the
    notices; a user without a group is offered 団体登録 (the notices go to registered groups), one
    whose groups stopped them 「お知らせを再開」; a group chat nothing personal."""
    newcomer = Chat(factory, services)
    replies = newcomer.say("募集中の協働は？")
    assert M.OPP_LIST_NONE in replies[0].text
    assert M.OPP_STOP not in newcomer.labels() and M.OPP_RESUME not in newcomer.labels()
    assert newcomer.labels() == [M.MENU_REGISTER]
    member = Chat(factory, services, user_id="U" + "b" * 32)
    register(member)  # answered 受け取らない
    member.say("募集中の協働は？")
    assert member.labels() == [M.OPP_RESUME]
    member.say("お知らせを再開")
    member.say("募集中の協働は？")
    assert member.labels() == [M.OPP_STOP]
    room = Chat(factory, services, user_id="U" + "c" * 32, source_type="group")
    room.say("募集中の協働は？")
    assert room.labels() == []


def test_list_and_interest_once(chat):
    register(chat)
    oid = _sent_opportunity(chat, deadline=(T0 + timedelta(days=10)).date())
    _sent_opportunity(chat, deadline=(T0 - timedelta(days=2)).date(), title="締切済み")
    listing = chat.say("募集中の協働は？")
    assert "公園の清掃" in str(listing) and "締切済み" not in str(listing)
    first = chat.tap_card(0, M.OPP_INTERESTED)
    assert "お伝えしました" in first[0].text and "みどりの会" in first[0].text
    again = chat.postback(f"v1|opp|int|{oid}")
    assert "すでに" in again[0].text
    with chat.factory() as s:
        rows = s.scalars(select(OpportunityRecipient)).all()
        assert len(rows) == 1 and rows[0].interested_at is not None
        posts = [r for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack"))]
        assert len(posts) == 1 and "みどりの会" in posts[0].messages[0]["args"]["text"]
        assert posts[0].messages[0]["args"]["thread_ts"] == "1.0"


def test_interest_needs_a_group_and_an_open_call(chat):
    oid = _sent_opportunity(chat)
    assert M.OPP_NEED_GROUP in chat.postback(f"v1|opp|int|{oid}")[0].text
    closed = _sent_opportunity(chat, deadline=(T0 - timedelta(days=1)).date())
    assert "締め切りました" in chat.postback(f"v1|opp|int|{closed}")[0].text
    assert M.OPP_GONE in chat.postback("v1|opp|int|999999")[0].text
    assert M.OPP_GONE in chat.postback("v1|opp|xx|abc")[0].text


def _groups(factory, n: int, *, language: str | None = None) -> list[str]:
    users = [f"U{i:032x}" for i in range(n)]
    with transaction(factory) as s:
        for i, u in enumerate(users):
            s.add(
                Group(
                    name=f"会{i}",
                    name_key=f"会{i}",
                    kind="任意団体",
                    fields=[7],
                    description="公園の清掃",
                    notices_opt_in=True,
                    owner=f"line:{u}",
                )
            )
            if language:
                s.add(ChatUser(channel="line", user_id=u, language=language, first_seen=T0, last_seen=T0))
    return users


def test_rank_send_cap_and_batches(factory):
    opp.configure(2)
    try:
        users = _groups(factory, 1001)
        with transaction(factory) as s:  # an English user: their own multicast rows
            s.add(ChatUser(channel="line", user_id=users[5], language="en", first_seen=T0, last_seen=T0))
            s.add(ChatUser(channel="line", user_id=users[6], blocked=True, first_seen=T0, last_seen=T0))
            s.add(Group(name="関係ない会", name_key="x", kind="任意団体", fields=[1], description="",
                        notices_opt_in=True, owner="line:Uother"))  # fmt: skip
            s.add(Group(name="受け取らない会", name_key="y", kind="任意団体", fields=[7], description="",
                        notices_opt_in=False, owner="line:Unot"))  # fmt: skip
        directory = Directory([DivisionInfo("kankyo", "環境政策課", "CKANKYO")])
        values = {
            "title": "公園の清掃",
            "division": "kankyo",
            "fields": [7],
            "sought": "清掃",
            "form": "kyoryoku",
        }
        assert staff_opp.form_errors(values, T0) == {}
        assert staff_opp.channel_for(directory, "kankyo", "") == "CKANKYO"
        assert (
            staff_opp.channel_for(Directory([DivisionInfo("x", "x課")]), "x", "") == ""
        )  # the modal says so
        assert set(staff_opp.form_errors({**values, "fields": [], "deadline": "2020-01-01"}, T0)) == {
            "fields",
            "deadline",
        }
        sent = []
        for round_ in range(3):
            with transaction(factory) as s:
                o = staff_opp.create(
                    s, values, actor="USTAFF", actor_name="staff", directory=directory, staff_channel="",
                    render=Render(), now=T0,
                )  # fmt: skip
                ranked = s.scalars(
                    select(OpportunityRecipient).where(OpportunityRecipient.opportunity_id == o.id)
                )
                assert {r.group_name for r in ranked} >= {"会0"} and "関係ない会" not in {
                    r.group_name for r in ranked
                }
                assert staff_opp.send(
                    s, o.id, actor="USTAFF", actor_name="staff", render=Render(), notify=_notifier(),
                    message=("CKANKYO", "1.0"), now=T0 + timedelta(minutes=round_),
                ) is None  # fmt: skip
                assert (
                    staff_opp.send(
                        s,
                        o.id,
                        actor="USTAFF",
                        actor_name="staff",
                        render=Render(),
                        notify=_notifier(),
                        now=T0,
                    )
                    == staff_opp.msg.OPP_ALREADY_SENT
                )
                counts = {}
                for r in s.scalars(
                    select(OpportunityRecipient).where(OpportunityRecipient.opportunity_id == o.id)
                ):
                    counts[r.status] = counts.get(r.status, 0) + 1
                sent.append(counts)
        assert sent[0] == {"sent": 1000, "unreachable": 1}
        assert sent[1] == {"sent": 1000, "unreachable": 1}
        assert sent[2] == {"capped": 1000, "unreachable": 1}  # the cap of 2 a month held
        with factory() as s:
            rows = s.scalars(select(OutboxMessage).where(OutboxMessage.destination.like("multicast:%"))).all()
        per_row = [len(r.messages[0]["to"]) for r in rows]
        assert max(per_row) <= 500 and sum(per_row) == 2000
        assert any(r.destination.startswith("multicast:opp1-en") for r in rows)
        # Next month the cap starts again.
        with transaction(factory) as s:
            o = staff_opp.create(
                s,
                values,
                actor="U",
                actor_name="s",
                directory=directory,
                staff_channel="",
                render=Render(),
                now=T0,
            )
            staff_opp.send(s, o.id, actor="U", actor_name="s", render=Render(), notify=_notifier(),
                           now=T0 + timedelta(days=40))  # fmt: skip
            statuses = {r.status for r in s.scalars(select(OpportunityRecipient).where(
                OpportunityRecipient.opportunity_id == o.id))}  # fmt: skip
            assert statuses == {"sent", "unreachable"}
    finally:
        opp.configure(opp.DEFAULT_MONTHLY_CAP)


def test_the_list_shows_five_and_counts_the_rest(chat):
    for i in range(7):
        _sent_opportunity(chat, title=f"募集{i}")
    replies = chat.say("募集中の協働は？")
    assert len(replies[0].cards) == opp.LIST_MAX and "ほかに2件" in replies[0].text


# -- a call whose deadline passed is closed by housekeeping --------------------------------------------


def _close_due(factory, now) -> dict:
    from handlers.slack import blocks

    with transaction(factory) as s:
        return staff_opp.close_due(s, render=blocks.RENDERER, now=now)


def test_the_deadline_chore_closes_a_call_once_the_day_after_in_japan(chat):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.staff import messages as staff_msg
    from bot.storage.models import StaffAuditEntry
    from handlers.slack import blocks

    jst = ZoneInfo("Asia/Tokyo")
    register(chat)
    oid = _sent_opportunity(chat, deadline=date(2026, 11, 30))
    undated = _sent_opportunity(chat, title="締切なし")
    later = _sent_opportunity(chat, deadline=date(2026, 12, 1), title="明日まで")
    assert _close_due(chat.factory, datetime(2026, 11, 30, 23, 59, tzinfo=jst)) == {"opportunities_closed": 0}
    after = datetime(2026, 12, 1, 0, 30, tzinfo=jst)  # still 11/30 in UTC
    assert _close_due(chat.factory, after) == {"opportunities_closed": 1}
    assert _close_due(chat.factory, after + timedelta(hours=1)) == {"opportunities_closed": 0}  # once
    with chat.factory() as s:
        assert [s.get(Opportunity, i).status for i in (oid, undated, later)] == ["closed", "sent", "sent"]
        (entry,) = s.scalars(select(StaffAuditEntry).where(StaffAuditEntry.action == "opp_close")).all()
        assert (entry.actor, entry.target_id, entry.detail["by"]) == (staff_opp.DEADLINE_ACTOR, str(oid), "deadline")
        calls = [r.messages[0] for r in s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack"))]
    update, note = calls
    # The division's post: re-rendered as closed (no button), and a line in its thread.
    assert update["method"] == "chat.update" and update["args"]["ts"] == "1.0"
    rendered = str(update["args"]["blocks"])
    assert "締め切りました" in rendered and blocks.ACTION_OPP_CLOSE not in rendered
    assert note["method"] == "chat.postMessage" and note["args"]["thread_ts"] == "1.0"
    assert note["args"]["text"] == staff_msg.OPP_CLOSED_DEADLINE.format(deadline="11月30日")
    # App Home lists the division's open calls only; a late click on the old button is told.
    with chat.factory() as s:
        assert [o.id for o in staff_opp.for_division(s, "kankyo", after)] == [later, undated]
    with transaction(chat.factory) as s:
        assert (
            staff_opp.close(s, oid, actor="U1", actor_name="alice", render=blocks.RENDERER, now=after)
            == staff_msg.OPP_ALREADY_CLOSED
        )
    # 関心あり on the old notice: closed.
    chat.now = after
    assert "締め切りました" in chat.postback(f"v1|opp|int|{oid}")[0].text


def test_a_click_and_the_chore_at_once_close_it_once(chat):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.storage.models import StaffAuditEntry
    from handlers.slack import blocks

    after = datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    oid = _sent_opportunity(chat, deadline=date(2026, 11, 30))
    a, b = chat.factory(), chat.factory()
    try:
        stale = b.get(Opportunity, oid)  # the chore read the call as sent before the click wrote
        assert stale.status == "sent"
        assert staff_opp.close(a, oid, actor="U1", actor_name="alice", render=blocks.RENDERER, now=after) is None
        a.commit()
        assert not staff_opp._close_once(b, stale, after)  # the conditional UPDATE lets one through
        b.commit()
        assert staff_opp.close_due(b, render=blocks.RENDERER, now=after) == {"opportunities_closed": 0}
        b.commit()
    finally:
        a.close()
        b.close()
    with chat.factory() as s:
        assert len(s.scalars(select(StaffAuditEntry).where(StaffAuditEntry.action == "opp_close")).all()) == 1


def test_the_worker_runs_the_deadline_chore_where_slack_is_configured(chat):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.app import staff_chores
    from bot.settings import Settings

    assert staff_chores(Settings.from_env({})) == []  # no Slack: no calls to close
    chores = staff_chores(Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}))
    oid = _sent_opportunity(chat, deadline=date(2026, 11, 30))
    done: dict = {}
    with transaction(chat.factory) as s:
        for chore in chores:
            done.update(chore(s, datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo")), timedelta(days=30)))
    assert done == {"evaluations_due": 0, "opportunities_closed": 1}
    with chat.factory() as s:
        assert s.get(Opportunity, oid).status == "closed"
