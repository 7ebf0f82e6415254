from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import Answerer

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(scope="session")
def fixture_answerer() -> Answerer:
    """An answerer over the tiny fixture data (independent of the shipped content)."""
    return Answerer.load(FIXTURE_DATA)


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    """The answerer over the shipped data."""
    return Answerer.load()
