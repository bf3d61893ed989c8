"""Importing a caseload on real databases (SQLite and PostgreSQL): from the command line's
use case and through a preview in chat, all or nothing, twice changing nothing, audited,
the waiting rows encrypted, confirmed only by whoever sent the file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.clock import MovableClock
from bot.domain.caseload_import import Problem
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.services import caseload_import, erasure, onboarding, planner, reachability
from bot.services.caseload_import import ImportCheck, Imported, ImportExpired
from storage.db import Database
from storage.models import AuditEntry, Case, Member, PendingImport
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SECOND_SUPERVISOR_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)

HEADER = "Reference,Key worker,Stage,Visit cadence,Next visit due,Next plan review\n"
CASELOAD = (
    HEADER
    + "FAM-0142,@alex_kw,Engagement,weekly,5/12/2026,\n"
    + "FAM-0143,kim worker,Monitoring & review,every 2 weeks,05/12/26,14 January 2027\n"
    + "fam-0144,Sam Supervisor,assessment,,,\n"
).encode()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


async def seed(database: Database, clock: MovableClock, **kwargs: bool) -> None:
    """North Team (Sam, Alex who wrote to the bot as @alex_kw, Kim) and South Team (Pat)."""
    await seed_team(database, clock, **kwargs)
    async with database.unit_of_work() as uow:
        await reachability.heard_from(uow, clock, telegram_user_id=WORKER_ID, username="Alex_KW")


async def cases_of(database: Database) -> dict[str, tuple[str, str, int, date | None, date | None]]:
    """Every case: (key worker's name, stage, cadence, next visit, next review), by reference."""
    async with database.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(Case, Member.display_name).join(Member, Member.id == Case.worker_id)
        )
        return {
            case.reference: (
                name,
                case.stage,
                case.cadence_days,
                case.next_visit_due,
                case.next_review_on,
            )
            for case, name in rows.all()
        }


async def audit_of(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(await uow.session.scalars(query))


async def import_file(
    database: Database, clock: MovableClock, content: bytes, team: str = "North Team"
) -> ImportCheck | Imported:
    async with database.unit_of_work() as uow:
        return await caseload_import.import_file_for_team(
            uow, clock, team_name=team, content=content
        )


EXPECTED = {
    "FAM-0142": ("Alex Worker", "engagement", 7, date(2026, 12, 5), None),
    "FAM-0143": ("Kim Worker", "monitoring", 14, date(2026, 12, 5), date(2027, 1, 14)),
    "FAM-0144": ("Sam Supervisor", "assessment", 7, None, None),
}


async def test_the_command_line_imports_a_clean_file_and_a_second_time_changes_nothing(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    async with database.unit_of_work() as uow:
        dry = await caseload_import.check_file_for_team(
            uow, clock, team_name="North Team", content=CASELOAD
        )
    assert dry.clean and [c.reference for c in dry.new] == ["FAM-0142", "FAM-0143", "FAM-0144"]
    assert dry.by_worker == [("Alex Worker", 1), ("Kim Worker", 1), ("Sam Supervisor", 1)]
    assert await cases_of(database) == {}  # a dry run changes nothing

    done = await import_file(database, clock, CASELOAD)
    assert isinstance(done, Imported) and done.created == ["FAM-0142", "FAM-0143", "FAM-0144"]
    assert await cases_of(database) == EXPECTED

    clock.advance(timedelta(days=1))
    again = await import_file(database, clock, CASELOAD)
    assert isinstance(again, Imported)
    assert (again.created, again.unchanged) == ([], ["FAM-0142", "FAM-0143", "FAM-0144"])
    assert await cases_of(database) == EXPECTED
    audits = await audit_of(database, "caseload.imported")
    assert [(a.actor_id, a.detail) for a in audits] == [
        (None, {"created": 3, "unchanged": 0, "via": "command line"}),
        (None, {"created": 0, "unchanged": 3, "via": "command line"}),
    ]
    assert {a.subject for a in audits} == {f"team:{audits[0].team_id}"}


async def test_nothing_is_imported_until_every_row_is_clean(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    await import_file(
        database, clock, HEADER.encode() + b"FAM-0142,@alex_kw,engagement,7,5/12/2026,\n"
    )
    bad = (
        HEADER
        + "NEW-0001,Kim Worker,engagement,,,\n"  # fine on its own
        + "FAM-0142,@alex_kw,engagement,14,5/12/2026,\n"  # already there, differently
        + "NEW-0002,Pat South,engagement,,,\n"  # Pat is in another team
        + "NEW-0003,Kim Worker,engagement,,31/02/2027,\n"
    ).encode()
    check = await import_file(database, clock, bad)
    assert isinstance(check, ImportCheck)
    assert [(p.row, p.problem) for p in check.problems] == [
        (3, Problem.CASE_DIFFERS),
        (4, Problem.WORKER_UNKNOWN),
        (5, Problem.DATE_UNREADABLE),
    ]
    assert set(await cases_of(database)) == {"FAM-0142"}  # NEW-0001 was not imported either
    assert len(await audit_of(database, "caseload.imported")) == 1


async def test_key_workers_are_found_among_active_members_only(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock, second_supervisor=True)
    async with database.unit_of_work() as uow:
        kim = await uow.members.by_telegram_id(OTHER_WORKER_ID)
        assert kim is not None
        kim.active = False
    check = await import_file(database, clock, CASELOAD)
    assert isinstance(check, ImportCheck)
    assert [(p.row, p.problem) for p in check.problems] == [(3, Problem.WORKER_UNKNOWN)]


async def test_usernames_are_kept_on_joining_and_follow_what_telegram_says(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    async with database.unit_of_work() as uow:
        invite = await onboarding.create_invite(
            uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
        )
        await onboarding.join_team(
            uow,
            clock,
            token=invite.token,
            telegram_user_id=1010,
            display_name="Jo",
            username="jo_new",
        )
        await reachability.heard_from(uow, clock, telegram_user_id=OTHER_WORKER_ID, username=None)
    content = (HEADER + "NEW-1,@jo_new,engagement,,,\nNEW-2,@ALEX_KW,engagement,,,\n").encode()
    assert isinstance(await import_file(database, clock, content), Imported)
    async with database.unit_of_work() as uow:
        alex = await uow.members.by_telegram_id(WORKER_ID)
        assert alex is not None and alex.telegram_username == "Alex_KW"
        await reachability.heard_from(uow, clock, telegram_user_id=WORKER_ID, username="alex2")
    stale = (HEADER + "NEW-3,@alex_kw,engagement,,,\n").encode()
    check = await import_file(database, clock, stale)
    assert isinstance(check, ImportCheck) and check.problems[0].problem is Problem.WORKER_UNKNOWN
    async with database.engine.connect() as connection:
        stored = await connection.scalar(
            text("SELECT telegram_username FROM members WHERE telegram_user_id = :id"),
            {"id": WORKER_ID},
        )
    assert stored is not None and "alex2" not in stored  # encrypted, like their name


async def test_an_unknown_team_is_refused(database: Database, clock: MovableClock) -> None:
    await seed(database, clock)
    with pytest.raises(Refusal) as refused:
        await import_file(database, clock, CASELOAD, team="Nowhere")
    assert (refused.value.code, refused.value.details) == ("team_unknown", {"name": "Nowhere"})


async def preview(
    database: Database, clock: MovableClock, user: int, content: bytes
) -> ImportCheck:
    async with database.unit_of_work() as uow:
        return await caseload_import.preview_upload(
            uow, clock, telegram_user_id=user, content=content
        )


async def confirm(
    database: Database, clock: MovableClock, user: int, pending_id: int
) -> Imported | ImportCheck | ImportExpired:
    async with database.unit_of_work() as uow:
        return await caseload_import.confirm_upload(
            uow, clock, telegram_user_id=user, pending_id=pending_id
        )


async def pending_count(database: Database) -> int:
    async with database.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(PendingImport)) or 0)


async def test_a_preview_in_chat_keeps_the_rows_encrypted_until_confirmed(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    shown = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    assert shown.clean and shown.pending_id is not None and len(shown.new) == 3
    assert await cases_of(database) == {}
    async with database.engine.connect() as connection:
        raw = await connection.scalar(text("SELECT rows FROM pending_imports"))
    assert raw is not None and "FAM-0142" not in raw and "alex_kw" not in raw

    done = await confirm(database, clock, SUPERVISOR_ID, shown.pending_id)
    assert isinstance(done, Imported) and len(done.created) == 3
    assert await cases_of(database) == EXPECTED
    assert await pending_count(database) == 0
    (audit,) = await audit_of(database, "caseload.imported")
    async with database.unit_of_work() as uow:
        sam = await uow.members.by_telegram_id(SUPERVISOR_ID)
    assert sam is not None and audit.actor_id == sam.id and audit.detail["via"] == "chat"

    with pytest.raises(Refusal) as again:
        await confirm(database, clock, SUPERVISOR_ID, shown.pending_id)
    assert again.value.code == "import_gone"


async def test_only_the_supervisor_who_sent_the_file_can_confirm_or_cancel_it(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock, second_supervisor=True)
    shown = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    assert shown.pending_id is not None
    refusals = {}
    for user in (WORKER_ID, SECOND_SUPERVISOR_ID, OTHER_TEAM_SUPERVISOR_ID, 9999):
        with pytest.raises(Refusal) as refused:
            await confirm(database, clock, user, shown.pending_id)
        refusals[user] = refused.value.code
        async with database.unit_of_work() as uow:
            with pytest.raises(Refusal):
                await caseload_import.cancel_upload(
                    uow, clock, telegram_user_id=user, pending_id=shown.pending_id
                )
    assert refusals == {
        WORKER_ID: "import_supervisors_only",
        SECOND_SUPERVISOR_ID: "import_gone",
        OTHER_TEAM_SUPERVISOR_ID: "import_gone",
        9999: "not_a_member",
    }
    assert await pending_count(database) == 1 and await cases_of(database) == {}
    async with database.unit_of_work() as uow:
        await caseload_import.cancel_upload(
            uow, clock, telegram_user_id=SUPERVISOR_ID, pending_id=shown.pending_id
        )
    assert await pending_count(database) == 0 and await cases_of(database) == {}


async def test_workers_and_strangers_cannot_send_a_caseload_and_nothing_is_kept(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    for user, code in ((WORKER_ID, "import_supervisors_only"), (9999, "not_a_member")):
        with pytest.raises(Refusal) as refused:
            await preview(database, clock, user, CASELOAD)
        assert refused.value.code == code
    assert await pending_count(database) == 0
    async with database.unit_of_work() as uow:
        assert await uow.members.by_telegram_id(9999) is None


async def test_a_file_with_problems_or_nothing_new_keeps_nothing_waiting(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    first = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    bad = await preview(database, clock, SUPERVISOR_ID, HEADER.encode() + b"X,Kim,nope,,,\n")
    assert bad.pending_id is None and [p.problem for p in bad.problems] == [
        Problem.REFERENCE_SHAPE,
        Problem.WORKER_UNKNOWN,
        Problem.STAGE_UNKNOWN,
    ]
    assert await pending_count(database) == 0  # the new file replaced the earlier preview
    assert first.pending_id is not None
    with pytest.raises(Refusal) as replaced:
        await confirm(database, clock, SUPERVISOR_ID, first.pending_id)
    assert replaced.value.code == "import_gone"
    await import_file(database, clock, CASELOAD)
    nothing_new = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    assert nothing_new.clean and nothing_new.new == [] and nothing_new.pending_id is None
    assert await pending_count(database) == 0


async def test_confirm_checks_the_rows_again_against_the_team_as_it_is_then(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    shown = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    assert shown.pending_id is not None
    # Meanwhile FAM-0143 is added another way, and differently.
    await import_file(database, clock, (HEADER + "FAM-0143,Kim Worker,closing,,,\n").encode())
    changed = await confirm(database, clock, SUPERVISOR_ID, shown.pending_id)
    assert isinstance(changed, ImportCheck)
    assert [(p.row, p.problem, p.reference) for p in changed.problems] == [
        (3, Problem.CASE_DIFFERS, "FAM-0143")
    ]
    assert set(await cases_of(database)) == {"FAM-0143"}
    assert await pending_count(database) == 0


async def test_a_preview_expires_and_the_planner_purges_it(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock)
    late = await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    clock.advance(timedelta(hours=25))
    assert late.pending_id is not None
    assert isinstance(await confirm(database, clock, SUPERVISOR_ID, late.pending_id), ImportExpired)
    assert await cases_of(database) == {}

    await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    clock.advance(timedelta(hours=23))
    async with database.unit_of_work() as uow:
        await planner.plan(uow, clock, flow_idle=timedelta(hours=48), retention_days=90)
    assert await pending_count(database) == 1
    clock.advance(timedelta(hours=2))
    async with database.unit_of_work() as uow:
        await planner.plan(uow, clock, flow_idle=timedelta(hours=48), retention_days=90)
    assert await pending_count(database) == 0


async def test_erasing_an_account_drops_a_file_waiting_for_confirm(
    database: Database, clock: MovableClock
) -> None:
    await seed(database, clock, second_supervisor=True)
    await preview(database, clock, SUPERVISOR_ID, CASELOAD)
    async with database.unit_of_work() as uow:
        plan = await erasure.plan_erasure(uow, clock, telegram_user_id=SUPERVISOR_ID)
        await erasure.erase_member(
            uow, clock, telegram_user_id=SUPERVISOR_ID, supervisor_id=plan.supervisor_id
        )
    assert await pending_count(database) == 0
    (audit,) = await audit_of(database, "member.erased")
    assert audit.detail["deleted"]["pending_imports"] == 1
