"""`kyodo report` and `kyodo audit`, and the audit entries of CLI actions (issue 12, items 12, 16)."""

from __future__ import annotations

import csv
import io
import json

from bot.storage.db import make_engine, make_session_factory, transaction
from bot.storage.models import Feedback, UnansweredQuestion
from tests.bot.registry.test_cli import EXAMPLE, kyodo


def test_report_cli_text_and_csv(db_url, tmp_path):
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as s:
        fb = Feedback(channel="line", user_id="U1", question="協働とは", helpful=False)
        s.add(fb)
        s.add(UnansweredQuestion(channel="line", user_id="U1", text="協働とは", reason="unhelpful"))
    engine.dispose()
    out = kyodo(db_url, tmp_path, "report")
    assert out.returncode == 0, out.stderr
    assert "市民からの質問: 1件" in out.stdout and "回答 1件（100%" in out.stdout
    out = kyodo(db_url, tmp_path, "report", "--from", "2020-01-01", "--to", "2099-12-31", "--csv")
    assert out.returncode == 0, out.stderr
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["citizen_questions"]["count"] == "1"
    assert rows["citizen_answered"]["rate"] == "1.0000"
    assert rows["answers_helpful"]["count"] == "0" and rows["answers_rated"]["count"] == "1"
    bad = kyodo(db_url, tmp_path, "report", "--from", "2026-12-31", "--to", "2026-01-01")
    assert bad.returncode == 2 and "after" in bad.stderr


def test_cli_actions_are_audited_and_readable(db_url, tmp_path):
    assert kyodo(db_url, tmp_path, "groups", "import", str(EXAMPLE)).returncode == 0
    assert kyodo(db_url, tmp_path, "groups", "distinct", "1").returncode == 0
    assert kyodo(db_url, tmp_path, "groups", "delete", "2").returncode == 0
    out = kyodo(db_url, tmp_path, "audit", "--json")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["action"] for r in rows] == ["groups_import", "group_distinct", "group_delete"]
    assert rows[0]["actor"].startswith("cli") and rows[2]["target"] == "group:2"
    assert rows[0]["detail"]["added"] > 0
    text = kyodo(db_url, tmp_path, "audit", "--since", "1d")
    assert text.returncode == 0 and "group_delete" in text.stdout
    none = kyodo(db_url, tmp_path, "audit", "--since", "2999-01-01")
    assert none.returncode == 0 and none.stdout == ""
    bad = kyodo(db_url, tmp_path, "audit", "--since", "someday")
    assert bad.returncode == 2


def test_report_on_a_database_never_migrated(tmp_path):
    out = kyodo(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path, "report")
    assert out.returncode == 2 and "kyodo db upgrade" in out.stderr
    older = f"sqlite:///{tmp_path / 'older.db'}"  # migrated, but not to the latest revision
    assert kyodo(older, tmp_path, "db", "upgrade", "0006_group_visibility").returncode == 0
    out = kyodo(older, tmp_path, "report")
    assert out.returncode == 2 and "kyodo db upgrade" in out.stderr and "Traceback" not in out.stderr
