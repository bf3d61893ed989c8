"""/start and joining a team with an invite."""

from __future__ import annotations

from telegram import Update

from bot.services import access, onboarding
from bot.telegram.context import BearingsContext
from prompts import command_menu, label


async def start(update: Update, context: BearingsContext) -> None:
    """/start: greet, or show what an invite is for and ask to confirm."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    if not context.args:
        person = await access.find_person(turn.uow, user.id)
        turn.say("start_member" if person else "start_stranger", person=person)
        return
    token = context.args[0]
    preview = await onboarding.preview_invite(
        turn.uow, turn.clock, token=token, telegram_user_id=user.id
    )
    keyboard = [
        [(label("join_confirm", team_name=preview.team_name), f"j:{token}")],
        [(label("join_decline"), "jx")],
    ]
    turn.say(
        "invite_preview",
        keyboard=keyboard,
        preview=preview,
        retention_days=turn.settings.retention_days,
    )


async def confirm_join(update: Update, context: BearingsContext) -> None:
    """The Join button: become a member, and show the menu for the new role."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    person = await onboarding.join_team(
        turn.uow,
        turn.clock,
        token=query.data.removeprefix("j:"),
        telegram_user_id=query.from_user.id,
        display_name=query.from_user.first_name,
    )
    turn.replace(query.message.message_id, "joined", person=person)
    turn.replies.set_commands(query.message.chat.id, command_menu(person.role.value))


async def decline_join(update: Update, context: BearingsContext) -> None:
    """The Not now button: nothing is kept."""
    query = update.callback_query
    assert query is not None and query.message is not None
    context.turn.replace(query.message.message_id, "join_declined")
