"""The one-line citation under an answer, shared by every renderer (LINE, terminal, Slack).

Answers from the knowledge base often name their source in the text already
("（出典：協働推進基本指針 第2章(4)「協働の形態」）"); a second line saying the same would be noise.
Titles are compared with the project's lossy matching key, so brackets, spaces and width do not
make the same title look different.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.messages import SOURCE_LINE
from knowledge.normalize import fold


def citation_line(sources: Iterable[tuple[str, str]], text: str) -> str:
    """「出典: …」 naming the cited sections the text does not already name, or ""."""
    folded_text = fold(text or "")
    titles: list[str] = []
    for _sid, title in sources or ():
        title = str(title).strip()
        key = fold(title)
        if title and key and key not in folded_text and title not in titles:
            titles.append(title)
    return SOURCE_LINE.format(titles="、".join(titles)) if titles else ""
