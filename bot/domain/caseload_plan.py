"""What importing a caseload would do, against the team as it is: each row's key worker found
among the active members, and each case new, unchanged, or a problem (pure rules, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.caseload_import import ReadFile
from bot.domain.caseload_problems import Column, Problem, RowProblem
from bot.domain.cases import Stage

# Key workers and the cases the team already has.


@dataclass(frozen=True)
class TeamMember:
    """An active member of the team, as a key worker can be named in a file."""

    member_id: int
    name: str
    username: str | None


def find_worker(written: str, members: Sequence[TeamMember]) -> int | Problem:
    """The member a file names: by Telegram username (with or without @) or by the name they
    joined with, ignoring case; "@name" is a username only. Unknown or ambiguous is a problem.
    """
    wanted = " ".join(written.split()).casefold()
    by_username = wanted.startswith("@")
    wanted = wanted.removeprefix("@")
    found = {
        member.member_id
        for member in members
        if (member.username and member.username.casefold() == wanted)
        or (not by_username and " ".join(member.name.split()).casefold() == wanted)
    }
    if not found or not wanted:
        return Problem.WORKER_UNKNOWN
    if len(found) > 1:
        return Problem.WORKER_AMBIGUOUS
    return found.pop()


@dataclass(frozen=True)
class ExistingCase:
    """A case the team already has under a reference the file uses."""

    reference: str
    worker_id: int
    stage: str
    cadence_days: int
    next_visit_due: date | None
    next_review_on: date | None
    closed: bool


@dataclass(frozen=True)
class PlannedCase:
    """A row with its key worker found: what the case is (or would be) in Bearings."""

    row: int
    reference: str
    worker_id: int
    stage: Stage
    cadence_days: int
    next_visit_due: date | None
    next_review_on: date | None

    def same_as(self, case: ExistingCase) -> bool:
        """Whether an existing open case already says exactly this."""
        return not case.closed and (
            case.worker_id,
            case.stage,
            case.cadence_days,
            case.next_visit_due,
            case.next_review_on,
        ) == (
            self.worker_id,
            self.stage.value,
            self.cadence_days,
            self.next_visit_due,
            self.next_review_on,
        )


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do: the new cases, the rows already in Bearings as they
    are (left alone), and every problem, in file order. Nothing is imported unless clean."""

    new: list[PlannedCase]
    unchanged: list[PlannedCase]
    problems: list[RowProblem]

    @property
    def clean(self) -> bool:
        """Whether the file can be imported."""
        return not self.problems


def plan_import(
    read: ReadFile, members: Sequence[TeamMember], existing: Mapping[str, ExistingCase]
) -> ImportPlan:
    """Find each row's key worker among the team's active members and compare each row with
    the case the team already has under its reference, if any."""
    problems = list(read.problems)
    found: dict[int, int] = {}
    for line, written in read.workers_written:
        worker = find_worker(written, members)
        if isinstance(worker, Problem):
            problems.append(RowProblem(line, worker, column=Column.WORKER))
        else:
            found[line] = worker
    new: list[PlannedCase] = []
    unchanged: list[PlannedCase] = []
    for row in read.rows:
        if row.row not in found:
            continue
        planned = PlannedCase(
            row=row.row,
            reference=row.reference,
            worker_id=found[row.row],
            stage=row.stage,
            cadence_days=row.cadence_days,
            next_visit_due=row.next_visit_due,
            next_review_on=row.next_review_on,
        )
        case = existing.get(row.reference)
        if case is None:
            new.append(planned)
        elif planned.same_as(case):
            unchanged.append(planned)
        else:
            problems.append(
                RowProblem(
                    row.row,
                    Problem.CASE_CLOSED if case.closed else Problem.CASE_DIFFERS,
                    column=Column.REFERENCE,
                    reference=row.reference,
                )
            )
    problems.sort(key=RowProblem.sort_key)
    return ImportPlan(new, unchanged, problems)
