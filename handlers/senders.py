"""Who sent a message or command: read once, with a clear error instead of ``assert``.

The handlers are registered for private chats only, where Telegram always names the
sender; an update without one can only be a forged or unexpected kind, and is refused.
"""

from __future__ import annotations

from telegram import Message, Update

from bot.domain.errors import Refusal


def sender(update: Update) -> int:
    """The Telegram user id of whoever sent this update."""
    if update.effective_user is None:
        raise Refusal("already_done")
    return update.effective_user.id


def typed_text(update: Update) -> str:
    """The text of the message this update carries."""
    message = update.effective_message
    if message is None or message.text is None:
        raise Refusal("already_done")
    return message.text


def message_of(update: Update) -> Message:
    """The message this update carries."""
    if update.effective_message is None:
        raise Refusal("already_done")
    return update.effective_message
