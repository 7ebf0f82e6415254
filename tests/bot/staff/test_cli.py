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


def test_report_counts_opportunities_by_division(db_url, tmp_path):
    """`kyodo report` and `--csv`: calls by division — posted, sent to N groups, 関心あり M (rate),
    closed."""
    from bot.storage.db import utcnow
    from bot.storage.models.opportunity import Opportunity, OpportunityRecipient

    engine = make_engine(db_url)
    now = utcnow()
    with transaction(make_session_factory(engine)) as s:
        calls = [
            ("kankyo-seisaku", "環境政策課", "sent", ["sent", "sent", "sent", "capped"], 2),
            ("kankyo-seisaku", "環境政策課", "closed", ["sent"], 1),
            ("kankyo-seisaku", "環境政策課", "draft", ["listed"], 0),
            ("bunka", "文化推進課", "sent", ["sent", "unreachable"], 0),
        ]
        for division, name, status, outcomes, interested in calls:
            o = Opportunity(division_id=division, division_name=name, title="t", status=status)
            s.add(o)
            s.flush()
            for i, st in enumerate(outcomes):
                s.add(
                    OpportunityRecipient(
                        opportunity_id=o.id, group_id=100 * o.id + i, rank=i + 1, status=st,
                        interested_at=now if i < interested else None,
                    )
                )
    engine.dispose()
    out = kyodo(db_url, tmp_path, "report")
    assert out.returncode == 0, out.stderr
    assert "募集: 4件（送信 3件、締め切り 1件）、お知らせした団体 のべ5、「関心あり」3（60%）" in out.stdout
    assert "環境政策課: 募集 3件、4団体にお知らせ、「関心あり」3団体（75%）、締め切り 1件" in out.stdout
    assert "文化推進課: 募集 1件、1団体にお知らせ、「関心あり」0団体（0%）、締め切り 0件" in out.stdout
    out = kyodo(db_url, tmp_path, "report", "--csv")
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert rows["opportunities_posted"]["count"] == "4" and rows["opportunities_closed"]["count"] == "1"
    assert rows["opportunities_interested"]["count"] == "3" and rows["opportunities_interested"]["rate"] == "0.6000"
    k = "opportunities_division_kankyo-seisaku"
    assert (rows[f"{k}_posted"]["count"], rows[f"{k}_groups_sent"]["count"]) == ("3", "4")
    assert rows[f"{k}_interested"]["rate"] == "0.7500" and rows[f"{k}_closed"]["count"] == "1"
    assert rows["opportunities_division_bunka_sent"]["count"] == "1"
