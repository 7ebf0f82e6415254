"""A small declarative conversation framework, after python-telegram-bot's ConversationHandler.

A flow is data: a name, the words that start it, an ``entry`` handler, a map of states to
``State(prompt, handle)`` and a timeout; each state names the state 「戻る」 leads to. The router (bot/engine/router.py) owns
the fallbacks common to every flow (「戻る」「やめる」「最初から」, menu words, stale and forged buttons, expiry), loads
and saves the state row, and calls exactly one handler per event. Handlers are plain functions of
a ``Context`` returning a ``Step``; they never commit and never touch anything but the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.engine import messages as M
from bot.engine import postback
from bot.engine.services import Services
from bot.engine.types import Choice, Incoming, Reply

DEFAULT_TIMEOUT = timedelta(minutes=30)


@dataclass
class Context:
    """Everything a handler may look at for one event."""

    session: Session
    incoming: Incoming
    now: datetime
    services: Services
    text: str = ""  # normalised text ("" for postbacks)
    pb: postback.Postback | None = None
    data: dict = field(default_factory=dict)  # the flow's persisted data (mutable)
    flow: Flow | None = None
    state: str | None = None  # the state being handled; ``goto`` moves it
    language: str | None = None  # the user's language, "en" or "ja", when known (issue 15)

    @property
    def owner(self) -> str:
        """Owner string for records this user creates, e.g. "line:U123" or "cli:alice"."""
        uid = self.incoming.user_id
        prefix = f"{self.incoming.channel}:"
        return uid if uid.startswith(prefix) else prefix + uid

    def goto(self, state: str, *before: Reply) -> Step:
        """Move to ``state`` and ask its question (after any replies given)."""
        assert self.flow is not None
        self.state = state
        return Step([*before, *self.flow.states[state].prompt(self)], state)

    def end(self, *replies: Reply) -> Step:
        return Step(list(replies), None)

    def end_discarding_paused(self, *replies: Reply) -> Step:
        """End the flow and forget any flow it interrupted (「データを削除」 deleted that too)."""
        return Step(list(replies), None, resume=False)

    def button(self, label: str, action: str, arg: str | int = "", display: str | None = None) -> Choice:
        """A postback button of the current flow and state.

        The state is part of the data ("q2.ans"), so a button tapped in an old message is
        recognised as stale instead of being applied to whatever step the user is on now.
        """
        assert self.flow is not None
        return Choice(
            label=label,
            data=postback.encode(self.flow.name, f"{self.state}.{action}", arg),
            display_text=label if display is None else display,
        )

    def input_text(self) -> str | None:
        """The typed text, or None when the event is a button press."""
        return self.text if self.incoming.kind == "text" else None

    def arg_for(self, action: str) -> str | None:
        """The postback argument if the event is this flow's button ``action``."""
        if self.pb is not None and self.flow is not None and self.pb.flow == self.flow.name:
            return self.pb.arg if self.pb.action == f"{self.state}.{action}" else None
        return None


@dataclass
class Step:
    replies: list[Reply]
    state: str | None  # None ends the flow
    # When a flow that interrupted another one ends, the router resumes the interrupted flow
    # (e.g. 「データを削除」 → 「やめる」 in the middle of 団体登録), unless this is False.
    resume: bool = True


Handler = Callable[[Context], Step]
Prompt = Callable[[Context], list[Reply]]


@dataclass(frozen=True)
class State:
    prompt: Prompt  # asks the state's question (also used to re-ask after a stale button)
    handle: Handler  # handles the user's answer
    # Where 「戻る」 goes: a state name, a function of the context giving one, or None (the first
    # step: nothing to go back to). A flow that set ``ctx.data["_return"]`` (editing one item
    # from a confirmation card) goes back there instead.
    back: str | Callable[[Context], str | None] | None = None


@dataclass(frozen=True)
class Flow:
    name: str  # short id used in postback data and the conversations table
    title: str  # shown to the user ("団体登録")
    entry: Handler  # starts the flow (ctx.data is empty; the start postback's arg is in ctx.pb)
    states: Mapping[str, State]
    keywords: tuple[str, ...] = ()  # typed words that start the flow (compared folded)
    personal: bool = True  # needs a 1:1 chat (not started in group chats)
    timeout: timedelta = DEFAULT_TIMEOUT


def cancel_choice() -> Choice:
    return Choice(label=M.CANCEL, text=M.CANCEL)


def back_choice() -> Choice:
    """「戻る」: a typed word the router understands in every state of every flow."""
    return Choice(label=M.BACK, text=M.BACK)
