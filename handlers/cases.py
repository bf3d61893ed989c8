"""/cases: the caseload, a case's card and its buttons, reassigning a case."""

from __future__ import annotations

from telegram import Update

from bot.domain import callbacks
from bot.services import cases
from bot.services.access import find_person
from bot.telegram.context import BearingsContext
from bot.telegram.replies import Keyboard
from prompts import label


async def show_caseload(update: Update, context: BearingsContext) -> None:
    """/cases: every open case, what is due soonest first, a button each."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    load = await cases.caseload(turn.uow, turn.clock, telegram_user_id=user.id)
    turn.say("caseload", keyboard=_caseload_buttons(load), load=load)


async def caseload_again(update: Update, context: BearingsContext) -> None:
    """ "All cases" under a card: the caseload again, in the same message."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.message is not None
    load = await cases.caseload(turn.uow, turn.clock, telegram_user_id=query.from_user.id)
    turn.replace(query.message.message_id, "caseload", keyboard=_caseload_buttons(load), load=load)


async def show_case(update: Update, context: BearingsContext) -> None:
    """A case's card (``cc:<case>``) with what can be done to it."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    card = await cases.case_card(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        case_id=int(query.data.split(":")[1]),
    )
    person = await find_person(turn.uow, query.from_user.id)
    turn.replace(
        query.message.message_id,
        "case_card",
        keyboard=_card_buttons(card, supervisor=bool(person and person.is_supervisor)),
        case=card,
    )


async def choose_new_worker(update: Update, context: BearingsContext) -> None:
    """Reassign (``ra:<case>``): the team's members to give the case to."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    card, options = await cases.reassign_options(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        case_id=int(query.data.split(":")[1]),
    )
    keyboard: Keyboard = [
        [(name, callbacks.action("rw", card.id, member_id))] for member_id, name in options
    ]
    keyboard.append([(label("back_to_case"), callbacks.action("cc", card.id))])
    turn.replace(query.message.message_id, "case_reassign", keyboard=keyboard, case=card)


async def reassign(update: Update, context: BearingsContext) -> None:
    """A member chosen (``rw:<case>:<member>``): the case is theirs now."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, case_id, worker_id = query.data.split(":")
    card = await cases.reassign_case(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        case_id=int(case_id),
        worker_id=int(worker_id),
    )
    turn.replace(query.message.message_id, "case_reassigned", case=card)


def _caseload_buttons(load: cases.Caseload) -> Keyboard:
    return [
        [(label("case_button", case=card, load=load), callbacks.action("cc", card.id))]
        for card in load.cards
    ]


def _card_buttons(card: cases.CaseCard, *, supervisor: bool) -> Keyboard:
    keyboard: Keyboard = [
        [
            (label("case_log_visit"), callbacks.action("cf", "visit", card.id)),
            (label("case_stuck"), callbacks.action("cf", "stuck", card.id)),
        ],
        [(label("case_flag"), callbacks.action("cf", "flag_case", card.id))],
        [
            (label("case_set_review"), callbacks.action("cf", "case_review", card.id)),
            (label("case_change_stage"), callbacks.action("cf", "case_stage", card.id)),
        ],
        [
            (label("case_notes"), callbacks.action("cn", card.id)),
            (label("case_close"), callbacks.action("cf", "case_close", card.id)),
        ],
    ]
    if supervisor:
        keyboard.append(
            [
                (label("case_reassign"), callbacks.action("ra", card.id)),
                (label("case_export"), callbacks.action("ce", card.id)),
            ]
        )
    keyboard.append([(label("all_cases"), "cl")])
    return keyboard
