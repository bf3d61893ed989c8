"""A turn: everything one update's handler needs, scoped to that update (Telegram side).

The inbox opens the unit of work, makes a turn and calls ``handle_in_turn``,
which lets python-telegram-bot route the update to a handler with the turn
current; the handler reads it through ``BearingsContext.turn``. Replies wait in
the turn until the unit of work commits; a handler's error comes back out of
``handle_in_turn`` as a raise.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application

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
    handler_error: BaseException | None = None
    """What a handler raised, recorded by PTB's error hook (see ``handle_in_turn``)."""

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
"""The turn of the update being handled in this task (set only by ``handle_in_turn``)."""


async def handle_in_turn(
    application: Application[Any, Any, Any, Any, Any, Any], update: Update, turn: Turn
) -> None:
    """Let python-telegram-bot route ``update`` to its handlers within ``turn``; raise here
    what a handler raised (the last error, if handlers of several groups failed).

    Why an error hook and a context variable rather than a plain raise: PTB's
    ``Application.process_update`` takes nothing but the update, catches every exception a
    handler raises and passes it to the registered error handlers (with none registered it
    only logs it), and returns nothing. So a handler's error can leave PTB only through an
    error handler, and that handler (``handlers.fallback.record_error``, which calls
    ``record_handler_error``) finds the update's turn as the handlers themselves do
    (``BearingsContext.turn``): in ``current_turn``, set here for the task that runs them.
    Every handler is registered blocking, so PTB awaits it, and then the error hook, in
    this very task: the variable holds this update's turn and no other. A handler group
    that failed does not stop the later groups (PTB goes on to them); raising afterwards
    rolls back their effects with the rest of the unit of work.
    """
    token = current_turn.set(turn)
    try:
        await application.process_update(update)
    finally:
        current_turn.reset(token)
    if turn.handler_error is not None:
        raise turn.handler_error


def record_handler_error(error: BaseException | None) -> None:
    """Keep a handler's error on the turn being handled, for ``handle_in_turn`` to raise
    (nothing outside a turn: the error of a scheduled job, say)."""
    turn = current_turn.get(None)
    if turn is not None:
        turn.handler_error = error
