"""/forget_me: what erasing one's account means, a confirmation, then the erasure."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import ConfirmErasure, KeepAccount, Offer, Offers
from bot.services import erasure
from bot.services.erasure import ErasurePlan
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.role_menu import show_role_menu
from handlers.senders import sender


async def forget_me(update: Update, context: BearingsContext) -> None:
    """/forget_me: explain what goes and what stays, and ask to confirm."""
    turn = context.turn
    plan = await erasure.plan_erasure(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("forget_me", keyboard=_confirm_buttons(plan), plan=plan, changed=False)


async def confirm(turn: Turn, press: Press[ConfirmErasure]) -> None:
    """Erase; if the plan changed since it was shown, show it again."""
    outcome = await erasure.erase_member(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        supervisor_id=press.button.supervisor_id,
    )
    if isinstance(outcome, ErasurePlan):
        turn.replace(
            press.message_id,
            "forget_me",
            keyboard=_confirm_buttons(outcome),
            plan=outcome,
            changed=True,
        )
        return
    turn.replace(press.message_id, "forget_me_done", erased=outcome)
    show_role_menu(turn, press.chat_id, "default")


async def cancel(turn: Turn, press: Press[KeepAccount]) -> None:
    """Keep my account: nothing changes."""
    turn.replace(press.message_id, "forget_me_cancelled")


def _confirm_buttons(plan: ErasurePlan) -> Offers:
    return [
        [Offer(ConfirmErasure(plan.supervisor_id), "forget_me_confirm")],
        [Offer(KeepAccount(), "forget_me_cancel")],
    ]
