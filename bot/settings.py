"""The one settings object. Settings come only from the environment, so every process (web,
worker, CLI, tests) is configured the same way, and tests build their own ``Settings`` without
touching globals.

Every variable is read and checked here, by one parser: a value that is present but unusable
(``PORT=abc``, a negative timeout) stops start-up with a :class:`SettingsError` that names the
variable, instead of failing somewhere later. ``.env.example`` documents each of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

DEFAULT_SQLITE_FILE = "kyodo.db"
OFFICIAL_LINE_API = "https://api.line.me"
OFFICIAL_LINE_DATA_API = "https://api-data.line.me"
OFFICIAL_SLACK_API = "https://slack.com/api/"


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


@dataclass(frozen=True)
class DeliveryPolicy:
    """How one channel's outbox is delivered (bot/messaging/delivery.py). Defaults suit one
    small city account."""

    poll_seconds: float = 1.0  # how often an idle delivery loop looks for work left by others
    batch_size: int = 20  # sends in flight at once
    max_attempts: int = 8  # then the row is marked failed and logged
    timeout_seconds: float = 10.0  # per API request
    lease_seconds: float = 60.0  # a claimed row is retried by others once its lease ends
    backoff_base_seconds: float = 1.0  # 1, 2, 4, ... (with jitter) for 5xx and timeouts
    backoff_max_seconds: float = 300.0


@dataclass(frozen=True)
class SlackSettings:
    """The Slack app for city staff. Without a bot token and a signing secret Slack is off."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""  # Socket Mode only (`kyodo slack socket`)
    app_id: str = ""  # SLACK_APP_ID: requests for another app are refused (unset: asked from bots.info)
    api_base_url: str = OFFICIAL_SLACK_API  # always ends with "/" (slack_sdk joins method names)
    staff_channel: str = ""  # KYODO_STAFF_CHANNEL: handoffs, reports, unrouted items
    # The Slack outbox is delivered with this (SLACK_* variables, same meaning as DELIVERY_*).
    delivery: DeliveryPolicy = field(default_factory=lambda: DeliveryPolicy(poll_seconds=2.0))

    @property
    def poll_seconds(self) -> float:
        """SLACK_POLL_SECONDS: also how often the staff side looks for new items to post."""
        return self.delivery.poll_seconds

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

    def missing(self) -> list[str]:
        names = {"SLACK_BOT_TOKEN": self.bot_token, "SLACK_SIGNING_SECRET": self.signing_secret}
        return [k for k, v in names.items() if not v]


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)

    # LINE Messaging API. Empty secret or token => the LINE route is disabled (logged at start-up).
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    # Base URLs are configurable so tests and the benchmark can point the client at a local stand-in.
    line_api_base_url: str = OFFICIAL_LINE_API
    line_data_api_base_url: str = OFFICIAL_LINE_DATA_API

    # How long the webhook waits for a first-time user's LINE profile (its language, issue 15);
    # 0 turns the lookup off. A failed or slow lookup only means the text decides the language.
    line_profile_timeout_seconds: float = 1.5

    port: int = 8000

    # Webhook: LINE's payloads are a few KB; anything near this cap is not from LINE.
    webhook_max_body_bytes: int = 1_000_000

    # Delivery of LINE's outbox (DELIVERY_* variables; see DeliveryPolicy for each meaning).
    delivery_poll_seconds: float = 1.0
    delivery_batch_size: int = 20
    delivery_max_attempts: int = 8
    delivery_timeout_seconds: float = 10.0
    delivery_lease_seconds: float = 60.0
    delivery_backoff_base_seconds: float = 1.0
    delivery_backoff_max_seconds: float = 300.0
    # LINE reply tokens are valid for about a minute after the event; keep a safety margin.
    reply_token_ttl_seconds: float = 50.0
    # How often a worker looks for outbox rows leased to workers that are gone
    # (bot/messaging/owners.py); their rows are taken over at once instead of after the lease.
    delivery_takeover_check_seconds: float = 1.0
    processing_max_attempts: int = 5  # an event the engine keeps failing on is set aside after this
    # Personal data: stored event payloads and sent message texts are blanked after this many days
    # (the engine's own retention of unfollowed users' data runs on the same schedule).
    message_retention_days: float = 30.0
    housekeeping_interval_seconds: float = 3600.0

    # The HTTP server's limits (`kyodo serve`, uvicorn; docs/line.md "Limits"). Seconds an idle
    # keep-alive connection is kept; seconds a request may take to send its headers and body
    # (slow or half-open clients are cut off); connections + tasks at once before 503s; the
    # listen backlog; the largest request head (bytes) the parser buffers.
    http_keep_alive_seconds: float = 5.0
    http_read_timeout_seconds: float = 10.0
    http_limit_concurrency: int = 1000
    http_backlog: int = 2048
    http_max_header_bytes: int = 65536

    slack: SlackSettings = field(default_factory=SlackSettings)

    # The web corner (handlers/web, docs/web.md).
    # Where the corner is reachable from outside ("https://kyodo.example.jp"); when set, every
    # citation on LINE, Slack and the terminal links to <public_url>/guideline#<section id>.
    public_url: str = ""
    # CSP frame-ancestors: who may embed the corner in a frame ("'none'" by default).
    web_frame_ancestors: str = "'none'"
    # Key that signs the web's feedback and hand-off forms; random per process when unset (set it
    # when several web processes serve the same site).
    web_secret: str = ""
    # Questions one client (IP address) may ask per minute on the web.
    web_questions_per_minute: int = 10
    # Opportunities (協働の募集): at most this many notices per group per month (Japan time).
    opportunity_monthly_cap: int = 4
    # The city's data (docs/knowledge-data.md, docs/matching.md): empty = the shipped Koganei data.
    # KYODO_KNOWLEDGE_DIR: guideline.yaml, faq.yaml, synonyms.yaml, contacts.yaml, city.yaml;
    # KYODO_MATCHING_DIR: fields.yaml, divisions.yaml. Every command reads the same two.
    knowledge_dir: str = ""
    matching_dir: str = ""

    def use_data_dirs(self) -> None:
        """Point the knowledge and matching libraries at this city's data, for the whole process
        (the CLI does it once at start, before any command loads them)."""
        import knowledge.loader
        import matching.loader

        knowledge.loader.use_data_dir(self.knowledge_dir or None)
        matching.loader.use_data_dir(self.matching_dir or None)

    @property
    def line_enabled(self) -> bool:
        return bool(self.line_channel_secret and self.line_channel_access_token)

    @property
    def line_delivery(self) -> DeliveryPolicy:
        """LINE's DeliveryPolicy, from the ``delivery_*`` fields."""
        return DeliveryPolicy(**{f.name: getattr(self, f"delivery_{f.name}") for f in fields(DeliveryPolicy)})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        return _Reader(os.environ if env is None else env).settings()


class _Reader:
    """Reads and checks the variables; every problem is a SettingsError naming the variable."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)

    def text(self, name: str, default: str = "") -> str:
        return (self.env.get(name) or "").strip() or default

    def number(self, name: str, default: float) -> float:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a number") from None
        if not value >= 0:  # also refuses NaN
            raise SettingsError(f"{name}={raw!r} must not be negative")
        return value

    def whole(self, name: str, default: int, *, at_least: int = 0) -> int:
        """A whole number; 0 where at least 1 is needed reads as 1 (e.g. DELIVERY_BATCH_SIZE=0)."""
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a whole number") from None
        if value < 0:
            raise SettingsError(f"{name}={raw!r} must not be negative")
        return max(value, at_least)

    def directory(self, name: str) -> str:
        """An existing directory (absolute), or "" when the variable is unset."""
        raw = self.text(name)
        if not raw:
            return ""
        path = Path(raw).expanduser()
        if not path.is_dir():
            raise SettingsError(f"{name}={raw!r} is not a directory")
        return str(path.resolve())

    def policy(self, prefix: str, defaults: DeliveryPolicy) -> DeliveryPolicy:
        return DeliveryPolicy(
            poll_seconds=self.number(f"{prefix}POLL_SECONDS", defaults.poll_seconds),
            batch_size=self.whole(f"{prefix}BATCH_SIZE", defaults.batch_size, at_least=1),
            max_attempts=self.whole(f"{prefix}MAX_ATTEMPTS", defaults.max_attempts, at_least=1),
            timeout_seconds=self.number(f"{prefix}TIMEOUT_SECONDS", defaults.timeout_seconds),
            lease_seconds=self.number(f"{prefix}LEASE_SECONDS", defaults.lease_seconds),
            backoff_base_seconds=self.number(f"{prefix}BACKOFF_BASE_SECONDS", defaults.backoff_base_seconds),
            backoff_max_seconds=self.number(f"{prefix}BACKOFF_MAX_SECONDS", defaults.backoff_max_seconds),
        )

    def slack(self) -> SlackSettings:
        d = SlackSettings()
        base = self.text("SLACK_API_BASE_URL", OFFICIAL_SLACK_API)
        delivery = self.policy("SLACK_", d.delivery)
        return SlackSettings(
            bot_token=self.text("SLACK_BOT_TOKEN"),
            signing_secret=self.text("SLACK_SIGNING_SECRET"),
            app_token=self.text("SLACK_APP_TOKEN"),
            app_id=self.text("SLACK_APP_ID"),
            api_base_url=base if base.endswith("/") else base + "/",
            staff_channel=self.text("KYODO_STAFF_CHANNEL"),
            delivery=delivery,
        )

    def settings(self) -> Settings:
        d = Settings(database_url="")
        line = self.policy("DELIVERY_", d.line_delivery)
        return Settings(
            database_url=normalise_database_url(self.text("DATABASE_URL") or default_database_url()),
            line_channel_secret=self.text("LINE_CHANNEL_SECRET"),
            line_channel_access_token=self.text("LINE_CHANNEL_ACCESS_TOKEN"),
            line_api_base_url=self.text("LINE_API_BASE_URL", OFFICIAL_LINE_API).rstrip("/"),
            line_data_api_base_url=self.text("LINE_DATA_API_BASE_URL", OFFICIAL_LINE_DATA_API).rstrip("/"),
            line_profile_timeout_seconds=self.number("LINE_PROFILE_TIMEOUT_SECONDS", d.line_profile_timeout_seconds),
            port=self.whole("PORT", d.port),
            webhook_max_body_bytes=self.whole("LINE_WEBHOOK_MAX_BODY_BYTES", d.webhook_max_body_bytes),
            **{f"delivery_{f.name}": getattr(line, f.name) for f in fields(DeliveryPolicy)},
            reply_token_ttl_seconds=self.number("LINE_REPLY_TOKEN_TTL_SECONDS", d.reply_token_ttl_seconds),
            delivery_takeover_check_seconds=self.number(
                "DELIVERY_TAKEOVER_CHECK_SECONDS", d.delivery_takeover_check_seconds
            ),
            http_keep_alive_seconds=self.number("HTTP_KEEP_ALIVE_SECONDS", d.http_keep_alive_seconds),
            http_read_timeout_seconds=self.number("HTTP_READ_TIMEOUT_SECONDS", d.http_read_timeout_seconds),
            http_limit_concurrency=self.whole("HTTP_LIMIT_CONCURRENCY", d.http_limit_concurrency, at_least=1),
            http_backlog=self.whole("HTTP_BACKLOG", d.http_backlog, at_least=1),
            http_max_header_bytes=self.whole("HTTP_MAX_HEADER_BYTES", d.http_max_header_bytes, at_least=1024),
            processing_max_attempts=self.whole(
                "PROCESSING_MAX_ATTEMPTS", d.processing_max_attempts, at_least=1
            ),
            message_retention_days=self.number("MESSAGE_RETENTION_DAYS", d.message_retention_days),
            housekeeping_interval_seconds=self.number(
                "HOUSEKEEPING_INTERVAL_SECONDS", d.housekeeping_interval_seconds
            ),
            slack=self.slack(),
            public_url=self.public_url(),
            web_frame_ancestors=self.frame_ancestors(),
            web_secret=self.text("KYODO_WEB_SECRET"),
            web_questions_per_minute=self.whole(
                "KYODO_WEB_QUESTIONS_PER_MINUTE", d.web_questions_per_minute, at_least=1
            ),
            opportunity_monthly_cap=self.whole("OPPORTUNITY_MONTHLY_CAP", d.opportunity_monthly_cap),
            knowledge_dir=self.directory("KYODO_KNOWLEDGE_DIR"),
            matching_dir=self.directory("KYODO_MATCHING_DIR"),
        )

    def public_url(self) -> str:
        raw = self.text("KYODO_PUBLIC_URL").rstrip("/")
        if raw and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", raw):
            raise SettingsError(f"KYODO_PUBLIC_URL={raw!r} is not an http(s) URL without query or fragment")
        return raw

    def frame_ancestors(self) -> str:
        raw = self.text("KYODO_FRAME_ANCESTORS", "'none'")
        if not re.match(r"^[A-Za-z0-9'*:/.\- ]+$", raw) or ";" in raw:
            raise SettingsError(f"KYODO_FRAME_ANCESTORS={raw!r} is not a list of CSP sources")
        return raw
