"""One update's work on a flow (service layer): who is answering, with which unit of work and
clock, and what they may choose from, worked out once.

A flow use case makes one ``FlowTurn`` and hands it to every step of the engine it calls;
the turn ends with the use case, so nothing outlives the update. The answer context (today's
date where the person works, their open cases, their team) is read the first time a step
needs it (reading the answer, applying it, asking the next question, reading answers back)
and kept for the rest of the turn: the choices are those from before the step's effects.
The team's members (their names decrypted) are read only for a flow with a member step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.clock import Clock
from bot.domain.flows import AnswerContext, AnswerKind, CaseChoice, FlowDefinition, MemberChoice
from bot.domain.roles import Role
from bot.services.access import Person
from bot.services.local_time import local_today
from bot.services.timing import team_rules
from storage.uow import UnitOfWork


@dataclass
class FlowTurn:
    """The unit of work, clock and person of one update's flow work, and its answer context."""

    uow: UnitOfWork
    clock: Clock
    person: Person
    _answer_context: AnswerContext | None = field(default=None, init=False, repr=False)
    _with_members: bool = field(default=False, init=False, repr=False)

    async def answer_context(self, *, members: bool = True) -> AnswerContext:
        """What the person may choose from: read at the turn's first need, then kept.
        ``members``: whether the team's members are needed (see ``needs_members``); read
        then, once, if an earlier need went without them."""
        if self._answer_context is None:
            self._answer_context = await load_answer_context(
                self.uow, self.clock, self.person, members=members
            )
            self._with_members = members
        elif members and not self._with_members:
            self._answer_context = replace(
                self._answer_context, members=await _team_members(self.uow, self.person)
            )
            self._with_members = True
        return self._answer_context


def needs_members(flow: FlowDefinition) -> bool:
    """Whether a flow's questions or answers name team members (it has a member step)."""
    return any(step.kind is AnswerKind.MEMBER for step in flow.steps)


async def load_answer_context(
    uow: UnitOfWork, clock: Clock, person: Person, *, members: bool = True
) -> AnswerContext:
    """Today where the person works, the open cases they may choose, and (``members``) their
    team's members, themselves first: two queries, besides the time zone."""
    cases = (
        await uow.cases.open_for_team(person.team_id)
        if person.is_supervisor
        else await uow.cases.open_for_worker(person.member_id)
    )
    return AnswerContext(
        today=await local_today(uow, clock, person),
        cases=[
            CaseChoice(case.id, case.reference, case.worker_id, case.next_visit_due)
            for case in cases
        ],
        members=await _team_members(uow, person) if members else (),
        me=person.member_id,
        working_days=(await team_rules(uow, person.team_id)).hours.working_days,
    )


async def _team_members(uow: UnitOfWork, person: Person) -> list[MemberChoice]:
    members = await uow.members.of_team(person.team_id)
    return [
        MemberChoice(m.id, m.display_name, m.role == Role.WORKER)
        for m in sorted(members, key=lambda m: (m.id != person.member_id, m.display_name))
    ]
