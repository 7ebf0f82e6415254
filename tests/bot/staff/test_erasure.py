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


def _posted_group(factory) -> tuple[int, int]:
    with transaction(factory) as s:
        g = Group(
            name=NAME,
            name_key=NAME,
            kind="任意団体",
            fields=[7],
            description="秘密の活動内容です",
            contact="",
            owner=OWNER,
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
            message_ts="1700000000.000100",
        )
        s.add(note)
        s.flush()
        posts.queue_call(
            s,
            "chat.postMessage",
            {"channel": "CKANKYO", "text": f"{NAME}の候補"},
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
