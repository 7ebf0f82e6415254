"""The citation under an answer, shared by every renderer (LINE, terminal, Slack, the web).

Answers from the knowledge base often name their source in the text already
("（出典：協働推進基本指針 第2章(4)「協働の形態」）"); a second line saying the same would be noise.
Titles are compared with the project's lossy matching key, so brackets, spaces and width do not
make the same title look different.

When the web corner has a public address (``KYODO_PUBLIC_URL``), every cited answer also links to
its first source on the corner's guideline page, ``<public_url>/guideline#<section id>``: one rule,
here, for every channel. The address is set once per process by the composition root
(:func:`configure`, called by bot/app.py); renderers may pass it explicitly (tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.engine.messages import SOURCE_LINE, SOURCE_LINK
from knowledge.normalize import fold

# How the answerer starts the citation line it appends to an answer (knowledge/messages.py).
_OWN_CITATION_MARKERS = ("（出典：", "（参考：", "(Source:", "(See also:")
# Section ids are lower-case words and digits joined by hyphens (knowledge/data/guideline.yaml).
_SECTION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")

_public_url = ""


def configure(public_url: str) -> None:
    """Set this process's public address of the web corner ("" turns the links off)."""
    global _public_url
    _public_url = (public_url or "").rstrip("/")


def public_url() -> str:
    return _public_url


def citation_line(sources: Iterable[tuple[str, str]], text: str) -> str:
    """「出典: …」 naming the cited sections the text does not already name, or "".

    An answer that carries its own citation line (the answerer's 「（出典：…）」 or 「（参考：…）」,
    which names the main sections) gets no second one: two source lines read as a contradiction.
    """
    if any(marker in (text or "") for marker in _OWN_CITATION_MARKERS):
        return ""
    folded_text = fold(text or "")
    titles: list[str] = []
    for _sid, title in sources or ():
        title = str(title).strip()
        key = fold(title)
        if title and key and key not in folded_text and title not in titles:
            titles.append(title)
    return SOURCE_LINE.format(titles="、".join(titles)) if titles else ""


def guideline_url(section_id: str, base: str | None = None) -> str:
    """``<base>/guideline#<id>`` (base: the configured public address), or "" when there is no
    address or the id is not a section id."""
    base = (_public_url if base is None else base).rstrip("/")
    if not section_id or not _SECTION_ID.match(section_id):
        return ""
    return f"{base}/guideline#{section_id}" if base else ""


def citation_url(sources: Iterable[tuple[str, str]], base: str | None = None) -> str:
    """The address of the first cited section on the web corner, or ""."""
    for sid, _title in sources or ():
        url = guideline_url(str(sid), base)
        if url:
            return url
    return ""


def citation_lines(sources: Iterable[tuple[str, str]], text: str, base: str | None = None) -> str:
    """What a text channel prints under an answer: the 「出典」 line (when the text does not name
    its sources) and the 「指針の該当箇所」 link (when the corner has a public address)."""
    sources = list(sources or ())
    url = citation_url(sources, base)
    lines = [citation_line(sources, text), SOURCE_LINK.format(url=url) if url else ""]
    return "\n".join(line for line in lines if line)
