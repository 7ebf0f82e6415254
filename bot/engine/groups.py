"""The engine's seam to the group registry.

The registry module (bot/registry.py, another branch) owns duplicate detection and suggestion
refreshes. Until it is merged, these thin functions write the Group model directly with the same
rules (name_key from the project normaliser, fuzzy duplicate flagging, never merging). Only this
module changes when the registry lands; the flows call nothing else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models.registry import Group
from knowledge.normalize import fold, normalize

SIMILARITY_THRESHOLD = 90  # rapidfuzz ratio on folded names


def name_key(name: str) -> str:
    return fold(normalize(name))[:200]


def owned(session: Session, owner: str) -> list[Group]:
    return list(session.scalars(select(Group).where(Group.owner == owner).order_by(Group.id)))


def get_owned(session: Session, owner: str, group_id: int) -> Group | None:
    group = session.get(Group, group_id)
    return group if group is not None and group.owner == owner else None


def find_similar(session: Session, name: str, exclude_id: int | None = None) -> Group | None:
    """The registered group whose name is the same or nearly the same, if any."""
    from rapidfuzz import fuzz

    key = name_key(name)
    if not key:
        return None
    exact = session.scalars(select(Group).where(Group.name_key == key).order_by(Group.id)).first()
    if exact is not None and exact.id != exclude_id:
        return exact
    best, best_score = None, 0.0
    for gid, other_key in session.execute(select(Group.id, Group.name_key)):
        if gid == exclude_id or not other_key:
            continue
        score = fuzz.ratio(key, other_key)
        if score > best_score:
            best, best_score = gid, score
    if best is not None and best_score >= SIMILARITY_THRESHOLD:
        return session.get(Group, best)
    return None


def create(
    session: Session,
    *,
    name: str,
    kind: str,
    fields: list[int],
    description: str,
    contact: str,
    owner: str,
    duplicate_of_id: int | None = None,
) -> Group:
    group = Group(
        name=name,
        name_key=name_key(name),
        kind=kind,
        fields=sorted(set(fields)),
        description=description,
        contact=contact,
        owner=owner,
        duplicate_of_id=duplicate_of_id,
    )
    session.add(group)
    session.flush()
    return group


def update(session: Session, group: Group, **values: object) -> Group:
    for key, value in values.items():
        setattr(group, key, value)
    if "name" in values:
        group.name_key = name_key(group.name)
    if "fields" in values:
        group.fields = sorted(set(group.fields))
    session.flush()
    return group


def delete(session: Session, group: Group) -> None:
    session.delete(group)
    session.flush()
