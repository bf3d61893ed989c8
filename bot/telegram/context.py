"""The handlers' typed context: gives each handler its turn, nothing global."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.telegram.turn import Turn, current_turn


class BearingsContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """python-telegram-bot's CallbackContext, plus the current update's ``turn``."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def turn(self) -> Turn:
        """The turn of the update being handled."""
        return current_turn.get()
