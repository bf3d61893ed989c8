"""The safeguarding path (service layer): someone may be at risk of harm.

Every way in – /stuck's first step, /safeguarding, a case card's "Someone's at risk", a
visit note with risk up, a supervision note naming safeguarding procedures – comes to
``raise_safeguarding``: the team's instruction at once, an urgent flag for the case, and,
where a flow is under way, carry on or stop. The flag goes alongside the team's own
procedure, never instead of it: the words say so. A flag raised before the case was known
takes it once it is (``take_the_case``), and every delivered copy is edited to show it.
"""

from __future__ import annotations

from typing import Any

from bot.clock import Clock
from bot.domain.buttons import Offer, StopFlow
from bot.domain.flags import Urgency
from bot.services.access import Person
from bot.services.cases import readable_case
from bot.services.flags import edit_copies, raise_flag
from bot.services.flows.replies import Said
from bot.services.timing import team_rules
from prompts import label
from storage.uow import UnitOfWork

SOURCE = "safeguarding"
ENTRANCES = ("stuck", "command", "visit", "supervision")
"""Where the path was entered (each has its own flag summary, ``safeguarding_from_...``)."""


async def raise_safeguarding(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    case_id: int | None,
    *,
    entrance: str,
    under_way: bool,
) -> list[Said]:
    """The team's instruction at once, then an urgent flag for the case (one the person may
    read: a worker's own, a supervisor's team's); with ``under_way``, "Stop here" beside it,
    and the flow carries on unless pressed."""
    case = await readable_case(uow, person, case_id) if case_id else None
    rules = await team_rules(uow, person.team_id)
    flagged = await raise_flag(
        uow,
        clock,
        person,
        case_id=case.id if case else None,
        urgency=Urgency.TODAY,
        source=SOURCE,
        summary=label(f"safeguarding_from_{entrance}"),
    )
    instruction = Said(
        "safeguarding_now",
        {
            "instruction": rules.settings.safeguarding_instruction,
            "reference": case.reference if case else None,
            "under_way": under_way,
        },
        [[Offer(StopFlow(), "stuck_stop_here")]] if under_way else None,
    )
    return [instruction, *flagged]


async def from_stuck(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """/stuck's first step answered "yes" (the case, if given in advance, is on the flag)."""
    return await raise_safeguarding(
        uow, clock, person, answers.get("case"), entrance="stuck", under_way=True
    )


async def from_visit(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """A visit note's risk answered "up"."""
    return await raise_safeguarding(
        uow, clock, person, answers.get("case"), entrance="visit", under_way=True
    )


async def from_supervision(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """A supervision note's "who else" answered "safeguarding procedures"."""
    return await raise_safeguarding(
        uow, clock, person, answers.get("case"), entrance="supervision", under_way=True
    )


async def from_command(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /safeguarding (or a case card's "Someone's at risk"): the case chosen."""
    return await raise_safeguarding(
        uow, clock, person, int(answers["case"]), entrance="command", under_way=False
    )


async def take_the_case(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The case chosen after the risk was raised in the same flow: the person's urgent
    safeguarding flags raised since the flow began, still without a case, take it, and every
    copy already delivered is edited to show it (one not yet sent shows it anyway)."""
    if not answers.get("case"):
        return []
    case = await readable_case(uow, person, int(answers["case"]))
    if answers.get("safety") != "yes":
        return []
    session = await uow.flows.open_for(person.member_id)
    if session is None:
        return []
    now = clock.now()
    from_this_flow = label("safeguarding_from_stuck")
    for flag in await uow.flags.open_for_worker(person.member_id):
        raised_here = flag.source == SOURCE and flag.raised_at >= session.started_at
        # Without a case yet, or with the one chosen before the worker went back and chose
        # another (a flag raised from a case card has its case from the start: left alone).
        unsettled = flag.case_id is None or flag.summary == from_this_flow
        if raised_here and unsettled and flag.case_id != case.id:
            flag.case_id = case.id
            await edit_copies(uow, flag, f"case{case.id}.{now.timestamp():.0f}", now)
    return []
