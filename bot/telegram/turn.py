"""A turn: everything one update's handler needs, scoped to that update.

The inbox opens the unit of work, sets the current turn, and lets
python-telegram-bot route the update to a handler; the handler reads the turn
through ``BearingsContext.turn``. Replies wait in the turn until the unit of
work commits.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.telegram.replies import Keyboard, Replies
from prompts import render
from storage.uow import UnitOfWork


@dataclass
class Turn:
    """The unit of work, clock, settings and replies of one update."""

    uow: UnitOfWork
    clock: Clock
    settings: Settings
    bot_username: str
    chat_id: int | None
    replies: Replies = field(default_factory=Replies)
    error: BaseException | None = None

    def say(self, template: str, keyboard: Keyboard | None = None, **values: Any) -> None:
        """Render a template and send it to this update's chat."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to answer in")
        self.replies.send(self.chat_id, render(template, **values), keyboard)

    def say_photo(
        self, png: bytes, template: str, keyboard: Keyboard | None = None, **values: Any
    ) -> None:
        """Send a PNG picture to this update's chat, its caption rendered from a template."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to answer in")
        self.replies.send_photo(self.chat_id, png, render(template, **values), keyboard)

    def say_document(self, content: bytes, filename: str, template: str, **values: Any) -> None:
        """Send a file to this update's chat, its caption rendered from a template."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to answer in")
        self.replies.send_document(self.chat_id, content, filename, render(template, **values))

    def replace(
        self, message_id: int, template: str, keyboard: Keyboard | None = None, **values: Any
    ) -> None:
        """Render a template into an existing message of this chat (the one with the button)."""
        if self.chat_id is None:
            raise RuntimeError("this update has no chat to answer in")
        self.replies.edit(self.chat_id, message_id, render(template, **values), keyboard)


current_turn: contextvars.ContextVar[Turn] = contextvars.ContextVar("current_turn")
