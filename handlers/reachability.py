"""Anyone writing to the bot in private can be reached again (runs before every handler)."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType

from bot.services import reachability
from bot.telegram.context import BearingsContext

_GONE = (ChatMember.BANNED, ChatMember.LEFT)


async def note_contact(update: Update, context: BearingsContext) -> None:
    """A message, a button press or an unblock in a private chat: the person is back in
    touch (blocking the bot, the one private update that says otherwise, is not)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return
    change = update.my_chat_member
    if change is not None and change.new_chat_member.status in _GONE:
        return
    turn = context.turn
    await reachability.heard_from(
        turn.uow, turn.clock, telegram_user_id=user.id, username=user.username
    )
