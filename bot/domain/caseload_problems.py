"""What can be wrong with a caseload file, and where: the columns a file can have, the kinds
of problem, and one problem's place (row and column), for bot/domain/caseload_import.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Column(StrEnum):
    """The columns a caseload file can have."""

    REFERENCE = "reference"
    WORKER = "key_worker"
    STAGE = "stage"
    CADENCE = "visit_cadence"
    NEXT_VISIT = "next_visit_due"
    NEXT_REVIEW = "next_plan_review"


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


def column_letter(position: int) -> str:
    """A column's letter as spreadsheets show it: 1 -> "A", 27 -> "AA"."""
    letters = ""
    while position > 0:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
