"""Issue 12, item 4: duplicates are found by matching.names (kana/kanji folded, numbers and 丁目
distinguishing), and the migration recomputes the keys stored the old way."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.registry import groups as registry
from bot.registry.groups import validate_group
from bot.storage import migrate
from bot.storage.db import make_engine


def _add(session, name, owner="line:U1", index=None):
    return registry.add_group(session, validate_group(name, "任意団体", "13", "活動"), owner, duplicates=index)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("こがねい子供食堂ネットワーク", "こがねい子ども食堂ネットワーク"),
        ("野川を守る会", "野川をまもる会"),
    ],
)
def test_spelling_variants_are_flagged(session, first, second):
    a = _add(session, first).group
    assert _add(session, second).group.duplicate_of_id == a.id


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("貫井北町一丁目自治会", "貫井北町二丁目自治会"),
        ("第一小学校PTA", "第二小学校PTA"),
    ],
)
def test_numbers_and_chome_tell_groups_apart(session, first, second):
    _add(session, first)
    assert _add(session, second).group.duplicate_of_id is None


def test_numbered_groups_of_one_import_are_not_flagged(session):
    index = registry.DuplicateIndex.load(session)
    flagged = [
        _add(session, f"テスト団体{n:05d}号", owner="import:t.csv", index=index).group.duplicate_of_id
        for n in range(1, 301)
    ]
    assert flagged.count(None) == 300


def test_migration_recomputes_old_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0006_group_visibility")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO groups (id, name, name_key, kind, fields, description, contact, owner, "
                "created_at, updated_at) VALUES (1, 'こがねい子供食堂ネットワーク', 'こがねい子供食堂ねっとわーく', "
                "'その他', '[]', '', '', 'line:U1', '2026-12-01', '2026-12-01')"
            )
        )
    engine.dispose()
    migrate.upgrade(url, "head")
    engine = make_engine(url)
    with engine.connect() as conn:
        key, note = conn.execute(text("SELECT name_key, kind_note FROM groups")).one()
    engine.dispose()
    assert key == registry.name_key("こがねい子ども食堂ネットワーク") and note == ""
    migrate.downgrade(url, "0006_group_visibility")
