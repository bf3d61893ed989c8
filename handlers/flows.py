"""Flows in chat: starting one by command or button, answering, Back/Skip, /cancel, drafts."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import Markup
from telegram import Update

from bot.domain.buttons import (
    DiscardDraft,
    DropOpenFlow,
    FlowAnswer,
    KeepOpenFlow,
    ResumeDraft,
    StartAfresh,
    StartFlowForCase,
    StopFlow,
    prefilled,
)
from bot.services import flows
from bot.services.flow_catalogue import by_command
from bot.services.flows import FlowReply, Question
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers import fallback
from handlers.senders import sender, typed_text
from prompts import render_text


def show(turn: Turn, reply: FlowReply, pressed_message_id: int | None = None) -> None:
    """Render a flow's reply: mark the pressed question answered, say what there is, ask next."""
    if pressed_message_id is not None and reply.turned_page and reply.question is not None:
        question = reply.question
        turn.replace(
            pressed_message_id,
            "flow_question",
            keyboard=question.buttons,
            q=question,
            ask=_ask(question),
        )
        return
    if pressed_message_id is not None:
        if reply.answered is not None:
            question, answer = reply.answered
            turn.replace(
                pressed_message_id, "flow_answered", q=question, ask=_ask(question), answer=answer
            )
        else:
            turn.replies.remove_keyboard(turn.chat_id or 0, pressed_message_id)
    for said in reply.says:
        if said.photo is not None:
            turn.say_photo(said.photo, said.template, keyboard=said.buttons, **said.values)
        else:
            turn.say(said.template, keyboard=said.buttons, **said.values)
    if reply.question is not None:
        question = reply.question
        turn.say("flow_question", keyboard=question.buttons, q=question, ask=_ask(question))


def _ask(question: Question) -> Markup:
    return Markup(render_text(question.step.ask, **question.values))


def idle_time(turn: Turn) -> timedelta:
    return timedelta(hours=turn.settings.flow_idle_hours)


async def start_by_command(update: Update, context: BearingsContext) -> None:
    """/visit, /newcase, ...: start the flow the command names (/safeguarding FAM-0142: for
    that case, when the flow asks for one)."""
    turn = context.turn
    words = typed_text(update).split()
    flow = by_command(words[0].lstrip("/").split("@")[0].lower())
    if flow is None:  # registered for the flows' commands only
        raise LookupError("a flow command that names no flow")
    reply = await flows.start_flow(
        turn.uow,
        turn.clock,
        telegram_user_id=sender(update),
        flow_name=flow.name,
        case_reference=words[1] if len(words) > 1 else None,
        idle=idle_time(turn),
    )
    show(turn, reply)


async def start_for_case(turn: Turn, press: Press[StartFlowForCase]) -> None:
    """A case's button: start that flow for that case."""
    reply = await flows.start_flow(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        flow_name=press.button.flow,
        prefill={"case": press.button.case_id},
        idle=idle_time(turn),
    )
    show(turn, reply)


async def text_answer(update: Update, context: BearingsContext) -> None:
    """Typed text: the answer to the open flow's question, or the menu when none is open."""
    turn = context.turn
    reply = await flows.answer_text(
        turn.uow,
        turn.clock,
        telegram_user_id=sender(update),
        text=typed_text(update),
        idle=idle_time(turn),
    )
    if reply is None:
        await fallback.show_menu(update, context)
        return
    show(turn, reply)


async def other_message(update: Update, context: BearingsContext) -> None:
    """A photo, sticker, voice note, file or location: "text only" in a flow, else the menu."""
    turn = context.turn
    reply = await flows.answer_other(
        turn.uow, turn.clock, telegram_user_id=sender(update), idle=idle_time(turn)
    )
    if reply is None:
        await fallback.show_menu(update, context)
        return
    show(turn, reply)


async def answer_question(turn: Turn, press: Press[FlowAnswer]) -> None:
    """A button on a flow question: an answer, Back or Skip."""
    reply = await flows.press(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        button=press.button,
        idle=idle_time(turn),
    )
    show(turn, reply, press.message_id)


async def cancel(update: Update, context: BearingsContext) -> None:
    """/cancel: leave the open flow."""
    turn = context.turn
    show(turn, await flows.cancel(turn.uow, turn.clock, telegram_user_id=sender(update)))


async def stop(turn: Turn, press: Press[StopFlow]) -> None:
    """ "Stop here": leave the open flow, as /cancel does."""
    reply = await flows.cancel(turn.uow, turn.clock, telegram_user_id=press.user_id)
    show(turn, reply, press.message_id)


async def keep_open_flow(turn: Turn, press: Press[KeepOpenFlow]) -> None:
    """ "Finish the open one": back to its question."""
    reply = await flows.keep_going(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        session_id=press.button.session_id,
        version=press.button.version,
    )
    show(turn, reply, press.message_id)


async def drop_open_flow(turn: Turn, press: Press[DropOpenFlow]) -> None:
    """ "Drop it and start the new one"."""
    reply = await flows.drop_and_start(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        session_id=press.button.session_id,
        version=press.button.version,
        flow_name=press.button.flow,
        prefill=prefilled(press.button.prefill),
    )
    show(turn, reply, press.message_id)


async def resume_draft(turn: Turn, press: Press[ResumeDraft]) -> None:
    """A draft's "Carry on with it"."""
    reply = await flows.resume_draft(
        turn.uow, turn.clock, telegram_user_id=press.user_id, session_id=press.button.session_id
    )
    show(turn, reply, press.message_id)


async def discard_draft(turn: Turn, press: Press[DiscardDraft]) -> None:
    """A draft's "Throw it away"."""
    reply = await flows.discard_draft(
        turn.uow, turn.clock, telegram_user_id=press.user_id, session_id=press.button.session_id
    )
    show(turn, reply, press.message_id)


async def start_afresh(turn: Turn, press: Press[StartAfresh]) -> None:
    """A draft's "Start afresh": throw it away and start the flow again."""
    reply = await flows.discard_draft(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        session_id=press.button.session_id,
        then_start=press.button.flow,
        prefill=prefilled(press.button.prefill),
    )
    show(turn, reply, press.message_id)
