"""Attacks on POST /slack/events over real HTTP (uvicorn, keep-alive): malformed and oversized
requests get a 4xx with a one-line log and nothing stored, the same connection keeps working;
requests for another app or workspace, or without a team, are ignored; a replayed signed
command or click is not executed twice (issue 11, items 3-5)."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.storage.models.messaging import InboxEvent
from handlers.slack import blocks, gate
from tests.e2e.slack.conftest import SIGNING_SECRET
from tests.support.servers import wait_until
from tests.support.slack_standin import TEAM_ID, sign

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MARKER = "U0SECRETUSER 秘密の相談内容"


def inbox_count(bot) -> int:
    with bot.factory() as s:
        return s.scalar(select(func.count()).select_from(InboxEvent))


def _peer(resp: httpx.Response) -> tuple | None:
    """The client's address of the connection that carried ``resp`` (None: the server closed it)."""
    try:
        return resp.extensions["network_stream"].get_extra_info("client_addr")
    except OSError:
        return None


def _signed(body: bytes, ctype: str, ts: str | None = None) -> dict[str, str]:
    h = sign(SIGNING_SECRET, body) if ts is None else sign(SIGNING_SECRET, body, int(ts))
    return {"Content-Type": ctype, **h}


def junk_requests() -> list[tuple[str, bytes, dict[str, str], int]]:
    """(name, body, headers, expected status)."""
    deep = b"[" * 5000 + b"]" * 5000
    cases: list[tuple[str, bytes, dict[str, str], int]] = [
        ("brace", b"{", _signed(b"{", JSON), 400),
        ("null", b"null", _signed(b"null", JSON), 400),
        ("list", b"[]", _signed(b"[]", JSON), 400),
        ("payload-not-json", b"payload=not-json", _signed(b"payload=not-json", FORM), 400),
        ("payload-list", b"payload=%5B%5D", _signed(b"payload=%5B%5D", FORM), 400),
        ("invalid-utf8", b'{"a":"\xff\xfe"}', _signed(b'{"a":"\xff\xfe"}', JSON), 400),
        ("deep-json", deep, _signed(deep, JSON), 400),
        ("nul-char", b'{"type":"x","t":"\\u0000"}', _signed(b'{"type":"x","t":"\\u0000"}', JSON), 400),
        (
            "user-not-object",
            b'{"type":"block_actions","user":"U1"}',
            _signed(b'{"type":"block_actions","user":"U1"}', JSON),
            400,
        ),
        ("text-plain", b"hello", _signed(b"hello", "text/plain"), 415),
    ]
    body = urlencode({"command": "/kyodo", "text": MARKER}).encode()
    cases += [
        (
            "timestamp-not-numeric",
            body,
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64},
            401,
        ),
        (
            "timestamp-huge",
            body,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": "9" * 40,
                "X-Slack-Signature": "v0=" + "0" * 64,
            },
            401,
        ),
        ("timestamp-old", body, _signed(body, FORM, str(int(time.time()) - 400)), 401),
        ("unsigned", body, {"Content-Type": FORM}, 401),
        ("bad-signature", body, {"Content-Type": FORM, **sign("wrong", body)}, 401),
        ("too-large", b"x" * (gate.MAX_BODY_BYTES + 10), {"Content-Type": FORM}, 413),
    ]
    return cases


def test_junk_gets_4xx_nothing_stored_and_the_connection_stays_usable(make_bot, caplog):
    bot = make_bot()
    caplog.set_level(logging.DEBUG)
    before = inbox_count(bot)
    with httpx.Client(base_url=bot.server.url, timeout=10, limits=httpx.Limits(max_connections=1)) as http:
        first = http.post("/slack/events", content=b"{", headers=_signed(b"{", JSON))
        peer = _peer(first)
        for name, body, headers, status in junk_requests():
            r = http.post("/slack/events", content=body, headers=headers)
            assert r.status_code == status, (name, r.status_code, r.text[:200])
            ok_body = urlencode(
                {
                    "command": "/kyodo",
                    "text": "help",
                    "team_id": TEAM_ID,
                    "api_app_id": "AKYODO",
                    "user_id": "UALICE",
                    "channel_id": "C1",
                    "response_url": bot.slack_api.response_url("x"),
                    "trigger_id": "1",
                    "ts_nonce": name,
                }
            ).encode()
            ok = http.post("/slack/events", content=ok_body, headers=_signed(ok_body, FORM))
            assert ok.status_code == 200, (name, ok.text[:200])
            if status != 413:  # an unread oversized body may be dropped with its connection
                assert _peer(ok) == peer, f"connection lost after {name}"
            else:
                peer = _peer(ok)
    # Only the valid /kyodo help requests left a trace: their replay digests.
    assert inbox_count(bot) - before == len(junk_requests())
    assert MARKER not in caplog.text
    assert "Invalid request signature detected" not in caplog.text
    refused = [r for r in caplog.records if "slack: request refused" in r.getMessage()]
    assert len(refused) == len(junk_requests()) + 1
    assert all("\n" not in r.getMessage() for r in refused)


def test_a_big_unsigned_body_is_refused_before_it_is_read(make_bot):
    bot = make_bot()
    r = bot.http.post("/slack/events", content=b"x" * 10_000_000, headers={"Content-Type": FORM})
    assert r.status_code == 413


def test_mentions_with_odd_text_and_huge_action_values_are_ignored_politely(make_bot, caplog):
    bot = make_bot()
    before = inbox_count(bot)
    for text in (None, 5, ["<!channel>"], {"a": 1}):
        r = bot.event({"type": "app_mention", "user": "UALICE", "text": text, "ts": "1.2", "channel": "C1"})
        assert r.status_code == 200
    assert inbox_count(bot) == before
    caplog.set_level(logging.INFO)
    for value in (json.dumps({"n": 10**30}), '{"n": -1}', '{"n": true}', '{"n": 1.5}', "[" * 3000, "null"):
        r = bot.click(blocks.ACTION_TAKE, value, channel="C1", ts="1.1")
        assert r.status_code == 200
        r = bot.click(blocks.ACTION_DETAIL, value, channel="C1", ts="1.1")
        assert r.status_code == 200
    time.sleep(0.5)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_another_app_another_team_and_no_team_are_ignored(make_bot):
    bot = make_bot()
    before = inbox_count(bot)
    dropped = bot.runtime.counters["foreign_team"]
    assert bot.command("groups", app="AOTHER", response_key="other-app").status_code == 200
    assert bot.command("groups", team="TOTHER", enterprise="EORG", response_key="ent").status_code == 200
    assert bot.command("groups", team="TOTHER", response_key="team").status_code == 200
    mention = {
        "type": "app_mention",
        "user": "UALICE",
        "text": "<@UKYODOBOT> 協働とは",
        "ts": "1.2",
        "channel": "C1",
    }
    assert bot.event(mention, team=None).status_code == 200
    assert bot.event(mention, app="AOTHER").status_code == 200
    assert bot.runtime.counters["foreign_team"] - dropped == 5
    assert inbox_count(bot) == before
    time.sleep(0.5)
    assert not [r for r in bot.slack_api.responses if r["key"] in ("other-app", "ent", "team")]
    # ...while our own still works.
    assert bot.command("groups", response_key="ours").status_code == 200
    wait_until(lambda: [r for r in bot.slack_api.responses if r["key"] == "ours"])


def test_a_replayed_command_is_not_executed_again(make_bot):
    bot = make_bot()
    form = {
        "command": "/kyodo",
        "text": "groups",
        "team_id": TEAM_ID,
        "api_app_id": "AKYODO",
        "user_id": "UALICE",
        "user_name": "alice",
        "channel_id": "C1",
        "trigger_id": "1",
        "response_url": bot.slack_api.response_url("replay"),
    }
    body = urlencode(form).encode()
    headers = _signed(body, FORM)
    assert bot.http.post("/slack/events", content=body, headers=headers).status_code == 200
    wait_until(lambda: [r for r in bot.slack_api.responses if r["key"] == "replay"])
    for _ in range(3):
        assert bot.http.post("/slack/events", content=body, headers=headers).status_code == 200
    time.sleep(0.7)
    assert len([r for r in bot.slack_api.responses if r["key"] == "replay"]) == 1
    assert bot.runtime.counters["replays_dropped"] == 3
    # The same command signed at another second is a new request (Slack's own retry has none).
    # (one second before the first signature: "now - 2" could land on that very second)
    first = int(next(v for k, v in headers.items() if k.lower() == "x-slack-request-timestamp"))
    later = _signed(body, FORM, str(first - 1))
    assert bot.http.post("/slack/events", content=body, headers=later).status_code == 200
    wait_until(lambda: len([r for r in bot.slack_api.responses if r["key"] == "replay"]) == 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
            max_leaves=20,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    ctype=st.sampled_from([JSON, FORM, "text/plain", ""]),
)
def test_any_signed_body_never_gives_a_5xx(slack_bot_once, body, ctype):
    r = slack_bot_once.http.post("/slack/events", content=body, headers=_signed(body, ctype))
    assert r.status_code < 500, r.text[:200]


@pytest.fixture
def slack_bot_once(make_bot):
    return make_bot()


@given(body=st.binary(max_size=200), ctype=st.sampled_from([JSON, FORM, "text/plain"]))
def test_the_gate_parses_or_refuses_with_a_4xx(body, ctype):
    try:
        data = gate.parse_body(body, ctype)
    except gate.Refused as exc:
        assert 400 <= exc.status < 500
    else:
        assert isinstance(data, dict)


def test_a_group_named_channel_is_posted_without_pinging_anyone(make_bot):
    from bot.storage.db import transaction
    from bot.storage.models import Group, Suggestion
    from tests.bot.staff.test_escaping import assert_inert

    bot = make_bot()
    with transaction(bot.factory) as s:
        g = Group(
            name="<!channel>テスト団体",
            name_key="てすとだんたい",
            kind="任意団体",
            fields=[7],
            description="<!here> <@U0EVIL> <http://evil.example|公式> 野川の清掃",
            contact="",
            owner="line:U" + "c" * 32,
            match_fingerprint="x",
        )
        s.add(g)
        s.flush()
        s.add(
            Suggestion(
                group_id=g.id,
                division_id="kankyo-seisaku",
                rank=1,
                score=0.8,
                fields=[],
                reasons=["<!channel>"],
                status="new",
                group_fingerprint="g",
                division_fingerprint="d",
            )
        )
    posts = wait_until(lambda: [c for c in bot.slack_api.calls if c.method == "chat.postMessage"])
    for call in posts:
        assert_inert(call.body)
        assert "<!channel>" not in str(call.body.get("text"))


def test_junk_mixed_into_valid_traffic_on_one_connection(make_bot):
    """The issue's run: 270 valid requests with 10% junk mixed in, one keep-alive connection."""
    bot = make_bot()
    junk = [(n, b, h, s) for n, b, h, s in junk_requests() if s != 413]
    counts = {"valid": 0, "valid_ok": 0, "junk": 0, "junk_4xx": 0, "5xx": 0, "errors": 0, "reconnects": 0}
    with httpx.Client(base_url=bot.server.url, timeout=10, limits=httpx.Limits(max_connections=1)) as http:
        peer = None
        for i in range(300):
            is_junk = i % 10 == 5
            if is_junk:
                _, body, headers, _ = junk[(i // 10) % len(junk)]  # every kind, twice
            else:
                body = urlencode(
                    {
                        "command": "/kyodo",
                        "text": "help",
                        "team_id": TEAM_ID,
                        "api_app_id": "AKYODO",
                        "user_id": "UALICE",
                        "channel_id": "C1",
                        "trigger_id": str(i),
                        "response_url": bot.slack_api.response_url("mix"),
                    }
                ).encode()
                headers = _signed(body, FORM)
            counts["junk" if is_junk else "valid"] += 1
            try:
                r = http.post("/slack/events", content=body, headers=headers)
            except httpx.TransportError:  # the server broke the connection
                counts["errors"] += 1
                peer = None
                continue
            if is_junk:
                counts["junk_4xx"] += 400 <= r.status_code < 500
            else:
                counts["valid_ok"] += r.status_code == 200
            counts["5xx"] += r.status_code >= 500
            now = _peer(r)
            counts["reconnects"] += now is None or (peer is not None and now != peer)
            peer = now
    print("mixed run:", counts)
    assert counts == {
        "valid": 270,
        "valid_ok": 270,
        "junk": 30,
        "junk_4xx": 30,
        "5xx": 0,
        "errors": 0,
        "reconnects": 0,
    }
