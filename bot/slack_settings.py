"""Slack configuration, from the environment like everything else (see bot/settings.py).

Kept beside, not inside, :class:`bot.settings.Settings` so that the Slack side can be switched on
or off without touching the LINE transport's settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

OFFICIAL_SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # Socket Mode only (`kyodo slack socket`)
    api_base_url: str = OFFICIAL_SLACK_API  # always ends with "/" (slack_sdk joins method names)
    staff_channel: str = ""  # KYODO_STAFF_CHANNEL: handoffs, reports, unrouted items
    # Delivery of the Slack outbox.
    poll_seconds: float = 2.0
    max_attempts: int = 8
    timeout_seconds: float = 10.0
    lease_seconds: float = 60.0
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 300.0

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

    def missing(self) -> list[str]:
        names = {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_SIGNING_SECRET": self.signing_secret}
        return [k for k, v in names.items() if not v]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SlackSettings:
        env = dict(os.environ if env is None else env)
        base = (env.get("SLACK_API_BASE_URL") or OFFICIAL_SLACK_API).strip()
        d = cls()

        def num(name: str, default: float) -> float:
            raw = (env.get(name) or "").strip()
            try:
                return float(raw) if raw else default
            except ValueError:
                raise ValueError(f"{name}={raw!r} is not a number") from None

        return cls(
            bot_token=(env.get("SLACK_BOT_TOKEN") or "").strip(),
            signing_secret=(env.get("SLACK_SIGNING_SECRET") or "").strip(),
            app_token=(env.get("SLACK_APP_TOKEN") or "").strip(),
            api_base_url=base if base.endswith("/") else base + "/",
            staff_channel=(env.get("KYODO_STAFF_CHANNEL") or "").strip(),
            poll_seconds=num("SLACK_POLL_SECONDS", d.poll_seconds),
            max_attempts=int(num("SLACK_MAX_ATTEMPTS", d.max_attempts)) or 1,
            timeout_seconds=num("SLACK_TIMEOUT_SECONDS", d.timeout_seconds),
            lease_seconds=num("SLACK_LEASE_SECONDS", d.lease_seconds),
            backoff_base_seconds=num("SLACK_BACKOFF_BASE_SECONDS", d.backoff_base_seconds),
            backoff_max_seconds=num("SLACK_BACKOFF_MAX_SECONDS", d.backoff_max_seconds),
        )
