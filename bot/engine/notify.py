"""Messages to a citizen that answer no event: a division took up (or passed on) their group or
proposal, a member of staff answered their question, or closed it.

This is the one notification path: the staff side (bot/staff/) calls these inside its own
transaction, and they queue through the outbox like every reply. One rule decides who may get a
push, once: nobody who unfollowed (blocked the account) or whose data was deleted, and nobody on
a channel that cannot push (the terminal). The wording is in messages.py (``NOTIFY_*``), and in messages_en.py for a user whose language
is English.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.engine import collaboration as collab
from bot.engine import messages as M
from bot.engine import translate
from bot.engine.channel import Render
from bot.engine.types import Reply
from bot.messaging import outbox
from bot.storage.models.collaboration import Collaboration
from bot.storage.models.conversation import ChatUser, Proposal
from bot.storage.models.registry import Group

_USER = select(ChatUser.blocked, ChatUser.deleted_at, ChatUser.language).where(
    ChatUser.channel == bindparam("channel"), ChatUser.user_id == bindparam("user_id")
)


class Notifier:
    """Pushes to citizens, rendered by the renderer of their channel (composed in bot/app.py)."""

    def __init__(self, renderers: Mapping[str, Render]) -> None:
        self.renderers = dict(renderers)

    def can_push(self, session: Session, channel: str, user_id: str | None) -> bool:
        """The rule: a channel that can push, a user id, and no unfollow or deletion on record
        (someone the conversation has never seen, e.g. the owner of a group made elsewhere, is
        pushed to: the platform itself refuses people who are not friends of the account)."""
        if not user_id or channel not in self.renderers:
            return False
        row = session.execute(_USER, {"channel": channel, "user_id": user_id}).first()
        return row is None or not (row.blocked or row.deleted_at is not None)

    def push(self, session: Session, channel: str, user_id: str | None, text: str) -> bool:
        """Queue ``text`` for the user through the outbox; False when not allowed or empty."""
        return self.push_replies(session, channel, user_id, [Reply(text=text)])

    def push_replies(self, session: Session, channel: str, user_id: str | None, replies: list[Reply]) -> bool:
        """Queue replies (cards too) for the user through the outbox; False when not allowed."""
        if not self.can_push(session, channel, user_id):
            return False
        row = session.execute(_USER, {"channel": channel, "user_id": user_id}).first()
        if row is not None and row.language == "en":  # the English twins (bot/engine/translate.py)
            replies = translate.replies(replies)
        messages = self.renderers[channel](replies)
        if not messages:
            return False
        outbox.enqueue(session, channel=channel, destination=user_id, messages=messages)
        return True

    def reachable(self, session: Session, channel: str, user_ids: list[str]) -> dict[str, str | None]:
        """The same rule for many users at once: user id -> language (None when not set) of
        those who may get a push (no unfollow, no deletion on record)."""
        if channel not in self.renderers:
            return {}
        out: dict[str, str | None] = {u: None for u in dict.fromkeys(user_ids) if u}
        ids = list(out)
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(ChatUser.user_id, ChatUser.blocked, ChatUser.deleted_at, ChatUser.language).where(
                    ChatUser.channel == channel, ChatUser.user_id.in_(ids[start : start + 500])
                )
            )
            for row in rows:
                if row.blocked or row.deleted_at is not None:
                    out.pop(row.user_id, None)
                else:
                    out[row.user_id] = row.language
        return out

    def multicast(
        self, session: Session, channel: str, key: str, users: Mapping[str, str | None], replies: list[Reply]
    ) -> int:
        """Queue the same replies to many users (``users``: id -> language, from
        :meth:`reachable`) as multicast rows of at most 500; English users get the English
        twins in rows of their own. Returns the number of rows queued."""
        if channel not in self.renderers or not users:
            return 0
        rows = 0
        by_language = {"ja": [u for u, lang in users.items() if lang != "en"], "en": [u for u, lang in users.items() if lang == "en"]}
        for language, ids in by_language.items():
            if not ids:
                continue
            messages = self.renderers[channel](translate.replies(replies) if language == "en" else replies)
            if messages:
                rows += len(
                    outbox.enqueue_multicast(session, channel=channel, key=f"{key}-{language}", to=ids, messages=messages)
                )
        return rows

    # -- what happened, in the citizen's words --------------------------------------------------

    def group_decided(self, session: Session, group: Group, *, division: str, taken: bool) -> bool:
        """A division took up (or passed on) the suggestion of the user's group."""
        channel, _, user_id = (group.owner or "").partition(":")  # "line:<userId>"; imports: no push
        template = M.NOTIFY_GROUP_TAKEN if taken else M.NOTIFY_GROUP_PASSED
        return self.push(session, channel, user_id, template.format(group=group.name, division=division))

    def proposal_decided(
        self, session: Session, proposal: Proposal, *, taken: bool, division: str = ""
    ) -> bool:
        """A division took up (or passed on) the user's proposal."""
        template = M.NOTIFY_PROPOSAL_TAKEN if taken else M.NOTIFY_PROPOSAL_PASSED
        text = template.format(
            reference=proposal.reference,
            division=division or proposal.division_name or M.NOTIFY_SOME_DIVISION,
        )
        return self.push(session, proposal.channel, proposal.user_id, text)

    def staff_replied(
        self, session: Session, channel: str, user_id: str | None, question: str, answer: str
    ) -> bool:
        """A member of staff answered a question the citizen handed off."""
        quoted = question if len(question) <= 100 else question[:99] + "…"
        text = M.NOTIFY_STAFF_REPLY.format(question=quoted, answer=answer.strip())[:4000]
        return self.push(session, channel, user_id, text)

    def handoff_closed(self, session: Session, channel: str, user_id: str | None) -> bool:
        """Staff closed the citizen's handed-off question."""
        return self.push(session, channel, user_id, M.NOTIFY_HANDOFF_CLOSED)

    def collaboration_ask(self, session: Session, c: Collaboration) -> bool:
        """The division wrote (or changed) the collaboration: the card to agree to, or not."""
        return self.push_replies(session, c.channel, c.user_id, [collab.ask_reply(c)])

    def collaboration_status(self, session: Session, c: Collaboration, *, extra: str = "") -> bool:
        """Staff changed the collaboration's status (``extra``: a sentence more, such as what
        became of an open evaluation when it was cancelled)."""
        text = M.NOTIFY_COLLAB_STATUS.format(
            group=c.group_name, division=c.division_name, status=M.COLLAB_STATUS.get(c.status, c.status)
        )
        # (a line each: an English user's push is translated line by line)
        lines = [text, *(t for t in (extra, M.NOTIFY_COLLAB_STATUS_NEXT.get(c.status)) if t)]
        return self.push(session, c.channel, c.user_id, "\n".join(lines))
