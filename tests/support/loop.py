"""Helpers of the end-to-end tests that run the whole loop (LINE webhook -> engine -> Slack ->
LINE push) against the stand-ins: the real divisions with a channel each, a LINE sender that waits
for the bot's reply, and the postback data behind a button label."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.staff.directory import Directory, DivisionInfo
from tests.support.line_payloads import body_for, signed
from tests.support.servers import wait_until


def every_division_directory() -> Directory:
    """All shipped divisions, each with its own Slack channel ("C" + id)."""
    from matching import Matcher

    return Directory([DivisionInfo(d.id, d.ka or d.name, "C" + d.id.upper()) for d in Matcher.load().divisions])


def line_sender(bot: Any, line_api: Any, secret: str) -> Callable[[dict], list]:
    """``line(event)``: post one signed event, wait until the bot's reply is delivered, return it."""

    def line(event: dict) -> list:
        before = len(line_api.deliveries())
        body = body_for(event)
        assert bot.http.post("/line/callback", content=body, headers=signed(secret, body)).status_code == 200
        wait_until(lambda: len(line_api.deliveries()) > before)
        return line_api.deliveries()[-1].messages

    return line


def postback_data(messages: list, label: str) -> str:
    """The data of the first postback button whose label contains ``label``."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if label in str(node.get("label", "")) and node.get("type") == "postback":
                found.append(node["data"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(messages)
    assert found, f"no button {label!r} in {json.dumps(messages, ensure_ascii=False)[:500]}"
    return found[0]
