"""`kyodo chat` as a user runs it: a subprocess with piped stdin (no TTY), real libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from bot.storage.db import make_engine, make_session_factory, transaction
from bot.storage.models.conversation import Proposal
from bot.storage.models.registry import Group

ROOT = Path(__file__).resolve().parents[2]


def run_chat(db_url: str, lines: list[str], user: str = "tester") -> str:
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", user],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_chat_registers_and_proposes_with_numbers(db_url):
    out = run_chat(
        db_url,
        [
            "協働とは",
            "1",  # はい (helpful)
            "団体登録",
            "こがねい緑の会",
            "2",  # 任意団体・市民活動団体
            "子育て、環境",
            "12",  # 次へ
            "公園の清掃と子どもの自然観察会をしています",
            "省略する",
            "載せない",
            "受け取らない",
            "1",  # 登録する
            "相談する",
            "1",  # the first division's card button
            "子どもが自然にふれる機会を増やすため",
            "来年3月までに観察会を6回",
            "公園の使用許可と広報",
            "観察会の企画と運営",
            "1",  # 送る
            "終了",
        ],
    )
    assert "友だち追加ありがとうございます" in out
    assert "出典" in out and "第2章(1)" in out  # the answer cites; the receipt does not
    assert "[1] はい" in out and "ありがとうございます。励みになります" in out
    assert "「こがねい緑の会」を登録しました" in out
    assert "  ┌ 環境政策課（環境部）" in out
    assert "受付番号は KY-" in out
    assert out.rstrip().endswith("ご利用ありがとうございました。")
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as s:
        (g,) = s.scalars(select(Group)).all()
        (p,) = s.scalars(select(Proposal)).all()
        assert g.owner == "cli:tester" and sorted(g.fields) == [7, 13]
        assert p.division_id == "kankyo-seisaku" and p.status == "queued" and p.reference in out
    engine.dispose()


def test_chat_ends_at_end_of_input_and_survives_odd_lines(db_url):
    out = run_chat(db_url, ["", "😀", "ｷｮｳﾄﾞｳ", "99", "v1|elig|q1.ans|yes", "あ" * 3000])
    assert "（1〜" in out  # 99 is not an option: a hint, not a message
    assert out.count("ボット>") >= 5
    assert out.rstrip().endswith("ご利用ありがとうございました。")


def test_the_same_user_finds_their_group_in_a_later_session(db_url):
    run_chat(
        db_url, ["団体登録", "ひかりの会", "1", "福祉", "12", "見守り活動", "省略する", "載せない", "受け取らない", "1"], user="same"
    )
    later = run_chat(db_url, ["登録内容を見る"], user="same")
    assert "┌ ひかりの会" in later
    stranger = run_chat(db_url, ["登録内容を見る"], user="other")
    assert "まだ団体が登録されていません" in stranger


def test_data_purge_command(db_url):
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "data", "purge"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "anonymised 0 user(s)" in proc.stdout


def test_data_purge_blanks_old_texts_like_the_worker(db_url):
    """`kyodo data purge --days 30` blanks stored events and sent messages (Slack posts too) older
    than the period, as the README says and as the worker's housekeeping does (issue 11)."""
    from datetime import timedelta

    from bot.messaging import inbox, outbox
    from bot.storage.db import utcnow
    from bot.storage.models.messaging import InboxEvent, OutboxMessage

    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    old = utcnow() - timedelta(days=40)
    with transaction(factory) as s:
        inbox.store_events(s, "line", [("ev-old", {"source": {"userId": "Uold"}, "text": "古い相談"}, True)])
        for channel, dest, text in (("line", "Uold", "古い返事"), ("slack", "CKANKYO", "古い団体の投稿")):
            outbox.enqueue(s, channel=channel, destination=dest, messages=[{"text": text}])
    with transaction(factory) as s:
        for e in s.scalars(select(InboxEvent)):
            e.received_at, e.processed_at = old, old
        for m in s.scalars(select(OutboxMessage)):
            m.created_at, m.status = old, "delivered"
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "data", "purge", "--days", "30"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "blanked 1 stored event(s) and 2 message(s)" in proc.stdout
    with factory() as s:
        assert [e.payload for e in s.scalars(select(InboxEvent))] == [{}]
        rows = {(m.channel, m.destination): m.messages for m in s.scalars(select(OutboxMessage))}
        assert rows == {("line", ""): [], ("slack", "CKANKYO"): []}
    engine.dispose()
