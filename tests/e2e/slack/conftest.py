"""Fixtures for the Slack tests: stand-ins for the Slack Web API and the LINE Messaging API, and the
real app (bot.app.create_app) under uvicorn, driven with correctly signed requests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.staff.directory import Directory
from tests.support.line_standin import LineStandin
from tests.support.servers import ServerThread, fast_line_settings
from tests.support.slack_standin import TEAM_ID, SlackStandin, sign
from tests.support.staff import DIRECTORY

SIGNING_SECRET = "slack-signing-secret"
BOT_TOKEN = "xoxb-kyodo-test"
STAFF_CHANNEL = "CSTAFF"
LINE_SECRET = "slack-e2e-line-secret"
LINE_TOKEN = "slack-e2e-line-token"


@pytest.fixture(scope="session")
def slack_api() -> Iterator[SlackStandin]:
    s = SlackStandin(token=BOT_TOKEN).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def line_api() -> Iterator[LineStandin]:
    s = LineStandin(access_token=LINE_TOKEN).start()
    yield s
    s.stop()


class SlackBot:
    """The app under test with Slack enabled, served by uvicorn on a free port."""

    def __init__(
        self, settings: Settings, slack_api: SlackStandin, *, directory: Directory | None = DIRECTORY
    ):
        self.slack_api = slack_api
        self.app = create_app(settings, directory=directory)
        self.runtime = self.app.state.slack
        self.server = ServerThread(self.app).start()
        self.http = httpx.Client(base_url=self.server.url, timeout=10)

    @property
    def factory(self):
        return self.app.state.session_factory

    def post(
        self, body: bytes, content_type: str, *, secret: str = SIGNING_SECRET, headers=None
    ) -> httpx.Response:
        h = {"Content-Type": content_type, **sign(secret, body), **(headers or {})}
        return self.http.post("/slack/events", content=body, headers=h)

    def command(
        self,
        text: str,
        *,
        user: str = "UALICE",
        user_name: str = "alice",
        team: str = TEAM_ID,
        app: str = "AKYODO",
        enterprise: str = "",
        response_key: str = "",
        **kw,
    ):
        form = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "koganei",
            "channel_id": "CGENERAL",
            "channel_name": "general",
            "user_id": user,
            "user_name": user_name,
            "command": "/kyodo",
            "text": text,
            "api_app_id": app,
            "is_enterprise_install": "false",
            "response_url": self.slack_api.response_url(response_key or uuid.uuid4().hex[:8]),
            "trigger_id": "1.2.3",
        }
        if enterprise:
            form["enterprise_id"] = enterprise
            form["enterprise_name"] = "Other org"
        return self.post(urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UALICE",
        name: str = "alice",
        channel: str = "",
        ts: str = "",
    ) -> httpx.Response:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "koganei"},
            "user": {"id": user, "username": name, "name": name, "team_id": TEAM_ID},
            "api_app_id": "AKYODO",
            "token": "legacy",
            "trigger_id": "1.2.3",
            "is_enterprise_install": False,
            "response_url": self.slack_api.response_url("click"),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "type": "button",
                    "action_ts": str(time.time()),
                }
            ],
        }
        if channel:
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel, "name": "x"}
            payload["message"] = {"ts": ts, "type": "message", "text": ""}
        else:
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            payload["view"] = {"id": "VHOME", "type": "home"}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def view_submission(
        self, callback_id: str, values: dict, private_metadata: str = "", user: str = "UALICE"
    ):
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "koganei"},
            "user": {"id": user, "username": "alice", "name": "alice", "team_id": TEAM_ID},
            "api_app_id": "AKYODO",
            "token": "legacy",
            "trigger_id": "1.2.3",
            "is_enterprise_install": False,
            "view": {
                "id": "VMODAL",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "hash": "h",
            },
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded")

    def event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        retry: int | None = None,
        team: str | None = TEAM_ID,
        app: str = "AKYODO",
    ) -> httpx.Response:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team,
                "api_app_id": app,
                "event": event,
                "type": "event_callback",
                "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM_ID, "user_id": "UKYODOBOT", "is_bot": True}],
                "is_ext_shared_channel": False,
            }
        ).encode()
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(body, "application/json", headers=headers)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


def settings_for(db_url: str, line_api: LineStandin, **overrides: Any) -> Settings:
    """Fast LINE settings, and Slack's from the environment the ``slack_env`` fixture sets."""
    return fast_line_settings(
        db_url, line_api.url, LINE_SECRET, LINE_TOKEN, slack=Settings.from_env().slack, **overrides
    )


@pytest.fixture
def slack_env(monkeypatch, slack_api) -> SlackStandin:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_BASE_URL", slack_api.api_url)
    monkeypatch.setenv("KYODO_STAFF_CHANNEL", STAFF_CHANNEL)
    monkeypatch.setenv("SLACK_POLL_SECONDS", "0.1")
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("SLACK_BACKOFF_BASE_SECONDS", "0.05")
    monkeypatch.setenv("SLACK_LEASE_SECONDS", "5")
    return slack_api


@pytest.fixture
def make_bot(db_url, slack_env, slack_api, line_api) -> Iterator[Callable[..., SlackBot]]:
    slack_api.reset()
    slack_api.retry_after = 1
    slack_api.delay = 2.0
    line_api.reset()
    bots: list[SlackBot] = []

    def make(*, directory: Directory | None = DIRECTORY, **overrides: Any) -> SlackBot:
        bot = SlackBot(settings_for(db_url, line_api, **overrides), slack_api, directory=directory)
        bots.append(bot)
        return bot

    yield make
    for b in bots:
        b.close()
