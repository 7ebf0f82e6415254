"""The web corner's pages: request in, ``bot.corner.Corner`` call (in a worker thread), template out.

Pages are GET and read-only, except the question form (POST /ask) and the buttons under an answer
(POST /ask/press), which store what LINE's questions store and are protected by a CSRF token, and
(the question) by a per-client rate limit. Without JavaScript everything is plain forms and links;
static/corner.js only swaps the answer in place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from bot.corner import Corner
from bot.engine.types import Reply
from bot.engine.web import QUESTION_LIMIT
from handlers.web import messages as W
from handlers.web.security import (
    CSRF_FIELD,
    VISITOR,
    RateLimiter,
    Signer,
    client_key,
    csrf_ok,
    csrf_token,
    new_visitor,
    set_csrf_cookie,
)

HERE = Path(__file__).parent
MAX_FORM_BYTES = 16_000


def _static_version() -> str:
    digest = hashlib.sha256()
    for path in sorted((HERE / "static").glob("*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


class WebCorner:
    def __init__(self, corner: Corner, *, secret: str = "", questions_per_minute: int = 10) -> None:
        self.corner = corner
        self.signer = Signer(secret)
        self.limiter = RateLimiter(questions_per_minute)
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates = Jinja2Templates(env=env)
        env.globals.update(W=W, static_version=_static_version())

    # -- plumbing ----------------------------------------------------------------------------------
    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        token, new = csrf_token(request)
        response = self.templates.TemplateResponse(
            request, name, {"csrf": token, "path": request.url.path, **context}, status_code=status
        )
        if new:
            set_csrf_cookie(response, token, secure=request.url.scheme == "https")
        return response

    async def _form(self, request: Request) -> dict[str, str] | None:
        """An url-encoded form (what the pages and corner.js send), or None if it is too big."""
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return None
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
        except (UnicodeDecodeError, ValueError):
            return {}
        return dict(pairs)

    # -- pages -------------------------------------------------------------------------------------
    async def top(self, request: Request) -> Response:
        return self.render(request, "index.html", title=W.TITLE_TOP)

    async def guideline(self, request: Request) -> Response:
        sections = await anyio.to_thread.run_sync(self.corner.sections)
        return self.render(
            request,
            "guideline.html",
            title=W.TITLE_GUIDELINE,
            sections=[s for s in sections if not s.note],
            notes=[s for s in sections if s.note],
        )

    async def faq(self, request: Request) -> Response:
        entries = await anyio.to_thread.run_sync(self.corner.faq)
        topics = [(key, label, [e for e in entries if e.category == key]) for key, label in W.FAQ_TOPICS]
        known = {key for key, _ in W.FAQ_TOPICS}
        others = [e for e in entries if e.category not in known]
        if others:
            topics.append(("other", W.FAQ_OTHER_TOPIC, others))
        return self.render(request, "faq.html", title=W.TITLE_FAQ, topics=[t for t in topics if t[2]])

    async def faq_entry(self, request: Request) -> Response:
        entry = await anyio.to_thread.run_sync(self.corner.faq_entry, request.path_params["faq_id"])
        if entry is None:
            raise HTTPException(404)
        topic = dict(W.FAQ_TOPICS).get(entry.category, W.FAQ_OTHER_TOPIC)
        return self.render(request, "faq_entry.html", title=entry.question, entry=entry, topic=topic)

    async def ask_page(self, request: Request) -> Response:
        question = request.query_params.get("q", "")[: 500]
        return self.render(request, "ask.html", title=W.TITLE_ASK, question=question)

    async def ask(self, request: Request) -> Response:
        form = await self._form(request)
        if form is None:
            return self._ask_error(request, "", W.QUESTION_TOO_LONG.format(limit=500, length="500超"), 413)
        question = (form.get("q") or "").strip()
        if not csrf_ok(request, form.get(CSRF_FIELD, "")):
            return self._ask_error(request, question, W.FORM_EXPIRED, 403)
        if not question:
            return self._ask_error(request, question, W.QUESTION_EMPTY, 400)
        if len(question) > QUESTION_LIMIT:
            message = W.QUESTION_TOO_LONG.format(limit=QUESTION_LIMIT, length=len(question))
            return self._ask_error(request, question[:QUESTION_LIMIT], message, 400)
        allowed, wait = self.limiter.allow(client_key(request))
        if not allowed:
            response = self._ask_error(request, question, W.RATE_LIMITED.format(seconds=wait), 429)
            response.headers["Retry-After"] = str(wait)
            return response
        visitor = new_visitor()
        replies = await anyio.to_thread.run_sync(self.corner.ask, question, visitor)
        return self.render(
            request,
            "ask.html",
            title=W.TITLE_ASK,
            question=question,
            asked=question,
            replies=self._view(replies, visitor, question),
        )

    async def press(self, request: Request) -> Response:
        form = await self._form(request) or {}
        question = (form.get("q") or "")[:500]
        if not csrf_ok(request, form.get(CSRF_FIELD, "")):
            return self._ask_error(request, question, W.FORM_EXPIRED, 403)
        visitor, data = form.get("visitor", ""), form.get("data", "")
        if not VISITOR.match(visitor) or not self.signer.verify(visitor, data, form.get("sig", "")):
            return self._ask_error(request, question, W.BUTTON_INVALID, 400)
        replies = await anyio.to_thread.run_sync(self.corner.press, data, visitor)
        return self.render(
            request,
            "ask.html",
            title=W.TITLE_ASK,
            question="",
            asked=question,
            pressed=True,
            replies=self._view(replies, visitor, question),
        )

    def _ask_error(self, request: Request, question: str, message: str, status: int) -> Response:
        return self.render(
            request, "ask.html", status=status, title=W.TITLE_ASK, question=question, error=message
        )

    def _view(self, replies: list[Reply], visitor: str, question: str) -> list[dict[str, Any]]:
        """Replies as the template shows them: paragraphs, sources, and buttons (signed press forms
        for the engine's buttons, question forms for the questions it suggests)."""
        out = []
        for reply in replies:
            buttons, questions = [], []
            for choice in reply.choices:
                if choice.data:
                    buttons.append(
                        {
                            "label": choice.label,
                            "data": choice.data,
                            "sig": self.signer.sign(visitor, choice.data),
                        }
                    )
                elif choice.text:
                    questions.append(choice.text)
            out.append(
                {
                    "paragraphs": [p for p in (reply.text or "").split("\n") if p.strip()],
                    "sources": list(reply.sources or ()),
                    "buttons": buttons,
                    "questions": questions,
                    "visitor": visitor,
                }
            )
        return out

    async def groups(self, request: Request) -> Response:
        fields = await anyio.to_thread.run_sync(self.corner.fields)
        raw_field = request.query_params.get("field", "")
        field = int(raw_field) if raw_field.isdigit() and any(f.number == int(raw_field) for f in fields) else None
        words = request.query_params.get("q", "")[:100].strip()
        searched = "field" in request.query_params or "q" in request.query_params
        found, total = await anyio.to_thread.run_sync(self.corner.groups, field, words)
        labels = {f.number: f.label for f in fields}
        return self.render(
            request,
            "groups.html",
            title=W.TITLE_GROUPS,
            fields=fields,
            field=field,
            words=words,
            searched=searched,
            groups=found,
            total=total,
            labels=labels,
        )

    async def opportunities(self, request: Request) -> Response:
        found = await anyio.to_thread.run_sync(self.corner.opportunities)
        return self.render(request, "opportunities.html", title=W.TITLE_OPPORTUNITIES, opportunities=found)

    async def divisions(self, request: Request) -> Response:
        activity = request.query_params.get("activity", "")[: W.ACTIVITY_LIMIT].strip()
        divisions = await anyio.to_thread.run_sync(self.corner.divisions)
        matches = await anyio.to_thread.run_sync(self.corner.match, activity) if activity else None
        return self.render(
            request,
            "divisions.html",
            title=W.TITLE_DIVISIONS,
            divisions=divisions,
            activity=activity,
            matches=matches,
        )

    async def not_found(self, request: Request, exc: Exception) -> Response:
        if not _is_corner(request.url.path):
            return PlainTextResponse("Not Found", status_code=404)
        return self.render(request, "error.html", status=404, title=W.NOT_FOUND, message=W.NOT_FOUND)


    def routes(self) -> list[Route | Mount]:
        return routes(self)


def _is_corner(path: str) -> bool:
    return not (path.startswith("/line/") or path.startswith("/slack/") or path == "/healthz")


def routes(web: WebCorner) -> list[Route | Mount]:
    return [
        Route("/", web.top, methods=["GET"]),
        Route("/guideline", web.guideline, methods=["GET"]),
        Route("/faq", web.faq, methods=["GET"]),
        Route("/faq/{faq_id:str}", web.faq_entry, methods=["GET"]),
        Route("/ask", web.ask_page, methods=["GET"]),
        Route("/ask", web.ask, methods=["POST"]),
        Route("/ask/press", web.press, methods=["POST"]),
        Route("/groups", web.groups, methods=["GET"]),
        Route("/opportunities", web.opportunities, methods=["GET"]),
        Route("/divisions", web.divisions, methods=["GET"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
