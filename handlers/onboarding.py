"""/start: joining a team with an invite, or a case opened from the dashboard."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import DeclineJoin, JoinTeam, Offer
from bot.domain.case_links import is_case_link
from bot.services import access, onboarding
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers import cases
from handlers.role_menu import show_role_menu
from handlers.senders import sender


async def start(update: Update, context: BearingsContext) -> None:
    """/start: greet; show what an invite is for and ask to confirm; or open the case a
    dashboard link names."""
    turn, user_id = context.turn, sender(update)
    if not context.args:
        person = await access.find_person(turn.uow, user_id)
        turn.say("start_member" if person else "start_stranger", person=person)
        return
    token = context.args[0]
    if is_case_link(token):
        await cases.open_from_dashboard(turn, user_id, token)
        return
    preview = await onboarding.preview_invite(
        turn.uow, turn.clock, token=token, telegram_user_id=user_id
    )
    keyboard = [
        [Offer(JoinTeam(token), "join_confirm", {"team_name": preview.team_name})],
        [Offer(DeclineJoin(), "join_decline")],
    ]
    turn.say(
        "invite_preview",
        keyboard=keyboard,
        preview=preview,
        retention_days=turn.settings.retention_days,
    )


async def confirm_join(turn: Turn, press: Press[JoinTeam]) -> None:
    """The Join button: become a member, and show the menu for the new role."""
    person = await onboarding.join_team(
        turn.uow,
        turn.clock,
        token=press.button.token,
        telegram_user_id=press.user_id,
        display_name=press.first_name,
        username=press.username,
    )
    turn.replace(press.message_id, "joined", person=person)
    show_role_menu(turn, press.chat_id, person.role.value)


async def decline_join(turn: Turn, press: Press[DeclineJoin]) -> None:
    """The Not now button: nothing is kept."""
    turn.replace(press.message_id, "join_declined")
