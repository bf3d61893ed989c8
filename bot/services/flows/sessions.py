"""A flow's state in the database (service layer): the ``flow_sessions`` row of each walk.

A session is open (being answered), a draft (left idle, kept to carry on with),
finished or dropped. It is read (locked on PostgreSQL) and written in the same
transaction as the step's effects. Every button carries the session and its
version, so a stale or repeated press finds the version moved on and changes
nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.buttons import DiscardDraft, Offer, ResumeDraft
from bot.domain.errors import Refusal
from bot.domain.flows import FlowPosition
from bot.services.flow_catalogue import catalogue
from bot.services.flows.replies import FlowReply, Said
from bot.services.flows.turn import FlowTurn
from bot.services.local_time import local_day, person_zone
from storage.models import FlowSession
from storage.repositories.flows import DRAFT, OPEN
from storage.uow import UnitOfWork

DEFAULT_IDLE = timedelta(hours=48)
"""How long an open flow waits for its next answer before it becomes a draft."""

log = logging.getLogger(__name__)


async def open_session(
    turn: FlowTurn, idle: timedelta, *, typed: bool = False
) -> FlowSession | FlowReply | None:
    """The person's open flow; one gone idle becomes a draft, and what to say about it comes
    back instead (``typed``: they had typed something into it)."""
    session = await turn.uow.flows.open_for(turn.person.member_id)
    if session is not None and is_idle(session, turn.clock, idle):
        return await expire_session(turn, session, typed=typed)
    return session


def is_idle(session: FlowSession, clock: Clock, idle: timedelta) -> bool:
    """Whether an open flow has waited longer than ``idle`` for its next answer."""
    return session.status == OPEN and clock.now() - session.updated_at > idle


async def expire_session(turn: FlowTurn, session: FlowSession, *, typed: bool = False) -> FlowReply:
    """An idle flow becomes a draft the person can carry on with or throw away.

    Text typed into it is not taken as an answer (the question may be days old),
    and the person is told so rather than left to find it missing.
    """
    session.status = DRAFT
    session.version += 1
    await turn.uow.flush()
    started = local_day(session.started_at, await person_zone(turn.uow, turn.person))
    return FlowReply(says=[expiry_notice(session, started, typed=typed)])


def expiry_notice(session: FlowSession, started: str, *, typed: bool) -> Said:
    """ "Your answers are kept as a draft", with buttons to carry on or throw it away."""
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


async def session_at(turn: FlowTurn, session_id: int, version: int) -> FlowSession:
    """The person's open session at exactly this version; anything else is "already done"."""
    session = await turn.uow.flows.get(session_id)
    if session is None or session.member_id != turn.person.member_id:
        raise Refusal("already_done")
    if session.status != OPEN or session.version != version:
        raise Refusal("already_done")
    return session


async def own_draft(turn: FlowTurn, session_id: int) -> FlowSession:
    """One of the person's drafts; anything else is "already done"."""
    session = await turn.uow.flows.get(session_id)
    if session is None or session.member_id != turn.person.member_id or session.status != DRAFT:
        raise Refusal("already_done")
    return session


async def close_session(uow: UnitOfWork, session: FlowSession, status: str, clock: Clock) -> None:
    """Close a flow (finished or dropped), written at once: at most one open flow per person
    is a database rule, so the close must reach the database before another flow opens.

    Every way a flow ends comes here, and the row keeps only its flow, status, times and ids:
    the answers (a note's text, a flag's outcome) are emptied, and the step too (an emptied
    step is how the periodic purge knows a closed row kept nothing)."""
    session.status, session.finished_at = status, clock.now()
    session.answers, session.step = {}, ""
    session.version += 1
    await uow.flush()
    log.debug("flow.closed", extra={"flow": session.flow, "session": session.id, "as": status})


TYPED = "typed"
"""Beside a session's answers and path: what was last typed at its case or member question,
whose matches are being paged (forgotten when the question is answered or left by Back)."""


def position_of(session: FlowSession) -> FlowPosition:
    """Where a session stands: its step, the answers so far, the steps walked to get there."""
    stored = session.answers or {}
    return FlowPosition(
        step=session.step,
        answers=dict(stored.get("values", {})),
        path=tuple(stored.get("path", [])),
    )
