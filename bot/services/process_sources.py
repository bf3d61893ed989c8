"""Where the key-worker flows' options and items come from (service layer): the case's network,
the people who may take part in a review, the plan's aims and open actions, the team's counts.

Each source is registered by name (``bot.services.endings``) and asked when its step is; the
case is the flow's, read again here so that a source never shows a case the person may not
read.
"""

from __future__ import annotations

from typing import Any

from bot.domain import process as rules
from bot.domain.flows import Option
from bot.services.access import Person, member_name
from bot.services.cases import readable_case
from bot.services.process_records import plan_actions
from bot.services.timing import team_rules
from storage.uow import UnitOfWork


async def family_roles(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The family roles in the case's network ("Mum", "eldest child")."""
    return await _network(uow, person, answers, "family")


async def agencies(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The agencies in the case's network ("School", "GP")."""
    return await _network(uow, person, answers, "agency")


async def _network(
    uow: UnitOfWork, person: Person, answers: dict[str, Any], kind: str
) -> list[Option]:
    case = await readable_case(uow, person, int(answers["case"]))
    entries = await uow.process.network(case.id)
    return [Option(entry.label, entry.label) for entry in entries if entry.kind == kind]


async def participants(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """Who may have taken part in a review: the case's key worker and the team's other active
    members, then the case's network."""
    case = await readable_case(uow, person, int(answers["case"]))
    members = sorted(
        await uow.members.of_team(case.team_id),
        key=lambda m: (m.id != case.worker_id, m.display_name.casefold()),
    )
    options = [Option(rules.member_line(m.id), member_name(m)) for m in members]
    return options + [
        Option(entry.label, entry.label) for entry in await uow.process.network(case.id)
    ]


async def open_plan_actions(
    uow: UnitOfWork, person: Person, answers: dict[str, Any]
) -> list[Option]:
    """The plan's actions still open, by id, in the words of each."""
    case = await readable_case(uow, person, int(answers["case"]))
    lines = await plan_actions(uow, case.id)
    return [
        Option(str(line.id), f"{line.words} ({line.owner})")
        for line in lines
        if line.status == "open"
    ]


async def plan_aims(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The plan's aims in order of need (none when no plan was made)."""
    case = await readable_case(uow, person, int(answers["case"]))
    plan = await uow.process.plan(case.id)
    if plan is None:
        return []
    return [Option(str(aim.id), aim.text) for aim in await uow.process.aims(plan.id)]


async def new_aims(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The aims being written (keeping the family engaged among them), by their place."""
    aims = rules.aims_with_engagement(answers.get("aims") or [])
    return [Option(str(number), aim) for number, aim in enumerate(aims)]


async def current_aims(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The plan's aims by their words, to keep (picked) when the aims change."""
    return [Option(aim.label, aim.label) for aim in await plan_aims(uow, person, answers)]


async def added_aims(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The aims being written that the plan does not have yet (to score), by their place."""
    current = [(int(aim.value), aim.label) for aim in await plan_aims(uow, person, answers)]
    aims = rules.aims_with_engagement(answers.get("aims") or [])
    kept = rules.aims_kept(current, aims)
    return [
        Option(str(n), aim)
        for n, (aim, same) in enumerate(zip(aims, kept, strict=True))
        if same is None
    ]


async def team_counts(uow: UnitOfWork, person: Person, answers: dict[str, Any]) -> list[Option]:
    """The counts the team keeps at closing (a team setting)."""
    names = (await team_rules(uow, person.team_id)).settings.evaluation_counts
    return [Option(name, name) for name in names]
