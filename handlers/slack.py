"""Slack adapter: a Bolt ``AsyncApp`` mounted at ``POST /slack/events`` in the project's Starlette
app, plus the two background loops of the staff side (queue new items for divisions; deliver the
Slack outbox).

Thin on purpose: listeners acknowledge first (Slack wants an answer within 3 seconds), then run
the business logic of :mod:`bot.slack_service` in a worker thread (SQLAlchemy is synchronous and
must not block the event loop) and render its results with :mod:`handlers.slack_blocks`.

Bolt checks the request signature and timestamp (kept on; a bad one is answered 401 before any
listener runs). Our own middleware then serves only the workspace the bot token belongs to, and
drops Slack's retries of events we have already accepted (``event_id`` in ``slack_events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import slack_messages as msg
from bot import slack_outbox, slack_service
from bot.db import make_engine, make_session_factory, transaction, utcnow
from bot.models import UnansweredQuestion
from bot.models.staff import SlackEvent
from bot.settings import Settings
from bot.slack_outbox import CallResult, SlackDelivery
from bot.slack_settings import SlackSettings
from bot.staff_knowledge import ANSWERER
from handlers import slack_blocks as blocks

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


class SlackRuntime:
    """Everything the Slack side needs while the web process runs."""

    def __init__(
        self,
        settings: Settings,
        slack: SlackSettings,
        *,
        directory: slack_service.Directory | None = None,
        start_background: bool = True,
    ) -> None:
        self.settings = settings
        self.slack = slack
        self._directory = directory
        self.start_background = start_background
        self.factory: Any = None
        self.engine: Any = None
        self._own_engine = False
        self.client = AsyncWebClient(
            token=slack.bot_token, base_url=slack.api_base_url, timeout=int(max(1, slack.timeout_seconds))
        )
        self.app = self._build_app()
        self.handler = AsyncSlackRequestHandler(self.app)
        self.delivery: SlackDelivery | None = None
        self._tasks: list[asyncio.Task] = []
        self._pending: set[asyncio.Task] = set()
        # Slow work after the ack (answering is CPU-bound Python) runs a few at a time, so that
        # worker threads do not starve the event loop of the GIL and acks stay fast under bursts.
        self._work = asyncio.Semaphore(1)
        self._stopping = asyncio.Event()
        self.counters = {"events_dropped": 0, "foreign_team": 0}
        self._names: dict[str, str] = {}  # Slack user id -> display name
        self._tried: dict[int, Any] = {}  # group id -> updated_at when matching was last attempted

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def directory(self) -> slack_service.Directory:
        if self._directory is None:
            self._directory = slack_service.Directory.from_matching()
        return self._directory

    async def start(self, app: Starlette | None = None) -> None:
        state = app.state if app is not None else None
        self.factory = getattr(state, "session_factory", None)
        self.engine = getattr(state, "engine", None)
        if self.factory is None:
            self.engine = make_engine(self.settings.database_url)
            self.factory = make_session_factory(self.engine)
            self._own_engine = True
        self.delivery = SlackDelivery(self.factory, WebApiSender(self.client), self.slack)
        if self.start_background:
            self._tasks = [
                asyncio.create_task(self.delivery.run(), name="kyodo-slack-delivery"),
                asyncio.create_task(self.scan_loop(), name="kyodo-slack-scan"),
            ]
        log.info("Slack enabled: POST /slack/events (API %s)", self.slack.api_base_url)

    async def stop(self) -> None:
        self._stopping.set()
        if self.delivery is not None:
            self.delivery.stop()
        for t in self._tasks:
            try:
                await asyncio.wait_for(t, timeout=self.slack.timeout_seconds + 5)
            except (TimeoutError, asyncio.CancelledError):
                t.cancel()
            except Exception:
                log.exception("slack loop stopped with an error")
        for t in list(self._pending):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(t, timeout=5)
        if self._own_engine and self.engine is not None:
            self.engine.dispose()

    async def endpoint(self, request: Request) -> Response:
        if self.factory is None:
            return JSONResponse({"error": "starting"}, status_code=503)
        return await self.handler.handle(request)

    def run_in_db(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(session, *args)`` in one transaction, in a worker thread."""

        def work() -> Any:
            with transaction(self.factory) as session:
                return fn(session, *args)

        return anyio.to_thread.run_sync(work)

    def background(self, coro: Any) -> None:
        """Slow work after the ack, tracked so shutdown can wait for it."""
        task = asyncio.create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- loops ------------------------------------------------------------------------------------
    async def scan_once(self) -> slack_service.ScanSummary:
        for event_id in await anyio.to_thread.run_sync(self.sweep_events):
            await self.process_event(event_id)
        await anyio.to_thread.run_sync(self._match_new_groups)
        summary = await self.run_in_db(
            slack_service.queue_new_items, self.directory, self.slack.staff_channel, blocks.RENDERER
        )
        if (summary.suggestions or summary.proposals or summary.handoffs) and self.delivery is not None:
            self.delivery.notify()
        return summary

    def _match_new_groups(self) -> int:
        """Groups registered since the last run get their suggestions (bot.suggestions does the rest)."""
        from bot.models import Group
        from bot.suggestions import refresh_suggestions
        from matching import Matcher

        with self.factory() as session:
            rows = session.execute(
                select(Group.id, Group.updated_at)
                .where(Group.match_fingerprint.is_(None), Group.duplicate_of_id.is_(None))
                .limit(500)
            ).all()
        # A group with nothing to match on keeps no fingerprint: try it again only once it changed.
        ids = [gid for gid, updated in rows if self._tried.get(gid) != updated]
        self._tried.update({gid: updated for gid, updated in rows})
        if not ids:
            return 0
        engine = self.engine or self.factory.kw.get("bind")
        refresh_suggestions(engine, Matcher.load(), group_ids=ids)
        return len(ids)

    async def scan_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.scan_once()
            except Exception:
                log.exception("slack scan failed")
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.slack.poll_seconds)

    def wake(self) -> None:
        if self.delivery is not None:
            self.delivery.notify()

    # -- the Bolt app -----------------------------------------------------------------------------
    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=self.slack.signing_secret,
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

    async def _only_our_workspace(self, context: Any, body: dict, next: Any) -> BoltResponse | None:
        auth = context.authorize_result
        ours = getattr(auth, "team_id", None) if auth else None
        theirs = context.team_id
        if ours and theirs and ours != theirs and not context.enterprise_id:
            self.counters["foreign_team"] += 1
            log.warning("slack: request from workspace %s ignored (this app serves %s)", theirs, ours)
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _drop_retries(self, body: dict, req: Any, next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            event = body.get("event") or {}
            durable = self._needs_work(event)

            def store() -> bool:
                try:
                    with transaction(self.factory) as session:
                        session.add(
                            SlackEvent(
                                event_id=str(event_id)[:60],
                                kind=str(event.get("type", ""))[:40],
                                payload=event if durable else None,
                                processed_at=None if durable else utcnow(),
                            )
                        )
                    return True
                except IntegrityError:
                    return False

            if not await anyio.to_thread.run_sync(store):
                self.counters["events_dropped"] += 1
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
        self.background(self._command(sub, rest, command, respond))

    async def _command(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        async with self._work:
            await self._command_now(sub, rest, command, respond)

    async def _command_now(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        user = command.get("user_id", "")
        try:
            if sub == "ask":
                payload = await self.run_in_db(self._answer_payload, rest)
            elif sub == "groups":
                payload = blocks.plain(await self.run_in_db(slack_service.lookup_groups, rest))
            elif sub == "group":
                payload = blocks.plain(await self.run_in_db(slack_service.lookup_group, rest, self.directory))
            elif sub == "match":
                payload = blocks.plain(await self.run_in_db(slack_service.match_text, rest, self.directory))
            elif sub == "report":
                payload = blocks.plain(await self.run_in_db(self._report_text, rest))
            elif sub == "division":
                payload = blocks.plain(
                    await self.run_in_db(self._set_division, user, command.get("user_name", ""), rest)
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

    def _answer_payload(self, session: Any, question: str) -> dict[str, Any]:
        if not question.strip():
            return blocks.plain(msg.EMPTY_QUESTION)
        a = ANSWERER.answer(session, question)
        sources = [(s.id, s.title) for s in (a.sources or [])]
        return blocks.answer(a.text, sources, list(a.suggestions or []), bool(a.answered))

    def _report_text(self, session: Any, period: str) -> str:
        try:
            start, end = slack_service.parse_period(period)
        except slack_service.BadPeriod:
            return msg.REPORT_BAD_PERIOD
        return slack_service.report(session, start, end).text()

    def _set_division(self, session: Any, user: str, name: str, text: str) -> str:
        if not text.strip():
            return msg.DIVISION_REQUIRED
        division = self.directory.find(text)
        if division is None:
            return msg.DIVISION_UNKNOWN.format(name=text)
        slack_service.set_division(session, user, division, name)
        return msg.DIVISION_SET.format(name=division.name)

    # -- mentions and thread replies -------------------------------------------------------------------
    def _needs_work(self, event: dict) -> bool:
        """Events whose handling must survive a crash: mentions and replies in handoff threads."""
        if event.get("type") == "app_mention":
            return True
        if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
            return False
        thread_ts, ts = event.get("thread_ts"), event.get("ts")
        if not thread_ts or thread_ts == ts:
            return False
        return not self.slack.staff_channel or event.get("channel") == self.slack.staff_channel

    async def on_mention(self, body: dict) -> None:
        self.background(self.process_event(str(body.get("event_id", ""))[:60]))

    async def on_message(self, body: dict) -> None:
        """A reply in a handoff thread goes to the citizen. Everything else is ignored."""
        if self._needs_work(body.get("event") or {}):
            self.background(self.process_event(str(body.get("event_id", ""))[:60]))

    async def process_event(self, event_id: str) -> None:
        """Do an event's work and mark it processed in one transaction (exactly once, even with
        the sweep running in another process)."""

        def work(session: Any) -> bool:
            claimed = session.execute(
                update(SlackEvent)
                .where(SlackEvent.event_id == event_id, SlackEvent.processed_at.is_(None))
                .values(processed_at=utcnow(), attempts=SlackEvent.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not claimed:
                return False
            row = session.get(SlackEvent, event_id)
            self._event_work(session, row.kind, row.payload or {})
            row.payload = None  # done: keep only the id (drops retries), not the text
            return True

        try:
            await self.run_in_db(work)
        except Exception as exc:
            log.exception("slack event %s failed; the sweep will retry it", event_id)
            error = str(exc)[:500]

            def note(session: Any) -> None:
                session.execute(
                    update(SlackEvent)
                    .where(SlackEvent.event_id == event_id)
                    .values(attempts=SlackEvent.attempts + 1, last_error=error)
                    .execution_options(synchronize_session=False)
                )

            with contextlib.suppress(Exception):
                await self.run_in_db(note)
        self.wake()

    def _event_work(self, session: Any, kind: str, event: dict) -> None:
        if kind == "app_mention":
            # Drop the mention itself (<@U123>) before asking.
            question = re.sub(r"<@[A-Z0-9]+(\|[^>]*)?>", " ", event.get("text", "")).strip()
            channel, ts = event.get("channel", ""), event.get("thread_ts") or event.get("ts", "")
            payload = self._answer_payload(session, question) if question else blocks.plain(msg.HELP)
            slack_outbox.enqueue(
                session, "chat.postMessage", {"channel": channel, "thread_ts": ts, **payload}
            )
        elif kind == "message":
            slack_service.handoff_reply(
                session,
                event.get("channel", ""),
                event.get("thread_ts", ""),
                event.get("text", ""),
                actor=event.get("user", ""),
            )

    def sweep_events(
        self, *, older_than: float = 30.0, max_attempts: int = 5, keep_days: int = 7
    ) -> list[str]:
        """Events a crashed or failing process left unprocessed; and old ids pruned."""
        now = utcnow()
        with transaction(self.factory) as session:
            session.execute(
                delete(SlackEvent).where(
                    SlackEvent.processed_at.is_not(None),
                    SlackEvent.received_at < now - timedelta(days=keep_days),
                )
            )
            return list(
                session.scalars(
                    select(SlackEvent.event_id)
                    .where(
                        SlackEvent.processed_at.is_(None),
                        SlackEvent.received_at < now - timedelta(seconds=older_than),
                        SlackEvent.attempts < max_attempts,
                    )
                    .limit(100)
                )
            )

    # -- App Home ------------------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        self.background(self.publish_home(event.get("user", "")))

    async def publish_home(self, user: str) -> None:
        try:
            data = await self.run_in_db(slack_service.home_data, user, self.directory)
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
        self.background(self._decide(body, action))

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
            result = await self.run_in_db(
                lambda s: slack_service.decide(
                    s,
                    note_id,
                    what,
                    actor=user,
                    actor_name=name,
                    message=ref,
                    directory=self.directory,
                    render=blocks.RENDERER,
                )
            )
        except Exception:
            log.exception("decision on notification %s failed", note_id)
            await self._ephemeral(body, msg.GENERIC_ERROR)
            return
        self.wake()
        if (body.get("view") or {}).get("type") == "home":
            # Clicked in App Home: show the item's new state there (no channel for an ephemeral).
            self.background(self.publish_home(user))
        if result.won:
            return
        if result.gone:
            await self._ephemeral(body, msg.ITEM_GONE)
        elif result.winner_name:
            await self._ephemeral(body, msg.ALREADY_DECIDED.format(name=result.winner_name))
        else:
            await self._ephemeral(body, msg.ALREADY_DECIDED_UNKNOWN)

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

        def view(session: Any) -> dict[str, Any] | None:
            from bot.models.staff import StaffNotification

            note = session.get(StaffNotification, note_id)
            v = slack_service.item_view(session, note, self.directory) if note else None
            if v is None:
                return None
            slack_service.audit(session, self._actor(body)[0], "detail", note.kind, note.ref_id)
            return blocks.item_detail_modal(v)

        try:
            modal = await self.run_in_db(view)
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
        ref = self._message_ref(body)
        closed = await self.run_in_db(
            lambda s: slack_service.close_handoff(s, hid, actor=user, render=blocks.RENDERER, message=ref)
        )
        self.wake()
        if not closed:
            await self._ephemeral(body, msg.HANDOFF_ALREADY_CLOSED)

    async def on_add_faq(self, ack: Any, body: dict) -> None:
        await ack()
        qid = self._value(body, "q")

        def prepare(session: Any) -> dict[str, Any]:
            question = ""
            if qid is not None:
                row = session.get(UnansweredQuestion, qid)
                question = row.text if row else ""
            answerer = ANSWERER.get(session)
            sections = [(s.id, s.title) for s in answerer.data.sections]
            return blocks.faq_modal(question, qid, sections)

        try:
            modal = await self.run_in_db(prepare)
            await self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception:
            log.exception("FAQ modal failed")

    async def on_faq_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def text(block: str) -> str:
            return ((values.get(block) or {}).get("value") or {}).get("value") or ""

        question, answer = text("question").strip(), text("answer").strip()
        errors = {}
        if not question:
            errors["question"] = msg.FAQ_INVALID_QUESTION
        if not answer:
            errors["answer"] = msg.FAQ_INVALID_ANSWER
        elif len(answer) > blocks.FAQ_ANSWER_MAX:
            errors["answer"] = msg.FAQ_TOO_LONG.format(limit=blocks.FAQ_ANSWER_MAX, count=len(answer))
        if len(question) > blocks.FAQ_QUESTION_MAX:
            errors["question"] = msg.FAQ_TOO_LONG.format(limit=blocks.FAQ_QUESTION_MAX, count=len(question))
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
            if not sources:  # the loader wants at least one citable source: the guideline overview
                answerer = ANSWERER.get(session)
                sources.append(answerer.data.sections[0].id)
            slack_service.add_faq_entry(
                session,
                question=question,
                answer=answer,
                sources=sources,
                phrasings=[question, *phrasings],
                actor=user,
                from_unanswered_id=meta.get("q"),
            )

        async def run() -> None:
            await self.run_in_db(save)
            await self.publish_home(user)

        self.background(run())


def mount_slack(
    app: Starlette,
    settings: Settings,
    slack: SlackSettings | None = None,
    *,
    start_background: bool = True,
    directory: slack_service.Directory | None = None,
) -> SlackRuntime | None:
    """Add ``POST /slack/events`` and the Slack loops to ``app`` (called by bot.app.create_app).

    Missing credentials disable Slack with one clear log line; the rest of the app is unaffected.
    """
    slack = slack or SlackSettings.from_env()
    if not slack.enabled:
        log.warning(
            "Slack is disabled: %s not set; POST /slack/events answers 404", " and ".join(slack.missing())
        )
        return None
    if not slack.staff_channel:
        log.warning("KYODO_STAFF_CHANNEL is not set: handoffs and unrouted items wait until it is")
    runtime = SlackRuntime(settings, slack, directory=directory, start_background=start_background)
    app.router.routes.append(Route("/slack/events", runtime.endpoint, methods=["POST"]))
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Starlette) -> AsyncIterator[Any]:
        async with original(a) as state:
            await runtime.start(a)
            try:
                yield state
            finally:
                await runtime.stop()

    app.router.lifespan_context = lifespan
    app.state.slack = runtime
    return runtime


async def run_socket_mode(settings: Settings, slack: SlackSettings) -> None:
    """`kyodo slack socket`: the same listeners over Socket Mode, plus the loops."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    runtime = SlackRuntime(settings, slack)
    await runtime.start()
    handler = AsyncSocketModeHandler(runtime.app, slack.app_token)
    try:
        await handler.start_async()
    finally:
        await runtime.stop()


async def run_worker(settings: Settings, slack: SlackSettings) -> None:
    """`kyodo slack worker`: queueing and delivery only, until interrupted."""
    runtime = SlackRuntime(settings, slack)
    await runtime.start()
    log.info("Slack worker running (staff channel %s)", slack.staff_channel or "not set")
    try:
        await asyncio.gather(*runtime._tasks)
    finally:
        await runtime.stop()
