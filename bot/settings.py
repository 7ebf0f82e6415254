"""Settings come only from the environment so that every process (web, worker, CLI, tests)
is configured the same way and tests can build their own settings without touching globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_FILE = "kyodo.db"
OFFICIAL_LINE_API = "https://api.line.me"
OFFICIAL_LINE_DATA_API = "https://api-data.line.me"


def default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out (postgres://...) and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class SettingsError(ValueError):
    """A variable is present but unusable (e.g. PORT=abc): fail at start-up, naming it."""


def _number(env: dict[str, str], name: str, default: float, *, integer: bool = False) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a {'whole ' if integer else ''}number") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r} must not be negative")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)

    # LINE Messaging API. Empty secret or token => the LINE route is disabled (logged at start-up).
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    # Base URLs are configurable so tests and the benchmark can point the client at a local stand-in.
    line_api_base_url: str = OFFICIAL_LINE_API
    line_data_api_base_url: str = OFFICIAL_LINE_DATA_API

    port: int = 8000

    # Webhook: LINE's payloads are a few KB; anything near this cap is not from LINE.
    webhook_max_body_bytes: int = 1_000_000

    # Delivery tuning (bot/delivery.py). Defaults suit one small city account.
    delivery_poll_seconds: float = 1.0  # how often idle loops look for work left by other processes
    delivery_batch_size: int = 20
    delivery_max_attempts: int = 8  # then the row is marked failed and logged
    delivery_timeout_seconds: float = 10.0  # per API request
    delivery_lease_seconds: float = 60.0  # a claimed row is retried by others once its lease ends
    delivery_backoff_base_seconds: float = 1.0  # 1, 2, 4, ... (with jitter) for 5xx/timeouts
    delivery_backoff_max_seconds: float = 300.0
    # LINE reply tokens are valid for about a minute after the event; keep a safety margin.
    reply_token_ttl_seconds: float = 50.0
    processing_max_attempts: int = 5  # an event the engine keeps failing on is set aside after this
    # Personal data: stored event payloads and sent message texts are blanked after this many days
    # (the engine's own retention of unfollowed users' data runs on the same schedule).
    message_retention_days: float = 30.0
    housekeeping_interval_seconds: float = 3600.0

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        url = env.get("DATABASE_URL") or default_database_url()
        d = cls()
        return cls(
            database_url=normalise_database_url(url),
            line_channel_secret=(env.get("LINE_CHANNEL_SECRET") or "").strip(),
            line_channel_access_token=(env.get("LINE_CHANNEL_ACCESS_TOKEN") or "").strip(),
            line_api_base_url=(env.get("LINE_API_BASE_URL") or OFFICIAL_LINE_API).rstrip("/"),
            line_data_api_base_url=(env.get("LINE_DATA_API_BASE_URL") or OFFICIAL_LINE_DATA_API).rstrip("/"),
            port=int(_number(env, "PORT", d.port, integer=True)),
            webhook_max_body_bytes=int(
                _number(env, "LINE_WEBHOOK_MAX_BODY_BYTES", d.webhook_max_body_bytes, integer=True)
            ),
            delivery_poll_seconds=_number(env, "DELIVERY_POLL_SECONDS", d.delivery_poll_seconds),
            delivery_batch_size=int(_number(env, "DELIVERY_BATCH_SIZE", d.delivery_batch_size, integer=True))
            or 1,
            delivery_max_attempts=int(
                _number(env, "DELIVERY_MAX_ATTEMPTS", d.delivery_max_attempts, integer=True)
            )
            or 1,
            delivery_timeout_seconds=_number(env, "DELIVERY_TIMEOUT_SECONDS", d.delivery_timeout_seconds),
            delivery_lease_seconds=_number(env, "DELIVERY_LEASE_SECONDS", d.delivery_lease_seconds),
            delivery_backoff_base_seconds=_number(
                env, "DELIVERY_BACKOFF_BASE_SECONDS", d.delivery_backoff_base_seconds
            ),
            delivery_backoff_max_seconds=_number(
                env, "DELIVERY_BACKOFF_MAX_SECONDS", d.delivery_backoff_max_seconds
            ),
            reply_token_ttl_seconds=_number(env, "LINE_REPLY_TOKEN_TTL_SECONDS", d.reply_token_ttl_seconds),
            message_retention_days=_number(env, "MESSAGE_RETENTION_DAYS", d.message_retention_days),
            housekeeping_interval_seconds=_number(
                env, "HOUSEKEEPING_INTERVAL_SECONDS", d.housekeeping_interval_seconds
            ),
            processing_max_attempts=int(
                _number(env, "PROCESSING_MAX_ATTEMPTS", d.processing_max_attempts, integer=True)
            )
            or 1,
        )
