"""Load and validate knowledge/data/{guideline,faq,synonyms,contacts,referrals}.yaml.

City staff edit these files by hand, so every problem is reported with the file, the entry id and
what is wrong, and all problems are collected before raising (one run shows every mistake).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from knowledge.city import CITY_FILE, City, parse_city, read_city
from knowledge.contacts import PLACEHOLDER_RE, parse_contacts, render
from knowledge.models import FAQ_CATEGORIES, FaqEntry, KnowledgeData, Section, SynonymGroup
from knowledge.referrals import REFERRALS_FILE, parse_referrals
from knowledge.verifier import VerifierError, load_verifier

DATA_DIR = Path(__file__).resolve().parent / "data"

# The directory read when no data_dir is passed: the shipped data unless the application chose
# another city's (bot/settings.py: KYODO_KNOWLEDGE_DIR). The library reads no environment itself.
_chosen_dir: Path | None = None


def use_data_dir(path: Path | str | None) -> None:
    """Make ``load_data()`` / ``Answerer.load()`` without a directory read ``path``."""
    global _chosen_dir
    _chosen_dir = Path(path).resolve() if path else None


def data_dir() -> Path:
    """The directory read when none is passed."""
    return _chosen_dir or DATA_DIR


DATA_FILES = ("guideline.yaml", "faq.yaml", "synonyms.yaml", "contacts.yaml")
MAX_ANSWER_CHARS = 400

_FAQ_KEYS = {"id", "category", "question", "phrasings", "answer", "sources", "related"}
_FAQ_REQUIRED = ("id", "category", "question", "phrasings", "answer", "sources")


class DataError(ValueError):
    """The shipped knowledge data is invalid. ``problems`` lists each one as a readable line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid knowledge data:\n  " + "\n  ".join(problems))


def _read_yaml(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise DataError([f"{path.name}: file not found ({path})"]) from None
    except yaml.YAMLError as exc:
        raise DataError([f"{path.name}: not valid YAML: {exc}"]) from None


def _text(value: Any) -> str | None:
    """A non-empty stripped string, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _id_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    return None


def parse_guideline(
    raw: Any, problems: list[str], fname: str = "guideline.yaml"
) -> tuple[str, list[Section]]:
    if not isinstance(raw, Mapping):
        problems.append(f"{fname}: expected a mapping with title, sections and notes")
        return "", []
    title = _text(raw.get("title")) or ""
    if not title:
        problems.append(f"{fname}: 'title' is missing")
    out: list[Section] = []
    seen: set[str] = set()
    for kind, key in (("section", "sections"), ("note", "notes")):
        items = raw.get(key) or []
        if not isinstance(items, list):
            problems.append(f"{fname}: '{key}' must be a list")
            continue
        for i, item in enumerate(items, 1):
            where = f"{fname}: {key}[{i}]"
            if not isinstance(item, Mapping):
                problems.append(f"{where}: expected a mapping with id, title, text")
                continue
            sid = _text(item.get("id"))
            if sid:
                where = f"{fname}: {kind} '{sid}'"
            ok = True
            for field in ("id", "title", "text"):
                if not _text(item.get(field)):
                    problems.append(f"{where}: '{field}' is missing or empty")
                    ok = False
            if sid and sid in seen:
                problems.append(f"{where}: duplicate id")
                ok = False
            if not ok or sid is None:
                continue
            cite = item.get("cite", False)
            if not isinstance(cite, bool):
                problems.append(f"{where}: 'cite' must be true or false")
                continue
            seen.add(sid)
            out.append(Section(sid, _text(item["title"]) or "", _text(item["text"]) or "", kind, cite))
    if not any(s.kind == "section" for s in out):
        problems.append(f"{fname}: no sections")
    return title, out


def parse_faq(raw: Any, problems: list[str], fname: str = "faq.yaml") -> list[FaqEntry]:
    if not isinstance(raw, list):
        problems.append(f"{fname}: expected a list of entries")
        return []
    out: list[FaqEntry] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        where = f"{fname}: entry #{i}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        fid = _text(item.get("id"))
        if fid:
            where = f"{fname}: entry '{fid}'"
        n_before = len(problems)
        for key in sorted(set(item) - _FAQ_KEYS, key=str):
            problems.append(f"{where}: unknown field '{key}' (allowed: {', '.join(sorted(_FAQ_KEYS))})")
        for key in _FAQ_REQUIRED:
            if item.get(key) in (None, "", []):
                problems.append(f"{where}: '{key}' is missing or empty")
        if fid and fid in seen:
            problems.append(f"{where}: duplicate id")
        category = item.get("category")
        if category and category not in FAQ_CATEGORIES:
            problems.append(f"{where}: category '{category}' is not one of {', '.join(FAQ_CATEGORIES)}")
        question = _text(item.get("question"))
        if item.get("question") is not None and not question:
            problems.append(f"{where}: 'question' must be text")
        phr = item.get("phrasings")
        phrasings: list[str] = []
        if phr is not None:
            if not isinstance(phr, list):
                problems.append(f"{where}: 'phrasings' must be a list of texts")
            else:
                for j, p in enumerate(phr, 1):
                    t = _text(p) if isinstance(p, str) else (str(p) if isinstance(p, int | float) else None)
                    if not t:
                        problems.append(f"{where}: phrasing #{j} is empty or not text")
                    else:
                        phrasings.append(t)
        answer = _text(item.get("answer"))
        if item.get("answer") is not None and not answer:
            problems.append(f"{where}: 'answer' must be text")
        if answer and len(answer) > MAX_ANSWER_CHARS:
            problems.append(f"{where}: answer is {len(answer)} characters (at most {MAX_ANSWER_CHARS})")
        sources = _id_list(item.get("sources"))
        related = _id_list(item.get("related"))
        if sources is None:
            problems.append(f"{where}: 'sources' must be a list of section ids")
        if related is None:
            problems.append(f"{where}: 'related' must be a list of FAQ ids")
        if len(problems) > n_before or not fid:
            if fid:
                seen.add(fid)
            continue
        seen.add(fid)
        out.append(
            FaqEntry(
                id=fid,
                category=str(category),
                question=question or "",
                phrasings=tuple(phrasings),
                answer=answer or "",
                sources=tuple(sources or ()),
                related=tuple(related or ()),
            )
        )
    return out


def parse_synonyms(raw: Any, problems: list[str], fname: str = "synonyms.yaml") -> list[SynonymGroup]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{fname}: expected a list of {{term, variants}}")
        return []
    out: list[SynonymGroup] = []
    for i, item in enumerate(raw, 1):
        where = f"{fname}: entry #{i}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with term and variants")
            continue
        term = _text(item.get("term"))
        if term:
            where = f"{fname}: term '{term}'"
        else:
            problems.append(f"{where}: 'term' is missing or empty")
        extra = set(item) - {"term", "variants"}
        if extra:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(map(str, extra)))}")
        variants = item.get("variants")
        if not isinstance(variants, list) or not variants:
            problems.append(f"{where}: 'variants' must be a non-empty list")
            continue
        clean = [_text(v) if isinstance(v, str) else None for v in variants]
        if any(v is None for v in clean):
            problems.append(f"{where}: every variant must be non-empty text")
            continue
        if term:
            out.append(SynonymGroup(term, tuple(v for v in clean if v)))
    return out


def cross_check(
    sections: Iterable[Section], faq: list[FaqEntry], problems: list[str], warnings: list[str] | None = None
) -> list[FaqEntry]:
    """References between files: sources name sections/notes, related names FAQ entries.

    With ``warnings`` given, a dangling ``related`` id is a warning and is dropped (used while the
    FAQ is being written); otherwise it is a problem. Returns the entries, fixed up.
    """
    section_ids = {s.id for s in sections}
    faq_ids = {e.id for e in faq}
    for e in faq:
        for sid in e.sources:
            if sid not in section_ids:
                problems.append(
                    f"faq.yaml: entry '{e.id}': source '{sid}' is not a section or note in guideline.yaml"
                )
        for rid in e.related:
            if rid == e.id:
                problems.append(f"faq.yaml: entry '{e.id}': lists itself as related")
            elif rid not in faq_ids:
                msg = f"faq.yaml: entry '{e.id}': related '{rid}' is not an entry id"
                (warnings if warnings is not None else problems).append(msg)
    if warnings is None:
        return faq
    return [replace(e, related=tuple(r for r in e.related if r in faq_ids and r != e.id)) for e in faq]


def load_data(
    data_dir: Path | str | None = None,
    extra_faq: Iterable[Mapping[str, Any]] = (),
    *,
    strict: bool = True,
    warnings: list[str] | None = None,
) -> KnowledgeData:
    """Read and validate the three files (plus optional extra FAQ entries, e.g. written by staff).

    Raises :class:`DataError` listing every problem found. ``strict=False`` tolerates (and appends
    to ``warnings``) related ids that do not exist yet.
    """
    base = Path(data_dir) if data_dir else (_chosen_dir or DATA_DIR)
    problems: list[str] = []
    title, sections = parse_guideline(_read_yaml(base / "guideline.yaml"), problems)
    raw_faq = _read_yaml(base / "faq.yaml")
    extra = list(extra_faq)
    if extra:
        raw_faq = (raw_faq if isinstance(raw_faq, list) else []) + extra
    faq = parse_faq(raw_faq, problems)
    syn_path = base / "synonyms.yaml"
    synonyms = parse_synonyms(_read_yaml(syn_path), problems) if syn_path.exists() else []
    contacts_path = base / "contacts.yaml"
    contacts = parse_contacts(_read_yaml(contacts_path), problems) if contacts_path.exists() else []
    by_id = {c.id: c for c in contacts}
    faq = _render_contacts(faq, by_id, problems)
    ref_path = base / REFERRALS_FILE
    referrals = parse_referrals(_read_yaml(ref_path), problems) if ref_path.exists() else []
    referrals = [
        replace(r, reply=render(r.reply, by_id, f"{REFERRALS_FILE}: referral {r.id!r}", problems)) for r in referrals
    ]
    city_path = base / CITY_FILE
    city = parse_city(_read_yaml(city_path) if city_path.exists() else None, by_id, problems)
    if not strict and warnings is None:
        warnings = []
    faq = cross_check(sections, faq, problems, None if strict else warnings)
    if problems:
        raise DataError(problems)
    try:
        verifier = load_verifier(base)
    except VerifierError as exc:
        raise DataError([str(exc)]) from None
    return KnowledgeData(
        title, tuple(sections), tuple(faq), tuple(synonyms), tuple(contacts), city, tuple(referrals), verifier
    )


_cities: dict[str, City] = {}
_cities_lock = threading.Lock()


def load_city(data_dir: Path | str | None = None) -> City:
    """The city of a data directory (default: the one in use), cached per directory. Cheap: reads
    city.yaml and contacts.yaml only, no index (e.g. for the greeting of a new follower).
    Invalid data raises DataError."""
    base = Path(data_dir) if data_dir else (_chosen_dir or DATA_DIR)
    key = str(base.resolve())
    with _cities_lock:
        if key not in _cities:
            city, problems = read_city(base, _read_yaml)
            if problems:
                raise DataError(problems)
            _cities[key] = city
        return _cities[key]


def _render_contacts(faq: list[FaqEntry], contacts: Mapping[str, Any], problems: list[str]) -> list[FaqEntry]:
    """Fill the {{contact:…}} placeholders of the answers (an unconfirmed fact reads 「市に確認中」)."""
    out = []
    for e in faq:
        if "{{" not in e.answer:
            out.append(e)
            continue
        where = f"faq.yaml: entry '{e.id}'"
        answer = render(e.answer, contacts, where, problems)
        if len(answer) > MAX_ANSWER_CHARS:
            problems.append(
                f"{where}: answer is {len(answer)} characters with the contacts filled in (at most {MAX_ANSWER_CHARS})"
            )
        facts = frozenset(m.group(2) for m in PLACEHOLDER_RE.finditer(e.answer) if m.group(2))
        out.append(replace(e, answer=answer, contact_facts=facts))
    return out
