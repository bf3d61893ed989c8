"""The unit of work: one transaction and the repositories that share it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.agenda import AgendaRepository
from storage.repositories.audit import AuditRepository
from storage.repositories.cases import ActionRepository, CaseRepository, NoteRepository
from storage.repositories.engagement import EngagementRepository
from storage.repositories.erasure import ErasureRepository
from storage.repositories.export import ExportRepository
from storage.repositories.flags import FlagRepository
from storage.repositories.flows import FlowSessionRepository
from storage.repositories.imports import PendingImportRepository
from storage.repositories.inbox import InboxRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.jobs import JobRunRepository
from storage.repositories.membership import MembershipRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.planning import PlanningRepository
from storage.repositories.process import ProcessRepository
from storage.repositories.reflection import BearingsRepository, StuckRepository
from storage.repositories.reports import ReportRepository
from storage.repositories.teams import MemberRepository, TeamRepository


class UnitOfWork:
    """Repositories over one session; the ``Database`` commits or rolls it back."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.teams = TeamRepository(session)
        self.members = MemberRepository(session)
        self.invites = InviteRepository(session)
        self.audit = AuditRepository(session)
        self.inbox = InboxRepository(session)
        self.cases = CaseRepository(session)
        self.notes = NoteRepository(session)
        self.actions = ActionRepository(session)
        self.flows = FlowSessionRepository(session)
        self.stuck = StuckRepository(session)
        self.bearings = BearingsRepository(session)
        self.agenda = AgendaRepository(session)
        self.outbox = OutboxRepository(session)
        self.flags = FlagRepository(session)
        self.exports = ExportRepository(session)
        self.erasure = ErasureRepository(session)
        self.jobs = JobRunRepository(session)
        self.planning = PlanningRepository(session)
        self.imports = PendingImportRepository(session)
        self.membership = MembershipRepository(session)
        self.engagement = EngagementRepository(session)
        self.reports = ReportRepository(session)
        self.process = ProcessRepository(session)

    async def flush(self) -> None:
        """Send pending changes to the database without committing."""
        await self.session.flush()
