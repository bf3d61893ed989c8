"""Exports on real databases (SQLite and PostgreSQL): complete, decrypted, only what the
reader may have, and audited (bot/services/export.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.clock import MovableClock
from bot.domain.errors import Refusal
from bot.services import export
from storage.db import Database
from storage.models import AuditEntry
from tests.export_data import (
    ACCENTS,
    ACTION,
    ARABIC,
    CHECK_NOTE,
    CORRECTED_NEXT_STEP,
    DECISIONS,
    EMOJI,
    FLAG_SUMMARY,
    KIMS_NOTE,
    MARKUP,
    NEXT_STEP,
    OUTCOME,
    PRIVATE_STUCK,
    REFERENCE,
    SAVED_STUCK,
    SEEDED_TEXTS,
    TASK,
    VISIT_NOTE,
    Seeded,
    seed_case_with_everything,
)
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
async def seeded(database: Database, clock: MovableClock) -> Seeded:
    await seed_team(database, clock)
    return await seed_case_with_everything(database, clock)


def pdf_text(content: bytes) -> str:
    """The PDF's words, lines joined (a note's line breaks are laid out as breaks)."""
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def assert_special_characters_shown(text: str) -> None:
    """Accents, the emoji the font has, markup typed as text and Arabic all reach the page."""
    assert ACCENTS in text and EMOJI in text and MARKUP in text
    # Right-to-left text is laid out in display order, which is how pypdf reads it back.
    assert ARABIC in text or ARABIC[::-1] in text


async def audit_entries(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list((await uow.session.scalars(query)).all())


async def test_a_workers_export_holds_all_their_data_decrypted_in_json_and_pdf(
    database: Database, clock: MovableClock, seeded: Seeded
) -> None:
    async with database.unit_of_work() as uow:
        exported = await export.export_own_data(uow, clock, telegram_user_id=WORKER_ID)

    json_file, pdf_file = exported.files
    assert (json_file.name, pdf_file.name) == (
        "bearings-my-data-2026-11-23.json",
        "bearings-my-data-2026-11-23.pdf",
    )
    data = json.loads(json_file.content)
    assert data["member"]["display_name"] == "Alex Worker"
    assert data["member"]["joined_at"] == "2026-11-23T09:00:00+00:00"
    assert [c["reference"] for c in data["cases"]] == [REFERENCE]
    assert [v["how_it_went"] for v in data["visits"]] == [VISIT_NOTE]
    assert data["visits"][0]["next_step"] == CORRECTED_NEXT_STEP
    assert data["visits"][0]["earlier_versions"][0]["previous"] == {"next_step": NEXT_STEP}
    note = data["supervision_notes"][0]
    answers = {a["step"]: a["value"] for a in note["answers"]}
    assert (answers["task"], answers["decisions"]) == (TASK, DECISIONS)
    assert [a["text"] for a in data["actions"]] == [ACTION]
    (flag,) = data["flags"]
    assert (flag["summary"], flag["outcome"], flag["state"]) == (FLAG_SUMMARY, OUTCOME, "resolved")
    assert [e["what"] for e in flag["history"]] == [
        "flag.raised",
        "flag.acknowledged",
        "flag.resolved",
    ]
    wheres = [
        next(a["value"] for a in w["answers"] if a["step"] == "where_stuck")
        for w in data["stuck_walkthroughs"]
    ]
    assert wheres == [SAVED_STUCK, PRIVATE_STUCK]  # both are hers
    assert data["bearings_checks"][0]["note"] == CHECK_NOTE
    assert KIMS_NOTE not in json_file.content.decode()

    text = pdf_text(pdf_file.content)
    for typed in (*SEEDED_TEXTS[1:], NEXT_STEP, PRIVATE_STUCK, CHECK_NOTE, REFERENCE):
        assert typed in text, typed
    assert_special_characters_shown(text)
    assert KIMS_NOTE not in text

    (entry,) = await audit_entries(database, "export.personal")
    async with database.unit_of_work() as uow:
        alex = await uow.members.by_telegram_id(WORKER_ID)
    assert alex is not None and entry.actor_id == alex.id
    assert (entry.subject, entry.detail) == (
        f"member:{alex.id}",
        {"files": "json,pdf", "via": "chat"},
    )


async def test_a_supervisors_case_export_is_a_complete_pdf_without_private_walkthroughs(
    database: Database, clock: MovableClock, seeded: Seeded
) -> None:
    async with database.unit_of_work() as uow:
        exported = await export.export_case(
            uow, clock, telegram_user_id=SUPERVISOR_ID, reference="fam-0142"
        )

    (pdf_file,) = exported.files
    assert pdf_file.name == "bearings-FAM-0142-2026-11-23.pdf"
    assert pdf_file.content.startswith(b"%PDF-")
    text = pdf_text(pdf_file.content)
    for typed in (*SEEDED_TEXTS[1:], REFERENCE):
        assert typed in text, typed
    for line in VISIT_NOTE.splitlines()[1:2]:
        assert line in text
    assert_special_characters_shown(text)
    assert "Resolved – Sam Supervisor" in text and "Acknowledged – Sam Supervisor" in text
    assert PRIVATE_STUCK not in text and "1 more was kept private" in text
    assert KIMS_NOTE not in text and CHECK_NOTE not in text

    (entry,) = await audit_entries(database, "export.case")
    assert (entry.subject, entry.detail) == (
        f"case:{seeded.case_id}",
        {"files": "pdf", "via": "chat"},
    )
    assert PRIVATE_STUCK not in json.dumps(entry.detail) and entry.actor_id is not None


async def test_the_worker_holding_a_case_may_export_it_and_nobody_else_outside_the_team(
    database: Database, clock: MovableClock, seeded: Seeded
) -> None:
    async with database.unit_of_work() as uow:
        own = await export.export_case(
            uow, clock, telegram_user_id=WORKER_ID, case_id=seeded.case_id
        )
    assert PRIVATE_STUCK in pdf_text(own.files[0].content)  # her own walk-through

    refused = [
        {"telegram_user_id": OTHER_WORKER_ID, "reference": REFERENCE},
        {"telegram_user_id": OTHER_WORKER_ID, "case_id": seeded.case_id},
        {"telegram_user_id": OTHER_TEAM_SUPERVISOR_ID, "reference": REFERENCE},
        {"telegram_user_id": OTHER_TEAM_SUPERVISOR_ID, "case_id": seeded.case_id},
        {"telegram_user_id": SUPERVISOR_ID, "reference": "FAM-9999"},
        {"telegram_user_id": SUPERVISOR_ID, "reference": "Jane Smith"},
    ]
    for asking in refused:
        with pytest.raises(Refusal) as refusal:
            async with database.unit_of_work() as uow:
                await export.export_case(uow, clock, **asking)  # type: ignore[arg-type]
        assert refusal.value.code == "case_not_yours", asking
    with pytest.raises(Refusal) as stranger:
        async with database.unit_of_work() as uow:
            await export.export_own_data(uow, clock, telegram_user_id=4242)
    assert stranger.value.code == "not_a_member"
    assert len(await audit_entries(database, "export.case")) == 1


async def test_the_operator_exports_a_case_or_a_person_from_the_command_line_service(
    database: Database, clock: MovableClock, seeded: Seeded
) -> None:
    async with database.unit_of_work() as uow:
        case = await export.export_case_for_operator(
            uow, clock, team_name="North Team", reference=REFERENCE
        )
        person = await export.export_member_for_operator(
            uow, clock, team_name="North Team", subject_telegram_id=OTHER_WORKER_ID
        )
    case_text = pdf_text(case.files[0].content)
    assert OUTCOME in case_text and PRIVATE_STUCK not in case_text
    data = json.loads(person.files[0].content)
    assert [v["how_it_went"] for v in data["visits"]] == [KIMS_NOTE]
    entries = await audit_entries(database, "export.case") + await audit_entries(
        database, "export.personal"
    )
    assert [(e.actor_id, e.detail["via"]) for e in entries] == [
        (None, "command line"),
        (None, "command line"),
    ]
    with pytest.raises(Refusal) as elsewhere:
        async with database.unit_of_work() as uow:
            await export.export_member_for_operator(
                uow, clock, team_name="South Team", subject_telegram_id=WORKER_ID
            )
    assert elsewhere.value.code == "export_member_unknown"
