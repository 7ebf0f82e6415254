"""Fixtures for the LINE end-to-end tests: a stand-in Messaging API and the real app under uvicorn."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.support.line_app import SECRET, TOKEN, echo_engine
from tests.support.line_payloads import body_for, signed
from tests.support.line_standin import LineStandin
from tests.support.servers import ServerThread, fast_line_settings

__all__ = ["SECRET", "TOKEN", "echo_engine"]


def real_engine_or_none():
    try:
        from bot.engine import handle
    except ImportError:
        return None
    return handle


class Bot:
    """The app under test, served by uvicorn on a free port."""

    def __init__(self, settings: Settings, *, handle=None, start_background: bool = True) -> None:
        self.settings = settings
        self.app = create_app(settings, start_background=start_background, handle=handle)
        self.server = ServerThread(self.app).start()
        self.http = httpx.Client(base_url=self.server.url, timeout=10)

    @property
    def factory(self):
        return self.app.state.session_factory

    def post_events(self, *events, secret: str = SECRET) -> httpx.Response:
        body = body_for(*events)
        return self.http.post("/line/callback", content=body, headers=signed(secret, body))

    def post_raw(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return self.http.post("/line/callback", content=body, headers=headers)

    def close(self) -> None:
        self.http.close()
        self.server.stop()


def bot_settings(db_url: str, standin: LineStandin, **overrides) -> Settings:
    return fast_line_settings(db_url, standin.url, SECRET, TOKEN, **overrides)


@pytest.fixture
def make_bot(db_url, standin) -> Iterator[Callable[..., Bot]]:
    standin.reset()
    bots: list[Bot] = []

    def make(*, handle=echo_engine, start_background: bool = True, **overrides) -> Bot:
        bot = Bot(
            bot_settings(db_url, standin, **overrides), handle=handle, start_background=start_background
        )
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        bot.close()
