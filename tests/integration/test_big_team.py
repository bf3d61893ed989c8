"""The big-team fixture (tests/big_team.py) holds what it promises, on both databases.

The counts are read back through the services the bot uses (the caseload, /team, /flags,
/actions, /agenda, a case's history, the digest), so the fixture is also a first check that
they cope with a team of real size; the free text is checked encrypted on the raw database.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import MovableClock
from bot.domain.cases import Stage, normalise_reference, visit_state
from bot.domain.flags import FlagState, Urgency
from bot.services import actions, agenda, cases, flags, notes, nudges, planner, stuck, team
from storage.crypto import key_ring
from storage.db import Database
from storage.models import (
    Action,
    BearingsCheck,
    Flag,
    Member,
    OutboxMessage,
    StuckWalkthrough,
    SupervisionNote,
    Team,
    Visit,
)
from tests.big_team import (
    ACTION_BANK,
    FLAG_BANK,
    NAME_LIMIT,
    REFERENCE_LIMIT,
    SOUTH_WORD,
    STUCK_BANK,
    VISIT_BANK,
    BigTeam,
    seed_big_team,
)
from tests.integration.test_encryption_at_rest import every_encrypted_value, raw_database_text

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""The end-to-end tests' clock: Monday 09:00 in London."""


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


async def test_north_team_has_a_supervisor_eight_workers_and_fifteen_cases_each(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    async with database.unit_of_work() as uow:
        for worker in big_team.workers:
            load = await cases.caseload(uow, clock, telegram_user_id=worker)
            assert not load.whole_team
            assert sorted(c.reference for c in load.cards) == list(big_team.cases[worker])
            assert len(load.cards) == 15
            assert {c.worker_name for c in load.cards} == {big_team.names[worker]}
        whole = await cases.caseload(uow, clock, telegram_user_id=big_team.supervisor)
        overview = await team.team_overview(uow, clock, telegram_user_id=big_team.supervisor)
        north = await _members(uow.session, big_team.team_name)

    assert whole.whole_team and len(whole.cards) == 120
    assert tuple(sorted(c.reference for c in whole.cards)) == big_team.references
    assert [c.reference for c in whole.cards if c.reference.startswith("STH-")] == []
    assert not set(big_team.closed_references) & {c.reference for c in whole.cards}
    assert Counter(m.role for m in north) == {"worker": 8, "supervisor": 1}
    assert len(overview.rows) == 8 and sum(row.cases for row in overview.rows) == 120
    assert {row.name for row in overview.rows} == {big_team.names[w] for w in big_team.workers}
    assert sum(row.visits_overdue for row in overview.rows) > 10
    assert sum(row.reviews_due for row in overview.rows) >= 5
    assert all(row.last_bearings is not None for row in overview.rows)
    # Every stage, every kind of visit date, long references at the limit.
    assert {c.stage for c in whole.cards} == {stage.value for stage in Stage}
    today = big_team.today
    states = Counter(visit_state(c.next_visit_due, today) for c in whole.cards)
    assert states["overdue"] >= 15 and states["today"] >= 5 and states["later"] >= 40
    assert max(c.next_visit_due for c in whole.cards if c.next_visit_due) >= today + timedelta(
        days=14
    )
    week_end = today + timedelta(days=6 - today.weekday())
    reviews = [c.next_review_on for c in whole.cards if c.next_review_on]
    assert sum(today <= day <= week_end for day in reviews) >= 5
    assert any(day < today for day in reviews) and any(
        c.next_review_on is None for c in whole.cards
    )
    assert set(big_team.long_references) <= set(big_team.references)
    assert max(len(r) for r in big_team.references) == REFERENCE_LIMIT
    assert all(normalise_reference(r) == r for r in big_team.references)


async def test_south_team_has_twenty_five_people_and_nothing_crosses_between_teams(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    south_supervisor = big_team.other_supervisors[0]
    async with database.unit_of_work() as uow:
        south = await _members(uow.session, big_team.other_team_name)
        whole = await cases.caseload(uow, clock, telegram_user_id=south_supervisor)
        overview = await team.team_overview(uow, clock, telegram_user_id=south_supervisor)
        south_flags = await flags.open_flags(uow, clock, telegram_user_id=south_supervisor)
        north_flags = await flags.open_flags(uow, clock, telegram_user_id=big_team.supervisor)
        shared = [
            await cases.caseload(uow, clock, telegram_user_id=worker)
            for worker in big_team.other_workers[:3]
        ]

    assert len(big_team.other_team) == 25 and len(south) == 25
    assert Counter(m.role for m in south) == {"worker": 23, "supervisor": 2}
    assert len(overview.rows) == 23
    assert {row.name for row in overview.rows}.isdisjoint(
        big_team.names[w] for w in big_team.workers
    )
    references = {c.reference for c in whole.cards}
    assert references == set(big_team.other_references)
    assert references & set(big_team.references) == set(big_team.shared_references)
    # A shared reference is South's own case in South's caseload (its worker a South worker).
    for load, reference in zip(shared, big_team.shared_references, strict=True):
        assert reference in {c.reference for c in load.cards}
    assert all(SOUTH_WORD in view.summary for view in south_flags) and south_flags
    assert not any(SOUTH_WORD in view.summary for view in north_flags)
    assert {big_team.names[w] for w in big_team.other_team}.isdisjoint(
        view.worker_name for view in north_flags
    )


async def test_forty_open_flags_sixty_open_actions_and_agendas_for_supervision(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    async with database.unit_of_work() as uow:
        team_flags = await flags.open_flags(uow, clock, telegram_user_id=big_team.supervisor)
        own_flags = {
            w: await flags.open_flags(uow, clock, telegram_user_id=w) for w in big_team.workers
        }
        north_id = (await _members(uow.session, big_team.team_name))[0].team_id
        team_actions = await uow.actions.open_for_team(north_id)
        own_actions = {
            w: await actions.open_actions(uow, clock, telegram_user_id=w)
            for w in (*big_team.workers, big_team.supervisor)
        }
        agendas = await agenda.team_agendas(uow, clock, telegram_user_id=big_team.supervisor)
        tilted = await agenda.agenda(
            uow,
            clock,
            telegram_user_id=big_team.supervisor,
            worker_id=big_team.member_ids[big_team.workers[2]],
        )
        own_agenda = await agenda.agenda(uow, clock, telegram_user_id=big_team.workers[0])
        resolved = (
            await uow.session.scalars(select(Flag).where(Flag.state == FlagState.RESOLVED.value))
        ).all()

    assert len(team_flags) == big_team.open_flags == 40
    assert {v.state for v in team_flags} == {
        FlagState.OPEN.value,
        FlagState.ACKNOWLEDGED.value,
        FlagState.CALLING.value,
        FlagState.AGENDA.value,
    }
    assert Counter(v.urgency for v in team_flags) == {
        Urgency.TODAY.value: 6,
        Urgency.WEEK.value: 14,
        Urgency.SUPERVISION.value: 20,
    }
    assert sorted(len(views) for views in own_flags.values()) == [2, 3, 4, 5, 5, 6, 7, 8]
    assert sum(len(views) for views in own_flags.values()) == 40
    assert any(v.reference is None for v in team_flags)  # general flags, about no one case
    assert any(v.escalated for v in team_flags) and any(not v.escalated for v in team_flags)
    assert resolved and all(f.outcome for f in resolved)

    assert len(team_actions) == big_team.open_actions == 60
    assert [len(own_actions[w].actions) for w in big_team.workers] == [7] * 8
    assert len(own_actions[big_team.supervisor].actions) == 4
    everyone = [line for listed in own_actions.values() for line in listed.actions]
    assert any(line.overdue for line in everyone) and any(not line.overdue for line in everyone)
    assert all(a.source.split(":")[0] in ("supervision", "stuck") for a in team_actions)

    assert len(agendas) == 8 and sum(line.waiting for line in agendas) >= 20
    assert "bearings" in {entry.kind for entry in tilted.entries}
    assert own_agenda.own and own_agenda.entries and own_agenda.overdue_actions


async def test_ten_weeks_of_visits_and_bearings_checks_with_notes_at_real_lengths(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    today = big_team.today
    async with database.unit_of_work() as uow:
        north = {m.id: m for m in await _members(uow.session, big_team.team_name)}
        north_cases = {
            c.id: c for c in await uow.cases.open_for_team(next(iter(north.values())).team_id)
        }
        visits = (await uow.session.scalars(select(Visit))).all()
        checks = (await uow.session.scalars(select(BearingsCheck))).all()
        notes_ = (await uow.session.scalars(select(SupervisionNote))).all()
        team_actions = (await uow.session.scalars(select(Action))).all()
        all_flags = (await uow.session.scalars(select(Flag))).all()
        walks = (await uow.session.scalars(select(StuckWalkthrough))).all()

    north_visits = [v for v in visits if v.case_id in north_cases]
    weeks = {(today - v.visited_on).days // 7 for v in north_visits}
    assert weeks == set(range(big_team.weeks))
    assert all(today - timedelta(days=69) <= v.visited_on <= today for v in visits)
    per_case = Counter(v.case_id for v in north_visits)
    assert len(north_visits) >= 800 and sum(n >= 5 for n in per_case.values()) >= 90
    for case in north_cases.values():
        if per_case[case.id]:
            assert case.last_visit_on == max(
                v.visited_on for v in north_visits if v.case_id == case.id
            )
    worker_checks = [
        c for c in checks if c.member_id in north and north[c.member_id].role == "worker"
    ]
    by_worker = Counter(c.member_id for c in worker_checks)
    assert sorted(by_worker.values()) == [10] * 8
    for member_id in by_worker:
        days = sorted(c.taken_at.date() for c in worker_checks if c.member_id == member_id)
        assert {(today - day).days // 7 for day in days} == set(range(10))
    assert any(c.shared_at for c in worker_checks) and any(c.note for c in worker_checks)
    assert len({n.worker_id for n in notes_ if n.worker_id in north}) == 6

    # Free text near real lengths, and at each field's limit somewhere.
    assert max(len(v.how_it_went) for v in visits) == 2000
    assert max(len(v.next_step or "") for v in visits) == 1000
    assert sorted(len(v.how_it_went) for v in north_visits)[len(north_visits) // 2] > 200
    assert max(len(f.summary) for f in all_flags) == 500
    assert max(len(a.text) for a in team_actions) == 300
    assert max(len(c.note or "") for c in checks) == 500
    assert max(len(n.content["decisions"]) for n in notes_) <= 2000
    assert max(len(w.answers["where_stuck"]) for w in walks) <= 600
    names = list(big_team.names.values())
    assert max(len(name) for name in names) == NAME_LIMIT
    assert any(any("\u0600" <= ch <= "\u06ff" for ch in name) for name in names)  # right to left
    assert any(any(ord(ch) > 0xFFFF for ch in name) for name in names)  # an emoji
    assert any(any(ch in "éëíóú" for ch in name) for name in names)  # an accent

    # Nothing dated after the clock.
    now = clock.now()
    instants = [v.created_at for v in visits] + [c.taken_at for c in checks]
    instants += [f.raised_at for f in all_flags] + [f.handled_at for f in all_flags if f.handled_at]
    instants += [a.created_at for a in team_actions] + [w.created_at for w in walks]
    assert max(instants) <= now


@pytest.mark.file_database
async def test_no_name_note_or_summary_is_stored_in_plaintext(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    raw = await raw_database_text(database)
    stored = await every_encrypted_value(database)

    assert big_team.references[0].encode() in raw, "the scan must see stored data at all"
    # Whole names and sentences (spaces never occur in a token), and surnames long enough
    # that no token holds one by chance; case kept, for the same reason.
    names = list(big_team.names.values())
    texts = [*VISIT_BANK, *FLAG_BANK, *ACTION_BANK, *STUCK_BANK, f"{SOUTH_WORD} Road:"]
    assert [s for s in names + texts if s.encode() in raw] == []
    surnames = [name.split()[-1] for name in names if len(name.split()[-1]) >= 8]
    assert len(surnames) >= 8
    assert [s for s in surnames if s.encode() in raw] == []
    # Every encrypted value is a Fernet token the run's data key opens.
    columns = Counter((table, column) for table, column, _, _ in stored)
    assert columns[("visits", "how_it_went")] > 1000
    assert columns[("members", "display_name")] == 34
    assert all(token.startswith("gAAAAA") for *_, token in stored)
    opened = [key_ring().decrypt(token) for *_, token in stored]
    assert big_team.names[big_team.workers[5]] in opened


async def test_a_case_history_the_digest_and_a_walkthrough_read_back(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    long_reference = big_team.long_references[0]
    async with database.unit_of_work() as uow:
        north_id = (await _members(uow.session, big_team.team_name))[0].team_id
        case = await uow.cases.by_reference(north_id, long_reference)
        assert case is not None
        history = await notes.case_notes(
            uow, clock, telegram_user_id=big_team.supervisor, case_id=case.id
        )
        last_visit = next(item for item in history.items if item.kind == notes.VISIT)
        newest = await notes.note_view(
            uow,
            clock,
            telegram_user_id=big_team.worker_of(long_reference),
            kind=last_visit.kind,
            note_id=last_visit.id,
        )
        digest = await nudges.digest_preview(uow, clock, telegram_user_id=big_team.supervisor)
        saved = (
            await uow.session.scalars(
                select(StuckWalkthrough)
                .where(StuckWalkthrough.team_id == north_id, StuckWalkthrough.endings == "note")
                .order_by(StuckWalkthrough.id)
            )
        ).first()
        assert saved is not None
        owner = await uow.session.get(Member, saved.worker_id)
        assert owner is not None and owner.telegram_user_id is not None
        summary = await stuck.walkthrough_view(
            uow, clock, telegram_user_id=owner.telegram_user_id, walkthrough_id=saved.id
        )
        as_supervisor = await stuck.walkthrough_view(
            uow, clock, telegram_user_id=big_team.supervisor, walkthrough_id=saved.id
        )

    assert history.reference == long_reference and history.has_older
    assert any(len(text) == 2000 for _, text in newest.fields)
    assert digest.team_name == big_team.team_name
    assert len(digest.overdue) >= 15 and len(digest.reviews) >= 5
    assert {ref for ref, _, _ in digest.overdue + digest.reviews} <= set(big_team.references)
    assert summary.reference in big_team.references and summary.chosen == ["note"]
    assert summary.labels["case"] == summary.reference and summary.answers["where_stuck"]
    assert as_supervisor.reference == summary.reference


async def test_a_bot_starting_on_it_owes_nobody_anything(
    database: Database, clock: MovableClock, big_team: BigTeam
) -> None:
    """Flag reminders and escalations are already behind it, no flow is idle, no closed case
    is past retention: the planner (nudges off, as the end-to-end bot runs) plans nothing."""
    async with database.unit_of_work() as uow:
        owed = await planner.plan(
            uow, clock, flow_idle=timedelta(hours=48), retention_days=90, nudges=False
        )
        owing = await uow.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )

    assert owed == 0 and owing == 0  # the flags' copies it holds were all sent


async def test_seeded_on_a_summer_night_the_dates_are_londons(database: Database) -> None:
    """00:30 on a Sunday in London is still Saturday in UTC: today is London's Sunday, and
    the reviews "this week" fall on that one day left of it."""
    clock = MovableClock(datetime(2026, 6, 13, 23, 30, tzinfo=UTC))

    big = await seed_big_team(database, clock)

    assert big.today == date(2026, 6, 14)
    async with database.unit_of_work() as uow:
        north_id = (await _members(uow.session, big.team_name))[0].team_id
        open_cases = await uow.cases.open_for_team(north_id)
        visits = (await uow.session.scalars(select(Visit))).all()
    assert len(open_cases) == 120
    assert sum(c.next_review_on == big.today for c in open_cases) >= 5
    assert max(v.visited_on for v in visits) <= big.today
    assert max(v.created_at for v in visits) <= clock.now()


async def _members(session: AsyncSession, team_name: str) -> list[Member]:
    """The team's members (active), in joining order."""
    query = (
        select(Member)
        .join(Team, Team.id == Member.team_id)
        .where(Team.name == team_name, Member.active.is_(True))
        .order_by(Member.id)
    )
    return list((await session.scalars(query)).all())
