"""/agenda: a worker's supervision agenda; a supervisor picks a worker first."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import agenda
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard
from prompts import label


async def show_agenda(update: Update, context: BearingsContext) -> None:
    """/agenda (one's own, or for a supervisor the team's list), /agenda NAME (supervisors)."""
    turn, user, message = context.turn, update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    name = message.text.partition(" ")[2].strip()
    person = await find_person(turn.uow, user.id)
    if name:
        worker_id = await agenda.worker_named(turn.uow, telegram_user_id=user.id, name=name)
        shown = await agenda.agenda(
            turn.uow, turn.clock, telegram_user_id=user.id, worker_id=worker_id
        )
        turn.say("agenda", agenda=shown)
    elif person is not None and person.is_supervisor:
        lines = await agenda.team_agendas(turn.uow, turn.clock, telegram_user_id=user.id)
        keyboard: Keyboard = [
            [(label("agenda_worker", line=line), callbacks.action("ag", line.member_id))]
            for line in lines
        ]
        turn.say("agenda_workers", keyboard=keyboard, lines=lines)
    else:
        turn.say(
            "agenda", agenda=await agenda.agenda(turn.uow, turn.clock, telegram_user_id=user.id)
        )


async def show_worker_agenda(update: Update, context: BearingsContext) -> None:
    """A worker picked from a supervisor's list (``ag:<member>``)."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    shown = await agenda.agenda(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        worker_id=int(query.data.split(":")[1]),
    )
    turn.say("agenda", agenda=shown)


async def tick(update: Update, context: BearingsContext) -> None:
    """Tick off agenda items a supervision note covered (``at:<item|all>:<note>``)."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, item, note_id = query.data.split(":")
    shown = await agenda.tick_off(
        turn.uow, turn.clock, telegram_user_id=query.from_user.id, item=item, note_id=int(note_id)
    )
    buttons = agenda.tick_off_offer(shown, int(note_id))
    turn.replace(
        query.message.message_id,
        "agenda_ticked",
        keyboard=buttons.buttons if buttons else None,
        agenda=shown,
    )
