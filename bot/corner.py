"""What the web corner (handlers/web) reads and does, composed from bot/: the guideline and the
FAQ (knowledge, through the engine's services), questions (bot/engine/web.py), listed groups
(bot/registry/public.py), divisions and the matcher (matching, through the services).

Every method is synchronous and runs its own unit of work: the adapter calls them in a worker
thread (never on the event loop). Static data (sections, FAQ, divisions, fields) is read from
the libraries loaded once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.engine import web
from bot.engine.services import DivisionOption, Services, default_services
from bot.engine.types import Reply
from bot.registry.public import PublicGroup, search_listed
from bot.storage.db import transaction, utcnow


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    paragraphs: tuple[str, ...]
    note: bool  # one of our notes, not the guideline's own text


@dataclass(frozen=True)
class FaqView:
    id: str
    category: str
    question: str
    answer: str
    sources: tuple[tuple[str, str], ...]  # (section id, title)
    related: tuple[tuple[str, str], ...]  # (faq id, question)


@dataclass(frozen=True)
class DivisionView:
    id: str
    department: str
    name: str
    summary: str
    fields: tuple[tuple[int, str], ...]  # (number, short label)
    inferred: bool  # the 部 is inferred from the budget, not confirmed


@dataclass(frozen=True)
class FieldView:
    number: int
    label: str
    name: str


@dataclass(frozen=True)
class OpportunityView:
    title: str
    division: str
    fields: str
    sought: str
    form: str
    deadline: str


class Corner:
    """The web corner's view of the service."""

    def __init__(
        self,
        factory: Callable[[], sessionmaker[Session]],
        *,
        services: Services | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._factory = factory  # called on use: the app's lifespan opens the database
        self._services = services
        self._now = now
        self._cache: dict[str, Any] = {}

    @property
    def services(self) -> Services:
        return self._services or default_services()

    # -- knowledge ------------------------------------------------------------------------------
    def title(self) -> str:
        return str(self.services.answerer.data.title)

    def sections(self) -> list[SectionView]:
        if "sections" not in self._cache:
            self._cache["sections"] = [
                SectionView(
                    s.id,
                    s.title,
                    tuple(p.strip() for p in s.text.splitlines() if p.strip()),
                    s.kind != "section",
                )
                for s in self.services.answerer.data.sections
            ]
        return self._cache["sections"]

    def faq(self) -> list[FaqView]:
        if "faq" not in self._cache:
            answerer = self.services.answerer
            titles = {s.id: s.title for s in answerer.data.sections}
            questions = {e.id: e.question for e in answerer.data.faq}
            self._cache["faq"] = [
                FaqView(
                    e.id,
                    e.category,
                    e.question,
                    e.answer.strip(),
                    tuple((sid, titles[sid]) for sid in e.sources if sid in titles),
                    tuple((rid, questions[rid]) for rid in e.related if rid in questions),
                )
                for e in answerer.data.faq
            ]
        return self._cache["faq"]

    def faq_entry(self, faq_id: str) -> FaqView | None:
        return next((e for e in self.faq() if e.id == faq_id), None)

    # -- questions --------------------------------------------------------------------------------
    def ask(self, question: str, visitor: str) -> list[Reply]:
        with transaction(self._factory()) as session:
            return web.ask(session, question, visitor=visitor, now=self._now(), services=self._services)

    def press(self, data: str, visitor: str) -> list[Reply]:
        with transaction(self._factory()) as session:
            return web.press(session, data, visitor=visitor, now=self._now())

    # -- groups -----------------------------------------------------------------------------------
    def groups(self, field: int | None, words: str, limit: int = 50) -> tuple[list[PublicGroup], int]:
        with self._factory()() as session:
            return search_listed(session, field=field, words=words, limit=limit)

    # -- opportunities (協働の募集) ---------------------------------------------------------------------
    def opportunities(self, limit: int = 50) -> list[OpportunityView]:
        """The open opportunities (sent, deadline not passed), nearest deadline first."""
        from bot.engine import opportunities as opp

        with self._factory()() as session:
            rows = session.scalars(opp.open_query(self._now()).limit(limit)).all()
            return [
                OpportunityView(
                    title=o.title,
                    division=o.division_name,
                    fields=opp.fields_text(o.fields, limit=20),
                    sought=o.sought,
                    form=opp.M.COLLAB_FORMS.get(o.form, opp.M.COLLAB_FORMS["other"]),
                    deadline=opp.deadline_text(o.deadline),
                )
                for o in rows
            ]

    # -- divisions ----------------------------------------------------------------------------------
    def fields(self) -> list[FieldView]:
        if "fields" not in self._cache:
            self._cache["fields"] = [FieldView(f.number, f.label, f.name) for f in self.services.fields()]
        return self._cache["fields"]

    def divisions(self) -> list[DivisionView]:
        if "divisions" not in self._cache:
            labels = {f.number: f.label for f in self.fields()}
            self._cache["divisions"] = [
                DivisionView(
                    d.id,
                    d.bu,
                    d.ka,
                    d.summary,
                    tuple((n, labels.get(n, str(n))) for n in d.fields),
                    d.bu_status != "confirmed",
                )
                for d in self.services.matcher.divisions
            ]
        return self._cache["divisions"]

    def match(self, description: str, top: int = 3) -> list[DivisionOption]:
        return self.services.match("", description, [], top=top)
