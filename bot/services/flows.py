"""The flow engine's use cases: start, answer, go back, skip, cancel, resume a draft.

A flow's state is a ``flow_sessions`` row, read (locked on PostgreSQL) and
written in the same transaction as the step's effects. Every button carries
the session and its version, so a stale or repeated press is recognised and
changes nothing. What to say comes back as plain data (``FlowReply``) for the
handler to render.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import dates
from bot.domain.buttons import (
    DiscardDraft,
    DropOpenFlow,
    FlowAnswer,
    KeepOpenFlow,
    Offer,
    Offers,
    ResumeDraft,
    StartAfresh,
    prefill_token,
)
from bot.domain.errors import Refusal
from bot.domain.flows import (
    SKIPPED,
    Accepted,
    AnswerContext,
    AnswerKind,
    CaseChoice,
    FlowDefinition,
    FlowPosition,
    MemberChoice,
    Rejected,
    Step,
    answer_from_button,
    answer_from_text,
    answer_label,
    first_step,
    go_back,
    next_step,
    notes_after,
    progress,
    record,
)
from bot.domain.permissions import Actor, may_read
from bot.domain.roles import Role
from bot.domain.schedule import next_allowed
from bot.services.access import Person, find_person_by_member, require_person
from bot.services.flow_catalogue import catalogue, flow_for
from bot.services.outgoing import Outgoing, composer
from bot.services.registry import Registry
from bot.services.timing import team_rules
from prompts import label
from storage.models import FlowSession, OutboxMessage
from storage.repositories.flows import DRAFT, DROPPED, FINISHED, OPEN
from storage.uow import UnitOfWork

DEFAULT_IDLE = timedelta(hours=48)
MAX_CASE_BUTTONS = 8


@dataclass(frozen=True)
class Said:
    """Something to tell the person: a template, its values, and any buttons under it.

    With ``photo`` (PNG bytes) it is a picture, and the template is its caption.
    """

    template: str
    values: dict[str, Any] = field(default_factory=dict)
    buttons: Offers | None = None
    photo: bytes | None = None


@dataclass(frozen=True)
class Question:
    """A step to show: its words, where it sits in the flow, and its buttons."""

    flow: FlowDefinition
    step: Step
    number: int
    total: int
    buttons: Offers
    values: dict[str, Any]


@dataclass
class FlowReply:
    """The outcome of one interaction with a flow."""

    answered: tuple[Question, str] | None = None
    says: list[Said] = field(default_factory=list)
    question: Question | None = None


Ending = Callable[[UnitOfWork, Clock, Person, dict[str, Any]], Awaitable[list[Said]]]
_ENDINGS: Registry[Ending] = Registry()
ending = _ENDINGS.register
"""Register the function that acts on a finished flow's answers (``ending:`` in its file)."""


Check = Callable[[UnitOfWork, Person, Any], Awaitable[Accepted | Rejected]]
_CHECKS: Registry[Check] = Registry()
step_check = _CHECKS.register
"""Register a check a step's typed answer must pass (``check:`` in its file)."""


PrefillCheck = Callable[[UnitOfWork, Clock, Person, Any], Awaitable[None]]
_PREFILL_CHECKS: Registry[PrefillCheck] = Registry()
prefill_check = _PREFILL_CHECKS.register
"""Register what an answer given in advance (``flag=12``, carried on a button) must pass.

Such answers come back from button data, so they are checked whenever a flow starts
with them; the check raises a ``Refusal``. A key with no check (other than ``case``,
checked here) was never put on a button by the bot and is refused.
"""


NoteAction = Callable[[UnitOfWork, Clock, Person, dict[str, Any]], Awaitable[list[Said]]]
_NOTE_ACTIONS: Registry[NoteAction] = Registry()
note_action = _NOTE_ACTIONS.register
"""Register what a note's ``offer:`` does when the note is shown (given the answers)."""


def check_registrations() -> None:
    """Every flow's ending and step checks exist (at start-up, so a typo never reaches a phone)."""
    flows = catalogue().values()
    missing = sorted(f.ending for f in flows if f.ending not in _ENDINGS)
    missing += sorted(
        step.check for f in flows for step in f.steps if step.check and step.check not in _CHECKS
    )
    missing += sorted(
        note.offer
        for f in flows
        for step in f.steps
        for note in step.notes
        if note.offer and note.offer not in _NOTE_ACTIONS
    )
    if missing:
        raise LookupError(f"flow endings or checks not registered: {', '.join(missing)}")


# --- use cases -----------------------------------------------------------------------------


async def start_flow(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    flow_name: str,
    prefill: dict[str, Any] | None = None,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply:
    """Start a flow; if another is open, ask whether to finish it or drop it first."""
    person = await require_person(uow, telegram_user_id)
    # Refused at once, not after "finish the open one or drop it?" is answered.
    flow = await _startable(uow, clock, person, flow_name, prefill)
    open_session = await uow.flows.open_for(person.member_id)
    if open_session is not None and _idle(open_session, clock, idle):
        # The open flow had gone idle: it becomes a draft, and what was asked starts (a
        # draft of the same flow is offered by the next step rather than announced twice).
        expired = await _expire(uow, open_session, person)
        started = await start_flow(
            uow,
            clock,
            telegram_user_id=telegram_user_id,
            flow_name=flow_name,
            prefill=prefill,
            idle=idle,
        )
        if open_session.flow != flow.name:
            started.says[:0] = expired.says
        return started
    if open_session is not None:
        current = catalogue()[open_session.flow]
        drop = DropOpenFlow(
            open_session.id, open_session.version, flow.name, prefill_token(prefill)
        )
        keep = KeepOpenFlow(open_session.id, open_session.version)
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
                        "started": await _local_day(uow, draft.started_at, person),
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
    return await _begin(uow, clock, person, flow, prefill or {})


async def answer_text(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    text: str,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply | None:
    """Typed text while in a flow; None when no flow is open (the caller shows the menu)."""
    person = await require_person(uow, telegram_user_id)
    session = await _open_session(uow, clock, person, idle, typed=True)
    if session is None or isinstance(session, FlowReply):
        return session
    flow = flow_for(session.flow, person.role.value)
    step = flow.step(session.step)
    context = await _answer_context(uow, clock, person)
    answer = answer_from_text(step, text, context)
    if isinstance(answer, Accepted) and step.check:
        answer = await _CHECKS[step.check](uow, person, answer.value)
    if isinstance(answer, Rejected):
        return FlowReply(
            says=[_rejection(answer, step)], question=await _question(uow, clock, person, session)
        )
    return await _apply(uow, clock, person, session, answer.value, pressed=False)


async def answer_other(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, idle: timedelta = DEFAULT_IDLE
) -> FlowReply | None:
    """A photo, sticker, voice note, file or location while in a flow: text only, stay put."""
    person = await require_person(uow, telegram_user_id)
    session = await _open_session(uow, clock, person, idle)
    if session is None or isinstance(session, FlowReply):
        return session
    return FlowReply(
        says=[Said("flow_text_only")], question=await _question(uow, clock, person, session)
    )


async def press(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    button: FlowAnswer,
    idle: timedelta = DEFAULT_IDLE,
) -> FlowReply:
    """A button on a flow question. Stale, repeated or someone else's presses change nothing."""
    person = await require_person(uow, telegram_user_id)
    session = await _session_at(uow, person, button.session_id, button.version)
    if _idle(session, clock, idle):
        return await _expire(uow, session, person)
    flow = flow_for(session.flow, person.role.value)
    step = flow.step(session.step)
    if button.token == "b":
        return await _back(uow, clock, person, session)
    if button.token == "s":
        if not step.optional:
            raise Refusal("already_done")
        return await _apply(uow, clock, person, session, SKIPPED, pressed=True)
    answer = answer_from_button(step, button.token, await _answer_context(uow, clock, person))
    if isinstance(answer, Rejected):
        if not answer.reason.startswith("date_"):
            raise Refusal("already_done")
        # An old date button (yesterday's "Today"): say why, and ask again with fresh dates.
        return FlowReply(
            says=[_rejection(answer, step)], question=await _question(uow, clock, person, session)
        )
    return await _apply(uow, clock, person, session, answer.value, pressed=True)


async def cancel(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> FlowReply:
    """/cancel: leave the open flow (its answers are dropped)."""
    person = await require_person(uow, telegram_user_id)
    session = await uow.flows.open_for(person.member_id)
    if session is None:
        return FlowReply(says=[Said("flow_nothing_to_cancel")])
    await _close(uow, session, DROPPED, clock)
    return FlowReply(says=[Said("flow_cancelled", {"title": catalogue()[session.flow].title})])


async def keep_going(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, session_id: int, version: int
) -> FlowReply:
    """ "Finish the open one": show its current question again."""
    person = await require_person(uow, telegram_user_id)
    session = await _session_at(uow, person, session_id, version)
    return FlowReply(question=await _question(uow, clock, person, session))


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
    person = await require_person(uow, telegram_user_id)
    session = await _session_at(uow, person, session_id, version)
    flow = await _startable(uow, clock, person, flow_name, prefill)
    await _close(uow, session, DROPPED, clock)
    return await _begin(uow, clock, person, flow, prefill or {})


async def resume_draft(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, session_id: int
) -> FlowReply:
    """Carry on with a draft where it was left."""
    person = await require_person(uow, telegram_user_id)
    draft = await _draft(uow, person, session_id)
    open_session = await uow.flows.open_for(person.member_id)
    if open_session is not None:
        await _close(uow, open_session, DROPPED, clock)
    draft.status, draft.updated_at = OPEN, clock.now()
    draft.version += 1
    return FlowReply(question=await _question(uow, clock, person, draft))


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
    person = await require_person(uow, telegram_user_id)
    draft = await _draft(uow, person, session_id)
    flow = None
    if then_start is not None:
        flow = await _startable(uow, clock, person, then_start, prefill)
    await _close(uow, draft, DROPPED, clock)
    if flow is None:
        return FlowReply(
            says=[Said("flow_draft_discarded", {"title": catalogue()[draft.flow].title})]
        )
    open_session = await uow.flows.open_for(person.member_id)
    if open_session is not None:  # opened since the draft was offered: one flow at a time
        await _close(uow, open_session, DROPPED, clock)
    return await _begin(uow, clock, person, flow, prefill or {})


async def expire_idle_flows(uow: UnitOfWork, clock: Clock, idle: timedelta) -> int:
    """The planner's part for flows: idle ones become drafts, and their people are told
    (at the next working moment), with buttons to carry on or throw the draft away."""
    now = clock.now()
    expired = 0
    for session in await uow.flows.idle_open(now - idle):
        member = await uow.members.get(session.member_id)
        session.status = DRAFT
        session.version += 1
        expired += 1
        if member is None or not member.active:
            continue
        rules = await team_rules(uow, member.team_id)
        await uow.outbox.enqueue(
            [
                {
                    "key": f"flow_expired:{session.id}",
                    "kind": "flow_expired",
                    "team_id": member.team_id,
                    "member_id": member.id,
                    "chat_id": member.telegram_user_id,
                    "ref": {"session": session.id},
                    "due_at": next_allowed(now, rules.hours),
                    "created_at": now,
                }
            ]
        )
    return expired


@composer("flow_expired")
async def compose_flow_expired(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The "your answers are kept as a draft" message, unless the draft was dealt with."""
    session = await uow.flows.get(int(row.ref["session"]))
    if session is None or session.status != DRAFT or row.member_id is None:
        return None
    person = await find_person_by_member(uow, row.member_id)
    if person is None:
        return None
    said = _expiry_notice(session, await _local_day(uow, session.started_at, person), typed=False)
    return Outgoing(said.template, said.values, said.buttons)


# --- the engine ----------------------------------------------------------------------------


async def _begin(
    uow: UnitOfWork, clock: Clock, person: Person, flow: FlowDefinition, prefill: dict[str, Any]
) -> FlowReply:
    context = await _answer_context(uow, clock, person)
    answers = {k: v for k, v in prefill.items() if v is not None}
    step = first_step(flow, answers)
    now = clock.now()
    session = await uow.flows.add(
        FlowSession(
            member_id=person.member_id,
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
    says: list[Said] = []
    for given in flow.steps:  # an answer given in advance (a case) says what it would have
        if given.id in answers:
            says += await _notes(
                uow, clock, person, flow, given, answers[given.id], answers, context
            )
    if step is None:
        finished = await _finish(uow, clock, person, session, flow, answers)
        finished.says[:0] = says
        return finished
    return FlowReply(says=says, question=await _question(uow, clock, person, session))


async def _startable(
    uow: UnitOfWork, clock: Clock, person: Person, flow_name: str, prefill: dict[str, Any] | None
) -> FlowDefinition:
    """The flow to start, checked before anything changes: it exists, and the answers given in
    advance (from a button) pass: a case is one of the person's open cases, any other key
    its registered check."""
    flow = flow_for(flow_name, person.role.value)
    if not prefill:
        return flow
    context = await _answer_context(uow, clock, person)
    for key, value in prefill.items():
        if key == "case":
            if not any(c.id == value for c in context.cases):
                await _refuse_case(uow, person, value)
        elif key in _PREFILL_CHECKS:
            await _PREFILL_CHECKS[key](uow, clock, person, value)
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


async def _apply(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    session: FlowSession,
    value: Any,
    *,
    pressed: bool,
) -> FlowReply:
    flow = flow_for(session.flow, person.role.value)
    step = flow.step(session.step)
    answered = await _question(uow, clock, person, session) if pressed else None
    context = await _answer_context(uow, clock, person)
    position = _position(session)
    answers = record(position, value)
    says = await _notes(uow, clock, person, flow, step, value, answers, context)
    following = next_step(flow, step.id, answers)
    session.answers = {"values": answers, "path": [*position.path, step.id]}
    session.version += 1
    session.updated_at = clock.now()
    if step.kind is AnswerKind.CASE:
        session.case_id = value
    shown = label("flow_skipped") if value is SKIPPED else answer_label(step, value, context)
    reply_answered = (answered, shown) if answered else None
    if following is None:
        finished = await _finish(uow, clock, person, session, flow, answers)
        finished.answered, finished.says = reply_answered, [*says, *finished.says]
        return finished
    session.step = following.id
    return FlowReply(
        answered=reply_answered, says=says, question=await _question(uow, clock, person, session)
    )


async def _back(uow: UnitOfWork, clock: Clock, person: Person, session: FlowSession) -> FlowReply:
    flow = flow_for(session.flow, person.role.value)
    answered = await _question(uow, clock, person, session)
    previous = go_back(flow, _position(session))
    if previous is None:
        raise Refusal("already_done")
    session.step = previous.step
    session.answers = {"values": previous.answers, "path": list(previous.path)}
    session.version += 1
    session.updated_at = clock.now()
    return FlowReply(
        answered=(answered, label("flow_back")),
        question=await _question(uow, clock, person, session),
    )


async def _finish(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    session: FlowSession,
    flow: FlowDefinition,
    answers: dict[str, Any],
) -> FlowReply:
    says = await _ENDINGS[flow.ending](uow, clock, person, answers)
    await _close(uow, session, FINISHED, clock)
    return FlowReply(says=says)


async def _question(
    uow: UnitOfWork, clock: Clock, person: Person, session: FlowSession
) -> Question:
    flow = flow_for(session.flow, person.role.value)
    step = flow.step(session.step)
    position = _position(session)
    context = await _answer_context(uow, clock, person)
    given = [answered for answered in position.answers if answered not in position.path]
    number, total = progress(flow, step.id, position.answers, given)
    buttons = _answer_buttons(step, context, position.answers)
    navigation = []
    if position.path:
        navigation.append(Offer(FlowAnswer(session.id, session.version, "b"), "flow_back"))
    if step.optional:
        navigation.append(Offer(FlowAnswer(session.id, session.version, "s"), step.skip_label))
    rows = [
        [
            Offer.worded(words, FlowAnswer(session.id, session.version, token))
            for words, token in row
        ]
        for row in buttons
    ]
    if navigation:
        rows.append(navigation)
    values = _template_values(flow, position.answers, context)
    return Question(flow=flow, step=step, number=number, total=total, buttons=rows, values=values)


def _answer_buttons(
    step: Step, context: AnswerContext, answers: dict[str, Any]
) -> list[list[tuple[str, str]]]:
    if step.kind in (AnswerKind.CHOICE, AnswerKind.YESNO):
        options = [(option.label, f"o{i}") for i, option in enumerate(step.choices())]
        per_row = 1 if any(len(label) > 14 for label, _ in options) else 3
        return [options[i : i + per_row] for i in range(0, len(options), per_row)]
    if step.kind is AnswerKind.SCALE:
        low, high = step.scale
        return [[(str(n), f"n{n}") for n in range(low, high + 1)]]
    if step.kind is AnswerKind.DATE:
        if step.offsets:
            days = [context.today + timedelta(days=offset) for offset in step.offsets]
        elif step.direction == "past":
            days = dates.recent_days(context.today, 6)
        else:
            days = dates.upcoming_days(context.today, 6)
        labelled = [(dates.day_label(day, context.today), f"d{day.isoformat()}") for day in days]
        return [labelled[:3], labelled[3:]]
    if step.kind is AnswerKind.CASE:
        return [[(case.reference, f"c{case.id}")] for case in context.cases[:MAX_CASE_BUTTONS]]
    if step.kind is AnswerKind.MEMBER:
        first = _concerned_worker(context, answers)
        members = sorted(context.members_for(step), key=lambda m: m.id != first)
        return [[(member.name, f"m{member.id}")] for member in members[:MAX_CASE_BUTTONS]]
    return []


async def _notes(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    flow: FlowDefinition,
    step: Step,
    value: Any,
    answers: dict[str, Any],
    context: AnswerContext,
) -> list[Said]:
    """What a step says, and does, after this answer."""
    says: list[Said] = []
    for note in notes_after(step, value):
        if note.say:
            says.append(Said(note.say, _template_values(flow, answers, context)))
        if note.offer:
            says += await _NOTE_ACTIONS[note.offer](uow, clock, person, answers)
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
    """A flow's answers with how each reads back (for an ending's summary)."""
    flow = flow_for(flow_name, person.role.value)
    return _template_values(flow, answers, await _answer_context(uow, clock, person))


def _template_values(
    flow: FlowDefinition, answers: dict[str, Any], context: AnswerContext
) -> dict[str, Any]:
    labels = {}
    for step in flow.steps:
        if step.id in answers:
            labels[step.id] = answer_label(step, answers[step.id], context)
    return {"answers": answers, "labels": labels, "flow": flow}


def _rejection(rejected: Rejected, step: Step) -> Said:
    return Said(f"flow_rejected_{rejected.reason}", {"limit": rejected.limit, "step": step})


# --- sessions ------------------------------------------------------------------------------


async def _open_session(
    uow: UnitOfWork, clock: Clock, person: Person, idle: timedelta, *, typed: bool = False
) -> FlowSession | FlowReply | None:
    session = await uow.flows.open_for(person.member_id)
    if session is not None and _idle(session, clock, idle):
        return await _expire(uow, session, person, typed=typed)
    return session


def _idle(session: FlowSession, clock: Clock, idle: timedelta) -> bool:
    return session.status == OPEN and clock.now() - session.updated_at > idle


async def _expire(
    uow: UnitOfWork, session: FlowSession, person: Person, *, typed: bool = False
) -> FlowReply:
    """An idle flow becomes a draft the person can carry on with or throw away.

    Text typed into it is not taken as an answer (the question may be days old),
    and the person is told so rather than left to find it missing.
    """
    session.status = DRAFT
    session.version += 1
    await uow.flush()
    started = await _local_day(uow, session.started_at, person)
    return FlowReply(says=[_expiry_notice(session, started, typed=typed)])


def _expiry_notice(session: FlowSession, started: str, *, typed: bool) -> Said:
    values: dict[str, Any] = {"title": catalogue()[session.flow].title, "started": started}
    if typed:
        values["text_not_taken"] = True
    return Said(
        "flow_expired",
        values,
        [
            [Offer(ResumeDraft(session.id), "flow_resume_draft")],
            [Offer(DiscardDraft(session.id), "flow_discard_draft")],
        ],
    )


async def _session_at(
    uow: UnitOfWork, person: Person, session_id: int, version: int
) -> FlowSession:
    session = await uow.flows.get(session_id)
    if session is None or session.member_id != person.member_id:
        raise Refusal("already_done")
    if session.status != OPEN or session.version != version:
        raise Refusal("already_done")
    return session


async def _draft(uow: UnitOfWork, person: Person, session_id: int) -> FlowSession:
    session = await uow.flows.get(session_id)
    if session is None or session.member_id != person.member_id or session.status != DRAFT:
        raise Refusal("already_done")
    return session


async def _close(uow: UnitOfWork, session: FlowSession, status: str, clock: Clock) -> None:
    """Close a flow, written at once: at most one open flow per person is a database rule,
    so the close must reach the database before another flow opens."""
    session.status, session.finished_at = status, clock.now()
    session.version += 1
    await uow.flush()


def _position(session: FlowSession) -> FlowPosition:
    stored = session.answers or {}
    return FlowPosition(
        step=session.step,
        answers=dict(stored.get("values", {})),
        path=tuple(stored.get("path", [])),
    )


# What a person may choose from, worked out once per unit of work: one update asks for it
# up to four times (parse the answer, apply it, ask the next question, render), and each
# time cost two queries. The choices are read before the step's effects, as before.
_CONTEXTS: WeakKeyDictionary[UnitOfWork, dict[int, AnswerContext]] = WeakKeyDictionary()


async def _answer_context(uow: UnitOfWork, clock: Clock, person: Person) -> AnswerContext:
    known = _CONTEXTS.setdefault(uow, {})
    if person.member_id not in known:
        known[person.member_id] = await _load_answer_context(uow, clock, person)
    return known[person.member_id]


async def _load_answer_context(uow: UnitOfWork, clock: Clock, person: Person) -> AnswerContext:
    cases = (
        await uow.cases.open_for_team(person.team_id)
        if person.is_supervisor
        else await uow.cases.open_for_worker(person.member_id)
    )
    members = await uow.members.of_team(person.team_id)
    return AnswerContext(
        today=await local_today(uow, clock, person),
        cases=[CaseChoice(case.id, case.reference, case.worker_id) for case in cases],
        members=[
            MemberChoice(m.id, m.display_name, m.role == Role.WORKER)
            for m in sorted(members, key=lambda m: (m.id != person.member_id, m.display_name))
        ],
    )


async def local_today(uow: UnitOfWork, clock: Clock, person: Person) -> date:
    """Today's date where the person works (their time zone, else their team's)."""
    return clock.now().astimezone(ZoneInfo(await _zone(uow, person))).date()


async def _zone(uow: UnitOfWork, person: Person) -> str:
    member = await uow.members.get(person.member_id)
    if member is not None and member.timezone:
        return member.timezone
    team = await uow.teams.get(person.team_id)
    return team.timezone if team else "Europe/London"


async def _local_day(uow: UnitOfWork, instant: datetime, person: Person) -> str:
    return dates.format_day(instant.astimezone(ZoneInfo(await _zone(uow, person))).date())
