"""The web corner under test: the real app served by uvicorn on 127.0.0.1, and a client that keeps
cookies like a browser (the CSRF cookie) and reads the token out of the page's forms."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import httpx

from bot.app import create_app
from bot.settings import Settings
from bot.storage.models import Group
from tests.support.servers import ServerThread

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{32})"')


class Corner:
    def __init__(self, db_url: str, **overrides: Any) -> None:
        settings = replace(Settings(database_url=db_url), **overrides)
        self.app = create_app(settings, start_background=False)
        self.server = ServerThread(self.app).start()
        self.url = self.server.url
        self.http = httpx.Client(base_url=self.url, timeout=20)

    @property
    def factory(self):
        return self.app.state.session_factory

    def token(self, path: str = "/ask") -> str:
        page = self.http.get(path)
        return CSRF.search(page.text).group(1)

    def ask(self, question: str, **extra: str) -> httpx.Response:
        return self.http.post("/ask", data={"q": question, "csrf": self.token(), **extra})

    def press(self, form: dict[str, str]) -> httpx.Response:
        return self.http.post("/ask/press", data=form)

    def add_group(self, name: str, **kw: Any) -> int:
        with self.factory() as session:
            g = Group(
                name=name,
                name_key=name,
                kind=kw.pop("kind", "任意団体"),
                owner=kw.pop("owner", "line:U1"),
                **kw,
            )
            session.add(g)
            session.commit()
            return g.id

    def close(self) -> None:
        self.http.close()
        self.server.stop()


PRESS_FORM = re.compile(r'<form method="post" action="/ask/press" class="press">(.*?)</form>', re.S)
FIELD = re.compile(r'name="(\w+)" value="([^"]*)"')


def press_forms(html: str) -> list[dict[str, str]]:
    """The buttons under an answer, as the form fields a browser would post."""
    import html as htmlmod

    out = []
    for body in PRESS_FORM.findall(html):
        fields = {k: htmlmod.unescape(v) for k, v in FIELD.findall(body)}
        label = re.search(r"<button[^>]*>(.*?)</button>", body, re.S).group(1).strip()
        out.append({**fields, "_label": label})
    return out
