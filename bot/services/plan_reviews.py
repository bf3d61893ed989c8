"""Plan reviews as meetings (service layer): the end of the review flow, and a case's review
history a page at a time.

A review records its date, who took part, whether the family agreement still holds, each open
action marked done, carried on or dropped (a team member's action is closed or dropped as an
action, so its nudges stop), the outcome and the next review date, which the case's review
nudges then follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain import process as rules
from bot.domain.buttons import Offer, Offers, StartFlowForCase
from bot.domain.flows import SKIPPED
from bot.domain.paging import Page, page_of
from bot.domain.process_records import ReviewRecord
from bot.services.access import Person, require_person
from bot.services.cases import changeable_case, readable_case
from bot.services.flows.replies import Said
from bot.services.process_records import process_record
from storage.models_process import PlanReview
from storage.uow import UnitOfWork

REVIEWS_PAGE = 2
"""Reviews shown on one page of the history (each is several lines)."""


async def save_review(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "plan review": the meeting kept, its marks applied to the actions, and the
    next review date set (an outcome of closing offers the closing and its evaluation)."""
    case = await changeable_case(uow, person, answers["case"])
    marks = {key: mark for key, mark in (answers.get("marks") or {}).items() if mark}
    for row in await uow.process.plan_actions(case.id):
        status = rules.status_after(marks.get(str(row.id)))
        if status is None:
            continue
        action = await uow.actions.get(row.action_id) if row.action_id else None
        target = action if action is not None else row
        if target.status == "open" and status != "open":
            target.status, target.done_at = status, clock.now()
    outcome = answers["outcome"]
    next_on = answers.get("next_review")
    next_day = (
        date.fromisoformat(next_on) if next_on and rules.next_review_needed(outcome) else None
    )
    note = answers.get("agreement_note")
    await uow.process.add(
        PlanReview(
            case_id=case.id,
            held_on=date.fromisoformat(answers["held_on"]),
            participants=rules.participants_from(answers.get("participants") or []),
            agreement=answers.get("agreement") or "none",
            agreement_note=None if note is SKIPPED else note,
            marks=marks,
            outcome=outcome,
            next_review_on=next_day,
            author_id=person.member_id,
            created_at=clock.now(),
        )
    )
    case.next_review_on = next_day
    offers: Offers = []
    if answers.get("agreement") == "changed":
        offers.append([Offer(StartFlowForCase("agreement", case.id), "review_new_agreement")])
    if outcome == "close":
        offers.append([Offer(StartFlowForCase("case_close", case.id), "review_close_now")])
    values = {"reference": case.reference, "outcome": outcome, "next_review": next_day}
    return [Said("review_saved", values, offers or None)]


@dataclass(frozen=True)
class ReviewHistory:
    """A page of a case's reviews."""

    case_id: int
    reference: str
    closed: bool
    page: Page[ReviewRecord]


async def review_history(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int, page: int = 0
) -> ReviewHistory:
    """A page of a case's plan reviews, newest first, for whoever may read the case."""
    person = await require_person(uow, telegram_user_id)
    case = await readable_case(uow, person, case_id)
    views = (await process_record(uow, case)).reviews
    keys = [f"{view.held_on}:{n}" for n, view in enumerate(views)]
    shown = page_of(views, page, keys=keys, size=REVIEWS_PAGE)
    return ReviewHistory(case.id, case.reference, case.closed_at is not None, shown)
