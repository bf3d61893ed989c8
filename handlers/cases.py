"""/cases: the caseload, a case's card and its buttons, reassigning a case."""

from __future__ import annotations

from telegram import Update

from bot.domain.buttons import (
    CaseHistory,
    ChooseNewWorker,
    ExportCase,
    Offer,
    Offers,
    ReassignCase,
    ShowCase,
    ShowCaseload,
    StartFlowForCase,
)
from bot.services import cases
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.senders import sender


async def show_caseload(update: Update, context: BearingsContext) -> None:
    """/cases: every open case, what is due soonest first, a button each."""
    turn = context.turn
    load = await cases.caseload(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("caseload", keyboard=_caseload_buttons(load), load=load)


async def caseload_again(turn: Turn, press: Press[ShowCaseload]) -> None:
    """ "All cases" under a card: the caseload again, in the same message."""
    load = await cases.caseload(turn.uow, turn.clock, telegram_user_id=press.user_id)
    turn.replace(press.message_id, "caseload", keyboard=_caseload_buttons(load), load=load)


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


async def choose_new_worker(turn: Turn, press: Press[ChooseNewWorker]) -> None:
    """Reassign: the team's members to give the case to."""
    card, options = await cases.reassign_options(
        turn.uow, turn.clock, telegram_user_id=press.user_id, case_id=press.button.case_id
    )
    keyboard: Offers = [
        [Offer.worded(name, ReassignCase(card.id, member_id))] for member_id, name in options
    ]
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


def _caseload_buttons(load: cases.Caseload) -> Offers:
    return [
        [Offer(ShowCase(card.id), "case_button", {"case": card, "load": load})]
        for card in load.cards
    ]


def _card_buttons(card: cases.CaseCard, *, supervisor: bool) -> Offers:
    keyboard: Offers = [
        [
            Offer(StartFlowForCase("visit", card.id), "case_log_visit"),
            Offer(StartFlowForCase("stuck", card.id), "case_stuck"),
        ],
        [Offer(StartFlowForCase("flag_case", card.id), "case_flag")],
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
