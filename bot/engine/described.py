"""A message that opens with a self-introduction (「私たちは地域の清掃活動をしている団体ですが、
協働できますか」): after the answer to the question, one more short message uses what the group
said about itself — the guideline's conditions for such an activity (第2章(2)), the divisions the
matcher finds closest, with the reason for the first, and the two flows that take it further.

Kept apart from qa.py so that the answer itself never depends on the matcher: a matcher failure
costs this note, not the reply."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.engine import messages as M
from bot.engine.services import Services
from bot.engine.types import Choice, Reply

log = logging.getLogger(__name__)

CONDITIONS_SECTION = "ch2-2"
MAX_DIVISIONS = 2
REASON_LIMIT = 60  # one reason, kept short for a phone screen


def activity_note(activity: str, services: Services, cited: Iterable[str] = ()) -> Reply | None:
    """The note about the writer's activity, or None when there is nothing useful to add.

    ``cited``: the section ids the answer already cites; when 第2章(2) is among them the answer has
    stated the conditions, and the note does not repeat them. The note carries no buttons: on LINE
    only the last message of a reply shows quick replies, so the caller offers :data:`OFFER`."""
    activity = (activity or "").strip()
    if not activity:
        return None
    try:
        options = services.match("", activity, [], top=MAX_DIVISIONS)
    except Exception:  # the answer has been given; a broken directory must not take it back
        log.exception("matcher failed on a self-introduction")
        options = []
    conditions = CONDITIONS_SECTION not in set(cited)
    lines = [M.ACTIVITY_CONDITIONS] if conditions else []
    if options:
        names = "、".join(o.name for o in options)
        lines.append(M.ACTIVITY_DIVISIONS.format(divisions=names))
        reason = next((r for r in options[0].reasons if r), "")
        if reason:
            short = reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"
            lines.append(M.ACTIVITY_REASON.format(division=options[0].name, reason=short))
    lines.append(M.ACTIVITY_OFFER)
    return Reply(
        text="\n".join(lines),
        sources=[(CONDITIONS_SECTION, M.ACTIVITY_SOURCE_TITLE)] if conditions else [],
    )


def offer_choices() -> list[Choice]:
    """The two flows that take a self-introduction further."""
    return [Choice(label=M.MENU_CHECK, text=M.MENU_CHECK), Choice(label=M.MENU_CONSULT, text=M.MENU_CONSULT)]
