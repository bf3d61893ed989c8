"""The flow engine (service layer): walks a flow's steps for one ``FlowTurn``.

It begins a flow (answers given in advance checked first), reads an answer (typed or
from a button), applies it (notes said, the next step chosen, the ending run when
there is none), steps back, and words the current question with its buttons. The
rules of a step (what an answer may be, which step follows) are the domain's
(``bot.domain.flows``), the session row ``flows.sessions``', the words the
handler's to render.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from bot.clock import Clock
from bot.domain import dates, pickers
from bot.domain.buttons import FlowAnswer, Offer
from bot.domain.errors import Refusal
from bot.domain.flow_lists import picks_left
from bot.domain.flows import (
    SKIPPED,
    Accepted,
    AnswerContext,
    AnswerKind,
    FlowDefinition,
    Rejected,
    Step,
    answer_from_button,
    answer_from_text,
    answer_label,
    date_offers,
    first_step,
    go_back,
    next_step,
    notes_after,
    off_working_days,
    progress,
    record,
)
from bot.domain.paging import Page, page_of, turning_row
from bot.domain.permissions import Actor, may_read
from bot.services.access import Person
from bot.services.flow_catalogue import flow_for
from bot.services.flows.dynamic import current_item, gathered, items, resolved
from bot.services.flows.registry import ENDINGS, NOTE_OFFERS, PREFILL_CHECKS, STEP_CHECKS
from bot.services.flows.replies import FlowReply, Question, Said
from bot.services.flows.sessions import close_session, position_of
from bot.services.flows.turn import FlowTurn, load_answer_context, needs_members
from prompts import label
from storage.models import FlowSession
from storage.repositories.flows import FINISHED, OPEN
from storage.uow import UnitOfWork

# Decisions only, at DEBUG, with ids: never an answer, a question or a name.
log = logging.getLogger(__name__)


async def startable_flow(
    turn: FlowTurn, flow_name: str, prefill: dict[str, Any] | None
) -> FlowDefinition:
    """The flow to start, checked before anything changes: it exists, and the answers given in
    advance (from a button) pass: a case is one of the person's open cases, any other key
    its registered check; a flow for one role (a team's settings) is refused to the others."""
    flow = flow_for(flow_name, turn.person.role.value)
    if flow.only_for is not None and flow.only_for != turn.person.role.value:
        raise Refusal("supervisors_only")
    if not prefill:
        return flow
    context = await turn.answer_context(members=needs_members(flow))
    for key, value in prefill.items():
        if key == "case":
            if not any(c.id == value for c in context.cases):
                await _refuse_case(turn.uow, turn.person, value)
        elif key in PREFILL_CHECKS:
            await PREFILL_CHECKS[key](turn.uow, turn.clock, turn.person, value)
        else:
            raise Refusal("already_done")
    return flow


async def _refuse_case(uow: UnitOfWork, person: Person, case_id: int) -> NoReturn:
    """A flow started for a case not among the person's open ones: closed, or not theirs."""
    case = await uow.cases.get(case_id)
    actor = Actor(member_id=person.member_id, team_id=person.team_id, role=person.role)
    readable = case is not None and may_read(actor, owner_id=case.worker_id, team_id=case.team_id)
    if case is not None and readable and case.closed_at is not None:
        raise Refusal("case_closed", reference=case.reference)
    raise Refusal("case_not_yours")


async def begin_flow(turn: FlowTurn, flow: FlowDefinition, prefill: dict[str, Any]) -> FlowReply:
    """Open a session of the flow and ask its first question not answered in advance (or
    finish at once when every step was)."""
    context = await turn.answer_context(members=needs_members(flow))
    answers = {k: v for k, v in prefill.items() if v is not None}
    step = first_step(flow, answers)
    now = turn.clock.now()
    session = await turn.uow.flows.add(
        FlowSession(
            member_id=turn.person.member_id,
            flow=flow.name,
            step=step.id if step else "",
            answers={"values": answers, "path": []},
            version=1,
            status=OPEN,
            case_id=answers.get("case"),
            started_at=now,
            updated_at=now,
        )
    )
    log.debug(
        "flow.began",
        extra={"flow": flow.name, "session": session.id, "step": session.step or None},
    )
    says: list[Said] = []
    for given in flow.steps:  # an answer given in advance (a case) says what it would have
        if given.id in answers:
            says += await _notes_after(turn, flow, given, answers[given.id], answers, context)
    if step is None:
        finished = await _finish(turn, session, flow, answers)
        finished.says[:0] = says
        return finished
    return FlowReply(says=says, question=await current_question(turn, session))


async def typed_answer(turn: FlowTurn, step: Step, text: str) -> Accepted | Rejected:
    """Typed text read as the step's answer, then through the step's check if it has one."""
    context = await turn.answer_context(members=step.kind is AnswerKind.MEMBER)
    answer = answer_from_text(step, text, context)
    if isinstance(answer, Accepted) and step.check:
        answer = await STEP_CHECKS[step.check](turn.uow, turn.person, answer.value)
    return answer


async def button_answer(turn: FlowTurn, step: Step, token: str) -> Accepted | Rejected:
    """A question's button read as the step's answer (a stale one is rejected)."""
    context = await turn.answer_context(members=step.kind is AnswerKind.MEMBER)
    return answer_from_button(step, token, context)


def rejection(rejected: Rejected, step: Step) -> Said:
    """Why an answer was not taken, to say before asking again."""
    log.debug("flow.answer_rejected", extra={"step": step.id, "reason": rejected.reason})
    return Said(f"flow_rejected_{rejected.reason}", {"limit": rejected.limit, "step": step})


async def apply_answer(
    turn: FlowTurn,
    session: FlowSession,
    value: Any,
    *,
    from_button: bool,
    shown: str | None = None,
) -> FlowReply:
    """Record the answer to the current step, say its notes, and move on: to the next step,
    or through the ending when there is none. A question answered by a button is marked
    answered (``from_button``, with the answer read back as ``shown`` when given); a typed
    answer stands in the chat already. A step asked once per item with no items to ask
    about is passed over, answered with none."""
    flow = flow_for(session.flow, turn.person.role.value)
    position = position_of(session)
    step = await resolved(turn, flow.step(session.step), position.answers)
    answered = await current_question(turn, session) if from_button else None
    context = await turn.answer_context(members=needs_members(flow))
    answers = record(position, value)
    says = await _notes_after(turn, flow, step, value, answers, context)
    following = next_step(flow, step.id, answers)
    while following is not None and following.each and not await items(turn, following, answers):
        answers = {**answers, following.id: {}}
        following = next_step(flow, following.id, answers)
    session.answers = {"values": answers, "path": [*position.path, step.id]}
    session.version += 1
    session.updated_at = turn.clock.now()
    if step.kind is AnswerKind.CASE:
        session.case_id = value
    if shown is None:
        shown = label("flow_skipped") if value is SKIPPED else answer_label(step, value, context)
    reply_answered = (answered, shown) if answered else None
    log.debug(
        "flow.step",
        extra={
            "flow": flow.name,
            "session": session.id,
            "from": step.id,
            "to": following.id if following else "(end)",
            "skipped": value is SKIPPED,
        },
    )
    if following is None:
        finished = await _finish(turn, session, flow, answers)
        finished.answered, finished.says = reply_answered, [*says, *finished.says]
        return finished
    session.step = following.id
    return FlowReply(
        answered=reply_answered, says=says, question=await current_question(turn, session)
    )


async def step_back(turn: FlowTurn, session: FlowSession) -> FlowReply:
    """Back: the previous step asked again, the answers after it forgotten."""
    flow = flow_for(session.flow, turn.person.role.value)
    answered = await current_question(turn, session)
    previous = go_back(flow, position_of(session))
    if previous is None:
        raise Refusal("already_done")
    log.debug(
        "flow.back",
        extra={"flow": flow.name, "session": session.id, "from": session.step, "to": previous.step},
    )
    session.step = previous.step
    session.answers = {"values": previous.answers, "path": list(previous.path)}
    session.version += 1
    session.updated_at = turn.clock.now()
    return FlowReply(
        answered=(answered, label("flow_back")),
        question=await current_question(turn, session),
    )


async def _finish(
    turn: FlowTurn, session: FlowSession, flow: FlowDefinition, answers: dict[str, Any]
) -> FlowReply:
    says = await ENDINGS[flow.ending](turn.uow, turn.clock, turn.person, answers)
    await close_session(turn.uow, session, FINISHED, turn.clock)
    return FlowReply(says=says)


async def current_question(
    turn: FlowTurn, session: FlowSession, *, page: int = 0, typed: str | None = None
) -> Question:
    """The session's current step as a question: its place in the flow, its answer buttons,
    and Back and Skip where they apply. A case or member question shows a ``page`` of its
    choices, or those matching what was ``typed``."""
    flow = flow_for(session.flow, turn.person.role.value)
    position = position_of(session)
    step = await resolved(turn, flow.step(session.step), position.answers)
    context = await turn.answer_context(members=needs_members(flow))
    given = [answered for answered in position.answers if answered not in position.path]
    number, total = progress(flow, step.id, position.answers, given)
    picker = _picker(step, context, position.answers, page, typed)
    so_far = gathered(session)

    def answer(token: str) -> FlowAnswer:
        return FlowAnswer(session.id, session.version, token)

    if picker is not None:
        rows = [[Offer.worded(words, answer(token))] for words, token in picker.items]
        turn_to = "q" if typed else "p"  # the matches' pages, or the whole list's
        turning = turning_row(picker, lambda number: answer(f"{turn_to}{number}"))
        if turning:
            rows.append(turning)
    elif step.kind is AnswerKind.LINES:
        rows = [
            [Offer.worded(option.label, answer(f"o{i}"))]
            for i, option in picks_left(step, so_far or [])
        ]
    else:
        rows = [
            [Offer.worded(words, answer(token)) for words, token in row]
            for row in _answer_buttons(step, context)
        ]
    navigation = []
    if position.path:
        navigation.append(Offer(answer("b"), "flow_back"))
    if step.optional and not (step.kind is AnswerKind.LINES and so_far):
        navigation.append(Offer(answer("s"), step.skip_label))
    if step.kind is AnswerKind.LINES and so_far:
        navigation.append(Offer(answer("e"), step.done_label))
    if navigation:
        rows.append(navigation)
    values = _template_values(flow, position.answers, context)
    if step.kind is AnswerKind.LINES:
        values["so_far"] = [answer_label(step, line) for line in so_far or []]
    if step.each:
        item = await current_item(turn, step, position.answers, session)
        values["item"] = item.label if item else ""
    return Question(
        flow=flow,
        step=step,
        number=number,
        total=total,
        buttons=rows,
        values=values,
        picker=picker,
        typed=typed,
    )


def _answer_buttons(step: Step, context: AnswerContext) -> list[list[tuple[str, str]]]:
    """A choice, scale or date step's answers as rows of (label, answer token)."""
    if step.kind in (AnswerKind.CHOICE, AnswerKind.YESNO):
        options = [(option.label, f"o{i}") for i, option in enumerate(step.choices())]
        per_row = 1 if any(len(label) > 14 for label, _ in options) else 3
        return [options[i : i + per_row] for i in range(0, len(options), per_row)]
    if step.kind is AnswerKind.SCALE:
        low, high = step.scale
        return [[(str(n), f"n{n}") for n in range(low, high + 1)]]
    if step.kind is AnswerKind.DATE:
        days = date_offers(step, context)
        labelled = [(dates.day_label(day, context.today), f"d{day.isoformat()}") for day in days]
        return [row for row in (labelled[:3], labelled[3:]) if row]
    return []


def _picker(
    step: Step, context: AnswerContext, answers: dict[str, Any], page: int, typed: str | None
) -> Page[tuple[str, str]] | None:
    """A case or member step's choices as (label, answer token), a page of them (or those
    matching what was typed); None for other kinds of step."""
    if step.kind is AnswerKind.CASE:
        cases = pickers.matching_cases(context, typed) if typed else pickers.case_choices(context)
        choices = [(case.reference, f"c{case.id}") for case in cases]
    elif step.kind is AnswerKind.MEMBER:
        concerned = _concerned_worker(context, answers)
        members = (
            pickers.matching_members(step, context, typed, concerned)
            if typed
            else pickers.member_choices(step, context, concerned)
        )
        me = label("picker_me")
        choices = [(pickers.member_label(m, context, me), f"m{m.id}") for m in members]
    else:
        return None
    return page_of(choices, page, keys=[token for _, token in choices], size=pickers.PICKER_PAGE)


async def _notes_after(
    turn: FlowTurn,
    flow: FlowDefinition,
    step: Step,
    value: Any,
    answers: dict[str, Any],
    context: AnswerContext,
) -> list[Said]:
    """What a step says, and does, after this answer."""
    says: list[Said] = []
    off = off_working_days(step, value, context)
    if off is not None:
        says.append(Said("flow_not_a_working_day", {"day": off}))
    for note in notes_after(step, value):
        if note.say:
            says.append(Said(note.say, _template_values(flow, answers, context)))
        if note.offer:
            says += await NOTE_OFFERS[note.offer](turn.uow, turn.clock, turn.person, answers)
    return says


def _concerned_worker(context: AnswerContext, answers: dict[str, Any]) -> int | None:
    """The worker a flow is about (chosen, or the chosen case's), offered first as an owner."""
    if answers.get("worker"):
        return int(answers["worker"])
    case = next((c for c in context.cases if c.id == answers.get("case")), None)
    return case.worker_id if case else None


async def flow_values(
    uow: UnitOfWork, clock: Clock, person: Person, flow_name: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """A flow's answers with how each reads back (for a summary shown after the flow, so
    the answer context is read afresh)."""
    flow = flow_for(flow_name, person.role.value)
    context = await load_answer_context(uow, clock, person, members=needs_members(flow))
    return _template_values(flow, answers, context)


def _template_values(
    flow: FlowDefinition, answers: dict[str, Any], context: AnswerContext
) -> dict[str, Any]:
    labels = {}
    for step in flow.steps:
        if step.id in answers:
            labels[step.id] = answer_label(step, answers[step.id], context)
    return {"answers": answers, "labels": labels, "flow": flow}
