"""Slack adapter: the Bolt ``AsyncApp`` behind ``POST /slack/events`` (and Socket Mode), and the
Web API client the Slack outbox delivers through.

Thin on purpose: listeners acknowledge first (Slack wants an answer within 3 seconds), parse the
payload, call :mod:`bot.staff.service` through :class:`bot.slack_runtime.SlackRuntime` (in a worker
thread: SQLAlchemy is synchronous and must not block the event loop) and render the results with
:mod:`handlers.slack.blocks`. The runtime owns the lifecycle, the background loops and the event
inbox; :mod:`bot.slack_app` mounts all of it into the web app.

Bolt checks the request signature and timestamp (kept on; a bad one is answered 401 before any
listener runs). Our own middleware then serves only the workspace the bot token belongs to, and
drops Slack's retries of events we have already accepted (``event_id`` in ``slack_events``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.settings import Settings
from bot.slack_app import mount_slack, run_worker  # noqa: F401  (kept importable from here)
from bot.slack_settings import SlackSettings
from bot.staff import faq as staff_faq
from bot.staff import lookups as slack_lookups
from bot.staff import messages as msg
from bot.staff import posts as slack_outbox
from bot.staff import service as slack_service
from bot.staff.posts import CallResult
from bot.staff.runtime import SlackRuntime
from handlers.slack import blocks

log = logging.getLogger(__name__)


class _ClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client (ours, pointed at
    SLACK_API_BASE_URL) and then warns that the token is unused: noise in every start-up log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_ClientTokenNotice())

SLASH_COMMAND = "/kyodo"
SUBCOMMANDS = {
    "help": "help",
    "ヘルプ": "help",
    "groups": "groups",
    "団体一覧": "groups",
    "group": "group",
    "団体": "group",
    "match": "match",
    "マッチ": "match",
    "report": "report",
    "レポート": "report",
    "集計": "report",
    "所属": "division",
    "division": "division",
}


def parse_command(text: str) -> tuple[str, str]:
    """`/kyodo groups 環境` -> ("groups", "環境"); anything else is a question."""
    from knowledge.normalize import normalize

    t = normalize(text or "").strip()
    if not t:
        return "help", ""
    head, _, rest = t.partition(" ")
    sub = SUBCOMMANDS.get(head.lower())
    if sub is None:
        return "ask", t
    return sub, rest.strip()


class WebApiSender:
    """The Slack outbox's sender: slack_sdk's AsyncWebClient, with errors turned into CallResults."""

    def __init__(self, client: AsyncWebClient):
        self.client = client

    async def call(self, method: str, payload: dict[str, Any]) -> CallResult:
        try:
            resp = await self.client.api_call(method, json=payload)
        except SlackApiError as exc:
            r = exc.response
            retry_after = None
            if r.status_code == 429:
                try:
                    retry_after = float(r.headers.get("Retry-After", r.headers.get("retry-after", 1)))
                except (TypeError, ValueError):
                    retry_after = 1.0
            # Slack answers most errors with HTTP 200 and ok=false: those are permanent (400-like).
            status = r.status_code if r.status_code != 200 else 400
            return CallResult(False, status=status, error=str(r.get("error", "")), retry_after=retry_after)
        return CallResult(True, ts=resp.get("ts"), status=resp.status_code)

    async def find_posted(self, channel: str, outbox_id: int, oldest: float) -> str | None:
        """The ts of a message we posted for ``outbox_id`` (metadata), if Slack has it."""
        cursor = None
        for _ in range(5):
            resp = await self.client.conversations_history(
                channel=channel, oldest=str(oldest), include_all_metadata=True, limit=200, cursor=cursor
            )
            for m in resp.get("messages", []):
                meta = m.get("metadata") or {}
                if (
                    meta.get("event_type") == slack_outbox.METADATA_EVENT
                    and (meta.get("event_payload") or {}).get("outbox_id") == outbox_id
                ):
                    return m.get("ts")
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None


def create(
    settings: Settings,
    slack: SlackSettings,
    *,
    directory: slack_service.Directory | None = None,
    start_background: bool = True,
) -> SlackListeners:
    """The Web API client, the runtime delivering through it, and the Bolt listeners on top."""
    client = AsyncWebClient(
        token=slack.bot_token, base_url=slack.api_base_url, timeout=int(max(1, slack.timeout_seconds))
    )
    runtime = SlackRuntime(
        settings,
        slack,
        sender=WebApiSender(client),
        render=blocks.RENDERER,
        directory=directory,
        start_background=start_background,
    )
    return SlackListeners(runtime, client)


class SlackListeners:
    """The Bolt app: middleware and listeners, each a translation between Slack and the runtime."""

    def __init__(self, runtime: SlackRuntime, client: AsyncWebClient) -> None:
        self.runtime = runtime
        self.client = client
        self._names: dict[str, str] = {}  # Slack user id -> display name
        self.app = self._build_app()
        self.handler = AsyncSlackRequestHandler(self.app)

    async def endpoint(self, request: Request) -> Response:
        """``POST /slack/events``."""
        if not self.runtime.ready:
            return JSONResponse({"error": "starting"}, status_code=503)
        return await self.handler.handle(request)

    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=self.runtime.slack.signing_secret,
            process_before_response=False,
            request_verification_enabled=True,
            raise_error_for_unhandled_request=False,
        )
        app.use(self._only_our_workspace)
        app.use(self._drop_retries)
        app.command(SLASH_COMMAND)(self.on_command)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(blocks.ACTION_TAKE)(self.on_decision)
        app.action(blocks.ACTION_PASS)(self.on_decision)
        app.action(blocks.ACTION_DETAIL)(self.on_detail)
        app.action(blocks.ACTION_CLOSE_HANDOFF)(self.on_close_handoff)
        app.action(blocks.ACTION_ADD_FAQ)(self.on_add_faq)
        app.view(blocks.FAQ_MODAL)(self.on_faq_submitted)
        app.error(self.on_error)
        return app

    # -- middleware -------------------------------------------------------------------------------
    async def _only_our_workspace(self, context: Any, body: dict, next: Any) -> BoltResponse | None:
        auth = context.authorize_result
        ours = getattr(auth, "team_id", None) if auth else None
        theirs = context.team_id
        if ours and theirs and ours != theirs and not context.enterprise_id:
            self.runtime.counters["foreign_team"] += 1
            log.warning("slack: request from workspace %s ignored (this app serves %s)", theirs, ours)
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _drop_retries(self, body: dict, req: Any, next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await self.runtime.accept_event(event_id, body.get("event") or {}):
            retry = (req.headers.get("x-slack-retry-num") or [""])[0]
            log.info("slack: event %s already handled (retry %s); dropped", event_id, retry or "-")
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def on_error(self, error: Exception, body: dict, logger: Any) -> None:
        log.exception("slack listener failed: %s", error)

    # -- /kyodo -----------------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict, respond: Any) -> None:
        sub, rest = parse_command(command.get("text", ""))
        if sub == "help":
            await ack(**blocks.plain(msg.HELP), response_type="ephemeral")
            return
        await ack()  # within 3 s, always; the answer follows through response_url
        self.runtime.background(self._command(sub, rest, command, respond))

    async def _command(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        async with self.runtime.work_slot:
            await self._command_now(sub, rest, command, respond)

    async def _command_now(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        user = command.get("user_id", "")
        run, directory = self.runtime.run_in_db, self.runtime.directory
        try:
            if sub == "ask":
                payload = await run(slack_lookups.answer_payload, rest, blocks.RENDERER)
            elif sub == "groups":
                payload = blocks.plain(await run(slack_lookups.lookup_groups, rest))
            elif sub == "group":
                payload = blocks.plain(await run(slack_lookups.lookup_group, rest, directory))
            elif sub == "match":
                payload = blocks.plain(await run(slack_lookups.match_text, rest, directory))
            elif sub == "report":
                payload = blocks.plain(await run(slack_lookups.report_text, rest))
            elif sub == "division":
                name = command.get("user_name", "")
                payload = blocks.plain(
                    await run(slack_service.set_division_by_name, user, name, rest, directory)
                )
            else:
                payload = blocks.plain(msg.HELP)
        except Exception:
            log.exception("/kyodo %s failed", sub)
            payload = blocks.plain(msg.GENERIC_ERROR)
        try:
            await respond(**payload, response_type="ephemeral", replace_original=False)
        except Exception:  # response_url expired (30 min) or unreachable: nothing else to do
            log.exception("/kyodo %s: could not send the answer to response_url", sub)

    # -- mentions and thread replies -------------------------------------------------------------------
    async def on_mention(self, body: dict) -> None:
        self.runtime.background(self.runtime.process_event(str(body.get("event_id", ""))[:60]))

    async def on_message(self, body: dict) -> None:
        """A reply in a handoff thread goes to the citizen. Everything else is ignored."""
        if self.runtime.needs_work(body.get("event") or {}):
            self.runtime.background(self.runtime.process_event(str(body.get("event_id", ""))[:60]))

    # -- App Home ------------------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        self.runtime.background(self.publish_home(event.get("user", "")))

    async def publish_home(self, user: str) -> None:
        try:
            data = await self.runtime.run_in_db(slack_lookups.home_data, user, self.runtime.directory)
            await self.client.views_publish(user_id=user, view=blocks.home(data))
        except Exception:
            log.exception("App Home for %s failed", user)

    # -- buttons -------------------------------------------------------------------------------------
    @staticmethod
    def _value(body: dict, key: str) -> int | None:
        try:
            return int(json.loads(body["actions"][0]["value"])[key])
        except (KeyError, IndexError, TypeError, ValueError):
            return None

    @staticmethod
    def _actor(body: dict) -> tuple[str, str]:
        u = body.get("user") or {}
        return u.get("id", ""), u.get("name") or u.get("username") or u.get("id", "")

    @staticmethod
    def _message_ref(body: dict) -> tuple[str, str] | None:
        c = body.get("container") or {}
        if c.get("type") == "message" and c.get("channel_id") and c.get("message_ts"):
            return c["channel_id"], c["message_ts"]
        return None

    async def on_decision(self, ack: Any, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        self.runtime.background(self._decide(body, action))

    async def display_name(self, user: str, fallback: str) -> str:
        """The name colleagues know (profile display name), cached; the username if Slack won't say."""
        if user in self._names:
            return self._names[user]
        name = fallback
        try:
            resp = await self.client.users_info(user=user)
            profile = (resp.get("user") or {}).get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or fallback
            self._names[user] = name
        except Exception as exc:  # users:read missing, rate limited...: the username will do
            log.info("users.info %s failed: %s", user, exc)
        return name

    async def _decide(self, body: dict, action: dict) -> None:
        note_id = self._value(body, "n")
        what = "take" if action.get("action_id") == blocks.ACTION_TAKE else "pass"
        user, name = self._actor(body)
        name = await self.display_name(user, name)
        ref = self._message_ref(body)
        if note_id is None:
            return
        try:
            result = await self.runtime.decide(note_id, what, actor=user, actor_name=name, message=ref)
        except Exception:
            log.exception("decision on notification %s failed", note_id)
            await self._ephemeral(body, msg.GENERIC_ERROR)
            return
        if (body.get("view") or {}).get("type") == "home":
            # Clicked in App Home: show the item's new state there (no channel for an ephemeral).
            self.runtime.background(self.publish_home(user))
        notice = slack_service.decision_notice(result)
        if notice:
            await self._ephemeral(body, notice)

    async def _ephemeral(self, body: dict, text: str) -> None:
        user = (body.get("user") or {}).get("id", "")
        channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
        try:
            if channel:
                await self.client.chat_postEphemeral(channel=channel, user=user, **blocks.plain(text))
        except SlackApiError as exc:
            log.warning("ephemeral to %s failed: %s", user, exc.response.get("error"))

    async def on_detail(self, ack: Any, body: dict) -> None:
        await ack()
        note_id = self._value(body, "n")
        actor = self._actor(body)[0]

        def view(session: Any) -> dict[str, Any] | None:
            v = slack_service.open_item(session, note_id, actor, self.runtime.directory)
            return blocks.item_detail_modal(v) if v is not None else None

        try:
            modal = await self.runtime.run_in_db(view)
            if modal is None:
                await self._ephemeral(body, msg.ITEM_GONE)
                return
            await self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception:
            log.exception("detail view failed")

    async def on_close_handoff(self, ack: Any, body: dict) -> None:
        await ack()
        hid = self._value(body, "h")
        if hid is None:
            return
        user, _ = self._actor(body)
        if not await self.runtime.close_handoff(hid, actor=user, message=self._message_ref(body)):
            await self._ephemeral(body, msg.HANDOFF_ALREADY_CLOSED)

    async def on_add_faq(self, ack: Any, body: dict) -> None:
        await ack()
        qid = self._value(body, "q")

        def prepare(session: Any) -> dict[str, Any]:
            question, sections = staff_faq.faq_form(session, qid)
            return blocks.faq_modal(question, qid, sections)

        try:
            modal = await self.runtime.run_in_db(prepare)
            await self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception:
            log.exception("FAQ modal failed")

    async def on_faq_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def text(block: str) -> str:
            return ((values.get(block) or {}).get("value") or {}).get("value") or ""

        question, answer = text("question").strip(), text("answer").strip()
        errors = staff_faq.faq_form_errors(
            question, answer, question_max=blocks.FAQ_QUESTION_MAX, answer_max=blocks.FAQ_ANSWER_MAX
        )
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        sources = [
            o["value"]
            for o in ((values.get("sources") or {}).get("value") or {}).get("selected_options") or []
        ]
        phrasings = [p for p in text("phrasings").splitlines() if p.strip()]
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        user = (body.get("user") or {}).get("id", "")

        def save(session: Any) -> None:
            staff_faq.save_faq(
                session,
                question=question,
                answer=answer,
                sources=sources,
                extra_phrasings=phrasings,
                actor=user,
                from_unanswered_id=meta.get("q"),
            )

        async def run() -> None:
            await self.runtime.run_in_db(save)
            await self.publish_home(user)

        self.runtime.background(run())


async def run_socket_mode(settings: Settings, slack: SlackSettings) -> None:
    """`kyodo slack socket`: the same listeners over Socket Mode, plus the loops."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    listeners = create(settings, slack)
    await listeners.runtime.start()
    handler = AsyncSocketModeHandler(listeners.app, slack.app_token)
    try:
        await handler.start_async()
    finally:
        await listeners.runtime.stop()
