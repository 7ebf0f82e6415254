from sqlalchemy import inspect

from bot.storage import migrate
from bot.storage.db import make_engine

TABLES = {
    "chat_users",
    "conversations",
    "feedback",
    "unanswered_questions",
    "eligibility_checks",
    "proposals",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_0003_downgrades_and_upgrades_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    assert _tables(url) >= TABLES
    migrate.downgrade(url, "0002_messaging")
    assert not TABLES & _tables(url) and "groups" in _tables(url)
    migrate.upgrade(url)
    assert _tables(url) >= TABLES
