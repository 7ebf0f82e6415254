"""The terminal as a channel (`kyodo chat`): parse what is typed, render the engine's replies as
numbered text, and print them. Typing the number of a choice taps it (a postback, exactly as on
LINE). Works with piped stdin, for scripts and tests.

bot/app.py composes it with the engine (``Terminal(...).run(converse)``); nothing here touches
the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TextIO

from bot.engine import messages as M
from bot.engine.citations import citation_lines
from bot.engine.types import Choice, Incoming, Reply
from knowledge.normalize import normalize

QUIT_WORDS = set(M.TERMINAL_QUIT_WORDS)
CHANNEL = "cli"

# What the terminal itself says is in bot/engine/messages.py with everything else.
WELCOME = M.TERMINAL_WELCOME
GOODBYE = M.TERMINAL_GOODBYE
NOT_AN_OPTION = M.TERMINAL_NOT_AN_OPTION


class Renderer:
    """Turns replies into numbered text and remembers which number means which choice."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.options: list[Choice] = []

    def show(self, replies: Sequence[Reply]) -> None:
        self.options = []
        for reply in replies:
            if reply.text:
                self._print(M.TERMINAL_BOT + reply.text.replace("\n", "\n       "))
            citation = citation_lines(reply.sources, reply.text).replace("\n", "\n       ")
            if citation:
                self._print("       " + citation)
            for card in reply.cards:
                head = f"  ┌ {card.title}" + (f"（{card.subtitle}）" if card.subtitle else "")
                self._print(head)
                for line in card.lines:
                    self._print(f"  │ {line}")
                if card.actions:
                    self._print("  └ " + "  ".join(self._number(a) for a in card.actions))
        choices = [c for r in replies for c in r.choices]
        if choices:
            self._print("  " + "  ".join(self._number(c) for c in choices))

    def _number(self, choice: Choice) -> str:
        self.options.append(choice)
        return f"[{len(self.options)}] {choice.label}"

    def pick(self, typed: str) -> Choice | None:
        """The choice for a typed number, or None."""
        key = normalize(typed).strip()
        if key.isdigit() and 1 <= int(key) <= len(self.options):
            return self.options[int(key) - 1]
        return None

    def looks_like_number(self, typed: str) -> bool:
        """A short bare number (1-2 digits) while options are shown: meant as an option, not as
        text. Longer numbers (a phone number in the contact step) go to the bot as typed."""
        key = normalize(typed).strip()
        return bool(self.options) and key.isdigit() and len(key) <= 2

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


class Terminal:
    """One conversation on stdin/stdout as ``user_id``."""

    def __init__(self, stdin: TextIO, stdout: TextIO, *, user_id: str) -> None:
        self.stdin, self.stdout, self.user_id = stdin, stdout, user_id
        self.renderer = Renderer(stdout)

    def run(self, converse: Callable[[Incoming], list[Reply]]) -> int:
        """Greet, then hand every line to ``converse`` until 「終了」 or end of input."""
        stdin, stdout, renderer = self.stdin, self.stdout, self.renderer
        interactive = stdin.isatty() and stdout.isatty()

        def send(**kw: str) -> None:
            renderer.show(converse(Incoming(channel=CHANNEL, user_id=self.user_id, **kw)))

        print(WELCOME, file=stdout)
        send(kind="follow")
        while True:
            if interactive:
                try:
                    line = input(M.TERMINAL_YOU)
                except EOFError:
                    break
            else:
                line = stdin.readline()
                if not line:
                    break
                line = line.rstrip("\n")
                print(f"{M.TERMINAL_YOU}{line}", file=stdout)
            if line.strip() in QUIT_WORDS:
                break
            choice = renderer.pick(line)
            if choice is None and renderer.looks_like_number(line):
                # A mistyped option number is not a message to the bot (nor a group's name).
                print(NOT_AN_OPTION.format(count=len(renderer.options)), file=stdout)
                continue
            if choice is not None and choice.data:
                send(kind="postback", data=choice.data)
            elif choice is not None:
                send(kind="text", text=choice.text or choice.label)
            else:
                send(kind="text", text=line)
        print(GOODBYE, file=stdout)
        return 0
