"""Cases, visits, supervision notes, actions and note revisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Action, Case, NoteRevision, SupervisionNote, Visit

_SLICE = 500
# The open cases of a worker or a team (every /cases, every flow's answers): built once.
_OPEN_FOR_WORKER = (
    select(Case)
    .where(Case.worker_id == bindparam("key"), Case.closed_at.is_(None))
    .order_by(Case.reference)
)
_OPEN_FOR_TEAM = (
    select(Case)
    .where(Case.team_id == bindparam("key"), Case.closed_at.is_(None))
    .order_by(Case.reference)
)


class CaseRepository:
    """Cases by team, worker and reference."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: Case) -> Case:
        """Store a new case."""
        self._session.add(case)
        await self._session.flush()
        return case

    async def get(self, case_id: int) -> Case | None:
        """The case with this id."""
        return await self._session.get(Case, case_id)

    async def by_reference(self, team_id: int, reference: str) -> Case | None:
        """The team's case with this reference (open or closed)."""
        return await self._session.scalar(
            select(Case).where(Case.team_id == team_id, Case.reference == reference)
        )

    async def add_many(self, cases: Sequence[Case]) -> None:
        """Store new cases together (an imported caseload)."""
        self._session.add_all(cases)
        await self._session.flush()

    async def by_references(self, team_id: int, references: Collection[str]) -> Sequence[Case]:
        """The team's cases (open or closed) with any of these references."""
        wanted = sorted(set(references))
        found: list[Case] = []
        # In slices: SQLite caps the parameters of one statement.
        for start in range(0, len(wanted), _SLICE):
            query = select(Case).where(
                Case.team_id == team_id, Case.reference.in_(wanted[start : start + _SLICE])
            )
            found.extend((await self._session.scalars(query)).all())
        return found

    async def open_for_worker(self, worker_id: int) -> Sequence[Case]:
        """A worker's open cases."""
        return (await self._session.scalars(_OPEN_FOR_WORKER, {"key": worker_id})).all()

    async def open_for_team(self, team_id: int) -> Sequence[Case]:
        """A team's open cases."""
        return (await self._session.scalars(_OPEN_FOR_TEAM, {"key": team_id})).all()


class NoteRepository:
    """Visit notes, supervision notes and their earlier versions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_visit(self, visit: Visit) -> Visit:
        """Store a visit note."""
        self._session.add(visit)
        await self._session.flush()
        return visit

    async def visit(self, visit_id: int) -> Visit | None:
        """One visit note."""
        return await self._session.get(Visit, visit_id)

    async def visits_for_case(self, case_id: int) -> Sequence[Visit]:
        """A case's visit notes, newest first."""
        query = select(Visit).where(Visit.case_id == case_id)
        return (
            await self._session.scalars(query.order_by(Visit.visited_on.desc(), Visit.id.desc()))
        ).all()

    async def add_supervision(self, note: SupervisionNote) -> SupervisionNote:
        """Store a supervision note."""
        self._session.add(note)
        await self._session.flush()
        return note

    async def supervision(self, note_id: int) -> SupervisionNote | None:
        """One supervision note."""
        return await self._session.get(SupervisionNote, note_id)

    async def supervision_for_case(self, case_id: int) -> Sequence[SupervisionNote]:
        """A case's supervision notes, newest first."""
        query = select(SupervisionNote).where(SupervisionNote.case_id == case_id)
        order = (SupervisionNote.held_on.desc(), SupervisionNote.id.desc())
        return (await self._session.scalars(query.order_by(*order))).all()

    async def latest_supervision(self, worker_id: int) -> SupervisionNote | None:
        """A worker's most recent supervision note."""
        query = select(SupervisionNote).where(SupervisionNote.worker_id == worker_id)
        order = (SupervisionNote.held_on.desc(), SupervisionNote.id.desc())
        return await self._session.scalar(query.order_by(*order).limit(1))

    async def add_revision(self, revision: NoteRevision) -> None:
        """Keep the previous version of a corrected note."""
        self._session.add(revision)
        await self._session.flush()

    async def revisions(self, note_kind: str, note_id: int) -> Sequence[NoteRevision]:
        """A note's earlier versions, oldest first."""
        query = select(NoteRevision).where(
            NoteRevision.note_kind == note_kind, NoteRevision.note_id == note_id
        )
        return (await self._session.scalars(query.order_by(NoteRevision.id))).all()


class ActionRepository:
    """Actions by owner and team."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, action: Action) -> Action:
        """Store a new action."""
        self._session.add(action)
        await self._session.flush()
        return action

    async def get(self, action_id: int) -> Action | None:
        """One action."""
        return await self._session.get(Action, action_id)

    async def open_for_team(self, team_id: int) -> Sequence[Action]:
        """A team's open actions, soonest due first."""
        query = select(Action).where(Action.team_id == team_id, Action.status == "open")
        return (await self._session.scalars(query.order_by(Action.due_on, Action.id))).all()

    async def open_for_owner(self, owner_id: int) -> Sequence[Action]:
        """A person's open actions, soonest due first."""
        query = select(Action).where(Action.owner_id == owner_id, Action.status == "open")
        return (await self._session.scalars(query.order_by(Action.due_on, Action.id))).all()
