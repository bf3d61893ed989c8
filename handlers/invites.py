"""/invite worker|supervisor: a supervisor makes a one-time invite link."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import InviteRole, Offer
from bot.domain.roles import Role, parse_role
from bot.services import access, onboarding
from bot.telegram.context import BearingsContext
from bot.telegram.links import invite_link
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import sender


async def invite(update: Update, context: BearingsContext) -> None:
    """/invite [role]: make the invite, or ask which role with buttons."""
    turn, user_id = context.turn, sender(update)
    role = parse_role(context.args[0]) if context.args else None
    if role is None:
        await access.require_supervisor(turn.uow, user_id)
        keyboard = [
            [Offer(InviteRole(Role.WORKER), "invite_worker")],
            [Offer(InviteRole(Role.SUPERVISOR), "invite_supervisor")],
        ]
        turn.say("invite_which_role", keyboard=keyboard)
        return
    await _create(turn, user_id, role, message_id=None)


async def invite_chosen(turn: Turn, press: Press[InviteRole]) -> None:
    """A role button under /invite."""
    await _create(turn, press.user_id, press.button.role, message_id=press.message_id)


async def _create(turn: Turn, user_id: int, role: Role, *, message_id: int | None) -> None:
    """Make the invite; show it in a new message, or in the one whose button was pressed."""
    issued = await onboarding.create_invite(
        turn.uow,
        turn.clock,
        telegram_user_id=user_id,
        role=role,
        invite_ttl_days=turn.settings.invite_ttl_days,
    )
    link = invite_link(turn.bot_username, issued.token)
    if message_id is None:
        turn.say("invite_created", invite=issued, link=link)
    else:
        turn.replace(message_id, "invite_created", invite=issued, link=link)
