"""The endings under an "I'm stuck" summary."""

from __future__ import annotations

from bot.domain.buttons import StuckEndingChoice
from bot.services import stuck
from bot.telegram.press import Press
from bot.telegram.turn import Turn


async def choose_ending(turn: Turn, press: Press[StuckEndingChoice]) -> None:
    """Flag, save as a note, make actions, or keep for supervision: the summary updates."""
    summary, says = await stuck.choose_ending(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        walkthrough_id=press.button.walkthrough_id,
        choice=press.button.ending,
    )
    turn.replace(
        press.message_id,
        "stuck_summary",
        keyboard=stuck.ending_buttons(summary),
        summary=summary,
        readonly=False,
    )
    for said in says:
        turn.say(said.template, keyboard=said.buttons, **said.values)
