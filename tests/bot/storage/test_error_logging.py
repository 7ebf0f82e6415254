"""Database errors are logged without their SQL parameters (user ids, texts are personal data)."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from bot.storage.db import make_engine, make_session_factory, transaction, utcnow
from bot.storage.models.messaging import OutboxMessage

log = logging.getLogger("kyodo.test")


def test_an_integrity_error_is_logged_without_its_parameters(db_url, caplog):
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    secret_user, secret_text, key = "Usecret" + uuid.uuid4().hex, "非公開の相談内容です", str(uuid.uuid4())

    def add() -> None:
        with transaction(factory) as s:
            s.add(
                OutboxMessage(channel="line", destination=secret_user, retry_key=key, status="pending",
                              messages=[{"type": "text", "text": secret_text}], next_attempt_at=utcnow())
            )  # fmt: skip

    caplog.set_level(logging.DEBUG)
    add()
    try:
        with pytest.raises(IntegrityError) as info:
            add()  # the retry key is unique
        log.exception("storing failed", exc_info=info.value)
    finally:
        engine.dispose()
    logged = caplog.text + str(info.value) + repr(info.value)
    assert "storing failed" in caplog.text and "parameters hidden" in logged
    for value in (secret_user, secret_text, key):
        assert value not in logged
