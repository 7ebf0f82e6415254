from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import Answerer
from knowledge.loader import DATA_DIR

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


def copy_shipped_data(base: Path) -> Path:
    """A copy of the shipped data directory at ``base``, for a test that changes one file of it."""
    base.mkdir(parents=True, exist_ok=True)
    for f in DATA_DIR.iterdir():
        if f.is_file():
            shutil.copy(f, base / f.name)
    return base


@pytest.fixture(scope="session")
def fixture_answerer() -> Answerer:
    """An answerer over the tiny fixture data (independent of the shipped content)."""
    return Answerer.load(FIXTURE_DATA)


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    """The answerer over the shipped data."""
    return Answerer.load()


@pytest.fixture(autouse=True, scope="session")
def _private_token_cache(tmp_path_factory):
    """Keep the persistent token cache of the tests out of the user's home directory."""
    import os

    old = os.environ.get("KYODO_CACHE_DIR")
    os.environ["KYODO_CACHE_DIR"] = str(tmp_path_factory.mktemp("kyodo-cache"))
    yield
    if old is None:
        os.environ.pop("KYODO_CACHE_DIR", None)
    else:
        os.environ["KYODO_CACHE_DIR"] = old
