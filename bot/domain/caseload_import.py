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
stage                         yes        a stage's name or value ("Monitoring",
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.caseload_cells import read_cadence, read_file_date, read_stage, words
from bot.domain.caseload_problems import Column, Problem, RowProblem, column_letter
from bot.domain.cases import DEFAULT_CADENCE_DAYS, ReferenceProblem, Stage
from bot.domain.cases import normalise_reference as _normalise_reference

__all__ = [
    "Column",
    "Problem",
    "RowProblem",
    "column_letter",
    "read_cadence",
    "read_file_date",
    "read_stage",
    "words",
]

MAX_FILE_BYTES = 1_000_000
"""The largest file read (about 10,000 rows of a plain caseload; far more than a team)."""

MAX_ROWS = 2_000
"""The most cases one file may hold."""

PREVIEW_HOURS = 24
"""How long a preview shown in chat can be confirmed."""

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


def looks_like_csv(file_name: str | None, mime_type: str | None) -> bool:
    """Whether a file sent to the bot is a CSV file (by its name, else its type)."""
    if file_name:
        return file_name.casefold().endswith(".csv")
    return (mime_type or "").casefold() in {
        "text/csv",
        "text/comma-separated-values",
        "application/csv",
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _from_iso(text: object) -> date | None:
    return None if not text else date.fromisoformat(str(text))
