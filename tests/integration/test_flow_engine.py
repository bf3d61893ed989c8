"""The flow engine (bot/services/flows/) on real databases, driven without Telegram.

Every call runs in its own unit of work, as every update does, and the state is
read back from the ``flow_sessions`` row in between: nothing is carried in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.clock import MovableClock
from bot.domain.buttons import FlowAnswer, Offers, prefilled
from bot.domain.errors import Refusal
from bot.domain.flows import AnswerContext
from bot.services import flows
from bot.services.flows import FlowReply, Question
from bot.services.flows import turn as flow_turn
from bot.telegram.replies import inline_keyboard
from storage.db import Database
from storage.models import Case, FlowSession, Member, Visit
from storage.repositories.flows import DRAFT, DROPPED, FINISHED, OPEN
from storage.repositories.teams import MemberRepository
from tests.team import SeededTeam

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(MONDAY)


@pytest.fixture
async def second_process(database: Database) -> AsyncIterator[Database]:
    """Another bot process on the same database: its own engine, pool and (SQLite) lock."""
    other = Database(database.url)
    yield other
    await other.dispose()


# --- helpers: one unit of work per call ------------------------------------------------------


async def start(
    database: Database,
    clock: MovableClock,
    user: int,
    flow: str,
    prefill: dict[str, Any] | None = None,
) -> FlowReply:
    async with database.unit_of_work() as uow:
        return await flows.start_flow(
            uow, clock, telegram_user_id=user, flow_name=flow, prefill=prefill
        )


async def type_text(database: Database, clock: MovableClock, user: int, said: str) -> FlowReply:
    async with database.unit_of_work() as uow:
        reply = await flows.answer_text(uow, clock, telegram_user_id=user, text=said)
    assert reply is not None, "no flow was open"
    return reply


async def press(database: Database, clock: MovableClock, user: int, data: str) -> FlowReply:
    async with database.unit_of_work() as uow:
        return await flows.press(uow, clock, telegram_user_id=user, button=FlowAnswer.parse(data))


async def member_id(database: Database, user: int) -> int:
    async with database.unit_of_work() as uow:
        member = await uow.members.by_telegram_id(user)
    assert member is not None
    return member.id


async def latest_row(database: Database, user: int) -> FlowSession:
    """The person's newest flow_sessions row, read in a unit of work of its own."""
    async with database.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(FlowSession)
            .join(Member, Member.id == FlowSession.member_id)
            .where(Member.telegram_user_id == user)
            .order_by(FlowSession.id.desc())
            .limit(1)
        )
    assert row is not None
    return row


async def count(database: Database, model: type[Any]) -> int:
    async with database.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


def question(reply: FlowReply) -> Question:
    assert reply.question is not None, reply
    return reply.question


def button(asked: FlowReply | Question, label: str) -> str:
    """The data of the button with this label under a question or a message."""
    rows = (
        asked.buttons
        if isinstance(asked, Question)
        else [row for said in asked.says for row in (said.buttons or [])]
    )
    for row in shown(rows):
        for text_on_button, data in row:
            if text_on_button == label:
                return data
    raise AssertionError(f"no button {label!r} in {rows}")


def shown(rows: Offers) -> list[list[tuple[str, str]]]:
    """Buttons as the person sees them: (label, data), rendered by the Telegram side."""
    markup = inline_keyboard(rows) or {"inline_keyboard": []}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


def templates(reply: FlowReply) -> list[str]:
    return [said.template for said in reply.says]


async def add_case(
    database: Database, clock: MovableClock, worker: int, reference: str, cadence: int = 7
) -> int:
    """A case on a worker's caseload, straight into the database."""
    async with database.unit_of_work() as uow:
        member = await uow.members.by_telegram_id(worker)
        assert member is not None
        case = await uow.cases.add(
            Case(
                team_id=member.team_id,
                reference=reference,
                worker_id=member.id,
                stage="engagement",
                cadence_days=cadence,
                next_visit_due=TODAY,
                opened_at=clock.now(),
            )
        )
        return case.id


# --- /newcase, step by step ------------------------------------------------------------------


async def test_newcase_walks_step_by_step_with_each_step_committed(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    reply = await start(database, clock, team.worker, "newcase")
    asked = question(reply)
    assert (asked.step.id, asked.number, asked.total) == ("reference", 1, 4)
    row = await latest_row(database, team.worker)
    assert (row.flow, row.step, row.status, row.version) == ("newcase", "reference", OPEN, 1)
    assert row.answers == {"values": {}, "path": []}
    assert row.member_id == await member_id(database, team.worker)

    reply = await type_text(database, clock, team.worker, "  fam-0142 ")
    asked = question(reply)
    assert (asked.step.id, asked.number, asked.total) == ("stage", 2, 4)
    row = await latest_row(database, team.worker)
    assert (row.step, row.version) == ("stage", 2)
    assert row.answers == {"values": {"reference": "FAM-0142"}, "path": ["reference"]}

    reply = await press(database, clock, team.worker, button(asked, "Assessment"))
    assert reply.answered is not None and reply.answered[1] == "Assessment"
    assert reply.answered[0].step.id == "stage"
    asked = question(reply)
    assert (asked.step.id, asked.number) == ("cadence", 3)
    row = await latest_row(database, team.worker)
    assert (row.step, row.version) == ("cadence", 3)
    assert row.answers["values"] == {"reference": "FAM-0142", "stage": "assessment"}

    reply = await press(database, clock, team.worker, button(asked, "Every 2 weeks"))
    asked = question(reply)
    assert (asked.step.id, asked.number, asked.total) == ("review", 4, 4)
    assert (await latest_row(database, team.worker)).answers["values"]["cadence"] == "14"
    assert await count(database, Case) == 0, "nothing is created before the flow ends"

    reply = await press(database, clock, team.worker, button(asked, "Skip"))
    assert reply.question is None
    assert templates(reply) == ["case_created"]
    row = await latest_row(database, team.worker)
    assert (row.status, row.version, row.finished_at) == (FINISHED, 6, clock.now())
    assert row.answers == {}, "a finished flow keeps none of its answers"

    async with database.unit_of_work() as uow:
        case = await uow.session.scalar(select(Case))
    assert case is not None
    assert (case.reference, case.stage, case.cadence_days) == ("FAM-0142", "assessment", 14)
    assert (case.next_visit_due, case.next_review_on, case.closed_at) == (TODAY, None, None)
    assert case.worker_id == await member_id(database, team.worker)
    # A finished flow takes no more text.
    async with database.unit_of_work() as uow:
        assert await flows.answer_text(uow, clock, telegram_user_id=team.worker, text="hi") is None


async def test_a_rejected_answer_is_not_saved_and_the_question_is_asked_again(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await add_case(database, clock, team.other_worker, "FAM-0001")  # same team, other worker
    await start(database, clock, team.worker, "newcase")
    before = await latest_row(database, team.worker)

    for typed, template in [
        ("John Smith", "flow_rejected_reference_name_like"),
        ("FAM 01", "flow_rejected_reference_shape"),
        ("fam-0001", "flow_rejected_reference_taken"),
        ("   ", "flow_rejected_empty"),
        ("F" + "1" * 40, "flow_rejected_too_long"),
    ]:
        reply = await type_text(database, clock, team.worker, typed)
        assert templates(reply) == [template], typed
        assert question(reply).step.id == "reference"
        row = await latest_row(database, team.worker)
        assert (row.step, row.version, row.answers) == ("reference", 1, before.answers), typed

    reply = await type_text(database, clock, team.worker, "FAM-0002")
    assert question(reply).step.id == "stage"
    # A typed answer to a button question is matched against the buttons, or refused.
    reply = await type_text(database, clock, team.worker, "somewhere in the middle")
    assert templates(reply) == ["flow_rejected_choose_a_button"]
    assert (await latest_row(database, team.worker)).version == 2
    reply = await type_text(database, clock, team.worker, "Monitoring")
    assert question(reply).step.id == "cadence"
    row = await latest_row(database, team.worker)
    assert row.answers["values"] == {"reference": "FAM-0002", "stage": "monitoring"}


async def test_a_photo_or_sticker_changes_nothing(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    async with database.unit_of_work() as uow:
        reply = await flows.answer_other(uow, clock, telegram_user_id=team.worker)
    assert reply is not None and templates(reply) == ["flow_text_only"]
    assert question(reply).step.id == "reference"
    assert (await latest_row(database, team.worker)).version == 1


async def test_going_back_forgets_the_answer_and_stales_the_old_buttons(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    reply = await type_text(database, clock, team.worker, "FAM-0142")
    stage_question = question(reply)
    assert not any(
        label == "↩ Back" for row in shown(stage_question.buttons[:-1]) for label, _ in row
    )
    reply = await press(database, clock, team.worker, button(stage_question, "Engagement"))
    cadence_question = question(reply)

    reply = await press(database, clock, team.worker, button(cadence_question, "↩ Back"))
    assert question(reply).step.id == "stage"
    row = await latest_row(database, team.worker)
    assert (row.step, row.version) == ("stage", 4)
    assert row.answers == {"values": {"reference": "FAM-0142"}, "path": ["reference"]}

    # The cadence buttons and the first stage buttons are both out of date now.
    for stale in (button(cadence_question, "Every week"), button(stage_question, "Agreement")):
        with pytest.raises(Refusal) as refused:
            await press(database, clock, team.worker, stale)
        assert refused.value.code == "already_done"
    assert (await latest_row(database, team.worker)).version == 4

    reply = await press(database, clock, team.worker, button(question(reply), "Agreement"))
    assert (await latest_row(database, team.worker)).answers["values"]["stage"] == "agreement"
    # Back to the first step, then no further.
    reply = await press(database, clock, team.worker, button(question(reply), "↩ Back"))
    reply = await press(database, clock, team.worker, button(question(reply), "↩ Back"))
    first = question(reply)
    assert first.step.id == "reference"
    assert all(label != "↩ Back" for row in shown(first.buttons) for label, _ in row)
    row = await latest_row(database, team.worker)
    assert row.answers == {"values": {}, "path": []}
    with pytest.raises(Refusal):
        await press(database, clock, team.worker, FlowAnswer(row.id, row.version, "b").encode())
    assert (await latest_row(database, team.worker)).version == row.version


# --- /visit, carried on by a second process --------------------------------------------------


async def test_a_second_process_carries_on_a_visit_note(
    database: Database, second_process: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142", cadence=14)
    await add_case(database, clock, team.other_worker, "FAM-0999")
    processes = [database, second_process]

    reply = await start(database, clock, team.worker, "visit")
    asked = question(reply)
    assert asked.step.id == "case"
    # Only the worker's own cases are offered.
    assert [label for row in shown(asked.buttons) for label, _ in row] == ["FAM-0142"]
    assert (await latest_row(second_process, team.worker)).step == "case"

    reply = await press(second_process, clock, team.worker, button(asked, "FAM-0142"))
    asked = question(reply)
    assert (asked.step.id, asked.number, asked.total) == ("date", 2, 5)
    row = await latest_row(database, team.worker)
    assert (row.case_id, row.answers["values"]) == (case_id, {"case": case_id})

    reply = await press(database, clock, team.worker, button(asked, "Yesterday"))
    assert question(reply).step.id == "how"
    assert (await latest_row(second_process, team.worker)).answers["values"]["date"] == (
        "2026-11-22"
    )

    reply = await type_text(second_process, clock, team.worker, "Good. <b>Mum</b> was in.")
    asked = question(reply)
    assert asked.step.id == "risk"
    reply = await press(database, clock, team.worker, button(asked, "⬆ Up"))
    asked = question(reply)
    assert (asked.step.id, asked.number, asked.total) == ("next", 5, 5)
    assert (await latest_row(second_process, team.worker)).version == 5

    reply = await type_text(processes[1], clock, team.worker, "Call the school")
    assert templates(reply) == ["visit_saved"]
    assert reply.says[0].values["next_due"] == date(2026, 12, 6)
    row = await latest_row(database, team.worker)
    assert (row.status, row.version) == (FINISHED, 7)

    async with database.unit_of_work() as uow:
        visit = await uow.session.scalar(select(Visit))
        case = await uow.cases.get(case_id)
    assert visit is not None and case is not None
    assert (visit.case_id, visit.author_id) == (case_id, await member_id(database, team.worker))
    assert (visit.visited_on, visit.risk_change) == (date(2026, 11, 22), "up")
    assert (visit.how_it_went, visit.next_step) == ("Good. <b>Mum</b> was in.", "Call the school")
    assert (case.last_visit_on, case.next_visit_due) == (date(2026, 11, 22), date(2026, 12, 6))


async def test_a_visit_started_from_a_case_card_skips_the_case_question(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    reply = await start(database, clock, team.worker, "visit", {"case": case_id})
    asked = question(reply)
    # The case was never asked, so it is not counted.
    assert (asked.step.id, asked.number, asked.total) == ("date", 1, 4)
    assert asked.values["labels"]["case"] == "FAM-0142"
    row = await latest_row(database, team.worker)
    assert (row.case_id, row.answers) == (case_id, {"values": {"case": case_id}, "path": []})
    # Nothing to go back to: the case came with the button.
    assert all(label != "↩ Back" for row in shown(asked.buttons) for label, _ in row)


async def test_what_a_person_may_choose_is_worked_out_once_per_update(
    database: Database, clock: MovableClock, team: SeededTeam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    loads: list[int] = []
    load = flow_turn.load_answer_context

    async def counted(*args: Any, **kwargs: Any) -> AnswerContext:
        loads.append(1)
        return await load(*args, **kwargs)

    monkeypatch.setattr(flow_turn, "load_answer_context", counted)
    # Starting for a case checks the case, says its notes, and asks the first question.
    asked = question(await start(database, clock, team.worker, "visit", {"case": case_id}))
    assert (asked.step.id, len(loads)) == ("date", 1)
    # A press reads the answer, marks the old question answered, and asks the next one.
    reply = await press(database, clock, team.worker, button(asked, "Today"))
    assert reply.answered is not None and question(reply).step.id != "date"
    assert len(loads) == 2


async def test_a_flow_without_a_member_step_reads_no_team_members(
    database: Database, clock: MovableClock, team: SeededTeam, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    reads: list[int] = []
    of_team = MemberRepository.of_team

    async def counted(self: MemberRepository, *args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return await of_team(self, *args, **kwargs)

    monkeypatch.setattr(MemberRepository, "of_team", counted)
    asked = question(await start(database, clock, team.worker, "visit", {"case": case_id}))
    reply = await press(database, clock, team.worker, button(asked, "Today"))
    assert question(reply).step.id != "date"
    # Each member's name is decrypted only for a flow that names members; the visit does not.
    assert reads == []


async def test_a_visit_cannot_start_on_someone_elses_case(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    theirs = await add_case(database, clock, team.other_worker, "FAM-0999")
    with pytest.raises(Refusal) as refused:
        await start(database, clock, team.worker, "visit", {"case": theirs})
    assert refused.value.code == "case_not_yours"
    assert await count(database, FlowSession) == 0
    # A typed reference of someone else's case is not one of theirs either.
    await start(database, clock, team.worker, "visit")
    reply = await type_text(database, clock, team.worker, "FAM-0999")
    assert templates(reply) == ["flow_rejected_case_unknown"]
    assert (await latest_row(database, team.worker)).answers["values"] == {}


async def test_a_date_typed_in_the_future_is_refused_for_a_visit(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    await start(database, clock, team.worker, "visit", {"case": case_id})
    reply = await type_text(database, clock, team.worker, "tomorrow")
    assert templates(reply) == ["flow_rejected_date_past"]
    assert (await latest_row(database, team.worker)).version == 1
    reply = await type_text(database, clock, team.worker, "21/11")
    assert question(reply).step.id == "how"
    assert (await latest_row(database, team.worker)).answers["values"]["date"] == "2026-11-21"


# --- stale, repeated and foreign presses -----------------------------------------------------


async def test_a_stale_or_repeated_press_is_already_done_and_changes_nothing(
    database: Database, second_process: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    reply = await type_text(database, clock, team.worker, "FAM-0142")
    asked = question(reply)
    await press(database, clock, team.worker, button(asked, "Assessment"))
    after = await latest_row(database, team.worker)

    # The same button again, and another button of the answered question from another process.
    for process, label in [(database, "Assessment"), (second_process, "Monitoring")]:
        with pytest.raises(Refusal) as refused:
            await press(process, clock, team.worker, button(asked, label))
        assert refused.value.code == "already_done"
        row = await latest_row(database, team.worker)
        assert (row.step, row.version, row.answers) == (after.step, after.version, after.answers)
    assert after.answers["values"]["stage"] == "assessment"


async def test_someone_elses_press_changes_nothing(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0142")
    asked = question(await current_question(database, clock, team.worker))
    for intruder in (team.other_worker, team.supervisor, team.other_team_supervisor):
        with pytest.raises(Refusal) as refused:
            await press(database, clock, intruder, button(asked, "Assessment"))
        assert refused.value.code == "already_done"
    row = await latest_row(database, team.worker)
    assert (row.step, row.version) == ("stage", 2)


async def current_question(database: Database, clock: MovableClock, user: int) -> FlowReply:
    """The current question again (as "finish the open one" shows it)."""
    row = await latest_row(database, user)
    async with database.unit_of_work() as uow:
        return await flows.keep_going(
            uow, clock, telegram_user_id=user, session_id=row.id, version=row.version
        )


FORGED = [
    "f:{id}:{older}:o0",  # the right session, an older version
    "f:{other}:{version}:o0",  # a session that does not exist
    "f:{id}:{version}:o99",  # an option the question does not have
    "f:{id}:{version}:s",  # skipping a step that cannot be skipped
    "f:{id}:{version}:n3",  # a scale answer to a choice
    "f:{id}:{version}:zz",
    "f:{id}:x:o0",
    "nonsense",
]


async def test_malformed_forged_or_impossible_presses_are_refused(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0142")
    row = await latest_row(database, team.worker)
    for forged in FORGED:
        data = forged.format(
            id=row.id, version=row.version, older=row.version - 1, other=row.id + 99
        )
        with pytest.raises(Refusal) as refused:
            await press(database, clock, team.worker, data)
        assert refused.value.code == "already_done", data
        after = await latest_row(database, team.worker)
        assert (after.version, after.answers) == (row.version, row.answers), data


# --- /cancel and starting while another flow is open -----------------------------------------


async def test_cancel_drops_the_open_flow(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    reply = await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0142")
    asked = question(await current_question(database, clock, team.worker))

    async with database.unit_of_work() as uow:
        reply = await flows.cancel(uow, clock, telegram_user_id=team.worker)
    assert templates(reply) == ["flow_cancelled"]
    assert reply.says[0].values["title"] == "New case"
    row = await latest_row(database, team.worker)
    assert (row.status, row.finished_at, row.version) == (DROPPED, clock.now(), 3)

    with pytest.raises(Refusal):
        await press(database, clock, team.worker, button(asked, "Assessment"))
    async with database.unit_of_work() as uow:
        assert await flows.answer_text(uow, clock, telegram_user_id=team.worker, text="x") is None
        again = await flows.cancel(uow, clock, telegram_user_id=team.worker)
    assert templates(again) == ["flow_nothing_to_cancel"]
    assert await count(database, Case) == 0


async def test_starting_while_another_is_open_asks_first_and_changes_nothing(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    case_id = await add_case(database, clock, team.worker, "FAM-0142")
    await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0200")
    before = await latest_row(database, team.worker)

    reply = await start(database, clock, team.worker, "visit", {"case": case_id})
    assert reply.question is None and templates(reply) == ["flow_conflict"]
    assert reply.says[0].values == {"open_title": "New case", "new_title": "Visit note"}
    keep, drop = button(reply, "Finish new case"), button(reply, "Drop it, start visit note")
    assert keep == f"fk:{before.id}:{before.version}"
    assert drop == f"fd:{before.id}:{before.version}:visit:case={case_id}"
    assert await count(database, FlowSession) == 1
    row = await latest_row(database, team.worker)
    assert (row.status, row.version, row.answers) == (OPEN, before.version, before.answers)

    # "Finish new case" shows the open question again.
    async with database.unit_of_work() as uow:
        kept = await flows.keep_going(
            uow, clock, telegram_user_id=team.worker, session_id=row.id, version=row.version
        )
    assert question(kept).step.id == "stage"

    # "Drop it" drops the open one and starts the new one with its case.
    async with database.unit_of_work() as uow:
        started = await flows.drop_and_start(
            uow,
            clock,
            telegram_user_id=team.worker,
            session_id=row.id,
            version=row.version,
            flow_name="visit",
            prefill=prefilled(drop.split(":")[4]),
        )
    assert question(started).step.id == "date"
    new = await latest_row(database, team.worker)
    assert (new.flow, new.status, new.case_id) == ("visit", OPEN, case_id)
    async with database.unit_of_work() as uow:
        old = await uow.flows.get(row.id)
    assert old is not None and old.status == DROPPED

    # The conflict buttons were for a version that is gone.
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal):
            await flows.keep_going(
                uow, clock, telegram_user_id=team.worker, session_id=row.id, version=row.version
            )


# --- idle flows become drafts ----------------------------------------------------------------


async def test_an_idle_flow_becomes_a_draft_that_can_be_resumed(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    reply = await type_text(database, clock, team.worker, "FAM-0142")
    asked = question(reply)

    clock.advance(flows.DEFAULT_IDLE - timedelta(minutes=1))
    assert question(await current_question(database, clock, team.worker)).step.id == "stage"
    clock.advance(timedelta(minutes=2))  # untouched for over 48 hours now

    reply = await press(database, clock, team.worker, button(asked, "Assessment"))
    assert templates(reply) == ["flow_expired"] and reply.question is None
    assert reply.says[0].values == {"title": "New case", "started": "Monday 23 November 2026"}
    row = await latest_row(database, team.worker)
    assert (row.status, row.step) == (DRAFT, "stage")
    assert row.answers["values"] == {"reference": "FAM-0142"}, "the answers so far are kept"
    resume = button(reply, "Carry on with it")
    assert resume == f"dr:{row.id}"

    # No flow is open now: text goes to the menu, the old buttons do nothing.
    async with database.unit_of_work() as uow:
        assert await flows.answer_text(uow, clock, telegram_user_id=team.worker, text="x") is None
    with pytest.raises(Refusal):
        await press(database, clock, team.worker, button(asked, "Assessment"))

    # Starting the same flow again offers the draft.
    offered = await start(database, clock, team.worker, "newcase")
    assert templates(offered) == ["flow_draft_found"]
    assert button(offered, "Carry on with it") == resume
    assert button(offered, "Start afresh") == f"dn:{row.id}:newcase:"
    assert await count(database, FlowSession) == 1

    async with database.unit_of_work() as uow:
        resumed = await flows.resume_draft(
            uow, clock, telegram_user_id=team.worker, session_id=row.id
        )
    asked = question(resumed)
    assert (asked.step.id, asked.number) == ("stage", 2)
    row = await latest_row(database, team.worker)
    assert (row.status, row.updated_at) == (OPEN, clock.now())
    reply = await press(database, clock, team.worker, button(asked, "Assessment"))
    assert question(reply).step.id == "cadence"
    assert (await latest_row(database, team.worker)).answers["values"]["stage"] == "assessment"

    # A draft is resumed once.
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal):
            await flows.resume_draft(uow, clock, telegram_user_id=team.worker, session_id=row.id)


async def test_typing_into_an_idle_flow_expires_it_without_taking_the_text(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    clock.advance(timedelta(hours=49))
    reply = await type_text(database, clock, team.worker, "FAM-0142")
    assert templates(reply) == ["flow_expired"]
    row = await latest_row(database, team.worker)
    assert (row.status, row.answers["values"]) == (DRAFT, {})


async def test_a_draft_can_be_thrown_away_or_started_afresh(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    await type_text(database, clock, team.worker, "FAM-0142")
    clock.advance(timedelta(hours=49))
    reply = await type_text(database, clock, team.worker, "Engagement")
    first_draft = await latest_row(database, team.worker)
    assert first_draft.status == DRAFT and button(reply, "Throw it away") == (
        f"dx:{first_draft.id}"
    )

    async with database.unit_of_work() as uow:
        discarded = await flows.discard_draft(
            uow, clock, telegram_user_id=team.worker, session_id=first_draft.id
        )
    assert templates(discarded) == ["flow_draft_discarded"]
    row = await latest_row(database, team.worker)
    assert (row.status, row.finished_at) == (DROPPED, clock.now())
    async with database.unit_of_work() as uow:
        with pytest.raises(Refusal):  # only once
            await flows.discard_draft(
                uow, clock, telegram_user_id=team.worker, session_id=first_draft.id
            )
        with pytest.raises(Refusal):  # and never someone else's
            await flows.resume_draft(
                uow, clock, telegram_user_id=team.other_worker, session_id=first_draft.id
            )

    # A fresh start goes straight in; a second draft, started afresh, starts clean.
    assert question(await start(database, clock, team.worker, "newcase")).step.id == "reference"
    await type_text(database, clock, team.worker, "FAM-0200")
    clock.advance(timedelta(hours=49))
    await type_text(database, clock, team.worker, "Engagement")
    draft = await latest_row(database, team.worker)
    async with database.unit_of_work() as uow:
        fresh = await flows.discard_draft(
            uow,
            clock,
            telegram_user_id=team.worker,
            session_id=draft.id,
            then_start="newcase",
            prefill={},
        )
    assert question(fresh).step.id == "reference"
    row = await latest_row(database, team.worker)
    assert row.id != draft.id and (row.status, row.answers["values"]) == (OPEN, {})
    async with database.unit_of_work() as uow:
        old = await uow.flows.get(draft.id)
    assert old is not None and old.status == DROPPED


async def test_starting_afresh_from_an_old_draft_message_leaves_one_flow_open(
    database: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    clock.advance(timedelta(hours=49))
    await type_text(database, clock, team.worker, "FAM-0142")
    draft = await latest_row(database, team.worker)
    offered = await start(database, clock, team.worker, "newcase")
    afresh = button(offered, "Start afresh").split(":")
    # Before pressing "Start afresh", the worker opens another flow.
    case_id = await add_case(database, clock, team.worker, "FAM-0200")
    await start(database, clock, team.worker, "visit", {"case": case_id})
    visit = await latest_row(database, team.worker)

    async with database.unit_of_work() as uow:
        reply = await flows.discard_draft(
            uow,
            clock,
            telegram_user_id=team.worker,
            session_id=int(afresh[1]),
            then_start=afresh[2],
            prefill=prefilled(afresh[3]),
        )
    assert question(reply).step.id == "reference"
    async with database.unit_of_work() as uow:
        statuses = {
            row.id: row.status for row in (await uow.session.scalars(select(FlowSession))).all()
        }
    assert statuses[draft.id] == DROPPED
    assert statuses[visit.id] == DROPPED, "the visit was left open behind the new flow"
    assert list(statuses.values()).count(OPEN) == 1


# --- two presses at once ---------------------------------------------------------------------


@pytest.mark.file_database
async def test_two_presses_of_one_button_at_once_apply_once(
    database: Database, second_process: Database, clock: MovableClock, team: SeededTeam
) -> None:
    await start(database, clock, team.worker, "newcase")
    asked = question(await type_text(database, clock, team.worker, "FAM-0142"))
    data = button(asked, "Assessment")
    presses = [press(process, clock, team.worker, data) for process in (database, second_process)]
    presses += [press(database, clock, team.worker, data) for _ in range(2)]

    outcomes = await asyncio.gather(*presses, return_exceptions=True)

    applied = [outcome for outcome in outcomes if isinstance(outcome, FlowReply)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Refusal)]
    assert len(applied) == 1 and len(refused) == len(outcomes) - 1, outcomes
    assert {refusal.code for refusal in refused} == {"already_done"}
    row = await latest_row(database, team.worker)
    assert (row.step, row.version) == ("cadence", 3)
    assert row.answers == {
        "values": {"reference": "FAM-0142", "stage": "assessment"},
        "path": ["reference", "stage"],
    }


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_on_postgres_a_second_press_waits_for_the_first_ones_row_lock(
    database: Database, second_process: Database, clock: MovableClock, team: SeededTeam
) -> None:
    assert not database.is_sqlite
    await start(database, clock, team.worker, "newcase")
    asked = question(await type_text(database, clock, team.worker, "FAM-0142"))
    data = button(asked, "Assessment")

    async with database.unit_of_work() as uow:
        first = await flows.press(
            uow, clock, telegram_user_id=team.worker, button=FlowAnswer.parse(data)
        )
        assert question(first).step.id == "cadence"
        # The first press holds the row, uncommitted; the second, in another process, waits.
        second = asyncio.create_task(press(second_process, clock, team.worker, data))
        assert await _waiting_on_a_lock(database, rounds=500), "the second press did not wait"
        assert not second.done()
    with pytest.raises(Refusal) as refused:
        await second
    assert refused.value.code == "already_done"
    assert (await latest_row(database, team.worker)).version == 3


async def _waiting_on_a_lock(database: Database, *, rounds: int) -> bool:
    """Whether another backend is blocked on a row lock of flow_sessions (polls, no sleeping)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database() AND query ILIKE '%flow_sessions%FOR UPDATE%'"
    )
    for _ in range(rounds):
        async with database.engine.connect() as connection:
            if (await connection.scalar(query)) or 0:
                return True
    return False


@pytest.mark.file_database
async def test_concurrent_starts_of_two_people_do_not_mix(
    database: Database, second_process: Database, clock: MovableClock, team: SeededTeam
) -> None:
    worker, other = await asyncio.gather(
        start(database, clock, team.worker, "newcase"),
        start(second_process, clock, team.other_worker, "newcase"),
    )
    assert question(worker).step.id == question(other).step.id == "reference"
    await asyncio.gather(
        type_text(database, clock, team.worker, "FAM-0001"),
        type_text(second_process, clock, team.other_worker, "FAM-0002"),
    )
    mine, theirs = (
        await latest_row(database, team.worker),
        await latest_row(database, team.other_worker),
    )
    assert mine.answers["values"] == {"reference": "FAM-0001"}
    assert theirs.answers["values"] == {"reference": "FAM-0002"}
    assert mine.member_id != theirs.member_id
