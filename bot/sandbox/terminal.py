"""A chat in the terminal: type as a demo person, see the bot's answers, press buttons by number.

Lines starting with ``:`` are for the sandbox itself (``:help`` lists them);
``#2`` presses button 2 of the newest message that has buttons; anything else
is sent to the bot as that person's message.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TextIO

from bot.sandbox.emulator import BotApiEmulator, ChatMessage

HELP = """\
Type a message or a command (like /help) and press Enter.
  #N            press button N of the newest message with buttons
  :worker       talk as the demo key worker ({worker})
  :supervisor   talk as the demo supervisor ({supervisor})
  :newcomer     talk as someone who has not joined yet ({newcomer})
  :help         show this again
  :quit         leave the sandbox"""


@dataclass(frozen=True)
class Persona:
    """A demo person the terminal can talk as."""

    key: str
    user_id: int
    first_name: str


class TerminalChat:
    """Drives the emulator as one of the demo people, printing the bot's side of the chat."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        personas: list[Persona],
        *,
        lines: AsyncIterator[str] | None = None,
        output: TextIO | None = None,
        settle: float = 0.3,
    ) -> None:
        self._emulator = emulator
        self._personas = {persona.key: persona for persona in personas}
        self._current = personas[0]
        self._lines = lines or _stdin_lines()
        self._out = output or sys.stdout
        self._settle = settle
        self._shown: dict[tuple[int, int], str] = {}

    def say(self, text: str) -> None:
        """Print a line from the sandbox itself."""
        print(text, file=self._out, flush=True)

    async def run(self) -> None:
        """Read lines until ``:quit`` or the end of input."""
        self.say(HELP.format(**{key: p.first_name for key, p in self._personas.items()}))
        self._switch(self._current.key)
        while True:
            self._out.write(f"{self._current.first_name}> ")
            self._out.flush()
            try:
                line = (await anext(self._lines)).strip()
            except StopAsyncIteration:
                return
            if not line:
                continue
            if line in (":quit", ":q", ":exit"):
                return
            await self._act(line)

    async def _act(self, line: str) -> None:
        chat = self._current.user_id
        before = len(self._emulator.bot_messages(chat))
        if line == ":help":
            self.say(HELP.format(**{key: p.first_name for key, p in self._personas.items()}))
            return
        if line.startswith(":"):
            self._switch(line[1:])
            return
        if line.startswith("#") and line[1:].isdigit():
            if not self._press(int(line[1:])):
                return
        else:
            self._emulator.send_message(chat, line, first_name=self._current.first_name)
        await self._show_new(chat, before)

    def _switch(self, key: str) -> None:
        persona = self._personas.get(key)
        if persona is None:
            self.say(f"(no such person: {key}; try :help)")
            return
        self._current = persona
        self.say(f"── you are now {persona.first_name} ({persona.key}) ──")
        for message in self._emulator.bot_messages(persona.user_id)[-3:]:
            self._print(message)

    def _press(self, number: int) -> bool:
        chat = self._current.user_id
        with_buttons = [m for m in self._emulator.bot_messages(chat) if m.buttons]
        if not with_buttons:
            self.say("(there are no buttons to press)")
            return False
        message = with_buttons[-1]
        flat = [button for row in message.buttons for button in row]
        if not 1 <= number <= len(flat) or flat[number - 1].callback_data is None:
            self.say(f"(choose a button from 1 to {len(flat)})")
            return False
        self._emulator.press(chat, message.message_id, flat[number - 1].callback_data or "")
        return True

    async def _show_new(self, chat: int, before: int) -> None:
        with contextlib.suppress(TimeoutError):
            await self._emulator.wait_for_bot_message(chat, after=before, timeout=5.0)
        # Replies can come in several calls (an edit, then a new message): settle briefly.
        await self._wait_quiet(chat)
        for message in self._emulator.bot_messages(chat):
            self._print(message)

    async def _wait_quiet(self, chat: int) -> None:
        def snapshot() -> list[tuple[int, str]]:
            return [(m.message_id, m.text) for m in self._emulator.bot_messages(chat)]

        last = snapshot()
        while True:
            await asyncio.sleep(self._settle)
            now = snapshot()
            if now == last:
                return
            last = now

    def _print(self, message: ChatMessage) -> None:
        key = (message.chat_id, message.message_id)
        rendered = _render(message)
        if self._shown.get(key) == rendered:
            return
        edited = key in self._shown
        self._shown[key] = rendered
        self.say(("(edited) " if edited else "") + rendered)


def _render(message: ChatMessage) -> str:
    body = message.text if message.kind == "text" else f"[{message.kind}] {message.text or ''}"
    lines = ["", "Bearings: " + body.replace("\n", "\n          ")]
    flat = [button.text for row in message.buttons for button in row]
    if flat:
        lines.append("   " + "   ".join(f"[{n}] {text}" for n, text in enumerate(flat, start=1)))
    return "\n".join(lines)


async def _stdin_lines() -> AsyncIterator[str]:
    read: Callable[[], str] = sys.stdin.readline
    while True:
        line = await asyncio.to_thread(read)
        if not line:
            return
        yield line
