"""Importing an existing caseload from a CSV file: reading it, checking every row, and
working out what it would add (pure rules, no I/O).

A team that starts with Bearings already has its cases. A supervisor (or an operator,
with ``bearings import cases``) hands over a spreadsheet saved as CSV, one case a row:

============================  =========  ==============================================
column (header, any case)     needed     what it holds
============================  =========  ==============================================
reference                     yes        the case reference, checked as /newcase does
key worker                    yes        an active member's Telegram username (with or
                                         without @) or the name they joined with
stage                         yes        a stage's name or value ("Monitoring & review",
                                         "monitoring")
visit cadence                 no         days between visits: "7", "14 days", "weekly",
                                         "fortnightly", "every 3 weeks" (blank: every 7)
next visit due                no         a date, day first (blank: none yet)
next plan review              no         a date, day first (blank: none yet)
============================  =========  ==============================================

Headers are matched loosely (case, spaces, underscores and a few other names, see
``HEADERS``); the file may be UTF-8 with or without a byte-order mark, separated by
commas (or semicolons or tabs, as some spreadsheets save it). Dates must be whole dates
as people write them in the UK: ``2026-12-05``, ``5/12/2026``, ``05/12/26``,
``5 Dec 2026``, ``5 December 2026``; never relative ("tomorrow"), so a file reads the
same whichever day it is imported.

Every row is checked before anything is imported. A problem names its row by the line
of the file (the header is row 1) and the column, and never repeats a cell's contents
except a checked case reference, so a list of problems holds no names of families.

Importing is all or nothing, and importing the same file again changes nothing: a row
whose reference is already a case of the team is left alone when the case says the
same (same key worker, stage, cadence and dates), and is a problem when it does not
(or when the case is closed). An import never changes an existing case: a difference
means the file or Bearings is out of date, and a person should decide which.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from bot.domain.cases import DEFAULT_CADENCE_DAYS, STAGE_LABELS, ReferenceProblem, Stage
from bot.domain.cases import normalise_reference as _normalise_reference

MAX_FILE_BYTES = 1_000_000
"""The largest file read (about 10,000 rows of a plain caseload; far more than a team)."""

MAX_ROWS = 2_000
"""The most cases one file may hold."""

MAX_CADENCE_DAYS = 90
"""The longest gap between visits a row may give (about three months)."""

PREVIEW_HOURS = 24
"""How long a preview shown in chat can be confirmed."""

FIRST_YEAR, LAST_YEAR = 2000, 2099
"""Dates outside these years are typing mistakes, not visits."""


class Column(StrEnum):
    """The columns a caseload file can have."""

    REFERENCE = "reference"
    WORKER = "key_worker"
    STAGE = "stage"
    CADENCE = "visit_cadence"
    NEXT_VISIT = "next_visit_due"
    NEXT_REVIEW = "next_plan_review"


REQUIRED = (Column.REFERENCE, Column.WORKER, Column.STAGE)

HEADERS: dict[str, Column] = {
    **dict.fromkeys(("reference", "case reference", "ref", "case ref", "case"), Column.REFERENCE),
    **dict.fromkeys(
        ("key worker", "keyworker", "worker", "key worker username", "username"), Column.WORKER
    ),
    **dict.fromkeys(("stage", "case stage"), Column.STAGE),
    **dict.fromkeys(
        (
            "visit cadence",
            "visit cadence days",
            "cadence",
            "cadence days",
            "visit every",
            "visit frequency",
        ),
        Column.CADENCE,
    ),
    **dict.fromkeys(
        ("next visit due", "next visit", "next visit date", "next visit due date", "visit due"),
        Column.NEXT_VISIT,
    ),
    **dict.fromkeys(
        (
            "next plan review",
            "next plan review date",
            "next review",
            "next review date",
            "plan review",
            "review",
            "review due",
        ),
        Column.NEXT_REVIEW,
    ),
}
"""Header names (as ``words`` tidies them) and the column each one means."""


class Problem(StrEnum):
    """What can be wrong with a file or a row; each has a sentence in the templates."""

    FILE_TOO_BIG = "file_too_big"
    NOT_UTF8 = "not_utf8"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    TOO_MANY_ROWS = "too_many_rows"
    UNKNOWN_COLUMN = "unknown_column"
    REPEATED_COLUMN = "repeated_column"
    MISSING_COLUMN = "missing_column"
    EXTRA_CELLS = "extra_cells"
    MISSING_VALUE = "missing_value"
    REFERENCE_SHAPE = "reference_shape"
    REFERENCE_NAME_LIKE = "reference_name_like"
    REFERENCE_REPEATED = "reference_repeated"
    STAGE_UNKNOWN = "stage_unknown"
    CADENCE_UNREADABLE = "cadence_unreadable"
    DATE_UNREADABLE = "date_unreadable"
    DATE_MONTH_FIRST = "date_month_first"
    WORKER_UNKNOWN = "worker_unknown"
    WORKER_AMBIGUOUS = "worker_ambiguous"
    CASE_DIFFERS = "case_differs"
    CASE_CLOSED = "case_closed"


@dataclass(frozen=True)
class RowProblem:
    """One problem: the row (the file's line, header = 1; None for the whole file), the
    column, and what the sentence needs (never a cell's contents, except a checked case
    reference, or a header's own words)."""

    row: int | None
    problem: Problem
    column: Column | None = None
    reference: str | None = None
    other_row: int | None = None
    header: str | None = None
    position: int | None = None
    """The column's place, counted from 1 (shown as a spreadsheet's letter)."""

    @property
    def letter(self) -> str:
        """The column's letter as a spreadsheet shows it ("A", "B", ... "AA"), or ""."""
        return column_letter(self.position) if self.position else ""

    def sort_key(self) -> tuple[int, int, int]:
        """Whole-file problems first, then by row, then by column as they come in a file."""
        columns = list(Column)
        return (
            -1 if self.row is None else self.row,
            columns.index(self.column) if self.column else -1,
            self.position or 0,
        )


@dataclass(frozen=True)
class CaseRow:
    """A row that reads cleanly: a case to import (its key worker still as written)."""

    row: int
    reference: str
    worker: str
    stage: Stage
    cadence_days: int
    next_visit_due: date | None
    next_review_on: date | None

    def to_json(self) -> dict[str, Any]:
        """Plain data, to keep between a preview and its confirmation."""
        return {
            "row": self.row,
            "reference": self.reference,
            "worker": self.worker,
            "stage": self.stage.value,
            "cadence_days": self.cadence_days,
            "next_visit_due": _iso(self.next_visit_due),
            "next_review_on": _iso(self.next_review_on),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CaseRow:
        """The row back from ``to_json``."""
        return cls(
            row=int(data["row"]),
            reference=str(data["reference"]),
            worker=str(data["worker"]),
            stage=Stage(data["stage"]),
            cadence_days=int(data["cadence_days"]),
            next_visit_due=_from_iso(data.get("next_visit_due")),
            next_review_on=_from_iso(data.get("next_review_on")),
        )


@dataclass(frozen=True)
class ReadFile:
    """What a file holds: the rows that read cleanly, every key worker as written (also on
    rows with other problems, so those are checked in the same pass), and the problems."""

    rows: list[CaseRow]
    workers_written: list[tuple[int, str]]
    problems: list[RowProblem]


def read_caseload(content: bytes) -> ReadFile:
    """Read a caseload file and check each row on its own (key workers and existing cases
    are checked by ``plan_import``, which needs the team)."""
    if len(content) > MAX_FILE_BYTES:
        return _whole_file(Problem.FILE_TOO_BIG)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _whole_file(Problem.NOT_UTF8, row=content[: error.start].count(b"\n") + 1)
    if not text.strip():
        return _whole_file(Problem.EMPTY)
    first_line = text.lstrip("\n\r").splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    # Strict: a stray quotation mark is a problem on its row, not cells quietly run together.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[CaseRow] = []
    workers: list[tuple[int, str]] = []
    problems: list[RowProblem] = []
    columns: dict[int, Column] | None = None
    seen: dict[str, int] = {}
    count = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            return _whole_file(Problem.UNREADABLE, row=start)
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines, and the empty rows spreadsheets leave at the end
        if columns is None:
            columns, header_problems = _read_header(cells, start)
            if header_problems:
                return ReadFile([], [], header_problems)
            continue
        count += 1
        if count > MAX_ROWS:
            return _whole_file(Problem.TOO_MANY_ROWS)
        row, worker, row_problems = _read_row(cells, columns, start, seen)
        problems.extend(row_problems)
        if worker:
            workers.append((start, worker))
        if row is not None:
            rows.append(row)
    if columns is None:
        return _whole_file(Problem.EMPTY)
    if count == 0:
        return _whole_file(Problem.NO_ROWS)
    return ReadFile(rows, workers, problems)


def _whole_file(problem: Problem, *, row: int | None = None) -> ReadFile:
    return ReadFile([], [], [RowProblem(row, problem)])


def _read_header(cells: list[str], row: int) -> tuple[dict[int, Column], list[RowProblem]]:
    """The column of each position, or why the first row is not a usable header."""
    found: dict[int, Column] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        column = HEADERS.get(words(cell))
        if column is None:
            problems.append(
                RowProblem(row, Problem.UNKNOWN_COLUMN, header=cell[:30], position=index + 1)
            )
        elif column in found.values():
            problems.append(
                RowProblem(row, Problem.REPEATED_COLUMN, column=column, position=index + 1)
            )
        else:
            found[index] = column
    if not found:
        # Nothing on the first row names a column: most likely there is no header at all,
        # and one sentence says so better than a problem for each of its cells.
        return {}, [RowProblem(row, Problem.NO_HEADER)]
    problems.extend(
        RowProblem(row, Problem.MISSING_COLUMN, column=column)
        for column in REQUIRED
        if column not in found.values()
    )
    return found, problems


def _read_row(
    cells: list[str], columns: dict[int, Column], row: int, seen: dict[str, int]
) -> tuple[CaseRow | None, str, list[RowProblem]]:
    """One data row: the case it describes (None if any cell is wrong), its key worker as
    written, and its problems. ``seen`` is the references of earlier rows, by row."""
    problems: list[RowProblem] = []
    if any(cell for index, cell in enumerate(cells) if index not in columns):
        extra = next(i for i, cell in enumerate(cells) if cell and i not in columns)
        problems.append(RowProblem(row, Problem.EXTRA_CELLS, position=extra + 1))
    values = {
        column: cells[index] if index < len(cells) else "" for index, column in columns.items()
    }

    def missing(column: Column) -> bool:
        if values.get(column):
            return False
        problems.append(RowProblem(row, Problem.MISSING_VALUE, column=column))
        return True

    reference: str | None = None
    if not missing(Column.REFERENCE):
        read = _normalise_reference(values[Column.REFERENCE])
        if read is ReferenceProblem.NAME_LIKE:
            problems.append(RowProblem(row, Problem.REFERENCE_NAME_LIKE, column=Column.REFERENCE))
        elif isinstance(read, ReferenceProblem):
            problems.append(RowProblem(row, Problem.REFERENCE_SHAPE, column=Column.REFERENCE))
        elif read in seen:
            problems.append(
                RowProblem(
                    row,
                    Problem.REFERENCE_REPEATED,
                    column=Column.REFERENCE,
                    reference=read,
                    other_row=seen[read],
                )
            )
        else:
            seen[read] = row
            reference = read
    worker = "" if missing(Column.WORKER) else values[Column.WORKER][:80]
    stage: Stage | None = None
    if not missing(Column.STAGE):
        stage = read_stage(values[Column.STAGE])
        if stage is None:
            problems.append(RowProblem(row, Problem.STAGE_UNKNOWN, column=Column.STAGE))
    cadence: int | None = DEFAULT_CADENCE_DAYS
    if values.get(Column.CADENCE):
        cadence = read_cadence(values[Column.CADENCE])
        if cadence is None:
            problems.append(RowProblem(row, Problem.CADENCE_UNREADABLE, column=Column.CADENCE))
    dates: dict[Column, date | None] = {}
    for column in (Column.NEXT_VISIT, Column.NEXT_REVIEW):
        dates[column] = None
        if values.get(column):
            read_day = read_file_date(values[column])
            if isinstance(read_day, Problem):
                problems.append(RowProblem(row, read_day, column=column))
            else:
                dates[column] = read_day
    if problems or reference is None or stage is None or cadence is None:
        return None, worker, problems
    case = CaseRow(
        row=row,
        reference=reference,
        worker=worker,
        stage=stage,
        cadence_days=cadence,
        next_visit_due=dates[Column.NEXT_VISIT],
        next_review_on=dates[Column.NEXT_REVIEW],
    )
    return case, worker, problems


def words(text: str) -> str:
    """Text tidied for loose matching: lower case, "&" as "and", anything but letters and
    digits as single spaces ("Next_Visit-Due " -> "next visit due")."""
    lowered = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^\w]|_", " ", lowered).split())


def read_stage(text: str) -> Stage | None:
    """A stage from its value or its label, loosely ("family meeting", "Monitoring & review")."""
    wanted = words(text)
    for stage in Stage:
        if wanted in (words(stage.value), words(STAGE_LABELS[stage])):
            return stage
    return None


_CADENCE_WORDS = {"daily": 1, "weekly": 7, "fortnightly": 14}
_CADENCE_UNITS = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "weekly"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def read_cadence(text: str) -> int | None:
    """Days between visits: "7", "7 days", "weekly", "fortnightly", "every 2 weeks",
    "3-weekly", "every fortnight"; None if unreadable or not 1 to ``MAX_CADENCE_DAYS``.
    ("Monthly" is not read: a month is not a number of days; write 28 or "4 weeks".)"""
    if text.strip().startswith("-"):
        return None
    tokens = re.sub(r"(\d)([a-z])", r"\1 \2", words(text)).split()  # "7days" -> "7 days"
    if tokens[:1] == ["every"]:
        tokens = tokens[1:]
    days: int | None = None
    match tokens:
        case [word] if word in _CADENCE_WORDS:
            days = _CADENCE_WORDS[word]
        case [unit] if unit in ("day", "week", "fortnight"):
            days = _CADENCE_UNITS[unit]
        case [amount]:
            days = _amount(amount)
        case [amount, unit] if unit in _CADENCE_UNITS:
            count = _amount(amount)
            days = None if count is None else count * _CADENCE_UNITS[unit]
    if days is None or not 1 <= days <= MAX_CADENCE_DAYS:
        return None
    return days


def _amount(text: str) -> int | None:
    if text.isascii() and text.isdigit():
        return int(text) if len(text) <= 3 else None
    return _NUMBER_WORDS.get(text)


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ISO = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NAMED = re.compile(
    r"(?:([a-z]{3})[a-z]*,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})"
)


def read_file_date(text: str) -> date | Problem:
    """A whole date as written in the UK, day first: ``2026-12-05``, ``5/12/2026``,
    ``05/12/26``, ``5.12.2026``, ``5 Dec 2026``, ``Sat 5 December 2026``, ``5-Dec-26``.

    Two-digit years are 20xx. A numeric date whose "month" is over 12 while its day is not
    (``12/25/2026``) was written month first: that is its own problem, so the sentence can
    say so. Anything else unreadable, outside 2000-2099, or with a weekday that is not the
    date's, is DATE_UNREADABLE.
    """
    cleaned = " ".join(text.casefold().split())
    day: int
    month: int
    year: int
    weekday: str | None = None
    if found := _ISO.fullmatch(cleaned):
        year, month, day = int(found.group(1)), int(found.group(3)), int(found.group(4))
    elif found := _NUMERIC.fullmatch(cleaned):
        day, month = int(found.group(1)), int(found.group(3))
        year = _year(found.group(4))
        if month > 12 and 1 <= day <= 12:
            return Problem.DATE_MONTH_FIRST
    elif found := _NAMED.fullmatch(cleaned):
        weekday, named = found.group(1), _MONTHS.get(found.group(3))
        if named is None or (weekday is not None and weekday not in _WEEKDAYS):
            return Problem.DATE_UNREADABLE
        day, month, year = int(found.group(2)), named, _year(found.group(4))
    else:
        return Problem.DATE_UNREADABLE
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return Problem.DATE_UNREADABLE
    try:
        found_day = date(year, month, day)
    except ValueError:
        return Problem.DATE_UNREADABLE
    if weekday is not None and _WEEKDAYS[found_day.weekday()] != weekday:
        return Problem.DATE_UNREADABLE  # "Fri 5 Dec 2026", but that is a Saturday
    return found_day


def _year(text: str) -> int:
    return int(text) + (2000 if len(text) == 2 else 0)


def looks_like_csv(file_name: str | None, mime_type: str | None) -> bool:
    """Whether a file sent to the bot is a CSV file (by its name, else its type)."""
    if file_name:
        return file_name.casefold().endswith(".csv")
    return (mime_type or "").casefold() in {
        "text/csv",
        "text/comma-separated-values",
        "application/csv",
    }


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


def column_letter(position: int) -> str:
    """A column's letter as spreadsheets show it: 1 -> "A", 27 -> "AA"."""
    letters = ""
    while position > 0:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _from_iso(text: object) -> date | None:
    return None if not text else date.fromisoformat(str(text))
