"""The engine's seam to the group registry (bot/registry.py).

Flows call only these functions, so the registry's rules apply to a LINE registration exactly as
to a CSV import or a staff command: kind resolution, field numbers, name keys without legal
forms, duplicate flagging (never merging), ownership checks. Problems come back as
``registry.InvalidGroup`` whose ``problems`` are polite Japanese sentences to show as they are.

Suggestions for divisions are refreshed outside the user's transaction (``kyodo match --all`` /
the worker), because ``bot.suggestions.refresh_suggestions`` manages its own connections.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.registry import groups as registry
from bot.staff.erasure import erase_groups
from bot.storage.models.registry import Group

InvalidGroup = registry.InvalidGroup
KIND_NAMES = registry.KIND_NAMES


def resolve_kind(text: str) -> str:
    """A canonical kind for what the user typed; raises InvalidGroup."""
    return registry.resolve_kind(text)


def owned(session: Session, owner: str) -> list[Group]:
    return list(session.scalars(select(Group).where(Group.owner == owner).order_by(Group.id)))


def get_owned(session: Session, owner: str, group_id: int) -> Group | None:
    group = session.get(Group, group_id)
    return group if group is not None and group.owner == owner else None


def find_similar(session: Session, name: str, exclude_id: int | None = None) -> Group | None:
    """The registered group whose name is the same or nearly the same (registry rules), if any."""
    key = registry.name_key(name)
    if not key:
        return None
    found = registry.DuplicateIndex.load(session, exclude_id=exclude_id).find(key)
    return session.get(Group, found) if found is not None else None


def _data(values: dict) -> registry.GroupData:
    return registry.validate_group(
        values.get("name", ""),
        values.get("kind", ""),
        [int(n) for n in values.get("fields", [])],
        values.get("description", ""),
        values.get("contact", ""),
    )


def _choices(session: Session, group: Group, values: dict, duplicate_of: int | None) -> Group:
    """What the citizen chose in the conversation, applied after the registry's rules.

    The citizen has already answered the duplicate question: 「別の団体です」 leaves the group
    unflagged (their answer is final), 「同じ団体です」 flags it for staff to resolve.
    """
    group.kind_note = str(values.get("kind_note") or "")[:40] if group.kind == "その他" else ""
    group.listed = bool(values.get("listed", False))
    group.notices_opt_in = bool(values.get("notices_opt_in", False))
    exists = (
        duplicate_of is not None
        and int(duplicate_of) != group.id
        and session.get(Group, int(duplicate_of)) is not None
    )
    group.duplicate_of_id = int(duplicate_of) if exists else None
    return group


def create(session: Session, owner: str, values: dict, duplicate_of: int | None = None) -> Group:
    """Validate and store a new group, with the citizen's answer to the duplicate question."""
    group = registry.add_group(session, _data(values), owner).group
    _choices(session, group, values, duplicate_of)
    session.flush()
    return group


def update(
    session: Session, owner: str, group_id: int, values: dict, duplicate_of: int | None = None
) -> Group:
    group = registry.update_group(session, group_id, owner, _data(values)).group
    _choices(session, group, values, duplicate_of)
    session.flush()
    return group


def delete(session: Session, owner: str, group_id: int) -> None:
    if get_owned(session, owner, group_id) is not None:  # only the owner's: Slack is touched first
        erase_groups(session, [group_id])  # the divisions' posts about it now say it is gone
    registry.delete_group(session, group_id, owner)


def delete_all_of(session: Session, owner: str) -> int:
    """Everything one owner registered (「データを削除」, retention)."""
    return registry.delete_groups_of_owner(session, owner)
