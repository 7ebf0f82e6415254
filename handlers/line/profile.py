"""The LINE profile's language for a user's first message or follow (issue 15).

LINE tells a bot the language a user set in the LINE app: ``GET /v2/bot/profile/{userId}``
(line-bot-sdk v3 ``AsyncMessagingApi.get_profile``; the response's ``language``, e.g. "en",
absent when LINE does not say). The webhook asks for it before storing a follow, or the first
message or postback of a user this process has not looked up yet (each user once per process: no
database look-up on the webhook's path, which measurably slowed it), and stores it inside the
event as ``kyodoProfile:
{"language": …}`` when it is English ("en", "en-US"); the parser (``webhook.to_incoming``) hands
it to the engine as ``Incoming.language``, which makes it the user's initial language unless the
user chose one (「English」/「日本語」 win, bot/engine/router.py) or already has one; for a user
who already has a language the lookup after a restart changes nothing.

A profile lookup never blocks or loses a reply: it has a short timeout, any failure (timeout,
429, 500, 404 for a user who blocked the bot, a malformed answer) is logged and the event is
stored without it, and the engine then goes by the language of the text. A lookup that failed is
not retried for that event (LINE's redelivery of the same event is dropped as a duplicate); after
a timeout no lookups are made for a minute, so a slow API costs one webhook the timeout, not all.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

#: The key under which the profile's language is stored in the event (LINE never sends it; one
#: that arrives in a webhook is removed before anything else).
PROFILE_KEY = "kyodoProfile"
#: How long a webhook waits for a profile (LINE answers in tens of milliseconds).
DEFAULT_TIMEOUT = 1.5
#: After a lookup timed out, the webhook looks nothing up for this many seconds.
PAUSE_AFTER_TIMEOUT = 60.0
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
_MAX_REMEMBERED = 50_000

#: userId -> the profile's language ("" when LINE gave none); raises on any failure.
FetchLanguage = Callable[[str], Awaitable[str]]


def sdk_fetcher(api: Any) -> FetchLanguage:
    """``AsyncMessagingApi.get_profile`` as a :data:`FetchLanguage`."""

    async def fetch(user_id: str) -> str:
        profile = await api.get_profile(user_id)
        return str(getattr(profile, "language", None) or "")

    return fetch


def language_of(event: dict[str, Any]) -> str:
    """The profile language stored in an event by :class:`ProfileLanguages` ("" if none)."""
    stored = event.get(PROFILE_KEY)
    if not isinstance(stored, dict):
        return ""
    lang = stored.get("language")
    return lang if isinstance(lang, str) and _LANGUAGE_RE.fullmatch(lang) else ""


def _english(lang: str) -> bool:
    """"en", "en-US", "en_GB": the user reads LINE in English. Japanese needs nothing (the
    bot's default), and other languages are answered from the text (knowledge.language)."""
    return lang.lower().replace("_", "-").split("-")[0] == "en"


class ProfileLanguages:
    """Adds the profile's language to the events of users the bot meets for the first time."""

    def __init__(self, fetch: FetchLanguage, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._fetch = fetch
        self.timeout = timeout
        self._seen: set[str] = set()  # users whose profile this process has looked up
        self.failures = 0
        # after a lookup timed out, none for this long: a slow LINE API must not slow every new
        # user's webhook by the whole timeout
        self.pause_after_timeout = PAUSE_AFTER_TIMEOUT
        self._paused_until = 0.0

    def _wanted(self, event: dict[str, Any]) -> str | None:
        """The userId whose profile this event needs, if any: a follow, or a message or postback
        in a 1:1 chat from a user this process has not looked up yet."""
        source = event.get("source")
        if not isinstance(source, dict) or source.get("type", "user") != "user":
            return None
        user = source.get("userId")
        if not isinstance(user, str) or not user or len(user) > 100 or event.get("mode") == "standby":
            return None
        etype = event.get("type")
        if etype == "follow":
            return user
        if etype in ("message", "postback") and user not in self._seen:
            return user
        return None

    async def add_to(self, events: list[dict[str, Any]]) -> None:
        """Look up the profiles the events need (at once, each within the timeout) and store
        the English ones in them. Never raises."""
        for e in events:
            e.pop(PROFILE_KEY, None)
        wanted = {i: user for i, e in enumerate(events) if (user := self._wanted(e))}
        if not wanted or time.monotonic() < self._paused_until:
            return
        users = sorted(set(wanted.values()))
        results = await asyncio.gather(*(self._one(u) for u in users))
        languages = dict(zip(users, results, strict=True))
        for i, user in wanted.items():
            lang = languages.get(user)
            if lang and _english(lang):  # only English is a reason to change the bot's language
                events[i][PROFILE_KEY] = {"language": lang}
        self._remember(u for u, lang in languages.items() if lang is not None)

    async def _one(self, user: str) -> str | None:
        """The user's profile language ("" when LINE gives none), None when the lookup failed."""
        try:
            lang = await asyncio.wait_for(self._fetch(user), self.timeout)
        except TimeoutError:
            self.failures += 1
            self._paused_until = time.monotonic() + self.pause_after_timeout
            log.warning(
                "line profile: lookup timed out; none for %.0f s, the text decides the language",
                self.pause_after_timeout,
            )
            return None
        except Exception as exc:  # noqa: BLE001 - any failure: go by the text instead
            self.failures += 1
            log.warning("line profile of a user: lookup failed (%s); the text decides the language", type(exc).__name__)
            return None
        return lang if _LANGUAGE_RE.fullmatch(lang or "") else ""

    def _remember(self, users: Any) -> None:
        if len(self._seen) > _MAX_REMEMBERED:
            self._seen.clear()
        self._seen.update(users)
