"""The renderer keeps every LINE limit for any reply the engine could produce (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linebot.v3.messaging import MulticastRequest, PushMessageRequest, ReplyMessageRequest

from bot.engine.types import Card, Choice, Reply
from handlers.line.api import StoredMulticastRequest, StoredPushRequest, StoredReplyRequest
from handlers.line.render import (
    MAX_TEXT,
    clip,
    graphemes,
    quick_reply,
    quick_reply_dict,
    render_replies,
    split_text,
    u16len,
)
from tests.support.line_standin import check_messages

# Text that stresses the limits: emoji with modifiers and ZWJ, flags, combining marks, kana,
# full-width forms, newlines; sometimes repeated to far beyond 5000 characters.
ATOMS = [
    "あ",
    "協働",
    "。",
    "！",
    "\n",
    "\n\n",
    " ",
    "　",
    "👍🏽",
    "👨‍👩‍👧",
    "🇯🇵",
    "か\u3099",
    "1️⃣",
    "ｱ",
    "Ａ",
    "e\u0301",
    "𠮷",
]
atoms = st.lists(st.one_of(st.sampled_from(ATOMS), st.text(max_size=6)), max_size=16).map("".join)
texts = st.one_of(atoms, st.tuples(atoms, st.integers(1, 300)).map(lambda t: t[0] * t[1]))
short = st.one_of(atoms, st.text(max_size=40))

choices = st.builds(
    Choice,
    label=short,
    text=st.one_of(st.just(""), short, st.text(min_size=299, max_size=302)),
    data=st.one_of(st.just(""), st.text(max_size=20), st.text(min_size=290, max_size=320)),
    display_text=st.one_of(st.just(""), short, st.text(min_size=299, max_size=302)),
)
cards = st.builds(
    Card,
    title=short,
    lines=st.lists(st.one_of(short, st.just("長い説明" * 60)), max_size=10),
    actions=st.lists(choices, max_size=4),
    subtitle=short,
)
replies = st.builds(
    Reply,
    text=texts,
    choices=st.lists(choices, max_size=15),
    cards=st.one_of(st.just([]), st.lists(cards, max_size=3), cards.map(lambda c: [c] * 13)),
    sources=st.lists(st.tuples(short, short), max_size=4),
    alt_text=st.one_of(st.just(""), texts),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(replies, max_size=6))
def test_rendered_replies_pass_every_limit(rs):
    messages = render_replies(rs)
    if not messages:
        return
    assert check_messages(messages) == []  # the stand-in checks exactly what LINE does
    sdk = ReplyMessageRequest.from_dict({"replyToken": "t", "messages": messages})  # the SDK accepts it
    # ... and the request that sends the stored dicts without rebuilding the models (handlers/
    # line_api.py) serialises to exactly the SDK's own body
    assert StoredReplyRequest.of("t", messages).to_dict() == sdk.to_dict()
    push = PushMessageRequest.from_dict({"to": "U1", "messages": messages})
    assert StoredPushRequest.of("U1", messages).to_dict() == push.to_dict()
    multicast = MulticastRequest.from_dict({"to": ["U1", "U2"], "messages": messages})
    assert StoredMulticastRequest.of(["U1", "U2"], messages).to_dict() == multicast.to_dict()
    for m in messages:
        for item in (m.get("quickReply") or {}).get("items", []):
            label = item["action"]["label"]
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in label)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(choices, max_size=16))
def test_memoised_quick_reply_equals_the_sdk_model(cs):
    """The memoised items give exactly what line-bot-sdk's QuickReply model gives, also when the
    same choices come again (from the cache) and when a caller changes the message around it."""
    model = quick_reply(cs)
    expected = model.to_dict() if model is not None else None
    assert quick_reply_dict(cs) == expected
    messages = render_replies([Reply(text="a", choices=cs)])
    messages[-1]["text"] = "changed"
    assert quick_reply_dict(cs) == expected
    assert render_replies([Reply(text="a", choices=cs)])[-1]["text"] == "a"


@settings(deadline=None)
@given(texts)
def test_split_text_keeps_content_and_limits(text):
    pieces = split_text(text, limit=200)
    assert all(0 < u16len(p) <= 200 for p in pieces)
    squash = lambda s: "".join(s.split())  # noqa: E731
    assert squash("".join(pieces)) == squash(text)


@given(short, st.integers(2, 30))
def test_clip_never_breaks_a_grapheme(text, limit):
    out = clip(text, limit)
    assert u16len(out) <= limit
    body = out[:-1] if out != text else out
    assert graphemes(text)[: len(graphemes(body))] == graphemes(body) or out.endswith("…")


def test_known_graphemes_stay_whole():
    assert clip("はい👨‍👩‍👧👨‍👩‍👧", 6) == "はい…"  # the family emoji is 8 units: dropped whole
    assert clip("🇯🇵🇯🇵🇯🇵", 5) == "🇯🇵…"
    assert graphemes("か\u3099e\u0301") == ["か\u3099", "e\u0301"]


def test_long_answer_is_split_on_sentences_and_quick_replies_go_last():
    text = "協働は対等な関係です。" * 1200  # 13,200 characters
    out = render_replies([Reply(text=text, choices=[Choice(label="はい", data="v1|fb|yes|1")])])
    assert 2 <= len(out) <= 5
    assert all(m["text"].endswith("。") for m in out)
    assert "quickReply" in out[-1] and all("quickReply" not in m for m in out[:-1])


def test_too_much_is_shortened_with_a_note():
    out = render_replies([Reply(text="あ。" * 3000) for _ in range(7)])
    assert len(out) == 5 and "省略" in out[-1]["text"]
    assert u16len(out[-1]["text"]) <= MAX_TEXT


def test_sources_already_cited_in_the_text_are_not_repeated():
    out = render_replies(
        [Reply(text="答え（出典：第2章(1) 協働の理念）", sources=[("ch2-1", "第2章(1) 協働の理念")])]
    )
    assert out[0]["text"].count("第2章(1)") == 1
    out = render_replies([Reply(text="答え", sources=[("ch2-1", "第2章(1) 協働の理念")])])
    assert out[0]["text"].endswith("出典: 第2章(1) 協働の理念")


def test_cards_become_a_carousel():
    card = Card(
        title="市民協働推進課",
        lines=["理由: 分野が一致"],
        actions=[Choice(label="この課に相談する", data="v1|c|pick|1")],
    )
    out = render_replies([Reply(text="候補です", cards=[card] * 3, alt_text="担当課の候補")])
    assert [m["type"] for m in out] == ["text", "flex"]
    assert out[1]["altText"] == "担当課の候補" and len(out[1]["contents"]["contents"]) == 3
