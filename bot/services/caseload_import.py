"""Importing an existing caseload (services layer): the use cases behind
``bearings import cases`` and a CSV file sent to the bot in chat.

Both read and check the file with ``bot.domain.caseload_import`` against the team as it
is now (its active members, the cases it already has) and import nothing unless every
row is clean. The command line imports at once (or, with ``--dry-run``, only checks).
In chat a supervisor first sees a preview; the rows that read cleanly wait, encrypted,
in a ``pending_imports`` row (never the file itself) until they press Confirm or
Cancel, for at most ``PREVIEW_HOURS``. Confirm checks them again against the team as it
is then, so a member who left or a case added since is caught, and imports them in the
same transaction. Each import is audited as ``caseload.imported`` with counts only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.clock import Clock
from bot.domain import caseload_import as rules
from bot.domain import caseload_plan as planning
from bot.domain.caseload_cells import MAX_CADENCE_DAYS
from bot.domain.cases import STAGE_LABELS
from bot.domain.errors import Refusal
from bot.services.access import Person, member_name, require_person
from storage.models import Case, PendingImport, Team
from storage.uow import UnitOfWork

PREVIEW_ROWS = 10
"""How many of the new cases a preview in chat lists."""

PREVIEW_PROBLEMS = 15
"""How many problems a reply in chat lists (the command line lists them all)."""

PREVIEW_WORKERS = 8
"""How many key workers a preview names with their counts (the most cases first)."""


@dataclass(frozen=True)
class Limits:
    """The limits and choices the words about an import mention."""

    megabytes: int = rules.MAX_FILE_BYTES // 1_000_000
    rows: int = rules.MAX_ROWS
    cadence_days: int = MAX_CADENCE_DAYS
    preview_hours: int = rules.PREVIEW_HOURS
    preview_rows: int = PREVIEW_ROWS
    preview_problems: int = PREVIEW_PROBLEMS
    preview_workers: int = PREVIEW_WORKERS
    stages: tuple[str, ...] = tuple(STAGE_LABELS.values())


LIMITS = Limits()


@dataclass(frozen=True)
class CasePreview:
    """One case a file would add, as a supervisor reads it in a preview."""

    row: int
    reference: str
    worker_name: str
    stage_label: str
    cadence_days: int
    next_visit_due: date | None
    next_review_on: date | None


@dataclass(frozen=True)
class ImportCheck:
    """What a file would do to a team: the cases it would add, the references already in
    Bearings as the file has them (left alone), and every problem, in file order."""

    team_name: str
    new: list[CasePreview]
    unchanged: list[str]
    problems: list[rules.RowProblem]
    pending_id: int | None = None
    """In chat, the pending import that Confirm names (only when there is something to add)."""

    @property
    def clean(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.problems

    @property
    def by_worker(self) -> list[tuple[str, int]]:
        """How many new cases each key worker gets, most first."""
        counts = Counter(case.worker_name for case in self.new)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class Imported:
    """What an import did."""

    team_name: str
    created: list[str]
    """The references of the cases added, in file order."""
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportExpired:
    """A preview confirmed after it expired: nothing was imported."""

    hours: int = rules.PREVIEW_HOURS


# The command line.


async def check_file_for_team(
    uow: UnitOfWork, clock: Clock, *, team_name: str, content: bytes
) -> ImportCheck:
    """What importing ``content`` into the named team would do (``--dry-run``)."""
    team = await _team(uow, team_name)
    check, _ = await _check(uow, team, rules.read_caseload(content))
    return check


async def import_file_for_team(
    uow: UnitOfWork, clock: Clock, *, team_name: str, content: bytes
) -> ImportCheck | Imported:
    """Import ``content`` into the named team if every row is clean (returning what was
    done); otherwise change nothing and return the check with its problems."""
    team = await _team(uow, team_name)
    check, plan = await _check(uow, team, rules.read_caseload(content))
    if not check.clean:
        return check
    return await _apply(uow, clock, team, plan, check, actor_id=None, via="command line")


# Chat.


async def who_may_import(uow: UnitOfWork, *, telegram_user_id: int) -> Person:
    """The supervisor sending a caseload file; a stranger is told how to join, a worker
    that only supervisors import a caseload."""
    person = await require_person(uow, telegram_user_id)
    if not person.is_supervisor:
        raise Refusal("import_supervisors_only")
    return person


async def preview_upload(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, content: bytes
) -> ImportCheck:
    """Read and check a file a supervisor sent; if it is clean and adds something, keep its
    rows (encrypted) for Confirm, in place of any earlier file of theirs."""
    person = await who_may_import(uow, telegram_user_id=telegram_user_id)
    team = await _team_of(uow, person)
    read = rules.read_caseload(content)
    check, plan = await _check(uow, team, read)
    if not check.clean or not plan.new:
        await uow.imports.drop_for_member(person.member_id)  # a newer file: the old one goes
        return check
    now = clock.now()
    pending = await uow.imports.replace_for_member(
        PendingImport(
            team_id=team.id,
            member_id=person.member_id,
            rows=[row.to_json() for row in read.rows],
            created_at=now,
            expires_at=now + timedelta(hours=rules.PREVIEW_HOURS),
        )
    )
    return replace(check, pending_id=pending.id)


async def confirm_upload(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, pending_id: int
) -> Imported | ImportCheck | ImportExpired:
    """Confirm a preview: check its rows again against the team as it is now and import
    them, or say what changed since (nothing imported). Someone else's preview, or one
    confirmed, cancelled or replaced already, is refused as no longer open."""
    person = await who_may_import(uow, telegram_user_id=telegram_user_id)
    pending = await _own_pending(uow, person, pending_id)
    await uow.imports.delete(pending)
    if pending.expires_at <= clock.now():
        return ImportExpired()
    team = await _team_of(uow, person)
    rows = [rules.CaseRow.from_json(row) for row in pending.rows]
    read = rules.ReadFile(rows, [(row.row, row.worker) for row in rows], [])
    check, plan = await _check(uow, team, read)
    if not check.clean:
        return check
    return await _apply(uow, clock, team, plan, check, actor_id=person.member_id, via="chat")


async def cancel_upload(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, pending_id: int
) -> None:
    """Cancel a preview: its rows are dropped, nothing is imported."""
    person = await require_person(uow, telegram_user_id)
    await uow.imports.delete(await _own_pending(uow, person, pending_id))


async def purge_expired_imports(uow: UnitOfWork, clock: Clock) -> int:
    """Drop previews nobody confirmed in time (the planner runs this); how many."""
    return await uow.imports.purge_expired(clock.now())


# Shared.


async def _check(
    uow: UnitOfWork, team: Team, read: rules.ReadFile
) -> tuple[ImportCheck, planning.ImportPlan]:
    """Plan a read file against the team's active members and existing cases."""
    members = await uow.members.of_team(team.id)
    candidates = [
        planning.TeamMember(member.id, member.display_name, member.telegram_username)
        for member in members
    ]
    found = await uow.cases.by_references(team.id, [row.reference for row in read.rows])
    existing = {
        case.reference: planning.ExistingCase(
            reference=case.reference,
            worker_id=case.worker_id,
            stage=case.stage,
            cadence_days=case.cadence_days,
            next_visit_due=case.next_visit_due,
            next_review_on=case.next_review_on,
            closed=case.closed_at is not None,
        )
        for case in found
    }
    plan = planning.plan_import(read, candidates, existing)
    names = {member.id: member_name(member) for member in members}
    new = [
        CasePreview(
            row=case.row,
            reference=case.reference,
            worker_name=names.get(case.worker_id, ""),
            stage_label=STAGE_LABELS[case.stage],
            cadence_days=case.cadence_days,
            next_visit_due=case.next_visit_due,
            next_review_on=case.next_review_on,
        )
        for case in plan.new
    ]
    unchanged = [case.reference for case in plan.unchanged]
    return ImportCheck(team.name, new, unchanged, plan.problems), plan


async def _apply(
    uow: UnitOfWork,
    clock: Clock,
    team: Team,
    plan: planning.ImportPlan,
    check: ImportCheck,
    *,
    actor_id: int | None,
    via: str,
) -> Imported:
    """Add the plan's new cases to the team, and audit it (counts, never references)."""
    now = clock.now()
    await uow.cases.add_many(
        [
            Case(
                team_id=team.id,
                reference=case.reference,
                worker_id=case.worker_id,
                stage=case.stage.value,
                cadence_days=case.cadence_days,
                next_visit_due=case.next_visit_due,
                next_review_on=case.next_review_on,
                opened_at=now,
            )
            for case in plan.new
        ]
    )
    await uow.audit.record(
        at=now,
        action="caseload.imported",
        subject=f"team:{team.id}",
        team_id=team.id,
        actor_id=actor_id,
        detail={"created": len(plan.new), "unchanged": len(plan.unchanged), "via": via},
    )
    return Imported(team.name, [case.reference for case in plan.new], check.unchanged)


async def _own_pending(uow: UnitOfWork, person: Person, pending_id: int) -> PendingImport:
    """The person's own pending import, in their current team. Anything else is "no longer
    open" (imported, cancelled, replaced by a newer file, or expired and purged), which is
    also all that someone else's, or a forged id, is told: it says nothing of what exists."""
    pending = await uow.imports.get(pending_id)
    if pending is None or (pending.member_id, pending.team_id) != (
        person.member_id,
        person.team_id,
    ):
        raise Refusal("import_gone")
    return pending


async def _team(uow: UnitOfWork, name: str) -> Team:
    team = await uow.teams.by_name(name)
    if team is None:
        raise Refusal("team_unknown", name=name)
    return team


async def _team_of(uow: UnitOfWork, person: Person) -> Team:
    team = await uow.teams.get(person.team_id)
    assert team is not None  # a foreign key guarantees it
    return team
