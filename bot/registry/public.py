"""What the web corner's 団体をさがす may show: groups that chose to be listed (``groups.listed``,
migration 0006; the default is not listed), with the contact they chose to publish
(``public_contact``) and never the private ``contact`` or the owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Group
from knowledge.normalize import fold

#: Listed groups read per search; a city has hundreds, not tens of thousands.
SCAN_LIMIT = 5000


@dataclass(frozen=True)
class PublicGroup:
    id: int
    name: str
    kind: str
    fields: tuple[int, ...]
    description: str
    contact: str  # the published contact, or ""


def search_listed(
    session: Session, *, field: int | None = None, words: str = "", limit: int = 50
) -> tuple[list[PublicGroup], int]:
    """Listed groups with ``field`` (an NPO-law number) whose name, kind or description contains
    every word of ``words`` (compared folded: width, kana and case do not matter); and how many
    matched in all (the list is cut at ``limit``)."""
    query = (
        select(Group.id, Group.name, Group.kind, Group.fields, Group.description, Group.public_contact)
        .where(Group.listed.is_(True), Group.duplicate_of_id.is_(None))
        .order_by(Group.name_key, Group.id)
        .limit(SCAN_LIMIT)
    )
    keys = [fold(w) for w in (words or "").replace("　", " ").split() if fold(w)]
    found: list[PublicGroup] = []
    total = 0
    for gid, name, kind, fields, description, contact in session.execute(query):
        numbers = tuple(int(n) for n in (fields or []) if str(n).isdigit())
        if field is not None and field not in numbers:
            continue
        if keys:
            haystack = fold(f"{name} {kind} {description}")
            if not all(k in haystack for k in keys):
                continue
        total += 1
        if len(found) < limit:
            found.append(PublicGroup(gid, name, kind, numbers, description or "", contact or ""))
    return found, total
