"""Divisions (課) as the staff side knows them, with their Slack channels, and which division each
member of staff belongs to (`/kyodo 所属 <課名>`, for App Home)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from bot.staff import messages as msg
from bot.staff.audit import audit
from bot.staff.mrkdwn import escape_mrkdwn
from bot.storage.models.staff import StaffMember
from knowledge.normalize import fold
from matching import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DivisionInfo:
    id: str
    name: str
    slack_channel: str = ""


class Directory:
    """Divisions by id, with their Slack channel (from the matching library's divisions data)."""

    def __init__(self, divisions: Iterable[DivisionInfo]):
        self.by_id = {d.id: d for d in divisions}

    def get(self, division_id: str | None) -> DivisionInfo | None:
        return self.by_id.get(division_id or "")

    def name(self, division_id: str | None) -> str:
        d = self.get(division_id)
        return d.name if d else (division_id or "")

    def find(self, text: str) -> DivisionInfo | None:
        """A division by (typo-tolerant) name or id, for `/kyodo 所属 <課名>`."""
        key = fold(text.strip())
        if not key or not self.by_id:
            return None
        for d in self.by_id.values():
            if key in (fold(d.name), fold(d.id)):
                return d
        choices = {d.id: fold(d.name) for d in self.by_id.values()}
        hit = process.extractOne(key, choices, scorer=fuzz.WRatio, score_cutoff=85)
        return self.by_id[hit[2]] if hit else None

    @classmethod
    def from_matching(cls) -> Directory:
        """The shipped divisions directory. Tolerant of attribute names while the library settles."""
        try:
            divisions = Matcher.load().divisions
        except Exception:  # the staff side must run even when the directory cannot be read
            log.exception("could not load the divisions directory from the matching library")
            return cls([])
        out = [
            DivisionInfo(id=d.id, name=d.ka or d.name, slack_channel=(d.slack_channel or "").strip())
            for d in divisions
        ]
        return cls(out)


def set_division(session: Session, user: str, division: DivisionInfo, display_name: str = "") -> None:
    member = session.get(StaffMember, user)
    if member is None:
        session.add(StaffMember(slack_user_id=user, division_id=division.id, display_name=display_name))
    else:
        member.division_id = division.id
        member.display_name = display_name or member.display_name
    audit(session, user, "division_set", "user", user, division=division.id)


def set_division_by_name(
    session: Session, user: str, display_name: str, text: str, directory: Directory
) -> str:
    """`/kyodo 所属 <課名>`: find the division (typo-tolerant) and remember it; the reply to show."""
    if not text.strip():
        return msg.DIVISION_REQUIRED
    division = directory.find(text)
    if division is None:
        return msg.DIVISION_UNKNOWN.format(name=escape_mrkdwn(text))  # staff input, echoed
    set_division(session, user, division, display_name)
    return msg.DIVISION_SET.format(name=division.name)
