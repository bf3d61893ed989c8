"""/cases: the caseload, a case's card and its buttons (also opened by a dashboard link),
reassigning a case."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import (
    CaseHistory,
    ChooseNewWorker,
    ExportCase,
    ListPage,
    Offer,
    Offers,
    ReassignCase,
    ShowCase,
    ShowCaseload,
    StartFlowForCase,
)
from bot.domain.buttons_process import CasePlanMenu
from bot.domain.case_links import link_key
from bot.domain.paging import turning_row
from bot.services import cases, dashboard
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row

CASES, CASE_WORKERS = "cases", "case_workers"


async def show_caseload(update: Update, context: BearingsContext) -> None:
    """/cases: the open cases, what is due soonest first, a page at a time, a button each."""
    await _show_caseload(context.turn, Showing.as_new_message(update))


async def caseload_again(turn: Turn, press: Press[ShowCaseload]) -> None:
    """ "All cases" under a card: the caseload again, in the same message."""
    await _show_caseload(turn, Showing(press.user_id, press.message_id))


async def caseload_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of the caseload (or one worker's cases, for a supervisor)."""
    await _show_caseload(turn, Showing.in_pressed_message(press))


async def _show_caseload(turn: Turn, at: Showing) -> None:
    load = await cases.caseload(
        turn.uow,
        turn.clock,
        telegram_user_id=at.user_id,
        page=at.page,
        stamp=at.stamp,
        worker_id=at.subject or None,
    )
    at.show(turn, "caseload", _caseload_buttons(load), load=load)


async def show_case(turn: Turn, press: Press[ShowCase]) -> None:
    """A case's card with what can be done to it."""
    card = await cases.case_card(
        turn.uow, turn.clock, telegram_user_id=press.user_id, case_id=press.button.case_id
    )
    person = await find_person(turn.uow, press.user_id)
    turn.replace(
        press.message_id,
        "case_card",
        keyboard=_card_buttons(card, supervisor=bool(person and person.is_supervisor)),
        case=card,
    )


async def open_from_dashboard(turn: Turn, user_id: int, token: str) -> None:
    """/start with a dashboard row's link: that case's card, if the link is fresh and its
    case still one the person may read."""
    card = await dashboard.open_case_link(
        turn.uow,
        turn.clock,
        telegram_user_id=user_id,
        token=token,
        link_key=link_key(turn.settings.token or ""),
    )
    person = await find_person(turn.uow, user_id)
    turn.say(
        "case_card",
        keyboard=_card_buttons(card, supervisor=bool(person and person.is_supervisor)),
        case=card,
    )


async def choose_new_worker(turn: Turn, press: Press[ChooseNewWorker]) -> None:
    """Reassign: the team's members to give the case to."""
    card, options = await cases.reassign_options(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=press.button.case_id,
        page=press.button.page,
    )
    keyboard: Offers = [
        [Offer(ReassignCase(card.id, member_id), "reassign_to", {"name": name, "me": me})]
        for member_id, name, me in options.items
    ]
    paging = turning_row(options, lambda number: ChooseNewWorker(card.id, number))
    keyboard += [paging] if paging else []
    keyboard.append([Offer(ShowCase(card.id), "back_to_case")])
    turn.replace(press.message_id, "case_reassign", keyboard=keyboard, case=card)


async def reassign(turn: Turn, press: Press[ReassignCase]) -> None:
    """A member chosen: the case is theirs now."""
    card = await cases.reassign_case(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=press.button.case_id,
        worker_id=press.button.worker_id,
    )
    turn.replace(press.message_id, "case_reassigned", case=card)


async def workers_page(turn: Turn, press: Press[ListPage]) -> None:
    """A supervisor's "whose cases?": the team's workers, a button each."""
    at = Showing.in_pressed_message(press)
    workers = await cases.case_workers(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp
    )
    keyboard: Offers = [
        [Offer(ListPage(CASES, 0, subject=row.member_id), "case_worker", {"row": row})]
        for row in workers.items
    ]
    paging = paging_row(workers, CASE_WORKERS)
    if paging:
        keyboard.append(paging)
    keyboard.append([Offer(ListPage(CASES, 0), "cases_whole_team")])
    turn.replace(press.message_id, "case_workers", keyboard=keyboard, page=workers)


def _caseload_buttons(load: cases.Caseload) -> Offers:
    subject = load.worker[0] if load.worker else 0
    keyboard: Offers = [
        [Offer(ShowCase(card.id), "case_button", {"case": card, "load": load})]
        for card in load.page.items
    ]
    paging = paging_row(load.page, CASES, subject)
    if paging:
        keyboard.append(paging)
    if load.worker is not None:
        keyboard.append([Offer(ListPage(CASES, 0), "cases_whole_team")])
    elif load.whole_team:
        keyboard.append([Offer(ListPage(CASE_WORKERS, 0), "cases_one_worker")])
    return keyboard


def _card_buttons(card: cases.CaseCard, *, supervisor: bool) -> Offers:
    keyboard: Offers = [
        [
            Offer(StartFlowForCase("visit", card.id), "case_log_visit"),
            Offer(StartFlowForCase("stuck", card.id), "case_stuck"),
        ],
        [Offer(StartFlowForCase("flag_case", card.id), "case_flag")],
        [Offer(CasePlanMenu(card.id), "case_plan_menu")],
        [Offer(StartFlowForCase("safeguarding", card.id), "case_at_risk")],
        [
            Offer(StartFlowForCase("case_review", card.id), "case_set_review"),
            Offer(StartFlowForCase("case_stage", card.id), "case_change_stage"),
        ],
        [
            Offer(CaseHistory(card.id), "case_notes"),
            Offer(StartFlowForCase("case_close", card.id), "case_close"),
        ],
    ]
    if supervisor:
        keyboard.append(
            [
                Offer(ChooseNewWorker(card.id), "case_reassign"),
                Offer(ExportCase(card.id), "case_export"),
            ]
        )
    keyboard.append([Offer(ShowCaseload(), "all_cases")])
    return keyboard
