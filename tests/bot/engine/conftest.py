"""A scripted user: sends events through ``handle`` in one transaction each, like the worker does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.engine.router import handle
from bot.engine.types import Choice, Incoming, Reply
from bot.storage.db import make_engine, make_session_factory, transaction

from .fakes import FakeServices

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class Chat:
    def __init__(self, factory, services, user_id="U" + "a" * 32, channel="line", source_type="user"):
        self.factory = factory
        self.services = services
        self.user_id = user_id
        self.channel = channel
        self.source_type = source_type
        self.now = T0
        self.last: list[Reply] = []

    def send(self, kind: str, **kw) -> list[Reply]:
        incoming = Incoming(
            channel=self.channel, user_id=self.user_id, kind=kind, source_type=self.source_type, **kw
        )
        with transaction(self.factory) as session:
            replies = handle(session, incoming, now=self.now, services=self.services)
        assert len(replies) <= 5
        if kind != "unfollow":
            assert len(replies) >= 1
        self.last = replies
        self.now += timedelta(seconds=5)
        return replies

    def say(self, text: str) -> list[Reply]:
        return self.send("text", text=text)

    def postback(self, data: str) -> list[Reply]:
        return self.send("postback", data=data)

    def choice(self, label: str) -> Choice:
        for r in reversed(self.last):
            for c in list(r.choices) + [a for card in r.cards for a in card.actions]:
                if c.label == label:
                    return c
        raise AssertionError(f"no choice {label!r} in {self.texts()} / {self.labels()}")

    def tap(self, label: str) -> list[Reply]:
        c = self.choice(label)
        return self.postback(c.data) if c.data else self.say(c.text)

    def tap_card(self, index: int, label: str) -> list[Reply]:
        cards = [card for r in self.last for card in r.cards]
        c = next(a for a in cards[index].actions if a.label == label)
        return self.postback(c.data) if c.data else self.say(c.text)

    def texts(self) -> str:
        return "\n".join(r.text for r in self.last)

    def labels(self) -> list[str]:
        return [c.label for r in self.last for c in r.choices]


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def services():
    return FakeServices()


@pytest.fixture
def chat(factory, services):
    return Chat(factory, services)
