"""The LINE profile's language for a user's first message or follow (issue 15).

LINE tells a bot the language a user set in the LINE app: ``GET /v2/bot/profile/{userId}``
(line-bot-sdk v3 ``AsyncMessagingApi.get_profile``; the response's ``language``, e.g. "en",
absent when LINE does not say). The webhook asks for it before storing an event from a user the
bot does not know yet (or a follow), and stores it inside the event as ``kyodoProfile:
{"language": …}`` when it is English ("en", "en-US"); the parser (``webhook.to_incoming``) hands
it to the engine as ``Incoming.language``, which makes it the user's initial language unless the
user chose one (「English」/「日本語」 win, bot/engine/router.py).

A profile lookup never blocks or loses a reply: it has a short timeout, any failure (timeout,
429, 500, 404 for a user who blocked the bot, a malformed answer) is logged and the event is
stored without it, and the engine then goes by the language of the text. A lookup that failed is
not retried for that event (LINE's redelivery of the same event is dropped as a duplicate).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

#: The key under which the profile's language is stored in the event (LINE never sends it; one
#: that arrives in a webhook is removed before anything else).
PROFILE_KEY = "kyodoProfile"
#: How long a webhook waits for a profile (LINE answers in tens of milliseconds).
DEFAULT_TIMEOUT = 1.5
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
_MAX_REMEMBERED = 50_000

#: userId -> the profile's language ("" when LINE gave none); raises on any failure.
FetchLanguage = Callable[[str], Awaitable[str]]
#: the user ids (of these) the bot already knows (a row in chat_users).
KnownUsers = Callable[[list[str]], Awaitable[set[str]]]


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

    def __init__(self, fetch: FetchLanguage, known: KnownUsers, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._fetch = fetch
        self._known = known
        self.timeout = timeout
        self._seen: set[str] = set()  # users this process knows the bot has met (no lookup again)
        self.failures = 0

    def _wanted(self, event: dict[str, Any]) -> str | None:
        """The userId whose profile this event needs, if any: a follow, or a message or postback
        in a 1:1 chat from a user the process has not seen."""
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
        the languages in them. Never raises."""
        for e in events:
            e.pop(PROFILE_KEY, None)
        wanted = {e_id: user for e_id, e in enumerate(events) if (user := self._wanted(e))}
        if not wanted:
            return
        try:
            first = {u for i, u in wanted.items() if events[i].get("type") != "follow"}
            known = await asyncio.wait_for(self._known(sorted(first)), self.timeout) if first else set()
        except Exception:  # noqa: BLE001 - the database is the store's problem; ask LINE anyway
            log.warning("line profile: could not tell known users; looking profiles up", exc_info=True)
            known = set()
        self._remember(known)
        users = sorted({u for i, u in wanted.items() if events[i].get("type") == "follow" or u not in known})
        if not users:
            return
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
        except Exception as exc:  # noqa: BLE001 - any failure: go by the text instead
            self.failures += 1
            log.warning("line profile of a user: lookup failed (%s); the text decides the language", type(exc).__name__)
            return None
        return lang if _LANGUAGE_RE.fullmatch(lang or "") else ""

    def _remember(self, users: Any) -> None:
        if len(self._seen) > _MAX_REMEMBERED:
            self._seen.clear()
        self._seen.update(users)
