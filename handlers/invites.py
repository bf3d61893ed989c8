"""/invite worker|supervisor: a supervisor makes a one-time invite link."""

from __future__ import annotations

from telegram import Update

from bot.domain.roles import Role, parse_role
from bot.services import access, onboarding
from bot.telegram.context import BearingsContext
from bot.telegram.links import invite_link
from prompts import label


async def invite(update: Update, context: BearingsContext) -> None:
    """/invite [role]: make the invite, or ask which role with buttons."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    role = parse_role(context.args[0]) if context.args else None
    if role is None:
        await access.require_supervisor(turn.uow, user.id)
        keyboard = [
            [(label("invite_worker"), f"inv:{Role.WORKER.value}")],
            [(label("invite_supervisor"), f"inv:{Role.SUPERVISOR.value}")],
        ]
        turn.say("invite_which_role", keyboard=keyboard)
        return
    issued = await onboarding.create_invite(
        turn.uow,
        turn.clock,
        telegram_user_id=user.id,
        role=role,
        invite_ttl_days=turn.settings.invite_ttl_days,
    )
    turn.say("invite_created", invite=issued, link=invite_link(turn.bot_username, issued.token))


async def invite_chosen(update: Update, context: BearingsContext) -> None:
    """A role button under /invite."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    role = parse_role(query.data.removeprefix("inv:")) or Role.WORKER
    issued = await onboarding.create_invite(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        role=role,
        invite_ttl_days=turn.settings.invite_ttl_days,
    )
    link = invite_link(turn.bot_username, issued.token)
    turn.replace(query.message.message_id, "invite_created", invite=issued, link=link)
