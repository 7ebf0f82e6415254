"""One citation rule for every channel (bot/engine/citations.py), the web's retention rule, and
the question form fed arbitrary text."""

from __future__ import annotations

import io
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine import citations
from bot.engine import messages as M
from bot.engine.types import Reply
from bot.engine.web import purge_expired_questions
from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models import Feedback, UnansweredQuestion

SOURCES = [("ch2-4", "第2章(4) 協働の形態"), ("note-forms", "協働の主な形態")]


def test_the_link_goes_to_the_first_cited_section():
    assert citations.citation_url(SOURCES, "https://k.example.jp/") == "https://k.example.jp/guideline#ch2-4"
    assert citations.citation_url(SOURCES, "") == ""
    assert citations.citation_url([("bad id<", "x"), ("ch3-1", "y")], "https://k") == "https://k/guideline#ch3-1"
    text = "協働の形態は…（出典：協働推進基本指針 第2章(4)「協働の形態」）"
    lines = citations.citation_lines(SOURCES, text, "https://k")
    # the answer names its sources: no second 出典 line, but the link is still given
    assert lines == M.SOURCE_LINK.format(url="https://k/guideline#ch2-4")
    assert citations.citation_lines(SOURCES, "本文", "").startswith("出典: ")


def test_line_and_the_terminal_show_the_link_when_the_corner_has_an_address():
    from handlers.line.render import render_replies
    from handlers.terminal import Renderer

    reply = Reply(text="協働の形態は五つあります。", sources=SOURCES)
    citations.configure("https://kyodo.example.jp")
    try:
        line = render_replies([reply])
        assert "https://kyodo.example.jp/guideline#ch2-4" in line[0]["text"]
        assert len(line[0]["text"]) <= 5000
        out = io.StringIO()
        Renderer(out).show([reply])
        assert "指針の該当箇所: https://kyodo.example.jp/guideline#ch2-4" in out.getvalue()
    finally:
        citations.configure("")
    assert "guideline#" not in render_replies([reply])[0]["text"]


def test_slack_answers_carry_the_same_link(db_url):
    from bot.staff.lookups import answer_payload
    from handlers.slack.blocks import RENDERER

    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    citations.configure("https://kyodo.example.jp")
    try:
        with factory() as session:
            payload = answer_payload(session, "協働の形態を教えて", RENDERER)
    finally:
        citations.configure("")
        engine.dispose()
    assert "https://kyodo.example.jp/guideline#ch2-4" in str(payload["blocks"])


def test_web_question_texts_are_blanked_after_the_retention_period(db_url):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    now = utcnow()
    old, new = now - timedelta(days=31), now - timedelta(days=1)
    with transaction(factory) as s:
        s.add_all(
            [
                Feedback(channel="web", user_id="web:a", question="古い質問", sources=[], created_at=old),
                Feedback(channel="web", user_id="web:b", question="新しい質問", sources=[], created_at=new),
                Feedback(channel="line", user_id="U1", question="LINEの質問", sources=[], created_at=old),
                UnansweredQuestion(channel="web", user_id="web:c", text="古い未回答", reason="x", created_at=old),
            ]
        )
    with transaction(factory) as s:
        assert purge_expired_questions(s, now, timedelta(days=30)) == 2
    with factory() as s:
        questions = sorted(q for q in s.scalars(select(Feedback.question)))
        assert questions == ["", "LINEの質問", "新しい質問"]
        assert s.scalars(select(UnansweredQuestion.text)).one() == ""
        assert s.query(Feedback).count() == 3  # the counts stay for the reports
    engine.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=600))
def test_any_text_gets_a_page_never_an_error(corner, text):
    r = corner.ask(text)
    assert r.status_code in (200, 400)
    assert "Internal Server Error" not in r.text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visitor=st.one_of(st.just("web:" + "a" * 24), st.text(max_size=40)),
    data=st.one_of(st.sampled_from(["v1|fb|yes|1", "v1|qa|handoff|1", "v1|reg|start|"]), st.text(max_size=80)),
    sig=st.text(alphabet="0123456789abcdef", max_size=32),
)
def test_forged_buttons_never_reach_the_engine(corner, visitor, data, sig):
    token = corner.token()
    r = corner.press({"csrf": token, "visitor": visitor, "data": data, "sig": sig, "q": "x"})
    assert r.status_code == 400
    with corner.factory() as s:
        assert s.scalars(select(Feedback)).all() == []


def test_the_rate_limiter_refills_and_forgets():
    from handlers.web.security import RateLimiter

    now = [0.0]
    limiter = RateLimiter(2, max_clients=2, clock=lambda: now[0])
    assert [limiter.allow("a")[0] for _ in range(3)] == [True, True, False]
    assert limiter.allow("a") == (False, 30)
    now[0] += 30
    assert limiter.allow("a")[0] is True  # one question back after half a minute
    assert limiter.allow("b")[0] and limiter.allow("c")[0]  # "a" is forgotten beyond two clients
    assert len(limiter._buckets) == 2
