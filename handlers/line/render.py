"""Neutral ``Reply`` -> LINE message objects, within every limit the Messaging API enforces.

line-bot-sdk's models check some limits (<= 13 quick replies, postback data <= 300 characters)
and not others (text <= 5000, labels <= 20, altText <= 400, <= 5 messages per request), and
an over-long value makes LINE reject the whole request with 400, i.e. the citizen gets nothing.
So every length here is enforced *before* the SDK model is built, counted in UTF-16 code units
(the stricter reading of LINE's "characters": an emoji counts 2), and cut on grapheme
boundaries so that no emoji, flag or combining mark is broken. Long answers are split on
sentence boundaries into several messages; only when even five messages cannot hold them is the
rest dropped, with a note saying so.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexMessage,
    FlexText,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from bot.engine import messages as M
from bot.engine.citations import citation_lines
from bot.engine.types import Card, Choice, Reply

log = logging.getLogger(__name__)

# LINE Messaging API limits (https://developers.line.biz/en/reference/messaging-api/).
MAX_MESSAGES = 5
MAX_TEXT = 5000
MAX_LABEL = 20
MAX_ALT_TEXT = 400
MAX_QUICK_REPLIES = 13
MAX_POSTBACK_DATA_BYTES = 300
MAX_ACTION_TEXT = 300  # message action text, postback displayText
MAX_BUBBLES = 12
MAX_CARD_ACTIONS = 3
MAX_FLEX_JSON_BYTES = 30_000  # well under LINE's size cap for a carousel

# Our own presentation limits for cards: short enough for a phone screen.
CARD_TITLE = 60
CARD_SUBTITLE = 60
CARD_LINE = 160
CARD_LINES = 8

# Text the renderer itself may have to add (the wording is in bot/engine/messages.py).
OMITTED_NOTE = M.RENDER_OMITTED
FALLBACK_LABEL = M.RENDER_CHOOSE
FALLBACK_TEXT = M.RENDER_CHOOSE_BELOW
FALLBACK_ALT = M.RENDER_CHOICES_ALT

# --------------------------------------------------------------------------------------------
# Graphemes and lengths


def u16len(s: str) -> int:
    """Length in UTF-16 code units (characters outside the BMP count 2)."""
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _extends(ch: str) -> bool:
    """True if ``ch`` belongs to the grapheme before it (a simplified UAX #29 that covers what
    Japanese chat text contains: combining marks incl. kana voicing, variation selectors,
    emoji modifiers and tags, ZWJ, keycaps)."""
    cp = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0xFE00 <= cp <= 0xFE0F
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF
        or 0xE0020 <= cp <= 0xE007F
        or cp in (0x200D, 0x20E3)
    )


def graphemes(s: str) -> list[str]:
    out: list[str] = []
    join_next = False
    for ch in s:
        cp = ord(ch)
        regional = 0x1F1E6 <= cp <= 0x1F1FF
        if out and (join_next or _extends(ch)):
            out[-1] += ch
        elif (
            out
            and regional
            and 0x1F1E6 <= ord(out[-1][-1]) <= 0x1F1FF
            and sum(1 for c in out[-1] if 0x1F1E6 <= ord(c) <= 0x1F1FF) % 2 == 1
        ):
            out[-1] += ch  # second half of a flag
        else:
            out.append(ch)
        join_next = cp == 0x200D
    return out


def clip(s: str, limit: int, ellipsis: str = "…") -> str:
    """``s`` cut to at most ``limit`` UTF-16 units on a grapheme boundary (with an ellipsis)."""
    if u16len(s) <= limit:
        return s
    budget = limit - u16len(ellipsis)
    if budget <= 0:
        return ""
    return _prefix_within(s, budget, force=False).rstrip() + ellipsis


_SENTENCE_ENDS = "。！？!?．\n"
_SPACES = " 　"


def _prefix_within(s: str, limit: int, *, force: bool = True) -> str:
    """The longest prefix of whole graphemes within ``limit`` UTF-16 units. With ``force``,
    never empty: a single grapheme longer than the limit (only pathological input has one) is cut."""
    head = s[: limit + 64]
    gs = graphemes(head)
    if len(head) < len(s) and len(gs) > 1:
        gs = gs[:-1]  # may continue past the slice
    out, used = [], 0
    for g in gs:
        n = u16len(g)
        if used + n > limit:
            break
        out.append(g)
        used += n
    prefix = "".join(out)
    return prefix if prefix or not force else s[: max(1, limit // 2)]


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split into pieces of <= ``limit`` UTF-16 units, preferring paragraph, then sentence,
    then space boundaries (never leaving a piece under a third of the limit); a run without
    any boundary is cut between graphemes."""
    pieces: list[str] = []
    rest = text
    while u16len(rest) > limit:
        window = _prefix_within(rest, limit)
        cut = len(window)
        paragraph = window.rfind("\n\n")
        sentence = max(window.rfind(c) for c in _SENTENCE_ENDS)
        space = max(window.rfind(c) for c in _SPACES)
        for pos, width in ((paragraph, 2), (sentence, 1), (space, 1)):
            if pos >= len(window) // 3:
                cut = pos + width
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    pieces.append(rest.rstrip())
    return [p for p in pieces if p.strip()]


# --------------------------------------------------------------------------------------------
# Actions


def _action(choice: Choice, *, label_limit: int = MAX_LABEL) -> MessageAction | PostbackAction | None:
    label = clip((choice.label or "").strip() or FALLBACK_LABEL, label_limit)
    if choice.data:
        if len(choice.data.encode("utf-8")) > MAX_POSTBACK_DATA_BYTES:
            log.error(
                "dropping a choice whose postback data exceeds %d bytes: %r", MAX_POSTBACK_DATA_BYTES, label
            )
            return None
        display = clip(choice.display_text.strip(), MAX_ACTION_TEXT) if choice.display_text.strip() else None
        return PostbackAction(label=label, data=choice.data, displayText=display)
    text = (choice.text or choice.label or "").strip() or label
    return MessageAction(label=label, text=clip(text, MAX_ACTION_TEXT))


def quick_reply(choices: Sequence[Choice]) -> QuickReply | None:
    """The SDK model of a quick reply (at most 13 items; choices that cannot be sent dropped)."""
    items = []
    for choice in choices:
        action = _action(choice)
        if action is not None:
            items.append(QuickReplyItem(action=action))
        if len(items) == MAX_QUICK_REPLIES:
            break
    return QuickReply(items=items) if items else None


# Memoised model -> dict conversions. Building a line-bot-sdk model and calling ``to_dict()``
# (pydantic v1 validation, then a recursive ``dict()``) cost ~1.2 ms per event, the largest
# single part of processing one; yet most of what an event renders repeats (menu choices,
# related questions, fixed texts, common answers). Each distinct item is still built by the
# SDK's model, once; the returned dicts are shared, so callers must not mutate them.
# tests/line/test_render.py checks the result equals the plain SDK path for arbitrary input.


@lru_cache(maxsize=4096)
def _quick_reply_item_dict(choice: Choice) -> dict[str, Any] | None:
    action = _action(choice)
    return None if action is None else QuickReplyItem(action=action).to_dict()


def quick_reply_dict(choices: Sequence[Choice]) -> dict[str, Any] | None:
    """``quick_reply(choices).to_dict()``, from memoised items (QuickReply's own dict is just
    ``{"items": [...]}``)."""
    items = []
    for choice in choices:
        item = _quick_reply_item_dict(choice)
        if item is not None:
            items.append(item)
        if len(items) == MAX_QUICK_REPLIES:
            break
    return {"items": items} if items else None


# --------------------------------------------------------------------------------------------
# Cards -> Flex carousel


def _bubble(card: Card) -> FlexBubble:
    body: list[Any] = [
        FlexText(text=clip(card.title.strip() or "-", CARD_TITLE), weight="bold", size="md", wrap=True)
    ]
    if card.subtitle.strip():
        body.append(
            FlexText(text=clip(card.subtitle.strip(), CARD_SUBTITLE), size="xs", color="#888888", wrap=True)
        )
    for line in [ln for ln in card.lines if ln and ln.strip()][:CARD_LINES]:
        body.append(FlexText(text=clip(line.strip(), CARD_LINE), size="sm", wrap=True, margin="sm"))
    buttons = []
    for choice in list(card.actions)[:MAX_CARD_ACTIONS]:
        action = _action(choice)
        if action is not None:
            buttons.append(FlexButton(action=action, style="link", height="sm"))
    return FlexBubble(
        body=FlexBox(layout="vertical", spacing="sm", contents=body),
        footer=FlexBox(layout="vertical", spacing="sm", contents=buttons) if buttons else None,
    )


def _alt_text(reply: Reply, cards: Sequence[Card]) -> str:
    alt = (reply.alt_text or "").strip() or "、".join(c.title.strip() for c in cards if c.title.strip())
    return clip(alt or FALLBACK_ALT, MAX_ALT_TEXT)


def _carousel(reply: Reply) -> dict[str, Any] | None:
    cards = [c for c in reply.cards][:MAX_BUBBLES]
    if not cards:
        return None
    while cards:
        msg = FlexMessage(
            alt_text=_alt_text(reply, cards), contents=FlexCarousel(contents=[_bubble(c) for c in cards])
        )
        data = msg.to_dict()
        if len(json.dumps(data, ensure_ascii=False).encode()) <= MAX_FLEX_JSON_BYTES:
            return data
        cards = cards[:-1]
    return None


# --------------------------------------------------------------------------------------------
# Replies -> messages


@lru_cache(maxsize=1024)
def _text_message(text: str) -> dict[str, Any]:
    return TextMessage(text=text).to_dict()


def _text_dict(text: str) -> dict[str, Any]:
    """A text message dict of its own (the caller may attach a quick reply to it)."""
    return dict(_text_message(text))


def render_replies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """All replies to one event as LINE message dicts: 1..5 messages (or none if there is
    nothing to say), quick replies on the last message (LINE shows them only there)."""
    messages: list[dict[str, Any]] = []
    choices: Sequence[Choice] = ()
    for reply in replies:
        text = (reply.text or "").strip()
        sources = citation_lines(reply.sources or (), text)
        if sources:
            text = f"{text}\n{sources}" if text else sources
        for piece in split_text(text) if text else []:
            messages.append(_text_dict(piece))
        flex = _carousel(reply)
        if flex is not None:
            messages.append(flex)
        if reply.choices:
            choices = reply.choices
    qr = quick_reply_dict(choices) if choices else None
    if qr is not None and not messages:
        messages.append(_text_dict(FALLBACK_TEXT))
    messages = _fit(messages)
    if qr is not None:
        messages[-1]["quickReply"] = qr
    return messages


def _fit(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most five messages: first merge neighbouring texts, then drop the tail with a note."""
    merged: list[dict[str, Any]] = []
    for m in messages:
        if (
            len(messages) > MAX_MESSAGES
            and merged
            and m["type"] == "text"
            and merged[-1]["type"] == "text"
            and u16len(merged[-1]["text"]) + 2 + u16len(m["text"]) <= MAX_TEXT
        ):
            merged[-1] = _text_dict(merged[-1]["text"] + "\n\n" + m["text"])
        else:
            merged.append(m)
    if len(merged) <= MAX_MESSAGES:
        return merged
    kept = merged[:MAX_MESSAGES]
    last = kept[-1]
    if last["type"] == "text":
        kept[-1] = _text_dict(
            clip(last["text"], MAX_TEXT - u16len(OMITTED_NOTE) - 1, "") + "\n" + OMITTED_NOTE
        )
    else:
        kept[-1] = _text_dict(OMITTED_NOTE)
    return kept
