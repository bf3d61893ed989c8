"""Group chats: /linkgroup, and a pointer to the private chat for everything else."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler

from bot.services import onboarding
from bot.telegram.context import BearingsContext
from handlers.senders import sender, typed_text
from prompts import known_commands, render


class ButtonOutsidePrivate(BaseHandler[Update, BearingsContext, None]):
    """Matches a button press on a message that is not in a private chat."""

    def check_update(self, update: object) -> bool:
        """A callback query whose message is in a group or channel (or is unknown)."""
        if not isinstance(update, Update) or update.callback_query is None:
            return False
        chat = update.effective_chat
        return chat is None or chat.type != ChatType.PRIVATE


async def link_group(update: Update, context: BearingsContext) -> None:
    """/linkgroup in a group: a supervisor makes it the team chat."""
    turn, chat = context.turn, update.effective_chat
    if chat is None:  # registered for group chats only
        raise LookupError("/linkgroup without a chat")
    team_name = await onboarding.link_group(
        turn.uow, turn.clock, telegram_user_id=sender(update), chat_id=chat.id
    )
    turn.say("group_linked", team_name=team_name)


async def link_group_in_private(update: Update, context: BearingsContext) -> None:
    """/linkgroup in private: explain where it belongs."""
    context.turn.say("group_only")


async def private_only(update: Update, context: BearingsContext) -> None:
    """One of our other commands in a group: point to the private chat; ignore other bots'."""
    command, _, addressee = typed_text(update).split()[0].lstrip("/").partition("@")
    if addressee and addressee.lower() != context.turn.bot_username.lower():
        return
    if command.lower() in known_commands():
        context.turn.say("private_only", bot_username=context.turn.bot_username)


async def button_outside_private(update: Update, context: BearingsContext) -> None:
    """A button pressed in a group: nothing happens there; the answer points to the private chat."""
    if update.callback_query is not None:
        context.turn.replies.answer(update.callback_query.id, render("button_private_only"))
