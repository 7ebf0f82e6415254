"""Property test: any sequence of events never raises and always answers within LINE's limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.router import handle
from bot.engine.types import Incoming
from bot.storage.db import transaction
from handlers.line.render import render_replies

WORDS = [
    M.MENU_ABOUT,
    M.MENU_CHECK,
    M.MENU_REGISTER,
    M.MENU_CONSULT,
    M.MENU_FAQ,
    M.MENU_CONTACT,
    M.MENU_HELP,
    M.MENU_MY_GROUPS,
    M.MENU_DELETE_DATA,
    M.CANCEL,
    M.RESTART,
    M.YES,
    M.NO,
    M.NEXT,
    M.SKIP,
    "みどりの会",
    "環境、子育て",
    "協働とは",
    "補助",
    "NPO",
]
FLOWS = ["elig", "reg", "gedit", "gdel", "prop", "deldata", "fb", "qa", "zz"]
ACTIONS = [
    "start",
    "q1.ans",
    "q4.ans",
    "name_dup.dup",
    "kind.kind",
    "fields.field",
    "fields.page",
    "fields.done",
    "contact.skip",
    "confirm.save",
    "confirm.confirm",
    "division.division",
    "confirm.send",
    "group.group",
    "yes",
    "no",
    "handoff",
]

texts = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=5),
    st.text(alphabet="ｱｲｳｴｵｶｷｸｹｺﾞﾟ　 ＡＢＣ１２３", max_size=20),
    st.builds(lambda n: "あ" * n, st.integers(0, 6000)),
)
postbacks = st.one_of(
    st.builds(
        lambda f, a, arg: postback.encode(f, a, arg),
        st.sampled_from(FLOWS),
        st.sampled_from(ACTIONS),
        st.one_of(
            st.sampled_from(["", "0", "1", "2", "yes", "no", "unknown", "go", "retype", "city"]),
            st.integers(0, 10**12).map(str),
        ),
    ),
    st.text(max_size=320),
)
events = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("postback"), postbacks),
    st.tuples(
        st.sampled_from(["follow", "unfollow", "unsupported", "bogus"]),
        st.sampled_from(["", "sticker", "image", "x"]),
    ),
    st.tuples(st.just("wait"), st.sampled_from(["10", "2000"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.lists(events, min_size=1, max_size=25), source=st.sampled_from(["user", "user", "group"]))
def test_random_sequences_never_raise(factory, services, seq, source):
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    user = "U-prop-" + source
    for kind, value in seq:
        if kind == "wait":
            now += timedelta(seconds=int(value))
            continue
        kw = (
            {"text": value}
            if kind == "text"
            else {"data": value}
            if kind == "postback"
            else {"message_type": value}
        )
        incoming = Incoming(channel="line", user_id=user, kind=kind, source_type=source, **kw)
        with transaction(factory) as session:
            replies = handle(session, incoming, now=now, services=services)
        if kind == "unfollow":
            assert replies == []
        else:
            assert 1 <= len(replies) <= 5
        for r in replies:
            assert r.text or r.cards
            assert len(r.text) <= 5000
            assert len(r.cards) <= 12 and len(r.choices) <= 13
            for c in [*r.choices, *(a for card in r.cards for a in card.actions)]:
                assert c.label and len(c.label) <= 20 and (c.text or c.data)
                assert len(c.data.encode()) <= 300
                assert postback.decode(c.data) is not None if c.data else True
            for card in r.cards:
                assert len(card.actions) <= 3
        if replies:  # the LINE renderer accepts them all
            assert 1 <= len(render_replies(replies)) <= 5
        now += timedelta(seconds=3)
