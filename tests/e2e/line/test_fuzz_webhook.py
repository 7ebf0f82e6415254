"""Arbitrary correctly signed payloads, through the real server and the real engine.

Whatever arrives (unknown event and message types, missing or extra fields, wrong JSON types,
huge, empty or odd-width text, invalid UTF-8, NULs and lone surrogates), the server answers
200/400/413 and never 5xx, every stored event gets processed without an engine error, and the
stand-in never has to reject a message the bot sends.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine import handle
from bot.storage.models.messaging import InboxEvent, OutboxMessage
from tests.support.line_app import SECRET
from tests.support.line_payloads import (
    DESTINATION,
    follow_event,
    message_event,
    postback_event,
    signed,
    sticker_event,
)
from tests.support.servers import wait_until

ODD_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["", " ", "\u3000", "ｷｮｳﾄﾞｳ", "ＮＰＯ", "👨‍👩‍👧" * 50, "協働とは" * 1300, "\x00", "\ud800", "や め る"]
    ),
    st.text(alphabet="あいうアイウｱｲｳ協働ＡＢ１２。！？\n", min_size=1000, max_size=6000),
)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.just([]),
    st.just({}),
)


@st.composite
def events(draw) -> dict:
    user = draw(st.sampled_from(["U" + "1" * 32, "U" + "2" * 32, "Ufuzz"]))
    base = draw(
        st.sampled_from(
            [
                lambda: message_event(draw(ODD_TEXT), user=user),
                lambda: sticker_event(user=user),
                lambda: postback_event(
                    draw(st.one_of(st.text(max_size=310), st.just("v1|elig|q1.ans|yes"))), user=user
                ),
                lambda: follow_event(user=user),
            ]
        )
    )()
    etype = draw(
        st.sampled_from(
            ["keep", "keep", "keep", "unfollow", "join", "leave", "memberJoined", "memberLeft", "unsend",
             "videoPlayComplete", "beacon", "accountLink", "things", "membership", "somethingNew"]
        )
    )  # fmt: skip
    if etype != "keep":
        base["type"] = etype
    if base["type"] == "message" and draw(st.booleans()):
        base["message"]["type"] = draw(
            st.sampled_from(["image", "video", "audio", "location", "file", "hologram"])
        )
    if draw(st.integers(0, 4)) == 0:
        base["source"] = draw(
            st.sampled_from(
                [
                    {"type": "group", "groupId": "Cg", "userId": user},
                    {"type": "room", "roomId": "Rr"},
                    {"type": "group"},
                    {},
                    None,
                    "U1",
                ]
            )
        )
    for key in draw(st.lists(st.sampled_from(sorted(base)), max_size=3)):
        base.pop(key, None)  # missing fields
    for key, value in draw(st.dictionaries(st.text(max_size=8), JUNK, max_size=2)).items():
        base[key] = value  # extra or wrongly typed fields
    if draw(st.integers(0, 5)) == 0:
        base[
            draw(
                st.sampled_from(["timestamp", "replyToken", "webhookEventId", "mode", "message", "postback"])
            )
        ] = draw(JUNK)
    return base


bodies = st.one_of(
    st.lists(events(), min_size=0, max_size=4).map(
        lambda evs: json.dumps({"destination": DESTINATION, "events": evs}, ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
    ),
    st.binary(max_size=300),  # not UTF-8 / not JSON at all
    st.lists(events(), max_size=2).map(lambda evs: json.dumps({"events": evs}).encode()[:-1] + b"\xff\xfe}"),
)


@pytest.fixture
def fuzz_bot(make_bot):
    return make_bot(handle=handle, webhook_max_body_bytes=200_000)


def test_arbitrary_signed_payloads_never_5xx_and_never_rejected(fuzz_bot, standin):
    bot = fuzz_bot
    statuses: list[int] = []

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(bodies)
    def post(body: bytes) -> None:
        r = bot.post_raw(body, signed(SECRET, body))
        statuses.append(r.status_code)
        assert r.status_code in (200, 400, 413), (r.status_code, r.text)

    post()
    assert 200 in statuses and 400 in statuses

    def settled() -> bool:
        with bot.factory() as s:
            if s.scalar(select(InboxEvent.id).where(InboxEvent.processed_at.is_(None)).limit(1)):
                return False
            return (
                s.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "pending").limit(1)) is None
            )

    wait_until(settled, timeout=60)
    with bot.factory() as s:
        errors = s.scalars(select(InboxEvent.last_error).where(InboxEvent.last_error.is_not(None))).all()
        failed = s.scalars(select(OutboxMessage.last_error).where(OutboxMessage.status == "failed")).all()
    assert errors == [] and failed == []
    assert standin.rejected() == []
