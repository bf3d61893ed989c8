"""Issue 9.3: SIGKILL between a person's answer and the bot's reply, at every step of /visit
and /stuck; after the restart each conversation carries on from the right step.

One person per step: each walks their flow up to their step, then answers it while the
emulator holds the bot's reply (recorded, but not yet answered to the bot, so the bot cannot
know it arrived). With every reply held, `bearings run` is killed and started again. Each
person then finishes their flow; a person put back a step, or pushed on one, would get a
question they did not expect and the walk would fail. What was saved is checked word for word.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.sandbox.emulator import BotApiEmulator, FaultRule
from storage.db import Database
from storage.models import Case, FlowSession, StuckWalkthrough, Visit
from tests.reliability.battery import report
from tests.reliability.conftest import inbox_rows, updates_sent
from tests.reliability.people import Person, Step, Worker, plain, seed_crowd, stuck, visit
from tests.reliability.process import BotProcess

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

HOLD = 120.0  # longer than the test: the held answer never reaches the killed bot


def journey(flow: str, worker: Worker) -> list[Step]:
    """The whole walk through ``flow`` for this worker."""
    reference = worker.cases[0]
    if flow == "visit":
        return visit(reference, f"Visit to {reference} went well", f"Ring {reference}")
    return stuck(reference, "Me")  # the worker gives the next step to themselves


def answer_with_the_reply_held(emulator: BotApiEmulator, person: Person, step: Step) -> int:
    """Answer a step while the emulator holds the bot's reply; returns the chat's message
    count before it (the reply lands above it)."""
    how, what, _ = step
    emulator.faults.add(
        FaultRule(
            method="sendMessage",
            chat_id=person.user_id,
            status=0,
            delay=HOLD,
            after_effect=True,
            times=1,
        )
    )
    before = emulator.bot_message_count(person.user_id)
    if how == "type":
        emulator.send_message(person.user_id, what, first_name=person.first_name)
    else:
        emulator.press_button(person.user_id, what)
    return before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_conversation_killed_at_any_step_of_visit_or_stuck_carries_on(
    emulator: BotApiEmulator, database: Database, bot_process: BotProcess
) -> None:
    probe = Worker(0, "Probe", ("R",))
    plan = [("visit", at) for at in range(len(journey("visit", probe)))]
    plan += [("stuck", at) for at in range(len(journey("stuck", probe)))]
    crowd = await seed_crowd(database, SystemClock(), workers=len(plan))
    await bot_process.start()
    people = [Person(emulator, w.user_id, w.name, timeout=60) for w in crowd.workers]
    walks = [journey(flow, w) for (flow, _), w in zip(plan, crowd.workers, strict=True)]

    # Everyone walks up to their step; then all answer it at once with the replies held, so
    # the kill comes well within the bot's own wait for Telegram's answer.
    await asyncio.gather(
        *(
            person.walk(steps[:at])
            for person, steps, (_, at) in zip(people, walks, plan, strict=True)
            if at
        )
    )
    counts = [
        answer_with_the_reply_held(emulator, person, steps[at])
        for person, steps, (_, at) in zip(people, walks, plan, strict=True)
    ]
    await emulator.wait_until(
        lambda: all(
            emulator.bot_message_count(p.user_id) > n for p, n in zip(people, counts, strict=True)
        ),
        timeout=60,
    )
    await bot_process.restart()
    emulator.faults.clear()

    async def carry_on(person: Person, steps: list[Step], at: int) -> None:
        # As a person would: read on until the bot's newest message is the question the held
        # reply asked (it comes again after the restart), then answer on from there.
        expect = plain(steps[at][2])
        await emulator.wait_until(
            lambda: expect in person.messages()[-1].text, timeout=person.timeout
        )
        if at + 1 < len(steps):
            await person.walk(steps[at + 1 :])

    await asyncio.gather(
        *(
            carry_on(person, steps, at)
            for person, steps, (_, at) in zip(people, walks, plan, strict=True)
        )
    )
    # The last step's reply is the saved note or summary: it must be there too.
    for person, steps in zip(people, walks, strict=True):
        await emulator.wait_for_bot_message(
            person.user_id, lambda m, e=steps[-1][2]: e in m.text, after=0, timeout=30
        )
    await bot_process.stop()

    async with database.unit_of_work() as uow:
        cases = {c.id: c.reference for c in (await uow.session.scalars(select(Case))).all()}
        visits = (await uow.session.scalars(select(Visit))).all()
        walkthroughs = (await uow.session.scalars(select(StuckWalkthrough))).all()
        still_open = (
            await uow.session.scalars(select(FlowSession).where(FlowSession.status == "open"))
        ).all()
    visit_refs = sorted(
        w.cases[0] for (f, _), w in zip(plan, crowd.workers, strict=True) if f == "visit"
    )
    stuck_refs = sorted(
        w.cases[0] for (f, _), w in zip(plan, crowd.workers, strict=True) if f == "stuck"
    )
    assert sorted(cases[v.case_id] for v in visits) == visit_refs
    assert all(v.how_it_went == f"Visit to {cases[v.case_id]} went well" for v in visits)
    assert all(v.next_step == f"Ring {cases[v.case_id]}" for v in visits)
    assert sorted(cases[w.case_id] for w in walkthroughs) == stuck_refs
    assert all(w.answers["quick_win"] == "Text before the visit, not knock" for w in walkthroughs)
    assert all(w.answers["next_step"] == "Ask school about a joint meeting" for w in walkthroughs)
    assert still_open == []
    rows = await inbox_rows(database)
    assert [row.update_id for row in rows if row.attempts > 1] == []
    assert bot_process.errors() == []
    report(
        "crash in a flow",
        steps_killed_at=len(plan),
        kills=bot_process.kills,
        updates_sent=len(updates_sent(emulator)),
        replies_received=sum(len(p.messages()) for p in people),
        duplicates=sum(p.repeats() for p in people),
        losses=len(visit_refs) + len(stuck_refs) - len(visits) - len(walkthroughs),
    )
