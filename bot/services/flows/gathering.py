"""Answering a step a piece at a time (service layer): a ``lines`` step's lines one message at
a time until "That's all", and a step asked once per item (``each``).

Each piece is kept beside the session's answers (``dynamic.DRAFT``) and moves the session's
version on, so a question's buttons from before the piece are stale; the last piece (That's
all, or the last item's answer) answers the step through the engine like any other answer.
"""

from __future__ import annotations

from typing import Any

from bot.domain.errors import Refusal
from bot.domain.flow_lists import add_line, finish_lines, next_item
from bot.domain.flows import (
    SKIPPED,
    Rejected,
    Step,
    answer_from_button,
    answer_label,
)
from bot.services.flows.dynamic import DRAFT, gathered, items
from bot.services.flows.engine import apply_answer, current_question, rejection, typed_answer
from bot.services.flows.replies import FlowReply
from bot.services.flows.sessions import position_of
from bot.services.flows.turn import FlowTurn
from prompts import label
from storage.models import FlowSession


def by_pieces(step: Step) -> bool:
    """Whether the step is answered a piece at a time."""
    return step.kind == "lines" or step.each is not None


async def typed_piece(turn: FlowTurn, session: FlowSession, step: Step, text: str) -> FlowReply:
    """Typed words: one more line, or the current item's answer."""
    answer = await typed_answer(turn, step, text)
    if isinstance(answer, Rejected):
        return await _again(turn, session, answer, step)
    if step.each:
        return await _item_answered(turn, session, step, answer.value, from_button=False)
    return await _add_line(turn, session, step, answer.value, answered=None)


async def pressed_piece(turn: FlowTurn, session: FlowSession, step: Step, token: str) -> FlowReply:
    """A button: a line picked, "That's all", Skip (of an item), or the current item's answer."""
    if step.kind == "lines" and token == "e":
        finished = finish_lines(step, gathered(session) or [])
        if isinstance(finished, Rejected):
            raise Refusal("already_done")
        return await apply_answer(turn, session, finished.value, from_button=True)
    if token == "s":
        if not step.optional:
            raise Refusal("already_done")
        if step.each:
            return await _item_answered(turn, session, step, SKIPPED, from_button=True)
        if gathered(session):
            raise Refusal("already_done")  # Skip was offered before the first line only
        return await apply_answer(turn, session, SKIPPED, from_button=True)
    answer = answer_from_button(step, token, await turn.answer_context())
    if isinstance(answer, Rejected):
        raise Refusal("already_done")
    if step.each:
        return await _item_answered(turn, session, step, answer.value, from_button=True)
    asked = await current_question(turn, session)
    return await _add_line(
        turn, session, step, answer.value, answered=(asked, answer_label(step, answer.value))
    )


async def _add_line(
    turn: FlowTurn, session: FlowSession, step: Step, line: str, answered: Any
) -> FlowReply:
    lines = add_line(gathered(session) or [], line, step.max_lines)
    if isinstance(lines, Rejected):
        return await _again(turn, session, lines, step)
    _keep(turn, session, lines)
    return FlowReply(answered=answered, question=await current_question(turn, session))


async def _item_answered(
    turn: FlowTurn, session: FlowSession, step: Step, value: Any, *, from_button: bool
) -> FlowReply:
    answers = position_of(session).answers
    every = await items(turn, step, answers)
    done = dict(gathered(session) or {})
    item = next_item(every, done)
    if item is None:
        raise Refusal("already_done")
    done[item.value] = value
    shown = label("flow_skipped") if value is SKIPPED else answer_label(step, value)
    if next_item(every, done) is None:
        return await apply_answer(turn, session, done, from_button=from_button, shown=shown)
    asked = await current_question(turn, session) if from_button else None
    _keep(turn, session, done)
    return FlowReply(
        answered=(asked, shown) if asked else None, question=await current_question(turn, session)
    )


def _keep(turn: FlowTurn, session: FlowSession, pieces: Any) -> None:
    """Keep what the step has gathered so far; the question's older buttons go stale."""
    session.answers = {**(session.answers or {}), DRAFT: pieces}
    session.version += 1
    session.updated_at = turn.clock.now()


async def _again(turn: FlowTurn, session: FlowSession, rejected: Rejected, step: Step) -> FlowReply:
    """Why the piece was not taken, and the question again."""
    return FlowReply(
        says=[rejection(rejected, step)], question=await current_question(turn, session)
    )
