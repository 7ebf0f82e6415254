"""The web corner over real HTTP: pages, anchors, the question page and its buttons, groups,
divisions, escaping, CSRF, the rate limit, headers and page weight."""

from __future__ import annotations

import gzip
import re
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import select

from bot.engine import messages as M
from bot.storage.models import Feedback, UnansweredQuestion
from knowledge import load_data
from tests.support.web import Corner, press_forms

PAGES = ["/", "/guideline", "/faq", "/faq/about-kyodo", "/ask", "/groups", "/divisions"]


def test_every_page_is_japanese_with_one_h1_and_the_security_headers(corner):
    for path in PAGES:
        r = corner.http.get(path)
        assert r.status_code == 200, path
        assert '<html lang="ja">' in r.text
        assert len(re.findall(r"<h1[ >]", r.text)) == 1, path
        csp = r.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "server-timing" in r.headers
        # no third-party resources: every src/href is on this site or an anchor
        for url in re.findall(r'(?:src|href|action)="([^"]*)"', r.text):
            assert url.startswith(("/", "#")), (path, url)


def test_frame_ancestors_come_from_the_settings(db_url):
    c = Corner(db_url, web_frame_ancestors="'self' https://www.city.koganei.lg.jp")
    try:
        csp = c.http.get("/").headers["content-security-policy"]
        assert csp.endswith("frame-ancestors 'self' https://www.city.koganei.lg.jp")
    finally:
        c.close()


def test_the_guideline_has_one_anchor_per_section(corner):
    html = corner.http.get("/guideline").text
    for section in load_data().sections:
        assert html.count(f'id="{section.id}"') == 1, section.id
        assert f'href="#{section.id}"' in html or section.kind != "section"


def test_every_faq_entry_has_its_own_page_with_sources_and_related(corner):
    data = load_data()
    index = corner.http.get("/faq").text
    for entry in data.faq[:12]:
        assert f'href="/faq/{entry.id}"' in index
        page = corner.http.get(f"/faq/{entry.id}").text
        for sid in entry.sources:
            assert f'href="/guideline#{sid}"' in page
        for rid in entry.related:
            assert f'href="/faq/{rid}"' in page
    assert corner.http.get("/faq/no-such-entry").status_code == 404
    assert "見つかりませんでした" in corner.http.get("/no/such/page").text


def test_a_question_is_answered_with_links_to_its_sources_and_counted(corner):
    r = corner.ask("協働とは何ですか")
    assert r.status_code == 200
    assert 'href="/guideline#ch2-1"' in r.text
    assert M.WAS_IT_HELPFUL in r.text
    buttons = press_forms(r.text)
    assert [b["_label"] for b in buttons] == [M.YES, M.NO]
    with corner.factory() as s:
        fb = s.scalars(select(Feedback)).one()
        assert (fb.channel, fb.question, fb.helpful) == ("web", "協働とは何ですか", None)
        assert fb.user_id.startswith("web:")
    yes = buttons[0]
    r = corner.press({k: v for k, v in yes.items() if k != "_label"})
    assert M.FEEDBACK_THANKS_YES in r.text
    with corner.factory() as s:
        assert s.scalars(select(Feedback)).one().helpful is True
    # a second press: already answered
    r = corner.press({k: v for k, v in yes.items() if k != "_label"})
    assert M.FEEDBACK_ALREADY in r.text


def test_no_then_hand_off_to_staff(corner):
    r = corner.ask("協働とは何ですか")
    no = press_forms(r.text)[1]
    r = corner.press({k: v for k, v in no.items() if k != "_label"})
    assert M.FEEDBACK_THANKS_NO in r.text
    staff = press_forms(r.text)
    assert [b["_label"] for b in staff] == [M.ASK_STAFF]
    r = corner.press({k: v for k, v in staff[0].items() if k != "_label"})
    # the question is shown and confirmed before it is sent (issue 12 item 10)
    assert "協働とは何ですか" in r.text
    confirm = press_forms(r.text)
    assert [b["_label"] for b in confirm] == [M.HANDOFF_SEND, M.HANDOFF_DONT]
    r = corner.press({k: v for k, v in confirm[0].items() if k != "_label"})
    assert M.HANDOFF_DONE_WEB in r.text
    with corner.factory() as s:
        q = s.scalars(select(UnansweredQuestion)).one()
        assert (q.channel, q.reason, q.handoff_requested, q.status) == ("web", "unhelpful", True, "handoff")


def test_an_unanswerable_question_is_counted_and_offers_staff(corner):
    r = corner.ask("明日の天気はどうなりますか")
    assert r.status_code == 200
    assert M.ASK_STAFF in r.text
    assert "団体登録" not in re.sub(r"<nav.*?</nav>", "", r.text, flags=re.S).split('id="result"')[1]
    with corner.factory() as s:
        q = s.scalars(select(UnansweredQuestion)).one()
        assert q.channel == "web" and q.text == "明日の天気はどうなりますか"


def test_a_forged_or_foreign_button_is_refused(corner):
    r = corner.ask("協働とは何ですか")
    yes = {k: v for k, v in press_forms(r.text)[0].items() if k != "_label"}
    forged = corner.press({**yes, "data": yes["data"].replace("|yes|", "|no|")})
    assert forged.status_code == 400
    other = corner.press({**yes, "visitor": "web:" + "0" * 24})
    assert other.status_code == 400
    with corner.factory() as s:
        assert s.scalars(select(Feedback)).one().helpful is None


def test_posts_without_the_csrf_token_are_refused_and_store_nothing(corner):
    corner.http.get("/ask")
    r = corner.http.post("/ask", data={"q": "協働とは何ですか"})
    assert r.status_code == 403
    other_site = httpx.Client(base_url=corner.url)
    r = other_site.post("/ask", data={"q": "協働とは何ですか", "csrf": "a" * 32})
    assert r.status_code == 403
    other_site.close()
    with corner.factory() as s:
        assert s.scalars(select(Feedback)).all() == []
        assert s.scalars(select(UnansweredQuestion)).all() == []


def test_user_text_is_escaped_everywhere(corner):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = corner.ask(evil + " 協働とは")
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    assert "<img src=x" not in r.text
    corner.add_group(evil, listed=True, description=evil, public_contact=evil)
    for path in ("/groups", "/groups?q=" + evil, "/divisions?activity=" + evil, "/ask?q=" + evil):
        page = corner.http.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path


def test_the_question_endpoint_is_rate_limited_per_client(db_url):
    c = Corner(db_url, web_questions_per_minute=3)
    try:
        statuses = [c.ask("協働とは何ですか").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        r = c.ask("協働とは何ですか")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "秒ほど待って" in r.text
        assert c.http.get("/guideline").status_code == 200  # pages are not limited
    finally:
        c.close()


def test_only_listed_groups_and_only_their_public_contact(corner):
    corner.add_group("こがねい緑の会", listed=True, fields=[7], description="公園の清掃と植樹", public_contact="midori@example.jp", contact="090-0000-0000")
    corner.add_group("子ども食堂ひまわり", listed=True, fields=[13], description="子ども食堂", contact="secret@example.jp")
    corner.add_group("非公開の会", listed=False, fields=[7], description="公園の清掃", public_contact="x@example.jp")
    page = corner.http.get("/groups").text
    assert "こがねい緑の会" in page and "子ども食堂ひまわり" in page and "非公開の会" not in page
    assert "midori@example.jp" in page
    assert "090-0000-0000" not in page and "secret@example.jp" not in page and "x@example.jp" not in page
    by_field = corner.http.get("/groups?field=7").text
    assert "こがねい緑の会" in by_field and "子ども食堂ひまわり" not in by_field
    by_words = corner.http.get("/groups", params={"q": "ひまわり　食堂"}).text
    assert "子ども食堂ひまわり" in by_words and "こがねい緑の会" not in by_words
    by_words = corner.http.get("/groups", params={"q": "植樹"}).text
    assert "こがねい緑の会" in by_words and "子ども食堂ひまわり" not in by_words


def test_divisions_and_the_matcher_with_reasons(corner):
    page = corner.http.get("/divisions").text
    assert page.count('<tr id="d-') == 42
    page = corner.http.get("/divisions", params={"activity": "公園の清掃活動をしています"}).text
    assert "環境政策課" in page.split('id="fit-result"')[1]
    assert "所管事業" in page  # a reason from the matcher


def test_each_page_weighs_at_most_60_kb_over_the_wire(corner):
    def wire(path: str) -> int:
        with corner.http.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as r:
            return sum(len(chunk) for chunk in r.iter_raw())

    assets = wire("/static/corner.css") + wire("/static/corner.js")
    for path in [*PAGES, "/divisions?activity=公園の清掃"]:
        total = wire(path) + assets
        assert total <= 60_000, (path, total)
    # and even uncompressed, the largest page is well within LINE-era phone budgets
    assert len(gzip.compress(corner.http.get("/guideline").content)) < 30_000


@pytest.mark.parametrize("question", ["", "   ", "x" * 501])
def test_empty_or_too_long_questions_are_refused_politely(corner, question):
    r = corner.ask(question)
    assert r.status_code == 400
    assert 'role="alert"' in r.text


def test_settings_check_the_web_variables():
    from bot.settings import Settings, SettingsError

    s = Settings.from_env({"KYODO_PUBLIC_URL": "https://kyodo.example.jp/corner/"})
    assert s.public_url == "https://kyodo.example.jp/corner"
    for env in (
        {"KYODO_PUBLIC_URL": "javascript:alert(1)"},
        {"KYODO_PUBLIC_URL": "https://x.jp/?a=1"},
        {"KYODO_FRAME_ANCESTORS": "'self'; script-src *"},
    ):
        with pytest.raises(SettingsError):
            Settings.from_env(env)
    assert replace(Settings(), web_frame_ancestors="x").web_frame_ancestors == "x"
