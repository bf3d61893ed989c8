"""/agenda: a worker's supervision agenda; a supervisor picks a worker first."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import (
    AgendaTick,
    ListPage,
    Offer,
    Offers,
    TeamMeetingDiscussed,
    WorkerAgenda,
)
from bot.domain.paging import Page
from bot.services import agenda
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row
from handlers.senders import sender, typed_text

AGENDA = "agenda"
AGENDAS = "agendas"


async def show_agenda(update: Update, context: BearingsContext) -> None:
    """/agenda (one's own, or for a supervisor the team's list), /agenda NAME (supervisors)."""
    turn, user_id = context.turn, sender(update)
    name = typed_text(update).partition(" ")[2].strip()
    person = await find_person(turn.uow, user_id)
    if name:
        worker_id = await agenda.worker_named(turn.uow, telegram_user_id=user_id, name=name)
        await _show_agenda(turn, Showing(user_id, subject=worker_id))
    elif person is not None and person.is_supervisor:
        await _show_workers(turn, Showing(user_id))
    else:
        await _show_agenda(turn, Showing(user_id))


async def workers_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of a supervisor's list of agendas."""
    await _show_workers(turn, Showing.in_pressed_message(press))


async def team_meeting_discussed(turn: Turn, press: Press[TeamMeetingDiscussed]) -> None:
    """The team meeting's items marked discussed, under the supervisor's list of agendas."""
    discussed = await agenda.team_meeting_discussed(
        turn.uow, turn.clock, telegram_user_id=press.user_id, upto=press.button.upto
    )
    await _show_workers(turn, Showing(press.user_id, press.message_id), discussed=discussed)


async def _show_workers(turn: Turn, at: Showing, discussed: int = 0) -> None:
    page = await agenda.team_agendas_page(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    meeting = await agenda.team_meeting(turn.uow, turn.clock, telegram_user_id=at.user_id)
    at.show(
        turn,
        "agenda_workers",
        _worker_buttons(page, meeting),
        page=page,
        meeting=meeting,
        discussed=discussed,
    )


def _worker_buttons(page: Page[agenda.WorkerLine], meeting: agenda.TeamMeeting) -> Offers:
    keyboard: Offers = [
        [Offer(WorkerAgenda(line.member_id), "agenda_worker", {"line": line})]
        for line in page.items
    ]
    if meeting.items:
        keyboard.append([Offer(TeamMeetingDiscussed(meeting.upto), "agenda_team_discussed")])
    paging = paging_row(page, AGENDAS)
    return [*keyboard, paging] if paging else keyboard


async def show_worker_agenda(turn: Turn, press: Press[WorkerAgenda]) -> None:
    """A worker picked from a supervisor's list."""
    await _show_agenda(turn, Showing(press.user_id, subject=press.button.worker_id))


async def agenda_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of one worker's agenda."""
    await _show_agenda(turn, Showing.in_pressed_message(press))


async def _show_agenda(turn: Turn, at: Showing) -> None:
    """A page of an agenda: one's own (no subject), or a worker's for their supervisor."""
    shown = await agenda.agenda(
        turn.uow, turn.clock, telegram_user_id=at.user_id, worker_id=at.subject or None
    )
    page = agenda.agenda_page(shown, at.page, at.stamp)
    paging = paging_row(page, AGENDA, at.subject)
    at.show(turn, "agenda", [paging] if paging else None, agenda=shown, page=page)


async def tick(turn: Turn, press: Press[AgendaTick]) -> None:
    """Tick off agenda items (one, or all) a supervision note covered."""
    note_id = press.button.note_id
    shown = await agenda.tick_off(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        entry_id=press.button.entry_id,
        note_id=note_id,
    )
    buttons = agenda.tick_off_offer(shown, note_id)
    turn.replace(
        press.message_id,
        "agenda_ticked",
        keyboard=buttons.buttons if buttons else None,
        agenda=shown,
    )
