"""Slack adapter, inbound: the Bolt ``AsyncApp`` behind ``POST /slack/events`` (and Socket Mode).

Thin on purpose: listeners acknowledge first (Slack wants an answer within 3 seconds), parse the
payload, call bot/staff through :class:`bot.staff.runtime.StaffRuntime` (in a worker thread:
SQLAlchemy is synchronous and must not block the event loop) and render the results with
:mod:`handlers.slack.blocks`. bot/app.py composes the listeners with the runtime and the Web API
client, and mounts the route; what the outbox sends goes through handlers/slack/sender.py.

handlers/slack/gate.py checks every HTTP request first (size, timestamp, signature, body shape;
a 4xx and a one-line log otherwise), so Bolt only sees well-formed, signed requests. Our own
middleware then serves only this app in the workspace the bot token belongs to, and stores every
event in the one inbox under its ``event_id`` (Slack's retry of an event already accepted is
dropped there), and every command or click under a digest of its signed request (a replay is
dropped). The processing loop does the events' work (bot/staff/events.py).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from bot.engine.messages import EVAL_GOALS, EVAL_PRINCIPLES
from bot.staff import collaborations, decisions, directory, faq, items, lookups, opportunities, report
from bot.staff import messages as msg
from bot.staff.runtime import StaffRuntime
from handlers.slack import blocks, gate
from knowledge.normalize import normalize

log = logging.getLogger(__name__)


class _ClientTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client (ours, pointed at
    SLACK_API_BASE_URL) and then warns that the token is unused: noise in every start-up log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.AsyncApp").addFilter(_ClientTokenNotice())

SLASH_COMMAND = "/kyodo"
DIGEST = "kyodo_request_digest"  # context key: the gate's digest of the signed request
SUBCOMMANDS = {
    "help": "help",
    "ヘルプ": "help",
    "groups": "groups",
    "団体一覧": "groups",
    "group": "group",
    "団体": "group",
    "match": "match",
    "マッチ": "match",
    "重複": "flagged",
    "duplicates": "flagged",
    "report": "report",
    "レポート": "report",
    "集計": "report",
    "所属": "division",
    "division": "division",
    "募集": "opportunity",
    "opportunity": "opportunity",
}


def parse_command(text: str) -> tuple[str, str]:
    """`/kyodo groups 環境` -> ("groups", "環境"); anything else is a question."""
    t = normalize(text or "").strip()
    if not t:
        return "help", ""
    head, _, rest = t.partition(" ")
    sub = SUBCOMMANDS.get(head.lower())
    if sub is None:
        return "ask", t
    return sub, rest.strip()


def _event_is_sane(event: Any) -> bool:
    """The fields the staff side reads from an event are strings (or absent): a mention whose
    text is null, a number or a list is ignored politely, never stored."""
    if not isinstance(event, dict):
        return False
    for key in ("type", "text", "channel", "ts", "thread_ts", "user", "subtype", "bot_id", "tab"):
        if key in event and event[key] is not None and not isinstance(event[key], str):
            return False
    return not (event.get("type") == "app_mention" and not isinstance(event.get("text"), str))


class SlackListeners:
    """The Bolt app: middleware and listeners, each a translation between Slack and the runtime."""

    def __init__(
        self, runtime: StaffRuntime, client: AsyncWebClient, *, max_body_bytes: int = gate.MAX_BODY_BYTES
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.max_body_bytes = max_body_bytes
        self._names: dict[str, str] = {}  # Slack user id -> display name
        self._app_id: str | None = runtime.slack.app_id or None  # SLACK_APP_ID, else from bots.info
        self.app = self._build_app()

    async def endpoint(self, request: Request) -> Response:
        """``POST /slack/events``."""
        if not self.runtime.ready:
            return JSONResponse({"error": "starting"}, status_code=503)
        try:
            checked = await gate.check(
                request, self.runtime.slack.signing_secret, max_body_bytes=self.max_body_bytes
            )
        except gate.Refused as exc:
            self.runtime.counters["refused"] += 1
            log.warning("slack: request refused (%d): %s", exc.status, exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=exc.status)
        except ClientDisconnect:
            return JSONResponse({"error": "client disconnected"}, status_code=400)
        # Bolt gets the body exactly as the gate parsed it, as JSON: its own parser reads any form
        # that contains the word "payload" (a command's text too) as an empty body.
        bolt_request = AsyncBoltRequest(
            body=json.dumps(checked.data, ensure_ascii=False),
            query=dict(request.query_params),
            headers=dict(request.headers),
            context={DIGEST: checked.digest},
        )
        try:
            return to_starlette_response(await self.app.async_dispatch(bolt_request))
        except Exception as exc:  # a bug of ours: one line, a 500, and the connection stays usable
            log.exception("slack: request failed: %s", type(exc).__name__)
            return JSONResponse({"error": "internal error"}, status_code=500)

    def _build_app(self) -> AsyncApp:
        app = AsyncApp(
            client=self.client,
            signing_secret=self.runtime.slack.signing_secret,
            process_before_response=False,
            # handlers/slack/gate.py verifies every HTTP request first (Bolt would log the body of
            # each one it refuses); Socket Mode needs no signature.
            request_verification_enabled=False,
            raise_error_for_unhandled_request=False,
        )
        app.use(self._only_our_workspace)
        app.use(self._drop_retries)
        app.command(SLASH_COMMAND)(self.on_command)
        app.event("app_mention")(self.on_event_stored)
        app.event("message")(self.on_event_stored)
        app.event("app_home_opened")(self.on_home_opened)
        app.action(blocks.ACTION_TAKE)(self.on_decision)
        app.action(blocks.ACTION_PASS)(self.on_decision)
        app.action(blocks.ACTION_DETAIL)(self.on_detail)
        app.action(blocks.ACTION_CLOSE_HANDOFF)(self.on_close_handoff)
        app.action(blocks.ACTION_ADD_FAQ)(self.on_add_faq)
        app.action(blocks.ACTION_EDIT_FAQ)(self.on_edit_faq)
        app.action(blocks.ACTION_RETIRE_FAQ)(self.on_retire_faq)
        app.view(blocks.FAQ_MODAL)(self.on_faq_submitted)
        app.action(blocks.ACTION_COLLAB_EDIT)(self.on_collab_edit)
        app.action(re.compile(re.escape(blocks.ACTION_COLLAB_STATUS) + r"_[a-z]+"))(self.on_collab_status)
        app.view(blocks.COLLAB_MODAL)(self.on_collab_submitted)
        app.action(blocks.ACTION_EVAL_OPEN)(self.on_eval_open)
        app.view(blocks.EVAL_MODAL)(self.on_eval_submitted)
        app.view(blocks.OPP_MODAL)(self.on_opp_submitted)
        app.action(blocks.ACTION_OPP_SEND)(self.on_opp_send)
        app.action(blocks.ACTION_OPP_CLOSE)(self.on_opp_close)
        app.error(self.on_error)
        return app

    # -- middleware -------------------------------------------------------------------------------
    async def _only_our_workspace(self, context: Any, body: dict, next: Any) -> BoltResponse | None:
        """Serve only this app in the token's workspace: the same ``api_app_id`` (SLACK_APP_ID,
        else asked once from bots.info), the same team (an Enterprise Grid org's other workspaces
        included: this app is installed in one workspace), and a team named at all."""
        auth = context.authorize_result
        ours = getattr(auth, "team_id", None) if auth else None
        theirs = context.team_id
        reason = ""
        app_id = body.get("api_app_id")
        expected = await self._our_app_id(auth)
        if expected and app_id and app_id != expected:
            reason = f"app {app_id} (this app is {expected})"
        elif not theirs or (body.get("type") == "event_callback" and not body.get("team_id")):
            reason = "no team"
        elif ours and theirs != ours:
            reason = f"workspace {theirs} (this app serves {ours})"
        elif context.enterprise_id and getattr(auth, "enterprise_id", None) not in (
            None,
            context.enterprise_id,
        ):
            reason = f"enterprise {context.enterprise_id}"
        if reason:
            self.runtime.counters["foreign_team"] += 1
            log.warning("slack: request from %s ignored", reason)
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def _our_app_id(self, auth: Any) -> str | None:
        if self._app_id is None and auth is not None and getattr(auth, "bot_id", None):
            try:
                resp = await self.client.bots_info(bot=auth.bot_id)
                self._app_id = ((resp.get("bot") or {}).get("app_id")) or ""
            except Exception as exc:  # users:read missing: the app id is not checked (logged once)
                log.warning("slack: bots.info failed (%s); set SLACK_APP_ID to check api_app_id", exc)
                self._app_id = ""
        return self._app_id or None

    async def _drop_retries(self, body: dict, req: Any, next: Any) -> BoltResponse | None:
        """Events: stored under their ``event_id`` (a retry hits the key). Commands and clicks:
        a digest of the signed request (timestamp + body) is stored the same way, so the same
        signed request replayed within Slack's five minutes is not executed again."""
        if body.get("type") == "event_callback":
            event = body.get("event") or {}
            if not _event_is_sane(event):
                log.info("slack: malformed %s event ignored", str(event.get("type"))[:40])
                return BoltResponse(status=200, body="")
            event_id = body.get("event_id")
            if event_id and not await self.runtime.accept_event(event_id, event):
                retry = (req.headers.get("x-slack-retry-num") or [""])[0]
                log.info("slack: event %s already handled (retry %s); dropped", event_id, retry or "-")
                return BoltResponse(status=200, body="")
            if event_id:
                await next()
                return None
        digest = req.context.get(DIGEST)  # HTTP only (Socket Mode has its own envelope ids)
        replay = digest and body.get("type") != "url_verification"
        if replay and not await self.runtime.accept_digest(digest):
            log.warning("slack: replayed request %s… dropped", digest[:12])
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
        if sub == "opportunity":  # a modal: views.open must follow the trigger within 3 s
            self.runtime.background(self._open_opportunity_modal(command))
            return
        self.runtime.background(self._command(sub, rest, command, respond))

    async def _command(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        async with self.runtime.work_slot:
            await self._command_now(sub, rest, command, respond)

    async def _command_now(self, sub: str, rest: str, command: dict, respond: Any) -> None:
        user = command.get("user_id", "")
        read, divisions = self.runtime.read_db, self.runtime.directory
        try:
            if sub == "ask":
                payload, answered = await read(lookups.staff_answer, rest, blocks.RENDERER)
                if answered is not None:
                    await self.runtime.run_in_db(lookups.record_staff_question, answered)
            elif sub == "groups":
                payload = blocks.plain(await read(lookups.lookup_groups, rest))
            elif sub == "group":
                payload = blocks.plain(await read(lookups.lookup_group, rest, divisions))
            elif sub == "match":
                payload = blocks.plain(await read(lookups.match_text, rest, divisions))
            elif sub == "flagged":
                payload = blocks.plain(await read(lookups.lookup_flagged, rest))
            elif sub == "report":
                payload = blocks.plain(await read(report.report_text, rest))
            elif sub == "division":
                name = command.get("user_name", "")
                payload = blocks.plain(
                    await self.runtime.run_in_db(directory.set_division_by_name, user, name, rest, divisions)
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
    async def on_event_stored(self, body: dict) -> None:
        """Mentions and messages: the middleware stored them in the inbox, where the processing
        loop does their work (bot/staff/events.py); the listener only lets Bolt acknowledge."""

    # -- App Home ------------------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        self.runtime.background(self.publish_home(event.get("user", "")))

    async def publish_home(self, user: str) -> None:
        try:
            data = await self.runtime.read_db(lookups.home_data, user, self.runtime.directory)
            await self.client.views_publish(user_id=user, view=blocks.home(data))
        except Exception:
            log.exception("App Home for %s failed", user)

    # -- buttons -------------------------------------------------------------------------------------
    @staticmethod
    def _value(body: dict, key: str) -> int | None:
        """The row id in a button's value (we wrote it: {"n": 12}); anything else is None."""
        try:
            value = json.loads(body["actions"][0]["value"])[key]
        except (KeyError, IndexError, TypeError, ValueError, RecursionError):
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            return None
        return value

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
        notice = decisions.decision_notice(result)
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
        if note_id is None:
            await self._ephemeral(body, msg.ITEM_GONE)
            return

        def view(session: Any) -> dict[str, Any] | None:
            v = items.open_item(session, note_id, actor, self.runtime.directory)
            return blocks.item_detail_modal(v) if v is not None else None

        async def build() -> tuple[dict[str, Any] | None, str]:
            return await self.runtime.run_in_db(view), msg.ITEM_GONE

        await self._open_modal(body, build, "detail view")

    async def _open_modal(
        self, body: dict, build: Callable[[], Awaitable[tuple[dict[str, Any] | None, str]]], what: str
    ) -> None:
        """Open the modal ``build`` returns, or tell the clicker why not (``build``'s notice);
        a failure is logged, never raised into Bolt (the click is already acknowledged)."""
        try:
            modal, gone = await build()
            if modal is None:
                await self._ephemeral(body, gone)
                return
            await self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except Exception:
            log.exception("%s failed", what)

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
            question, sections = faq.faq_form(session, qid)
            return blocks.faq_modal(question, qid, sections)

        async def build() -> tuple[dict[str, Any] | None, str]:
            return await self.runtime.read_db(prepare), ""

        await self._open_modal(body, build, "FAQ modal")

    async def on_edit_faq(self, ack: Any, body: dict) -> None:
        await ack()
        eid = self._value(body, "e")
        if eid is None:
            return

        def prepare(session: Any) -> dict[str, Any] | None:
            try:
                entry, sections = faq.faq_edit_form(session, eid)
            except faq.EntryGone:
                return None
            return blocks.faq_modal(
                entry.question,
                None,
                sections,
                entry_id=entry.id,
                phrasings=list(entry.phrasings or []),
                answer=entry.answer,
                chosen=list(entry.sources or []),
            )

        async def build() -> tuple[dict[str, Any] | None, str]:
            return await self.runtime.read_db(prepare), msg.FAQ_GONE

        await self._open_modal(body, build, "FAQ edit modal")

    async def on_retire_faq(self, ack: Any, body: dict) -> None:
        await ack()
        eid = self._value(body, "e")
        if eid is None:
            return
        user, _ = self._actor(body)

        def retire(session: Any) -> bool:
            try:
                faq.retire_faq_entry(session, eid, actor=user)
            except faq.EntryGone:
                return False
            return True

        async def run() -> None:
            if not await self.runtime.run_in_db(retire):
                await self._ephemeral(body, msg.FAQ_GONE)
            await self.publish_home(user)

        self.runtime.background(run())

    async def on_faq_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def text(block: str) -> str:
            return ((values.get(block) or {}).get("value") or {}).get("value") or ""

        question, answer = text("question").strip(), text("answer").strip()
        errors = faq.faq_form_errors(
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
            if meta.get("e") is not None:
                try:
                    faq.edit_faq_entry(
                        session,
                        int(meta["e"]),
                        question=question,
                        answer=answer,
                        sources=sources,
                        extra_phrasings=phrasings,
                        actor=user,
                    )
                except (faq.EntryGone, TypeError, ValueError):
                    log.warning("FAQ edit of a retired or unknown entry %r ignored", meta.get("e"))
                return
            faq.save_faq(
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

    # -- opportunities (issue 14 step 3) ----------------------------------------------------------
    async def _open_opportunity_modal(self, command: dict) -> None:
        """`/kyodo 募集`: the modal, with the member's division pre-selected."""
        user = command.get("user_id", "")

        async def build() -> tuple[dict[str, Any] | None, str]:
            view = await self.runtime.read_db(opportunities.form_view, user, self.runtime.directory)
            return blocks.opp_modal(view), ""

        await self._open_modal({"trigger_id": command.get("trigger_id", ""), "user": {"id": user}}, build, "opportunity modal")

    async def on_opp_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def element(block: str) -> dict:
            value = (values.get(block) or {}).get("value")
            return value if isinstance(value, dict) else {}

        def text(block: str) -> str:
            value = element(block).get("value")
            return value.strip() if isinstance(value, str) else ""

        def option(block: str) -> str:
            chosen = element(block).get("selected_option")
            value = chosen.get("value") if isinstance(chosen, dict) else None
            return value if isinstance(value, str) else ""

        chosen_fields = element("fields").get("selected_options")
        numbers = [
            int(o["value"])
            for o in (chosen_fields if isinstance(chosen_fields, list) else [])
            if isinstance(o, dict) and isinstance(o.get("value"), str) and o["value"].isdigit() and len(o["value"]) <= 2
        ]
        deadline = element("deadline").get("selected_date")
        form = {
            "title": text("title"),
            "division": option("division"),
            "fields": numbers,
            "sought": text("sought"),
            "deadline": deadline if isinstance(deadline, str) else "",
            "form": option("form"),
        }
        errors = opportunities.form_errors(form)
        if "division" not in errors and not opportunities.channel_for(
            self.runtime.directory, form["division"], self.runtime.slack.staff_channel
        ):
            errors["division"] = msg.OPP_NO_CHANNEL
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        user, name = self._actor(body)

        async def run() -> None:
            shown = await self.display_name(user, name)
            try:
                created = await self.runtime.create_opportunity(form, actor=user, actor_name=shown)
            except Exception:
                log.exception("creating an opportunity failed")
                return
            if not created:
                log.warning("opportunity not created: no Slack channel for division %s", form["division"])

        self.runtime.background(run())

    async def on_opp_send(self, ack: Any, body: dict) -> None:
        """「送信」 (after Slack's confirmation): one click wins, the other is told."""
        await self._on_opp_button(ack, body, self.runtime.send_opportunity, "sending")

    async def on_opp_close(self, ack: Any, body: dict) -> None:
        """「募集を締め切る」 (on the post or in App Home): one click wins, the other is told."""
        await self._on_opp_button(ack, body, self.runtime.close_opportunity, "closing")

    async def _on_opp_button(self, ack: Any, body: dict, act: Any, doing: str) -> None:
        """A button on a call's post or in App Home: act in the background, refresh App Home when
        clicked there, and tell the person who clicked what happened instead (if anything)."""
        await ack()
        opp_id = self._value(body, "o")
        if opp_id is None:
            return

        async def run() -> None:
            user, name = self._actor(body)
            name = await self.display_name(user, name)
            try:
                notice = await act(opp_id, actor=user, actor_name=name, message=self._message_ref(body))
            except Exception:
                log.exception("%s opportunity %s failed", doing, opp_id)
                notice = msg.GENERIC_ERROR
            if (body.get("view") or {}).get("type") == "home":
                self.runtime.background(self.publish_home(user))
            if notice:
                await self._ephemeral(body, notice)

        self.runtime.background(run())

    # -- collaborations (issue 14) ------------------------------------------------------------------
    async def on_collab_edit(self, ack: Any, body: dict) -> None:
        """「内容を記入・編集」: the modal, pre-filled from the record."""
        await ack()
        cid = self._value(body, "c")
        if cid is None:
            return
        async def build() -> tuple[dict[str, Any] | None, str]:
            view = await self.runtime.read_db(collaborations.form_view, cid)
            open_ = view is not None and view.status not in ("done", "cancelled")
            return (blocks.collab_modal(view) if open_ else None), msg.COLLAB_GONE

        await self._open_modal(body, build, "collaboration modal")

    async def on_collab_status(self, ack: Any, body: dict) -> None:
        await ack()
        cid = self._value(body, "c")
        try:
            status = json.loads(body["actions"][0]["value"])["s"]
        except (KeyError, IndexError, TypeError, ValueError, RecursionError):
            status = None
        if cid is None or not isinstance(status, str):
            return

        async def run() -> None:
            user, name = self._actor(body)
            name = await self.display_name(user, name)
            try:
                notice = await self.runtime.collaboration_status(
                    cid, status[:20], actor=user, actor_name=name
                )
            except Exception:
                log.exception("collaboration %s status failed", cid)
                notice = msg.GENERIC_ERROR
            if notice:
                await self._ephemeral(body, notice)
            if (body.get("view") or {}).get("type") == "home":
                await self.publish_home(user)

        self.runtime.background(run())

    async def on_collab_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def text(block: str) -> str:
            value = ((values.get(block) or {}).get("value") or {}).get("value")
            return value if isinstance(value, str) else ""

        fields = {key: text(key).strip() for key, *_ in blocks.COLLAB_INPUTS}
        chosen = ((values.get("form") or {}).get("value") or {}).get("selected_option") or {}
        form = chosen.get("value") if isinstance(chosen, dict) else None
        form = form if isinstance(form, str) else ""
        picked = ((values.get("ends_on") or {}).get("value") or {}).get("selected_date")
        fields["ends_on"] = picked if isinstance(picked, str) else ""
        try:
            cid = json.loads(view.get("private_metadata") or "{}").get("c")
        except (ValueError, AttributeError):
            cid = None
        valid_id = not isinstance(cid, bool) and isinstance(cid, int) and 0 < cid < 2**31
        errors = collaborations.form_errors(fields, form)
        if "ends_on" in errors and valid_id:  # a past date that was stored before may stay
            stored = await self.runtime.read_db(collaborations.form_view, cid)
            errors = collaborations.form_errors(fields, form, current=stored.ends_on if stored else None)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        if not valid_id:
            log.warning("collaboration modal without a record id ignored")
            return
        user, name = self._actor(body)

        async def run() -> None:
            shown = await self.display_name(user, name)
            try:
                await self.runtime.save_collaboration(cid, fields, form, actor=user, actor_name=shown)
            except Exception:
                log.exception("saving collaboration %s failed", cid)

        self.runtime.background(run())

    async def on_eval_open(self, ack: Any, body: dict) -> None:
        """「評価する」: the division's evaluation modal (or why not now)."""
        await ack()
        cid = self._value(body, "c")
        if cid is None:
            return
        async def build() -> tuple[dict[str, Any] | None, str]:
            view, notice = await self.runtime.read_db(collaborations.eval_form, cid)
            return (blocks.eval_modal(view) if view is not None else None), notice or msg.COLLAB_GONE

        await self._open_modal(body, build, "evaluation modal")

    async def on_eval_submitted(self, ack: Any, body: dict, view: dict) -> None:
        values = view.get("state", {}).get("values", {})

        def selected(block: str) -> str:
            chosen = ((values.get(block) or {}).get("value") or {}).get("selected_option") or {}
            value = chosen.get("value") if isinstance(chosen, dict) else None
            return value if isinstance(value, str) else ""

        answers: dict[str, Any] = {"goal": selected("goal")}
        errors = {} if answers["goal"] in EVAL_GOALS else {"goal": msg.COLLAB_REQUIRED}
        for key in EVAL_PRINCIPLES:
            raw = selected(key)
            if raw in ("1", "2", "3", "4", "5"):
                answers[key] = int(raw)
            else:
                errors[key] = msg.COLLAB_REQUIRED
        comment = ((values.get("comment") or {}).get("value") or {}).get("value")
        answers["comment"] = comment.strip()[:300] if isinstance(comment, str) else ""
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        try:
            cid = json.loads(view.get("private_metadata") or "{}").get("c")
        except (ValueError, AttributeError):
            cid = None
        if isinstance(cid, bool) or not isinstance(cid, int) or not 0 < cid < 2**31:
            return
        user, name = self._actor(body)

        async def run() -> None:
            shown = await self.display_name(user, name)
            try:
                notice = await self.runtime.save_city_evaluation(cid, answers, actor=user, actor_name=shown)
            except Exception:
                log.exception("saving the evaluation of collaboration %s failed", cid)
                return
            if notice:
                log.info("evaluation of collaboration %s not stored: %s", cid, notice)

        self.runtime.background(run())
