"""Reading and checking a caseload file (bot/domain/caseload_import.py): headers, dates,
cadences, stages, row numbers, duplicates, key workers and the cases a team already has."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.caseload_import import (
    MAX_ROWS,
    CaseRow,
    Column,
    Problem,
    ReadFile,
    RowProblem,
    column_letter,
    looks_like_csv,
    read_cadence,
    read_caseload,
    read_file_date,
    read_stage,
)
from bot.domain.caseload_plan import ExistingCase, TeamMember, find_worker, plan_import
from bot.domain.cases import Stage
from bot.services.caseload_import import LIMITS, CasePreview, ImportCheck
from prompts import render

HEADER = "reference,key worker,stage,visit cadence,next visit due,next plan review\n"
DEC_5 = date(2026, 12, 5)
MEMBERS = [
    TeamMember(1, "Alex Worker", "alex_kw"),
    TeamMember(2, "Kim", None),
    TeamMember(3, "Sam Supervisor", "SamS"),
]


def read(text: str, *, bom: bool = False) -> ReadFile:
    return read_caseload(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def found(read_file: ReadFile) -> list[tuple[int | None, Problem, Column | None]]:
    return [(p.row, p.problem, p.column) for p in read_file.problems]


def test_a_clean_file_with_a_bom_reads_every_row_with_its_line_number() -> None:
    read_file = read(
        HEADER
        + "FAM-0142,@alex_kw,Engagement,7,5/12/2026,\n"
        + "\n"  # a blank line still counts as a line of the file
        + "fam-0143 , Kim ,monitoring & review,fortnightly,,5 Dec 2026\n"
        + ",,,,,\n",  # the empty row a spreadsheet leaves at the end
        bom=True,
    )
    assert read_file.problems == []
    assert read_file.rows == [
        CaseRow(2, "FAM-0142", "@alex_kw", Stage.ENGAGEMENT, 7, DEC_5, None),
        CaseRow(4, "FAM-0143", "Kim", Stage.MONITORING, 14, None, DEC_5),
    ]
    assert read_file.workers_written == [(2, "@alex_kw"), (4, "Kim")]


@pytest.mark.parametrize(
    "header",
    [
        "Reference,Key worker,Stage",
        "REFERENCE,KEY_WORKER,STAGE",
        "  case reference ; keyworker ; Case Stage ",
        "Ref\tWorker\tstage",
        "reference,key-worker,stage,Visit cadence (days),Next_Visit_Due,Next plan review date",
    ],
)
def test_headers_are_matched_loosely_and_the_separator_is_found(header: str) -> None:
    separator = ";" if ";" in header else "\t" if "\t" in header else ","
    cells = ["FAM-1", "Kim", "assessment"] + ([""] * (header.count(separator) - 2))
    read_file = read(header + "\n" + separator.join(cells) + "\n")
    assert read_file.problems == []
    (row,) = read_file.rows
    assert (row.reference, row.worker, row.stage, row.cadence_days) == (
        "FAM-1",
        "Kim",
        Stage.ASSESSMENT,
        7,  # no cadence: every 7 days, as /newcase's default
    )


def test_a_header_problem_is_reported_on_row_1_with_the_columns_letter() -> None:
    read_file = read("reference,Notes,stage,stage\nFAM-1,x,engagement,engagement\n")
    assert read_file.problems == [
        RowProblem(1, Problem.UNKNOWN_COLUMN, header="Notes", position=2),
        RowProblem(1, Problem.REPEATED_COLUMN, column=Column.STAGE, position=4),
        RowProblem(1, Problem.MISSING_COLUMN, column=Column.WORKER),
    ]
    assert read_file.problems[0].letter == "B" and read_file.rows == []


def test_a_file_with_no_header_says_so_once() -> None:
    read_file = read("FAM-1,Kim,engagement\nFAM-2,Kim,engagement\n")
    assert found(read_file) == [(1, Problem.NO_HEADER, None)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(None, Problem.EMPTY, None)]),
        (b"\n \n", [(None, Problem.EMPTY, None)]),
        (HEADER.encode(), [(None, Problem.NO_ROWS, None)]),
        (b"x" * 1_000_001, [(None, Problem.FILE_TOO_BIG, None)]),
        # Latin-1 from an old spreadsheet: the bad byte is on line 3.
        (
            HEADER.encode() + b"FAM-1,Kim,engagement,,,\nFAM-2,J\xe9r\xf4me,engagement,,,\n",
            [(3, Problem.NOT_UTF8, None)],
        ),
        (HEADER.encode() + b'FAM-1,"Kim,engagement\x00,,,\n', [(2, Problem.UNREADABLE, None)]),
    ],
    ids=["empty", "blank", "header-only", "too-big", "not-utf8", "unreadable"],
)
def test_whole_file_problems(
    content: bytes, expected: list[tuple[int | None, Problem, Column | None]]
) -> None:
    assert found(read_caseload(content)) == expected


def test_more_than_the_row_limit_is_refused_without_a_problem_per_row() -> None:
    rows = "".join(f"FAM-{n},Kim,engagement,,,\n" for n in range(MAX_ROWS + 1))
    assert found(read(HEADER + rows)) == [(None, Problem.TOO_MANY_ROWS, None)]
    assert read(HEADER + rows.split("\n", 1)[1]).problems == []  # exactly the limit is fine


def test_every_problem_is_listed_with_its_row_and_column_and_no_row_is_kept() -> None:
    read_file = read(
        HEADER
        + "FAM-1,Kim,engagement,7,5/12/2026,\n"  # row 2: fine
        + ",Kim,,7,,\n"  # row 3: no reference, no stage
        + "John Smith,Kim,engagement,monthly,12/25/2026,tomorrow\n"  # row 4
        + "fam-1,,Closed,7,31/2/2026,\n"  # row 5: FAM-1 again, no worker
        + "FAM 9,Kim,agreement,7,,,surprise\n"  # row 6: a space; a cell with no column
    )
    assert found(read_file) == [
        (3, Problem.MISSING_VALUE, Column.REFERENCE),
        (3, Problem.MISSING_VALUE, Column.STAGE),
        (4, Problem.REFERENCE_NAME_LIKE, Column.REFERENCE),
        (4, Problem.CADENCE_UNREADABLE, Column.CADENCE),
        (4, Problem.DATE_MONTH_FIRST, Column.NEXT_VISIT),
        (4, Problem.DATE_UNREADABLE, Column.NEXT_REVIEW),
        (5, Problem.REFERENCE_REPEATED, Column.REFERENCE),
        (5, Problem.MISSING_VALUE, Column.WORKER),
        (5, Problem.STAGE_UNKNOWN, Column.STAGE),
        (5, Problem.DATE_UNREADABLE, Column.NEXT_VISIT),
        (6, Problem.EXTRA_CELLS, None),
        (6, Problem.REFERENCE_SHAPE, Column.REFERENCE),
    ]
    repeated = read_file.problems[6]
    assert (repeated.reference, repeated.other_row) == ("FAM-1", 2)
    assert read_file.problems[10].letter == "G"
    assert [row.row for row in read_file.rows] == [2]
    # Key workers are checked on every row that names one, even rows with other problems.
    assert [line for line, _ in read_file.workers_written] == [2, 3, 4, 6]


def test_problems_never_carry_what_a_cell_said() -> None:
    read_file = read(HEADER + "Jane Doe,Jane Doe,Jane Doe,Jane Doe,Jane Doe,Jane Doe\n")
    assert read_file.problems
    assert "Jane" not in repr(read_file.problems)


def test_a_quoted_cell_over_two_lines_is_numbered_by_the_line_its_row_starts_on() -> None:
    read_file = read(HEADER + 'FAM-1,"Kim",engagement,,,\n"FAM-2","Alex\nWorker",nope,,,\n')
    assert found(read_file) == [(3, Problem.STAGE_UNKNOWN, Column.STAGE)]
    assert read_file.workers_written == [(2, "Kim"), (3, "Alex\nWorker")]


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05",
        "2026/12/05",
        "5/12/2026",
        "05/12/2026",
        "05/12/26",
        "5.12.2026",
        "5-12-2026",
        "5 Dec 2026",
        "5 dec 26",
        "5th December 2026",
        "5 December, 2026",
        "5-Dec-26",
        "Sat 5 Dec 2026",
        "Saturday, 5 December 2026",
        "  5 Sept 2026 ".replace("Sept", "Dec"),
    ],
)
def test_dates_as_people_write_them_in_the_uk(text: str) -> None:
    assert read_file_date(text) == DEC_5


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("12/25/2026", Problem.DATE_MONTH_FIRST),
        ("31/2/2026", Problem.DATE_UNREADABLE),
        ("5/12", Problem.DATE_UNREADABLE),  # no year: it would depend on the day of import
        ("tomorrow", Problem.DATE_UNREADABLE),
        ("Fri 5 Dec 2026", Problem.DATE_UNREADABLE),  # 5 December 2026 is a Saturday
        ("5 Decembre 2026", Problem.DATE_UNREADABLE),
        ("1999-12-05", Problem.DATE_UNREADABLE),
        ("5/12-2026", Problem.DATE_UNREADABLE),
        ("46000", Problem.DATE_UNREADABLE),  # a spreadsheet's serial number
    ],
)
def test_dates_that_are_not_read(text: str, problem: Problem) -> None:
    assert read_file_date(text) == problem


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("7", 7),
        ("14 days", 14),
        ("10days", 10),
        ("weekly", 7),
        ("Every week", 7),
        ("fortnightly", 14),
        ("every fortnight", 14),
        ("every 2 weeks", 14),
        ("every two weeks", 14),
        ("3-weekly", 21),
        ("4 weeks", 28),
        ("daily", 1),
        ("90", 90),
    ],
)
def test_cadences(text: str, days: int) -> None:
    assert read_cadence(text) == days


@pytest.mark.parametrize("text", ["monthly", "0", "91", "13 weeks", "often", "-7", "7.5", "1e3"])
def test_cadences_that_are_not_read(text: str) -> None:
    assert read_cadence(text) is None


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("engagement", Stage.ENGAGEMENT),
        ("ENGAGEMENT", Stage.ENGAGEMENT),
        ("family_meeting", Stage.FAMILY_MEETING),
        ("Family meeting / plan", Stage.FAMILY_MEETING),
        ("family meeting", Stage.FAMILY_MEETING),
        ("Monitoring & review", Stage.MONITORING),
        ("monitoring and review", Stage.MONITORING),
        ("Closing", Stage.CLOSING),
    ],
)
def test_stages_by_value_or_label(text: str, stage: Stage) -> None:
    assert read_stage(text) is stage


@pytest.mark.parametrize("text", ["closed", "plan", "review", "engage"])
def test_what_is_not_a_stage(text: str) -> None:
    assert read_stage(text) is None


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("@alex_kw", 1),
        ("alex_kw", 1),
        ("ALEX_KW", 1),
        ("Alex Worker", 1),
        ("  alex   worker ", 1),
        ("kim", 2),
        ("@sams", 3),
        ("@Kim", Problem.WORKER_UNKNOWN),  # "@" names a username, and Kim has none
        ("Alex", Problem.WORKER_UNKNOWN),
        ("@", Problem.WORKER_UNKNOWN),
    ],
)
def test_key_workers_by_username_or_the_name_they_joined_with(
    written: str, expected: int | Problem
) -> None:
    assert find_worker(written, MEMBERS) == expected


def test_a_name_two_members_share_is_ambiguous_but_a_username_is_not() -> None:
    members = [TeamMember(1, "Sam", "sam_one"), TeamMember(2, "sam", None)]
    assert find_worker("Sam", members) is Problem.WORKER_AMBIGUOUS
    assert find_worker("@sam_one", members) == 1
    # One person's name that is another's username is ambiguous too.
    assert find_worker("kim", [TeamMember(1, "Kim", None), TeamMember(2, "Jo", "kim")]) is (
        Problem.WORKER_AMBIGUOUS
    )


def _existing(reference: str, **changes: object) -> ExistingCase:
    values: dict[str, object] = {
        "reference": reference,
        "worker_id": 2,
        "stage": "engagement",
        "cadence_days": 7,
        "next_visit_due": DEC_5,
        "next_review_on": None,
        "closed": False,
    }
    values.update(changes)
    return ExistingCase(**values)  # type: ignore[arg-type]


def test_the_plan_adds_new_cases_leaves_identical_ones_and_refuses_differences() -> None:
    read_file = read(
        HEADER
        + "NEW-1,@alex_kw,engagement,,,\n"
        + "SAME-1,Kim,engagement,7,5/12/2026,\n"
        + "DIFF-1,Kim,engagement,14,5/12/2026,\n"
        + "SHUT-1,Kim,engagement,7,5/12/2026,\n"
        + "WHO-1,Nobody,engagement,,,\n"
    )
    existing = {
        "SAME-1": _existing("SAME-1"),
        "DIFF-1": _existing("DIFF-1"),
        "SHUT-1": _existing("SHUT-1", closed=True),
    }
    plan = plan_import(read_file, MEMBERS, existing)
    assert [(c.reference, c.worker_id) for c in plan.new] == [("NEW-1", 1)]
    assert [c.reference for c in plan.unchanged] == ["SAME-1"]
    assert [(p.row, p.problem, p.reference) for p in plan.problems] == [
        (4, Problem.CASE_DIFFERS, "DIFF-1"),
        (5, Problem.CASE_CLOSED, "SHUT-1"),
        (6, Problem.WORKER_UNKNOWN, None),
    ]
    assert not plan.clean


def test_row_problems_and_key_worker_problems_come_together_in_file_order() -> None:
    read_file = read(HEADER + "FAM-1,Nobody,nope,,,\nFAM-2,Kim,engagement,,,\n")
    plan = plan_import(read_file, MEMBERS, {})
    assert [(p.row, p.problem) for p in plan.problems] == [
        (2, Problem.WORKER_UNKNOWN),
        (2, Problem.STAGE_UNKNOWN),
    ]
    assert [c.reference for c in plan.new] == ["FAM-2"]


def test_a_clean_file_imported_twice_plans_nothing_new_the_second_time() -> None:
    read_file = read(HEADER + "FAM-1,Kim,assessment,weekly,2026-12-05,\n")
    (first,) = plan_import(read_file, MEMBERS, {}).new
    existing = {
        "FAM-1": ExistingCase(
            "FAM-1",
            first.worker_id,
            first.stage.value,
            first.cadence_days,
            first.next_visit_due,
            first.next_review_on,
            closed=False,
        )
    }
    again = plan_import(read_file, MEMBERS, existing)
    assert again.clean and again.new == [] and [c.reference for c in again.unchanged] == ["FAM-1"]


def test_a_row_survives_being_kept_between_preview_and_confirm() -> None:
    row = CaseRow(7, "FAM-1", "@alex_kw", Stage.FAMILY_MEETING, 21, None, DEC_5)
    assert CaseRow.from_json(row.to_json()) == row


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("caseload.csv", None, True),
        ("CASELOAD.CSV", "application/vnd.ms-excel", True),
        ("caseload.xlsx", "text/csv", False),
        (None, "text/csv", True),
        (None, "application/pdf", False),
    ],
)
def test_which_files_are_csv(name: str | None, mime: str | None, expected: bool) -> None:
    assert looks_like_csv(name, mime) is expected


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 7, 26, 27, 52, 53)] == ["A", "G", "Z", "AA", "AZ", "BA"]


@given(st.binary(max_size=400))
def test_any_bytes_at_all_read_as_rows_or_problems_never_an_error(content: bytes) -> None:
    read_file = read_caseload(content)
    assert read_file.rows or read_file.problems or not content.strip()


@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=8), max_size=6))
def test_any_cells_under_a_good_header_read_or_are_refused_by_row(cells: list[list[str]]) -> None:
    body = "".join(
        ",".join(c.replace(",", " ").replace('"', "") for c in row) + "\n" for row in cells
    )
    read_file = read(HEADER + body)
    for problem in read_file.problems:
        assert problem.row is None or problem.row >= 2
    for row in read_file.rows:
        assert row.row >= 2 and 1 <= row.cadence_days <= 90


def test_the_documented_sample_file_imports_as_it_says() -> None:
    using = Path(__file__).resolve().parents[2] / "docs" / "using.md"
    sample = using.read_text(encoding="utf-8").split("```csv\n", 1)[1].split("```", 1)[0]
    plan = plan_import(read(sample), MEMBERS, {})
    assert plan.clean
    assert [(c.reference, c.worker_id, c.stage, c.cadence_days) for c in plan.new] == [
        ("FAM-0142", 1, Stage.ENGAGEMENT, 7),
        ("FAM-0143", 2, Stage.MONITORING, 14),
        ("FAM-0144", 1, Stage.FAMILY_MEETING, 28),
    ]


def _telegram_length(html: str) -> int:
    """How long Telegram counts a message: UTF-16 units of the text once HTML is parsed."""
    plain = unescape(re.sub(r"<[^>]+>", "", html))
    return len(plain.encode("utf-16-le")) // 2


def test_the_longest_preview_and_list_of_problems_fit_in_one_message() -> None:
    header = "🙂" * 30  # a header cell is echoed back, cut to 30 characters
    problems = [
        RowProblem(1, Problem.UNKNOWN_COLUMN, header=header, position=700 + n)
        for n in range(LIMITS.preview_problems + 5)
    ]
    check = ImportCheck("T" * 80, [], [], problems)
    worst = render("import_preview", check=check, limits=LIMITS, changed=True)
    assert "…and 5 more." in worst
    assert _telegram_length(worst) <= 4096

    row = CasePreview(MAX_ROWS + 1, "A" * 32, "🙂" * 64, "Family meeting / plan", 90, DEC_5, DEC_5)
    new = [replace(row, reference=f"{n:0>32}", worker_name=f"{n}" + "🙂" * 63) for n in range(40)]
    check = ImportCheck("T" * 80, new, ["X"] * 1999, [], pending_id=1)
    longest = render("import_preview", check=check, limits=LIMITS, changed=False)
    assert "…and 30 more." in longest and " · 32 others" in longest
    assert _telegram_length(longest) <= 4096
