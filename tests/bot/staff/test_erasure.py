"""A group deleted on its own (its owner on LINE, or `kyodo groups delete`) leaves the divisions'
Slack channels too: the posts are edited to a notice, the stored calls blanked, a click finds the
item gone (issue 12 item 15)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.engine import groups as engine_groups
from bot.engine.notify import Notifier
from bot.registry import groups as registry
from bot.staff import decisions, posts
from bot.staff import messages as msg
from bot.storage.db import make_engine, make_session_factory, transaction
from bot.storage.models import Group, OutboxMessage, Suggestion
from bot.storage.models.staff import StaffNotification
from handlers.slack import blocks
from tests.support.staff import DIRECTORY

OWNER = "line:U" + "d" * 32
NAME = "消える秘密の会"


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _posted_group(
    factory,
    name: str = NAME,
    owner: str = OWNER,
    ts: str = "1700000000.000100",
    description: str = "秘密の活動内容です",
) -> tuple[int, int]:
    with transaction(factory) as s:
        g = Group(
            name=name,
            name_key=name,
            kind="任意団体",
            fields=[7],
            description=description,
            contact="",
            owner=owner,
            match_fingerprint="x",
        )
        s.add(g)
        s.flush()
        sug = Suggestion(
            group_id=g.id,
            division_id="kankyo-seisaku",
            rank=1,
            score=0.8,
            fields=[],
            reasons=[],
            status="sent",
            group_fingerprint="g",
            division_fingerprint="d",
        )
        s.add(sug)
        s.flush()
        note = StaffNotification(
            kind="suggestion",
            ref_id=sug.id,
            division_id="kankyo-seisaku",
            slack_channel="CKANKYO",
            status="posted",
            message_ts=ts,
        )
        s.add(note)
        s.flush()
        posts.queue_call(
            s,
            "chat.postMessage",
            {"channel": "CKANKYO", "text": f"{name}の候補: {description}"},
            link=f"notification:{note.id}",
        )
        return g.id, note.id


def test_deleting_one_group_erases_its_posts(factory):
    gid, note_id = _posted_group(factory)
    with transaction(factory) as s:
        engine_groups.delete(s, OWNER, gid)
    with factory() as s:
        assert s.get(StaffNotification, note_id).status == "erased"
        rows = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert NAME not in json.dumps([r.messages for r in rows], ensure_ascii=False)
        update = rows[-1].messages[0]
        assert update["method"] == "chat.update" and update["args"]["text"] == msg.ITEM_ERASED
        assert update["args"]["ts"] == "1700000000.000100"
        result = decisions.decide(
            s,
            note_id,
            "take",
            actor="UALICE",
            actor_name="alice",
            message=None,
            directory=DIRECTORY,
            render=blocks.RENDERER,
            notify=Notifier({}),
        )
        assert result.gone and decisions.decision_notice(result) == msg.ITEM_GONE


def test_someone_else_cannot_erase_a_group(factory):
    gid, note_id = _posted_group(factory)
    with pytest.raises(registry.NotOwner), transaction(factory) as s:
        engine_groups.delete(s, "line:Usomeoneelse", gid)
    with factory() as s:
        assert s.get(StaffNotification, note_id).status == "posted"


def _opportunity(factory, status: str, message_ts: str | None, gone_first: bool = True) -> tuple[int, int]:
    """An opportunity whose ranked list names two groups: the one to be erased first (or second)."""
    from bot.staff import opportunities
    from bot.storage.models.opportunity import Opportunity, OpportunityRecipient

    with transaction(factory) as s:
        gone = Group(name=NAME, name_key=NAME, kind="任意団体", fields=[7], description="秘密の活動内容です",
                     contact="", owner=OWNER, match_fingerprint="x")
        kept = Group(name="残る川の会", name_key="残る川の会", kind="任意団体", fields=[7], description="",
                     contact="", owner="line:U" + "e" * 32, match_fingerprint="y")
        s.add_all([gone, kept])
        s.flush()
        opp = Opportunity(division_id="kankyo-seisaku", division_name="環境政策課", title="川の清掃",
                          fields=[7], sought="清掃", status=status, slack_channel="CKANKYO",
                          message_ts=message_ts)
        s.add(opp)
        s.flush()
        for rank, g in enumerate((gone, kept) if gone_first else (kept, gone), start=1):
            s.add(OpportunityRecipient(opportunity_id=opp.id, group_id=g.id, group_name=g.name, channel="line",
                                       user_id=g.owner[5:], rank=rank, score=2.0,
                                       reasons=[f"活動内容に「{g.name}」"],
                                       status="listed" if status == "draft" else "sent"))
        s.flush()
        payload = blocks.RENDERER.opportunity(opportunities.view_of(s, opp))
        posts.queue_call(s, "chat.postMessage", {"channel": "CKANKYO", **payload}, link=f"opportunity:{opp.id}")
        if message_ts:
            row = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
            row.status, row.result_ref = "delivered", message_ts
        return gone.id, opp.id


@pytest.mark.parametrize("status,ts", [("sent", "1700000000.000100"), ("draft", None)])
def test_erasing_a_group_renders_the_opportunity_list_again_without_it(factory, status, ts):
    """「データを削除」 of a ranked group: the list's post no longer names it. Posted: chat.update
    (the button of its state kept); not posted yet: its row is cancelled and the list posted again
    under the same link (送信 still comes), without the group."""
    from bot.staff.erasure import erase_groups
    from bot.staff.views import use_renderer

    use_renderer(blocks.RENDERER)
    gid, opp_id = _opportunity(factory, status, ts)
    with transaction(factory) as s:
        erase_groups(s, [gid])
    with factory() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack")).all()
        live = [r for r in rows if r.status == "pending"]
        dumped = json.dumps([r.messages for r in rows], ensure_ascii=False)
    assert NAME not in dumped and "秘密の活動内容" not in dumped
    assert len(live) == 1
    call = live[0].messages[0]
    text = json.dumps(call["args"]["blocks"], ensure_ascii=False)
    assert "残る川の会" in text and "データは削除されました" in text
    if ts:
        assert call["method"] == "chat.update" and call["args"]["ts"] == ts
        assert blocks.ACTION_OPP_CLOSE in text
    else:
        assert call["method"] == "chat.postMessage" and live[0].link == f"opportunity:{opp_id}"
        assert blocks.ACTION_OPP_SEND in text


def test_a_group_below_the_shown_list_leaves_the_pending_post_alone(factory, monkeypatch):
    """Ranked below the groups a post shows, the erased group was never named: the draft's post,
    not yet delivered, stays the one pending row (no second post)."""
    from bot.staff import opp_posts
    from bot.staff.erasure import erase_groups
    from bot.staff.views import use_renderer

    use_renderer(blocks.RENDERER)
    monkeypatch.setattr(opp_posts, "SHOWN", 1)
    gid, opp_id = _opportunity(factory, "draft", None, gone_first=False)
    with transaction(factory) as s:
        erase_groups(s, [gid])
    with factory() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "slack")).all()
    assert [(r.status, r.link) for r in rows] == [("pending", f"opportunity:{opp_id}")]
    assert "残る川の会" in json.dumps(rows[0].messages, ensure_ascii=False)


def test_the_rows_blanked_are_chosen_by_identifiers_never_by_words(factory):
    """「データを削除」 of a citizen whose group's name and activity are words inside other
    people's posts (「みどり」 in 「みどりの会」, 「公園」): only the rows about the citizen's own
    group go (its item, its 関心あり post); the other group's item, its 関心あり post and a staff
    answer that merely use the same words stay as they were."""
    from datetime import UTC, datetime

    from bot.engine import opportunities as citizen_opp
    from bot.engine.retention import delete_user_data
    from bot.storage.models.opportunity import Opportunity, OpportunityRecipient

    mine, my_note = _posted_group(factory, name="みどり", description="公園")
    theirs, their_note = _posted_group(
        factory, name="みどりの会", owner="line:U" + "e" * 32, ts="1700000000.000200", description="公園の清掃"
    )
    with transaction(factory) as s:
        opp = Opportunity(division_id="kankyo-seisaku", division_name="環境政策課", title="公園の清掃",
                          fields=[7], sought="清掃", status="sent", slack_channel="CKANKYO",
                          message_ts="1700000000.000300", created_at=datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
        s.add(opp)
        s.flush()
        for gid in (mine, theirs):  # each group answered 関心あり from the list: its row, its post
            g = s.get(Group, gid)
            s.add(OpportunityRecipient(opportunity_id=opp.id, group_id=gid, group_name=g.name, channel="line",
                                       user_id=g.owner[5:], status="listed", interested_at=opp.created_at))  # fmt: skip
            citizen_opp.tell_division(s, opp, g)
        posts.queue_call(s, "chat.postMessage", {"channel": "CKANKYO", "thread_ts": "1.5",
                                                 "text": "みどりの会さんの公園の件、了解です"})  # fmt: skip
    with factory() as s:
        before = {r.id: r.messages for r in s.scalars(select(OutboxMessage))}
    with transaction(factory) as s:
        delete_user_data(s, "line", OWNER.partition(":")[2], now=datetime(2026, 12, 7, tzinfo=UTC))
    with factory() as s:
        after = {r.id: r for r in s.scalars(select(OutboxMessage))}
        kept = {i for i in before if after[i].messages == before[i] and after[i].status == "pending"}
        blanked = {i for i in before if after[i].messages == []}
        assert s.get(StaffNotification, their_note).status == "posted"
        assert s.get(StaffNotification, my_note).status == "erased"
    texts = {i: json.dumps(m, ensure_ascii=False) for i, m in before.items()}
    (my_item,) = [i for i, t in texts.items() if "みどりの候補" in t]
    (my_interest,) = [i for i, t in texts.items() if "*みどり* が" in t]
    assert blanked == {my_item, my_interest}
    assert kept == set(before) - blanked  # the other group's item and 関心あり, the staff answer
    assert after[my_interest].link == citizen_opp.interest_link(opp.id, mine)
