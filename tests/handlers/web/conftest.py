from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.web import Corner


@pytest.fixture
def corner(db_url) -> Iterator[Corner]:
    c = Corner(db_url, web_questions_per_minute=1000)
    yield c
    c.close()
