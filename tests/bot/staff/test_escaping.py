"""No mention, channel link or URL link from input survives into a field Slack interprets
(issue 11, item 2): citizens' texts (group names, descriptions, proposals, handoff questions) and
staff input echoed back (/kyodo 所属, FAQ answers, display names) are escaped at the rendering
seam, in every message and view we send."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.staff import decisions, directory, lookups
from bot.staff.lookups import HomeData
from bot.staff.mrkdwn import escape_mrkdwn, user_ref
from bot.staff.views import HandoffView, ItemView
from bot.storage.db import make_engine, make_session_factory, transaction
from bot.storage.models import Group
from handlers.slack import blocks
from tests.support.staff import DIRECTORY

ATTACKS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0EVIL>",
    "<@W0EVIL|boss>",
    "<#C0EVIL>",
    "<#C0EVIL|general>",
    "<!subteam^S0EVIL>",
    "<http://evil.example|公式サイト>",
    "<https://evil.example>",
    "<mailto:a@evil.example|mail>",
    "&lt;!channel&gt;",
    "<<!channel>>",
    "<!date^1392734382^{date}|x>",
]
#: The only control sequence our templates may produce: a mention of the actor, by a real id.
ALLOWED = {"<@UALICE>"}
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)

hostile = st.lists(
    st.one_of(st.sampled_from(ATTACKS), st.text(alphabet="<>&!@#|^ ちゃんねるabc", max_size=12)),
    min_size=1,
    max_size=4,
).map("".join)


def interpreted(payload: Any, *, top: bool = True) -> list[str]:
    """Every string Slack parses for mentions and links: a message's ``text`` and each mrkdwn
    text object (sections, fields, context elements), at any depth of a message or view."""
    out: list[str] = []
    if isinstance(payload, dict):
        if top and isinstance(payload.get("text"), str):
            out.append(payload["text"])
        if payload.get("type") == "mrkdwn" and isinstance(payload.get("text"), str):
            out.append(payload["text"])
        for key, value in payload.items():
            if key != "text" or not isinstance(value, str):
                out += interpreted(value, top=False)
    elif isinstance(payload, list):
        for value in payload:
            out += interpreted(value, top=False)
    return out


def assert_inert(payload: Any) -> None:
    texts = interpreted(payload)
    assert texts, "nothing interpreted: the walk is wrong"
    for text in texts:
        controls = set(re.findall(r"<[^<>]*>", text))
        assert controls <= ALLOWED, (controls, text)


def item_view(text: str, *, kind: str = "suggestion", decided: str | None = None) -> ItemView:
    return ItemView(
        notification_id=1,
        kind=kind,
        ref_id=1,
        group_name=text,
        group_kind=text,
        fields=[text],
        description=text,
        division_name=text,
        reasons=[text, text],
        reference=text,
        purpose=text,
        goal=text,
        role_city=text,
        role_group=text,
        contact=text,
        decision=decided,
        decided_by="UALICE" if decided == "taken" else text,
        decided_at=NOW if decided else None,
        unrouted=True,
        city_decides=kind == "proposal",
    )


@settings(max_examples=150, deadline=None)
@given(
    text=hostile,
    kind=st.sampled_from(["suggestion", "proposal"]),
    decided=st.sampled_from([None, "taken", "passed"]),
)
def test_items_home_and_modals_carry_no_control_sequence_from_input(text, kind, decided):
    view = item_view(text, kind=kind, decided=decided)
    assert_inert(blocks.item(view))
    assert_inert(blocks.item_detail_modal(view))
    handoff = HandoffView(
        1, text, NOW, closed_by=text if decided else None, closed_at=NOW if decided else None
    )
    assert_inert(blocks.handoff(handoff))
    assert_inert(blocks.home(HomeData(None, [view], [handoff], [(1, text, 3)])))


@settings(max_examples=150, deadline=None)
@given(text=hostile, answered=st.booleans())
def test_answers_and_maybe_lists_carry_no_control_sequence_from_input(text, answered):
    # A staff FAQ entry's answer, its question among the もしかして, a citation line.
    assert_inert(blocks.answer(text, text, [text, text], answered))
    assert_inert(blocks.plain(decisions.decision_notice(decisions.Decision(won=False, winner_name=text))))


@given(text=hostile)
def test_escaping_round_trips_what_slack_shows(text):
    escaped = escape_mrkdwn(text)
    assert "<" not in escaped and ">" not in escaped
    shown = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown == text


def test_user_ref_mentions_only_real_ids():
    assert user_ref("UALICE") == "<@UALICE>"
    assert user_ref("<!channel>") == "&lt;!channel&gt;"
    assert user_ref("U1>|<!here") == "U1&gt;|&lt;!here"


@pytest.fixture
def factory(db_url):
    engine = make_engine(db_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.mark.db
@pytest.mark.parametrize("attack", ATTACKS)
def test_lookups_and_echoed_staff_input_are_escaped(factory, attack):
    name = f"{attack}テスト団体"
    with transaction(factory) as s:
        s.add(
            Group(
                name=name,
                name_key=name,
                kind=attack,
                fields=[7],
                description=f"{attack} 野川の清掃をしています",
                contact=attack,
                owner="line:U" + "b" * 32,
                match_fingerprint="x",
            )
        )
    with factory() as s:
        outputs = [
            lookups.lookup_groups(s, ""),
            lookups.lookup_groups(s, "野川"),
            lookups.lookup_group(s, name, DIRECTORY),
            lookups.lookup_group(s, attack, DIRECTORY),
            lookups.match_text(s, f"{attack} 子ども食堂", DIRECTORY),
            lookups.match_text(s, name, DIRECTORY),
            directory.set_division_by_name(s, "UALICE", "alice", attack, DIRECTORY),
            directory.set_division_by_name(s, "UALICE", "alice", f"所属 {attack} 環境", DIRECTORY),
        ]
        outputs.append(lookups.answer_payload(s, f"{attack} 協働とは", blocks.RENDERER))
        for text in outputs:
            assert_inert(text if isinstance(text, dict) else blocks.plain(text))
