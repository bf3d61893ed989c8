"""A case's key-worker process on its card (service layer): the "Plan & reviews" menu and one
part of the process in full, for whoever may read the case."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.domain.buttons_process import PARTS
from bot.domain.errors import Refusal
from bot.domain.process_records import ProcessRecord
from bot.services.access import require_person
from bot.services.cases import CaseCard, case_card, readable_case
from bot.services.process_records import process_record
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class CaseProcess:
    """A case (as its card shows it) with its process so far, and which part to show."""

    case: CaseCard
    process: ProcessRecord
    part: str | None = None
    closing_reason: str | None = None


async def case_process(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, case_id: int, part: str | None = None
) -> CaseProcess:
    """The case's process: where it stands (``part`` None) or one part of it in full."""
    if part is not None and part not in PARTS:
        raise Refusal("already_done")
    person = await require_person(uow, telegram_user_id)
    case = await readable_case(uow, person, case_id)
    card = await case_card(uow, clock, telegram_user_id=telegram_user_id, case_id=case.id)
    return CaseProcess(card, await process_record(uow, case), part, case.closing_reason)
