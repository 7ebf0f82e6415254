"""Migration 0006 adds what a group chose to publish and receive, defaulting to nothing, and back."""

from __future__ import annotations

from sqlalchemy import inspect, text

from bot.storage import migrate
from bot.storage.db import make_engine


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns("groups")}
    finally:
        engine.dispose()


def test_existing_groups_stay_private_and_downgrade_removes_the_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0005_one_durable_path")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO groups (id, name, name_key, kind, fields, description, contact, owner, "
                "created_at, updated_at) VALUES (1, '野川を守る会', 'のがわをまもるかい', '市民活動団体', '[]', "
                "'', 'private@example.jp', 'line:U1', '2026-12-01', '2026-12-01')"
            )
        )
    engine.dispose()
    migrate.upgrade(url, "0006_group_visibility")
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT listed, public_contact, notices_opt_in FROM groups")).one()
    engine.dispose()
    assert (bool(row[0]), row[1], bool(row[2])) == (False, "", False)
    migrate.downgrade(url, "0005_one_durable_path")
    assert not {"listed", "public_contact", "notices_opt_in"} & _columns(url)
