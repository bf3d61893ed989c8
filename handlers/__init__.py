"""Thin Telegram adapters: parse the update, call one service, render, reply.

``register`` adds every handler to the application in order: group chats
first (commands only), then private commands and buttons, then typed answers
and the fallbacks that answer anything else with a short menu.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.services.flow_catalogue import catalogue
from handlers import (
    actions,
    agenda,
    bearings,
    cases,
    erasure,
    export,
    fallback,
    flags,
    flows,
    groups,
    help,
    invites,
    notes,
    nudges,
    onboarding,
    reachability,
    stuck,
    team,
)

# New messages only: an edited message never starts, answers or changes anything (it is not
# asked for in ``allowed_updates`` either, but a webhook set up by hand could still send it).
# Channels match neither, so channel posts are never answered.
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW
GROUPS = filters.ChatType.GROUPS & NEW


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler in the order they must be tried."""
    application.add_error_handler(fallback.record_error)

    # Before everything else (its own group): whoever writes in private is reachable again.
    application.add_handler(TypeHandler(Update, reachability.note_contact), group=-1)

    # Group chats: only the bot's own commands, never case content.
    application.add_handler(CommandHandler("linkgroup", groups.link_group, GROUPS))
    application.add_handler(MessageHandler(GROUPS & filters.COMMAND, groups.private_only))

    # Private chats: commands.
    commands = {
        "start": onboarding.start,
        "help": help.show_help,
        "invite": invites.invite,
        "linkgroup": groups.link_group_in_private,
        "cancel": flows.cancel,
        "cases": cases.show_caseload,
        "actions": actions.show_actions,
        "flags": flags.show_flags,
        "agenda": agenda.show_agenda,
        "team": team.show_team,
        "digest": nudges.show_digest,
        "back": nudges.back,
        "bearings": bearings.bearings_command,
        "export": export.export_command,
        "forget_me": erasure.forget_me,
    }
    for command, callback in commands.items():
        application.add_handler(CommandHandler(command, callback, PRIVATE))
    flow_commands = [flow.command for flow in catalogue().values() if flow.command]
    application.add_handler(CommandHandler(flow_commands, flows.start_by_command, PRIVATE))

    # Buttons: only in private chats (the bot puts none in groups; one pressed there anyway,
    # or forged, is turned down before any of the handlers below could show a case there).
    application.add_handler(groups.ButtonOutsidePrivate(groups.button_outside_private))
    buttons = {
        r"^j:": onboarding.confirm_join,
        r"^jx$": onboarding.decline_join,
        r"^inv:": invites.invite_chosen,
        r"^f:": flows.pressed,
        r"^f[kd]:": flows.conflict_choice,
        r"^d[rxn]:": flows.draft_choice,
        r"^cf:": flows.start_for_case,
        r"^cc:": cases.show_case,
        r"^cl$": cases.caseload_again,
        r"^ra:": cases.choose_new_worker,
        r"^rw:": cases.reassign,
        r"^ce:": export.export_case,
        r"^ad:": actions.mark_done,
        r"^fl:": flags.act,
        r"^sk:": stuck.choose,
        r"^ag:": agenda.show_worker_agenda,
        r"^at:": agenda.tick,
        r"^nd:": nudges.act,
        r"^fc$": flows.stop_pressed,
        r"^cn:": notes.show_case_notes,
        r"^nv:": notes.show_note,
        r"^nx:": notes.correct,
        r"^bgs:": bearings.share,
        r"^bga:": bearings.add_to_agenda,
        r"^bgt$": bearings.team_summary,
        r"^bgv:": bearings.show_shared,
        r"^fm:": erasure.confirm,
        r"^fmx$": erasure.cancel,
    }
    for pattern, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(CallbackQueryHandler(fallback.stale_button))

    # Typed answers in a flow; anything else in private gets a short menu.
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, flows.text_answer)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, fallback.menu))
    application.add_handler(MessageHandler(PRIVATE, flows.other_message))
