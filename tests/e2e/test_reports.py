"""Reports through the real bot and the emulator: /report as a supervisor (a summary picture,
then the PDF), a worker refused, the team picture under /team, and the month's report arriving
by itself on the first working day of the month (the injectable clock)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import AuditEntry, Case
from storage.models_process import PlanAim, SupportPlan
from tests.e2e.conftest import Chatter, member
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MONTHLY = "last month's report"


def pdf_text(message: ChatMessage) -> str:
    assert message.file_bytes is not None
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(message.file_bytes)).pages
    )


async def audited(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list((await uow.session.scalars(query)).all())


async def report_rows(database: Database) -> list[str]:
    async with database.unit_of_work() as uow:
        return [row.key for row in await uow.outbox.with_key_prefix("report:")]


async def two_weekly_checks(database: Database, clock: MovableClock) -> None:
    """Last week's checks of a case of Alex's (engaged) and one of Kim's (partly, an
    incident); both closed since, with their aims scored at the plan's start and at closing."""
    week = (clock.now() - timedelta(days=7)).date()
    async with database.unit_of_work() as uow:
        for user, reference, level, incident, scores in (
            (WORKER_ID, "FAM-0142", "engaged", False, [(3, 7), (5, 6)]),
            (OTHER_WORKER_ID, "FAM-0200", "partly", True, [(4, 4)]),
        ):
            worker = await member(uow, user)
            case = Case(
                team_id=worker.team_id,
                reference=reference,
                worker_id=worker.id,
                stage="monitoring",
                cadence_days=7,
                opened_at=clock.now() - timedelta(days=60),
                closed_at=clock.now() - timedelta(days=3),
            )
            uow.session.add(case)
            await uow.session.flush()
            plan = SupportPlan(
                case_id=case.id,
                made_on=week - timedelta(days=40),
                author_id=worker.id,
                created_at=clock.now(),
            )
            uow.session.add(plan)
            await uow.session.flush()
            for position, (start, end) in enumerate(scores, 1):
                uow.session.add(
                    PlanAim(
                        plan_id=plan.id,
                        position=position,
                        text="Back in school",
                        start_score=start,
                        end_score=end,
                    )
                )
            check = await uow.engagement.row(
                team_id=worker.team_id,
                case_id=case.id,
                worker_id=worker.id,
                week=week,
                at=clock.now(),
            )
            check.engagement, check.incident = level, incident


async def test_report_sends_a_supervisor_a_picture_then_the_pdf_and_refuses_a_worker(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await two_weekly_checks(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")

    after = len(emulator.bot_messages(SUPERVISOR_ID))
    emulator.send_message(SUPERVISOR_ID, "/report", first_name="Sam")
    picture = await emulator.wait_for_bot_message(
        SUPERVISOR_ID, lambda m: m.kind == "photo", after=after
    )
    assert picture.file_bytes is not None
    assert picture.file_bytes.startswith(PNG_SIGNATURE)
    assert "North Team" in picture.text and "follows as a PDF" in picture.text
    index = [m.message_id for m in emulator.bot_messages(SUPERVISOR_ID)].index(picture.message_id)
    document = await emulator.wait_for_bot_message(
        SUPERVISOR_ID, lambda m: m.kind == "document", after=index + 1
    )
    assert document.file_name == "bearings-report-2026-10-27-2026-11-23.pdf"
    text = pdf_text(document)
    assert "North Team" in text and "Visits on time" in text
    # The weekly checks (issue 22.6): two, by two workers, one with an incident.
    flat = " ".join(text.split())
    assert "2 checks of 2 cases: engaged 1 (50%), partly 1, not engaged 0. Incidents: 1." in flat
    # The aims of the cases closed (issue 22.7): (3+5+4)/3 = 4.0 to (7+6+4)/3 = 5.7.
    assert (
        "2 cases closed with 3 aims scored: on average 4.0 out of 10 at the start and 5.7 at "
        "closing (+1.7). 1 of the 2 cases closed better on average than they started."
    ) in flat
    assert "fewer than five people took a check" in text
    [entry] = await audited(database, "report.read")
    assert entry.detail["via"] == "chat" and entry.actor_id is not None

    refused = await alex.send_until("/report", "Only supervisors")
    assert refused.kind == "text"
    assert not [m for m in emulator.bot_messages(WORKER_ID) if m.kind in ("photo", "document")]
    assert len(await audited(database, "report.read")) == 1


async def test_team_offers_a_picture_of_the_team_for_its_supervisor(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    overview = await sam.send_until("/team", "North Team")
    assert "📊 Team picture" in overview.labels
    picture = await sam.tap("Team picture")
    assert picture.kind == "photo" and picture.file_bytes is not None
    assert picture.file_bytes.startswith(PNG_SIGNATURE)
    assert "North Team" in picture.text and "open flags" in picture.text
    assert len(await audited(database, "team.picture_read")) == 1


async def test_the_months_report_reaches_supervisors_on_the_first_working_day(
    bot_with_nudges: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    clock.set(datetime(2027, 12, 31, 12, 0, tzinfo=UTC))  # Friday
    await seed_team(database, clock)

    clock.set(datetime(2028, 1, 1, 10, 0, tzinfo=UTC))  # Saturday the 1st: not a working day
    await bot_with_nudges.tick()
    clock.set(datetime(2028, 1, 2, 10, 0, tzinfo=UTC))  # Sunday
    await bot_with_nudges.tick()
    assert await report_rows(database) == []  # tick() has planned: nothing owed yet

    clock.set(datetime(2028, 1, 3, 9, 0, tzinfo=UTC))  # Monday the 3rd, 09:00 in London
    picture = await emulator.wait_for_bot_message(
        SUPERVISOR_ID, lambda m: m.kind == "photo" and MONTHLY in m.text, after=0
    )
    assert "1 Dec to 31 Dec 2027" in picture.text
    ids = [m.message_id for m in emulator.bot_messages(SUPERVISOR_ID)]
    document = await emulator.wait_for_bot_message(
        SUPERVISOR_ID, lambda m: m.kind == "document", after=ids.index(picture.message_id) + 1
    )
    assert document.file_name == "bearings-report-2027-12-01-2027-12-31.pdf"
    assert "North Team" in pdf_text(document)

    south = await emulator.wait_for_bot_message(
        OTHER_TEAM_SUPERVISOR_ID, lambda m: m.kind == "photo" and MONTHLY in m.text, after=0
    )
    assert "South Team" in south.text and "North Team" not in south.text
    assert not [m for m in emulator.bot_messages(WORKER_ID) if MONTHLY in m.text]

    clock.advance(timedelta(hours=1))  # once a month, however many ticks
    await bot_with_nudges.tick()
    keys = await report_rows(database)
    assert len(keys) == 4 and all(key.startswith("report:") and ":2028-01:" in key for key in keys)
