"""A case's "Plan & reviews": where its process stands, each part in full, the reviews."""

from __future__ import annotations

from bot.domain.buttons import Offer, Offers, ShowCase, StartFlowForCase
from bot.domain.buttons_process import CasePlanMenu, CaseReviews, ShowCasePart
from bot.domain.paging import turning_row
from bot.services import case_plan, plan_reviews
from bot.telegram.press import Press
from bot.telegram.turn import Turn

_START = {
    "agreement": ("agreement", "start_agreement"),
    "assessment": ("assessment", "start_assessment"),
}


async def plan_menu(turn: Turn, press: Press[CasePlanMenu]) -> None:
    """Plan & reviews ▸: the case's process at a glance, a button for each part."""
    shown = await case_plan.case_process(
        turn.uow, turn.clock, telegram_user_id=press.user_id, case_id=press.button.case_id
    )
    case_id = shown.case.id
    keyboard: Offers = [
        [
            Offer(ShowCasePart(case_id, "agreement"), "part_agreement"),
            Offer(ShowCasePart(case_id, "assessment"), "part_assessment"),
        ],
        [
            Offer(ShowCasePart(case_id, "plan"), "part_plan"),
            Offer(CaseReviews(case_id), "case_reviews"),
        ],
    ]
    if shown.process.evaluation is not None:
        keyboard.append([Offer(ShowCasePart(case_id, "evaluation"), "part_evaluation")])
    keyboard.append([Offer(ShowCase(case_id), "back_to_case")])
    turn.replace(press.message_id, "case_process", keyboard=keyboard, shown=shown)


async def show_part(turn: Turn, press: Press[ShowCasePart]) -> None:
    """One part of the case's process in full, with what can be done next to it."""
    shown = await case_plan.case_process(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=press.button.case_id,
        part=press.button.part,
    )
    case_id, part = shown.case.id, press.button.part
    keyboard: Offers = []
    if not shown.case.closed:
        if part in _START:
            flow, words = _START[part]
            keyboard.append([Offer(StartFlowForCase(flow, case_id), words)])
        elif part == "plan" and shown.process.plan is None:
            keyboard.append([Offer(StartFlowForCase("plan", case_id), "start_plan")])
        elif part == "plan":
            keyboard.append([Offer(StartFlowForCase("plan_action", case_id), "plan_add_action")])
            keyboard.append([Offer(StartFlowForCase("plan_aims", case_id), "plan_change_aims")])
            keyboard.append([Offer(StartFlowForCase("plan_review", case_id), "start_plan_review")])
    keyboard.append([Offer(CasePlanMenu(case_id), "back_to_plan_menu")])
    turn.replace(press.message_id, "case_part", keyboard=keyboard, shown=shown)


async def show_reviews(turn: Turn, press: Press[CaseReviews]) -> None:
    """A page of the case's plan reviews, newest first."""
    history = await plan_reviews.review_history(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        case_id=press.button.case_id,
        page=press.button.page,
    )
    keyboard: Offers = []
    paging = turning_row(history.page, lambda number: CaseReviews(history.case_id, number))
    if paging:
        keyboard.append(paging)
    if not history.closed:
        keyboard.append(
            [Offer(StartFlowForCase("plan_review", history.case_id), "start_plan_review")]
        )
    keyboard.append([Offer(CasePlanMenu(history.case_id), "back_to_plan_menu")])
    turn.replace(press.message_id, "case_reviews", keyboard=keyboard, history=history)
