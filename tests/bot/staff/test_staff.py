"""The staff side's logic on the database (SQLite and PostgreSQL), without HTTP."""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.engine.notify import Notifier
from bot.registry import groups as registry
from bot.settings import Settings, SettingsError
from bot.staff import decisions, items, lookups, report, views
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models import (
    Collaboration,
    Feedback,
    Group,
    OutboxMessage,
    Proposal,
    StaffNotification,
    Suggestion,
    UnansweredQuestion,
)
from bot.storage.models.staff import StaffAuditEntry
from handlers.line.render import render_replies
from handlers.slack import blocks
from tests.support.staff import DIRECTORY

STAFF = "CSTAFF"
NOTIFY = Notifier({"line": render_replies})
SLACK_ROWS = OutboxMessage.channel == "slack"


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


def add_group(session, name="小金井みどりの会", owner="line:U" + "a" * 32, description="野川の清掃") -> Group:
    g = Group(
        name=name,
        name_key=registry.name_key(name),  # as the registry stores it
        kind="任意団体",
        fields=[7],
        description=description,
        contact="",
        owner=owner,
        match_fingerprint="x",
    )
    session.add(g)
    session.flush()
    return g


def add_suggestion(session, group: Group, division="kankyo-seisaku") -> Suggestion:
    s = Suggestion(
        group_id=group.id,
        division_id=division,
        rank=1,
        score=0.5,
        fields=[],
        reasons=["分野が一致"],
        status="new",
        group_fingerprint="g",
        division_fingerprint="d",
    )
    session.add(s)
    session.flush()
    return s


def test_items_are_queued_once_even_by_two_scanners(factory):
    with transaction(factory) as s:
        g = add_group(s)
        add_suggestion(s, g)
        add_suggestion(s, g, "community-bunka")
        s.add(
            Proposal(
                reference="KY-2026-000001",
                group_id=g.id,
                group_name=g.name,
                channel="line",
                user_id="U" + "a" * 32,
                division_id=None,
                purpose="川をきれいに",
                goal="年内に10回",
                role_city="広報",
                role_group="当日の運営",
            )
        )
    results = []

    def scan():
        with transaction(factory) as s:
            results.append(items.queue_new_items(s, DIRECTORY, STAFF, blocks.RENDERER))

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(StaffNotification)) == 3
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(SLACK_ROWS)) == 3
        proposal_post = s.scalars(
            select(OutboxMessage).where(SLACK_ROWS, OutboxMessage.link.like("notification:%"))
        ).all()
        channels = sorted(r.messages[0]["args"]["channel"] for r in proposal_post)
    assert channels == ["CBUNKA", "CKANKYO", STAFF]  # the proposal left to the city goes to staff
    assert sum(r.suggestions + r.proposals for r in results) == 3


def test_decision_race_on_the_database(factory):
    with transaction(factory) as s:
        sug = add_suggestion(s, add_group(s))
        items.queue_new_items(s, DIRECTORY, STAFF, blocks.RENDERER)
        note_id = s.scalars(select(StaffNotification.id)).one()
        sid = sug.id
    barrier = threading.Barrier(4)
    outcomes = []

    def click(i: int):
        barrier.wait()
        with transaction(factory) as s:
            outcomes.append(
                decisions.decide(
                    s,
                    note_id,
                    "take" if i % 2 else "pass",
                    actor=f"U{i}",
                    actor_name=f"staff{i}",
                    message=("CKANKYO", "1.0"),
                    directory=DIRECTORY,
                    render=blocks.RENDERER,
                    notify=NOTIFY,
                )
            )

    threads = [threading.Thread(target=click, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.won]
    assert len(winners) == 1
    losers = [o for o in outcomes if not o.won]
    assert all(o.winner_name == winners[0].winner_name for o in losers)
    with factory() as s:
        assert s.get(Suggestion, sid).status in ("taken", "passed")
        taken = s.get(Suggestion, sid).status == "taken"
        # The decision's entry, and the collaboration's when it was taken (issue 14).
        assert s.scalar(select(func.count()).select_from(StaffAuditEntry)) == 1 + taken
        assert s.scalar(select(func.count()).select_from(Collaboration)) == int(taken)
        rows = s.scalars(select(OutboxMessage)).all()
        assert [r.channel for r in rows].count("line") == 1  # one LINE push
        assert [r.messages[0].get("method") for r in rows if r.channel == "slack"].count("chat.update") == 1


def test_decision_on_a_deleted_group_says_so(factory):
    with transaction(factory) as s:
        g = add_group(s)
        add_suggestion(s, g)
        items.queue_new_items(s, DIRECTORY, STAFF, blocks.RENDERER)
        note_id = s.scalars(select(StaffNotification.id)).one()
        s.delete(g)
    with transaction(factory) as s:
        d = decisions.decide(
            s,
            note_id,
            "take",
            actor="U1",
            actor_name="a",
            message=None,
            directory=DIRECTORY,
            render=blocks.RENDERER,
            notify=NOTIFY,
        )
    assert not d.won and d.gone


def test_no_line_push_for_groups_not_from_line(factory):
    with transaction(factory) as s:
        add_suggestion(s, add_group(s, owner="import:groups.csv"))
        items.queue_new_items(s, DIRECTORY, STAFF, blocks.RENDERER)
        note_id = s.scalars(select(StaffNotification.id)).one()
    with transaction(factory) as s:
        d = decisions.decide(
            s,
            note_id,
            "take",
            actor="U1",
            actor_name="a",
            message=None,
            directory=DIRECTORY,
            render=blocks.RENDERER,
            notify=NOTIFY,
        )
    assert d.won
    with factory() as s:
        assert (
            s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.channel == "line"))
            == 0
        )


def test_report_counts(factory):
    now = utcnow()
    with transaction(factory) as s:
        add_group(s)
        s.add_all(
            [
                Feedback(channel="line", user_id="U1", question="協働とは", helpful=True),
                Feedback(channel="line", user_id="U1", question="補助金", helpful=False),
                Feedback(channel="line", user_id="U1", question="委託"),
                UnansweredQuestion(channel="line", user_id="U1", text="天気", reason="out_of_scope"),
            ]
        )
    with factory() as s:
        r = report.report(s, (now - timedelta(days=1)).date(), now.date() + timedelta(days=1))
    assert (r.questions, r.answered, r.rated, r.helpful, r.registrations) == (4, 3, 2, 1, 1)
    text = r.text()
    assert "回答 3件（75%" in text and "「役に立った」 1件（50%）" in text


def test_frequent_unanswered_groups_spellings(factory):
    with transaction(factory) as s:
        for text in ("コロッケの作り方", "ころっけの作り方", "コロッケの作り方！", "天気"):
            s.add(UnansweredQuestion(channel="line", user_id="U1", text=text, reason="out_of_scope"))
    with factory() as s:
        top = lookups.frequent_unanswered(s)
    assert top[0][2] == 3 and top[1][2] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (date(2026, 10, 28), date(2026, 11, 26))),
        ("今週", (date(2026, 11, 23), date(2026, 11, 26))),
        ("先週", (date(2026, 11, 16), date(2026, 11, 22))),
        ("先月", (date(2026, 10, 1), date(2026, 10, 31))),
        ("7日", (date(2026, 11, 20), date(2026, 11, 26))),
        ("２０２６－０４－０１..2026-09-30", (date(2026, 4, 1), date(2026, 9, 30))),
        ("今年度", (date(2026, 4, 1), date(2026, 11, 26))),
    ],
)
def test_parse_period(text, expected):
    assert report.parse_period(text, today=date(2026, 11, 26)) == expected


@pytest.mark.parametrize("text", ["いつか", "2026-09-30..2026-04-01", "0日", "abc"])
def test_parse_period_rejects(text):
    with pytest.raises(report.BadPeriod):
        report.parse_period(text, today=date(2026, 11, 26))


def test_blocks_stay_within_slack_limits():
    huge = "あ" * 20000
    view = views.ItemView(
        notification_id=1,
        kind="proposal",
        ref_id=1,
        group_name=huge,
        description=huge,
        reasons=[huge] * 30,
        purpose=huge,
        goal=huge,
        role_city=huge,
        role_group=huge,
        reference="KY-2026-000001",
        division_name="環境政策課",
    )
    out = blocks.item(view)
    assert len(out["blocks"]) <= 50
    for b in out["blocks"]:
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
    assert len(out["text"]) <= 3000
    # Citizen text cannot mention people or inject links.
    evil = views.ItemView(
        notification_id=2, kind="suggestion", ref_id=2, group_name="x", description="<!channel> <http://x|y>"
    )
    dumped = str(blocks.item(evil))
    assert "<!channel>" not in dumped and "&lt;!channel&gt;" in dumped


def test_missing_credentials_disable_slack(db_url, caplog, monkeypatch):
    import httpx

    from bot.app import create_app
    from tests.support.servers import serving

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with caplog.at_level(logging.WARNING):
        app = create_app(Settings(database_url=db_url), start_background=False)
    assert "Slack is disabled: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET not set" in caplog.text
    with serving(app) as server:
        assert httpx.post(server.url + "/slack/events", content=b"{}").status_code == 404


def test_slack_settings_from_env():
    s = Settings.from_env({"SLACK_API_BASE_URL": "http://127.0.0.1:9/api", "SLACK_BOT_TOKEN": "x"}).slack
    assert s.api_base_url == "http://127.0.0.1:9/api/" and not s.enabled
    assert s.missing() == ["SLACK_SIGNING_SECRET"]
    # One parser for every variable: Slack's are checked like LINE's, naming the variable.
    with pytest.raises(SettingsError, match="SLACK_TIMEOUT_SECONDS='-1' must not be negative"):
        Settings.from_env({"SLACK_TIMEOUT_SECONDS": "-1"})
    with pytest.raises(SettingsError, match="SLACK_MAX_ATTEMPTS='many' is not a whole number"):
        Settings.from_env({"SLACK_MAX_ATTEMPTS": "many"})


def test_parse_command():
    from handlers.slack.listeners import parse_command

    assert parse_command("") == ("help", "")
    assert parse_command("groups 環境") == ("groups", "環境")
    assert parse_command("ＧＲＯＵＰ　小金井みどりの会") == ("group", "小金井みどりの会")
    assert parse_command("所属 環境政策課") == ("division", "環境政策課")
    assert parse_command("協働とは何ですか") == ("ask", "協働とは何ですか")


def test_a_staff_entry_the_loader_rejects_does_not_take_the_others_down(factory):
    from bot.engine.answerer import StaffAwareAnswerer
    from bot.storage.models import StaffFaqEntry

    with transaction(factory) as s:
        s.add(
            StaffFaqEntry(
                question="コロッケの作り方は？",
                phrasings=["コロッケの作り方は？"],
                answer="料理の質問にはお答えできません。",
                sources=["no-such-section"],
                created_by="U1",
            )
        )
        s.add(
            StaffFaqEntry(
                question="市民活動団体の交流会はありますか",
                phrasings=["交流会はありますか"],
                answer="交流会の予定は市報でお知らせしています。",
                sources=[],
                created_by="U1",
            )
        )
    with factory() as s:
        from knowledge import Answerer

        good_source = Answerer.load().data.sections[0].id
    with transaction(factory) as s:
        s.scalars(select(StaffFaqEntry).where(StaffFaqEntry.id == 2)).one().sources = [good_source]
    answerer = StaffAwareAnswerer()
    with factory() as s:
        a = answerer.answer(s, "市民活動団体の交流会はありますか")
    assert a.answered and "市報" in a.text
    with factory() as s:
        ids = {e.id for e in answerer.get(s).entries}
    assert "staff-2" in ids and "staff-1" not in ids


def test_cli_refuses_to_start_without_credentials(monkeypatch, capsys):
    from bot.cli import main

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["slack", "worker"]) == 2
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-x")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["slack", "socket"]) == 2
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_without_a_staff_channel_unroutable_items_wait(factory):
    with transaction(factory) as s:
        g = add_group(s)
        waiting = add_suggestion(s, g, "jidou-seishonen").id  # division without a channel
        add_suggestion(s, g)
        summary = items.queue_new_items(s, DIRECTORY, "", blocks.RENDERER)
    assert summary.suggestions == 1
    with factory() as s:
        assert s.get(Suggestion, waiting).status == "new"  # not lost: posted once a channel exists
    with transaction(factory) as s:
        assert items.queue_new_items(s, DIRECTORY, STAFF, blocks.RENDERER).suggestions == 1


def test_group_lookup_shows_sent_suggestions_or_live_matches(factory):
    with transaction(factory) as s:
        g = add_group(s, description="野川の清掃と川の生き物の観察会")
        add_suggestion(s, g)
        add_group(
            s, name="東小金井子育てひろば", description="乳幼児の親子が集まる子育てひろばを運営しています"
        )
    with factory() as s:
        sent = lookups.lookup_group(s, "小金井みどりの会", DIRECTORY)
        live = lookups.lookup_group(s, "東小金井子育てひろば", DIRECTORY)
        missing = lookups.lookup_group(s, "存在しない団体ですよ", DIRECTORY)
    assert "環境政策課（未送信）" in sent and "分野が一致" in sent
    assert "未送信・いまの候補" in live and "•" in live
    assert "見つかりませんでした" in missing
