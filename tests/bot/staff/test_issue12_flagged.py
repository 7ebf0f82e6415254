"""Issue 12, item 4: staff see the groups flagged as probable duplicates in Slack (`/kyodo 重複`)."""

from __future__ import annotations

from bot.registry import groups as registry
from bot.registry.groups import validate_group
from bot.staff import lookups
from bot.storage.db import make_engine, make_session_factory, transaction
from handlers.slack.listeners import parse_command


def test_flagged_groups_are_listed_for_staff(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    try:
        with factory() as s:
            assert lookups.lookup_flagged(s) == "重複の疑いの印がある団体はありません。"
        with transaction(factory) as s:
            data = validate_group("こがねい子供食堂ネットワーク", "任意団体", "13", "子ども食堂")
            registry.add_group(s, data, "line:U1")
            second = validate_group("こがねい子ども食堂ネットワーク", "任意団体", "13", "子ども食堂")
            registry.add_group(s, second, "import:list.csv")
        with factory() as s:
            text = lookups.lookup_flagged(s)
        assert "#2 *こがねい子ども食堂ネットワーク*" in text and "#1 *こがねい子供食堂ネットワーク*" in text
        assert "kyodo groups distinct" in text
    finally:
        engine.dispose()
    assert parse_command("重複") == ("flagged", "")
