"""The flows' use cases (service layer): start, answer, go back, skip, cancel, resume a draft.

Each use case finds the person, makes one ``FlowTurn`` for the update (so the answer
context is worked out once) and lets the engine (``flows.engine``) walk the steps over
the session row (``flows.sessions``), read and written in the same transaction as the
step's effects. What to say comes back as plain data (``FlowReply``) for the handler
to render.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import (
    DropOpenFlow,
    FlowAnswer,
    KeepOpenFlow,
    Offer,
    ResumeDraft,
    StartAfresh,
    StopFlow,
    prefill_token,
)
from bot.domain.cases import ReferenceProblem, normalise_reference
from bot.domain.errors import Refusal
from bot.domain.flows import SKIPPED, AnswerKind, FlowDefinition, Rejected, Step, first_step
from bot.services.access import require_person
from bot.services.flow_catalogue import catalogue, flow_for
from bot.services.flows.dynamic import resolved
from bot.services.flows.engine import (
    apply_answer,
    begin_flow,
    button_answer,
    current_question,
    rejection,
    startable_flow,
    step_back,
    typed_answer,
)
from bot.services.flows.gathering import by_pieces, pressed_piece, typed_piece
from bot.services.flows.registry import ENDINGS
from bot.services.flows.replies import FlowReply, Said
from bot.services.flows.sessions import (
    DEFAULT_IDLE,
    TYPED,
    close_session,
    expire_session,
    is_idle,
    open_session,
    own_draft,
    position_of,
    session_at,
)
from bot.services.flows.turn import FlowTurn
from bot.services.local_time import local_day, person_zone
from storage.models import FlowSession
from storage.repositories.flows import DROPPED, OPEN
from storage.uow import UnitOfWork


async def start_flow(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    flow_name: str,
    prefill: dict[str, Any] | None = None,
    case_reference: str | None = None,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply:
    """Start a flow; if another is open, ask whether to finish it or drop it first. A case
    reference typed after the command answers a flow's case step in advance (checked as
    any case given in advance is); a flow with no case step ignores it."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    steps = flow_for(flow_name, turn.person.role.value).steps
    if case_reference and any(s.id == "case" and s.kind is AnswerKind.CASE for s in steps):
        prefill = {**(prefill or {}), "case": await _case_in_team(turn, case_reference)}
    return await _start(turn, flow_name, prefill, idle)


async def _case_in_team(turn: FlowTurn, reference: str) -> int:
    """The team's case with this reference (whether the person may use it is checked when
    the flow starts); anything else refused without saying whether it exists."""
    normal = normalise_reference(reference)
    case = (
        None
        if isinstance(normal, ReferenceProblem)
        else await turn.uow.cases.by_reference(turn.person.team_id, normal)
    )
    if case is None:
        raise Refusal("case_not_yours")
    return case.id


async def _start(
    turn: FlowTurn, flow_name: str, prefill: dict[str, Any] | None, idle: timedelta
) -> FlowReply:
    uow, person = turn.uow, turn.person
    # Refused at once, not after "finish the open one or drop it?" is answered.
    flow = await startable_flow(turn, flow_name, prefill)
    open_flow = await uow.flows.open_for(person.member_id)
    if open_flow is not None and is_idle(open_flow, turn.clock, idle):
        # The open flow had gone idle: it becomes a draft, and what was asked starts (a
        # draft of the same flow is offered by the next step rather than announced twice).
        expired = await expire_session(turn, open_flow)
        started = await _start(turn, flow_name, prefill, idle)
        if open_flow.flow != flow.name:
            started.says[:0] = expired.says
        return started
    if open_flow is not None and flow.interrupts:
        interrupted = await _interrupt(turn, flow, prefill, open_flow)
        if interrupted is not None:
            return interrupted
    if open_flow is not None:
        current = catalogue()[open_flow.flow]
        drop = DropOpenFlow(open_flow.id, open_flow.version, flow.name, prefill_token(prefill))
        keep = KeepOpenFlow(open_flow.id, open_flow.version)
        return FlowReply(
            says=[
                Said(
                    "flow_conflict",
                    {"open_title": current.title, "new_title": flow.title},
                    [
                        [Offer(keep, "flow_keep_going", {"title": current.title})],
                        [Offer(drop, "flow_drop_and_start", {"title": flow.title})],
                    ],
                )
            ]
        )
    drafts = await uow.flows.drafts_for(person.member_id, flow.name)
    if drafts:
        draft = drafts[0]
        return FlowReply(
            says=[
                Said(
                    "flow_draft_found",
                    {
                        "title": flow.title,
                        "started": local_day(draft.started_at, await person_zone(uow, person)),
                    },
                    [
                        [Offer(ResumeDraft(draft.id), "flow_resume_draft")],
                        [
                            Offer(
                                StartAfresh(draft.id, flow.name, prefill_token(prefill)),
                                "flow_start_afresh",
                            )
                        ],
                    ],
                )
            ]
        )
    return await begin_flow(turn, flow, prefill or {})


async def _interrupt(
    turn: FlowTurn, flow: FlowDefinition, prefill: dict[str, Any] | None, open_flow: FlowSession
) -> FlowReply | None:
    """A flow that interrupts (``FlowDefinition.interrupts``) with nothing left to ask, the
    open flow's case taken if none was given: its ending at once, then the open flow to
    finish or stop. None when something is left to ask (the usual "finish or drop" then)."""
    answers = {k: v for k, v in (prefill or {}).items() if v is not None}
    if "case" not in answers and open_flow.case_id is not None:
        answers["case"] = open_flow.case_id
    if first_step(flow, answers) is not None:
        return None
    says = await ENDINGS[flow.ending](turn.uow, turn.clock, turn.person, answers)
    title = catalogue()[open_flow.flow].title
    keep = KeepOpenFlow(open_flow.id, open_flow.version)
    carry_on = Said(
        "flow_still_open",
        {"title": title},
        [[Offer(keep, "flow_keep_going", {"title": title}), Offer(StopFlow(), "stuck_stop_here")]],
    )
    return FlowReply(says=[*says, carry_on])


async def answer_text(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    text: str,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply | None:
    """Typed text while in a flow; None when no flow is open (the caller shows the menu)."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    session = await open_session(turn, idle, typed=True)
    if session is None or isinstance(session, FlowReply):
        return session
    step = await _step_now(turn, session)
    if by_pieces(step):
        return await typed_piece(turn, session, step, text)
    answer = await typed_answer(turn, step, text)
    if isinstance(answer, Rejected):
        matching = await current_question(turn, session, typed=text.strip())
        if matching.picker is not None and matching.picker.total:
            # Part of a reference or a name: the question again, with what matches. What was
            # typed is kept with the session, so that the matches' own pages turn ("q1").
            session.answers = {**(session.answers or {}), TYPED: text.strip()}
            return FlowReply(question=matching)
        return FlowReply(
            says=[rejection(answer, step)], question=await current_question(turn, session)
        )
    return await apply_answer(turn, session, answer.value, from_button=False)


async def answer_other(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, idle: timedelta = DEFAULT_IDLE
) -> FlowReply | None:
    """A photo, sticker, voice note, file or location while in a flow: text only, stay put."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    session = await open_session(turn, idle)
    if session is None or isinstance(session, FlowReply):
        return session
    return FlowReply(says=[Said("flow_text_only")], question=await current_question(turn, session))


async def press(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    button: FlowAnswer,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply:
    """A button on a flow question. Stale, repeated or someone else's presses change nothing."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    session = await session_at(turn, button.session_id, button.version)
    if is_idle(session, clock, idle):
        return await expire_session(turn, session)
    step = await _step_now(turn, session)
    if by_pieces(step) and button.token != "b":
        return await pressed_piece(turn, session, step, button.token)
    if button.token[:1] in ("p", "q") and button.token[1:].isdecimal():
        # Another page of a case or member question (of what was typed, for "q"): the same
        # question, nothing answered.
        typed = (session.answers or {}).get(TYPED) if button.token[0] == "q" else None
        if button.token[0] == "q" and not typed:
            raise Refusal("already_done")
        question = await current_question(turn, session, page=int(button.token[1:]), typed=typed)
        if question.picker is None:
            raise Refusal("already_done")
        return FlowReply(question=question, turned_page=True)
    if button.token == "b":
        return await step_back(turn, session)
    if button.token == "s":
        if not step.optional:
            raise Refusal("already_done")
        return await apply_answer(turn, session, SKIPPED, from_button=True)
    answer = await button_answer(turn, step, button.token)
    if isinstance(answer, Rejected):
        if not answer.reason.startswith("date_"):
            raise Refusal("already_done")
        # An old date button (yesterday's "Today"): say why, and ask again with fresh dates.
        return FlowReply(
            says=[rejection(answer, step)], question=await current_question(turn, session)
        )
    return await apply_answer(turn, session, answer.value, from_button=True)


async def _step_now(turn: FlowTurn, session: FlowSession) -> Step:
    """The session's current step, with its options as the data has them now."""
    step = flow_for(session.flow, turn.person.role.value).step(session.step)
    return await resolved(turn, step, position_of(session).answers)


async def cancel(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> FlowReply:
    """/cancel: leave the open flow (its answers are dropped)."""
    person = await require_person(uow, telegram_user_id)
    session = await uow.flows.open_for(person.member_id)
    if session is None:
        return FlowReply(says=[Said("flow_nothing_to_cancel")])
    await close_session(uow, session, DROPPED, clock)
    return FlowReply(says=[Said("flow_cancelled", {"title": catalogue()[session.flow].title})])


async def keep_going(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, session_id: int, version: int
) -> FlowReply:
    """ "Finish the open one": show its current question again."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    session = await session_at(turn, session_id, version)
    return FlowReply(question=await current_question(turn, session))


async def drop_and_start(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    session_id: int,
    version: int,
    flow_name: str,
    prefill: dict[str, Any] | None = None,
) -> FlowReply:
    """ "Drop it and start the new one"."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    session = await session_at(turn, session_id, version)
    flow = await startable_flow(turn, flow_name, prefill)
    await close_session(uow, session, DROPPED, clock)
    return await begin_flow(turn, flow, prefill or {})


async def resume_draft(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, session_id: int
) -> FlowReply:
    """Carry on with a draft where it was left."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    draft = await own_draft(turn, session_id)
    open_flow = await uow.flows.open_for(turn.person.member_id)
    if open_flow is not None:
        await close_session(uow, open_flow, DROPPED, clock)
    draft.status, draft.updated_at = OPEN, clock.now()
    draft.version += 1
    return FlowReply(question=await current_question(turn, draft))


async def discard_draft(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    session_id: int,
    then_start: str | None = None,
    prefill: dict[str, Any] | None = None,
) -> FlowReply:
    """Throw a draft away (and start the flow afresh, when asked)."""
    turn = FlowTurn(uow, clock, await require_person(uow, telegram_user_id))
    draft = await own_draft(turn, session_id)
    flow = None
    if then_start is not None:
        flow = await startable_flow(turn, then_start, prefill)
    await close_session(uow, draft, DROPPED, clock)
    if flow is None:
        return FlowReply(
            says=[Said("flow_draft_discarded", {"title": catalogue()[draft.flow].title})]
        )
    open_flow = await uow.flows.open_for(turn.person.member_id)
    if open_flow is not None:  # opened since the draft was offered: one flow at a time
        await close_session(uow, open_flow, DROPPED, clock)
    return await begin_flow(turn, flow, prefill or {})
