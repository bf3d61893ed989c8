"""Flows in chat: starting one by command or button, answering, Back/Skip, /cancel, drafts."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import Markup
from telegram import Update

from bot.domain import callbacks
from bot.services import flows
from bot.services.flow_catalogue import by_command
from bot.services.flows import FlowReply, Question
from bot.telegram.context import BearingsContext
from bot.telegram.turn import Turn
from handlers import fallback
from prompts import render_text


def show(turn: Turn, reply: FlowReply, pressed_message_id: int | None = None) -> None:
    """Render a flow's reply: mark the pressed question answered, say what there is, ask next."""
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
    """/visit, /newcase, ...: start the flow the command names."""
    turn, user, message = context.turn, update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    flow = by_command(message.text.split()[0].lstrip("/").split("@")[0].lower())
    assert flow is not None
    reply = await flows.start_flow(
        turn.uow, turn.clock, telegram_user_id=user.id, flow_name=flow.name, idle=idle_time(turn)
    )
    show(turn, reply)


async def start_for_case(update: Update, context: BearingsContext) -> None:
    """A case's button (``cf:<flow>:<case>``): start that flow for that case."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    _, flow_name, case_id = query.data.split(":")
    reply = await flows.start_flow(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        flow_name=flow_name,
        prefill={"case": int(case_id)},
        idle=idle_time(turn),
    )
    show(turn, reply)


async def text_answer(update: Update, context: BearingsContext) -> None:
    """Typed text: the answer to the open flow's question, or the menu when none is open."""
    turn, user, message = context.turn, update.effective_user, update.effective_message
    assert user is not None and message is not None and message.text is not None
    reply = await flows.answer_text(
        turn.uow, turn.clock, telegram_user_id=user.id, text=message.text, idle=idle_time(turn)
    )
    if reply is None:
        await fallback.menu(update, context)
        return
    show(turn, reply)


async def other_message(update: Update, context: BearingsContext) -> None:
    """A photo, sticker, voice note, file or location: "text only" in a flow, else the menu."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    reply = await flows.answer_other(
        turn.uow, turn.clock, telegram_user_id=user.id, idle=idle_time(turn)
    )
    if reply is None:
        await fallback.menu(update, context)
        return
    show(turn, reply)


async def pressed(update: Update, context: BearingsContext) -> None:
    """A button on a flow question (``f:<session>:<version>:<answer>``)."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    reply = await flows.press(
        turn.uow,
        turn.clock,
        telegram_user_id=query.from_user.id,
        data=query.data,
        idle=idle_time(turn),
    )
    show(turn, reply, query.message.message_id)


async def cancel(update: Update, context: BearingsContext) -> None:
    """/cancel: leave the open flow."""
    turn, user = context.turn, update.effective_user
    assert user is not None
    show(turn, await flows.cancel(turn.uow, turn.clock, telegram_user_id=user.id))


async def stop_pressed(update: Update, context: BearingsContext) -> None:
    """ "Stop here" (``fc``): leave the open flow, as /cancel does."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.message is not None
    reply = await flows.cancel(turn.uow, turn.clock, telegram_user_id=query.from_user.id)
    show(turn, reply, query.message.message_id)


async def conflict_choice(update: Update, context: BearingsContext) -> None:
    """ "Finish the open one" (``fk``) or "drop it and start the new one" (``fd``)."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    parts = query.data.split(":")
    user, session_id, version = query.from_user.id, int(parts[1]), int(parts[2])
    if parts[0] == "fk":
        reply = await flows.keep_going(
            turn.uow, turn.clock, telegram_user_id=user, session_id=session_id, version=version
        )
    else:
        reply = await flows.drop_and_start(
            turn.uow,
            turn.clock,
            telegram_user_id=user,
            session_id=session_id,
            version=version,
            flow_name=parts[3],
            prefill=callbacks.parse_prefill(parts[4]),
        )
    show(turn, reply, query.message.message_id)


async def draft_choice(update: Update, context: BearingsContext) -> None:
    """A draft's buttons: carry on (``dr``), throw away (``dx``), or start afresh (``dn``)."""
    turn, query = context.turn, update.callback_query
    assert query is not None and query.data is not None and query.message is not None
    parts = query.data.split(":")
    user, session_id = query.from_user.id, int(parts[1])
    if parts[0] == "dr":
        reply = await flows.resume_draft(
            turn.uow, turn.clock, telegram_user_id=user, session_id=session_id
        )
    elif parts[0] == "dx":
        reply = await flows.discard_draft(
            turn.uow, turn.clock, telegram_user_id=user, session_id=session_id
        )
    else:
        reply = await flows.discard_draft(
            turn.uow,
            turn.clock,
            telegram_user_id=user,
            session_id=session_id,
            then_start=parts[2],
            prefill=callbacks.parse_prefill(parts[3]),
        )
    show(turn, reply, query.message.message_id)
