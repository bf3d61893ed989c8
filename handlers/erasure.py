"""/forget_me: what erasing one's account means, a confirmation, then the erasure."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import erasure
from bot.services.erasure import ErasurePlan
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard
from prompts import command_menu, label


async def forget_me(update: Update, context: BearingsContext) -> None:
    """/forget_me: explain what goes and what stays, and ask to confirm."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    plan = await erasure.plan_erasure(turn.uow, turn.clock, telegram_user_id=user.id)
    turn.say("forget_me", keyboard=_confirm_buttons(plan), plan=plan, changed=False)


async def confirm(update: Update, context: BearingsContext) -> None:
    """Erase (``fm:<supervisor>``); if the plan changed since it was shown, show it again."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    outcome = await erasure.erase_member(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        supervisor_id=int(query.data.split(":")[1]),
    )
    if isinstance(outcome, ErasurePlan):
        turn.replace(
            query.message.message_id,
            "forget_me",
            keyboard=_confirm_buttons(outcome),
            plan=outcome,
            changed=True,
        )
        return
    turn.replace(query.message.message_id, "forget_me_done", erased=outcome)
    turn.replies.set_commands(query.message.chat.id, command_menu("default"))


async def cancel(update: Update, context: BearingsContext) -> None:
    """Keep my account (``fmx``): nothing changes."""
    query = update.callback_query
    assert query is not None and query.message is not None
    context.turn.replace(query.message.message_id, "forget_me_cancelled")


def _confirm_buttons(plan: ErasurePlan) -> Keyboard:
    return [
        [(label("forget_me_confirm"), callbacks.action("fm", plan.supervisor_id))],
        [(label("forget_me_cancel"), "fmx")],
    ]
