"""Fixtures for the registry tests: sessions on the test database and a matcher.

The matcher is the real ``matching.Matcher``. ``ChangedCatalogue`` wraps it to pretend a
division's entry was edited (a different fingerprint), which is how the tests check that
suggestions are refreshed when a division changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.storage.db import make_engine, make_session_factory


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(factory) -> Iterator[Session]:
    with factory() as s:
        yield s


@pytest.fixture(scope="session")
def matcher():
    from matching import Matcher

    return Matcher.load()


def edited(fingerprint: str) -> str:
    """A different fingerprint of the same shape (what an edited division would have)."""
    return hashlib.sha256(f"edited:{fingerprint}".encode()).hexdigest()[: len(fingerprint)]


class _Division:
    def __init__(self, inner: Any, fingerprint: str):
        self._inner = inner
        self.fingerprint = fingerprint

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class ChangedCatalogue:
    """A matcher whose divisions in ``changed`` carry new fingerprints; matching is unchanged."""

    def __init__(self, inner: Any, changed: set[str], before_match=None, extra_reason: str | None = None):
        self._inner = inner
        self.divisions = [
            _Division(d, edited(d.fingerprint)) if d.id in changed else d for d in inner.divisions
        ]
        self._before_match = before_match
        self.fingerprint = inner.fingerprint  # the rest of the data is unchanged
        if extra_reason is not None:  # as if the field vocabulary or scoring had been edited
            self.fingerprint = edited(inner.fingerprint)
        self._extra_reason = extra_reason

    def match_many(self, profiles, top: int = 3):
        if self._before_match is not None:
            self._before_match()
        results = self._inner.match_many(profiles, top=top)
        if self._extra_reason is None:
            return results
        return [
            replace(r, matches=[replace(m, reasons=[*m.reasons, self._extra_reason]) for m in r.matches])
            for r in results
        ]


@pytest.fixture
def changed_catalogue():
    return ChangedCatalogue
