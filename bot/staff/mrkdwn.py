"""The one escaping of the staff side: text that is not ours, made inert for Slack's mrkdwn."""

from __future__ import annotations

import re

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def escape_mrkdwn(text: str | None) -> str:
    """Text that did not come from our own templates (citizens' group names, descriptions,
    proposals, questions; staff input echoed back; FAQ answers staff wrote), made inert for a
    Slack field Slack interprets (mrkdwn, a message's ``text``): ``&``, ``<`` and ``>`` as Slack's
    entities, so no ``<!channel>``, ``<@U…>``, ``<#C…>`` or ``<http…|…>`` can come from input.
    The one escaping of the staff side; handlers/slack/blocks.py uses it too."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user_ref(user: str | None) -> str:
    """A Slack user id as a mention (``<@U123>``); anything else, escaped as text."""
    user = user or ""
    return f"<@{user}>" if _USER_ID.fullmatch(user) else escape_mrkdwn(user)
