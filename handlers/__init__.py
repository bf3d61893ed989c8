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

from bot.domain import buttons, buttons_process
from bot.services.flow_catalogue import catalogue
from bot.telegram.press import PressHandler, press_router
from handlers import (
    actions,
    agenda,
    bearings,
    case_plan,
    caseload_import,
    cases,
    engagement,
    erasure,
    export,
    fallback,
    flags,
    flows,
    groups,
    help,
    invites,
    members,
    notes,
    nudges,
    onboarding,
    reachability,
    reports,
    stuck,
    team,
)
from handlers.paging import page_turner

# New messages only: an edited message never starts, answers or changes anything (it is not
# asked for in ``allowed_updates`` either, but a webhook set up by hand could still send it).
# Channels match neither, so channel posts are never answered.
NEW = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE & NEW
GROUPS = filters.ChatType.GROUPS & NEW


PRESS_ROUTES: dict[type[buttons.Button], PressHandler] = {
    buttons.JoinTeam: onboarding.confirm_join,
    buttons.DeclineJoin: onboarding.decline_join,
    buttons.InviteRole: invites.invite_chosen,
    buttons.FlowAnswer: flows.answer_question,
    buttons.KeepOpenFlow: flows.keep_open_flow,
    buttons.DropOpenFlow: flows.drop_open_flow,
    buttons.ResumeDraft: flows.resume_draft,
    buttons.DiscardDraft: flows.discard_draft,
    buttons.StartAfresh: flows.start_afresh,
    buttons.StopFlow: flows.stop,
    buttons.StartFlowForCase: flows.start_for_case,
    buttons.ShowCase: cases.show_case,
    buttons.ShowCaseload: cases.caseload_again,
    buttons.ChooseNewWorker: cases.choose_new_worker,
    buttons.ReassignCase: cases.reassign,
    buttons.ExportCase: export.export_case,
    buttons_process.CasePlanMenu: case_plan.plan_menu,
    buttons_process.ShowCasePart: case_plan.show_part,
    buttons_process.CaseReviews: case_plan.show_reviews,
    buttons.CaseHistory: notes.show_case_notes,
    buttons.ShowNote: notes.show_note,
    buttons.CorrectNote: notes.correct,
    buttons.ActionDone: actions.mark_done,
    buttons.FlagResponse: flags.respond_to_flag,
    buttons.StuckEndingChoice: stuck.choose_ending,
    buttons.WorkerAgenda: agenda.show_worker_agenda,
    buttons.AgendaTick: agenda.tick,
    buttons.TeamMeetingDiscussed: agenda.team_meeting_discussed,
    buttons.RateEngagement: engagement.rate,
    buttons.IncidentAnswer: engagement.incident,
    buttons.NudgeChoice: nudges.answer_nudge,
    buttons.ShareBearings: bearings.share,
    buttons.BearingsToAgenda: bearings.add_to_agenda,
    buttons.BearingsTeamSummary: bearings.team_summary,
    buttons.TeamPicture: reports.team_picture,
    buttons.SharedBearings: bearings.show_shared,
    buttons.ConfirmImport: caseload_import.confirm,
    buttons.CancelImport: caseload_import.cancel,
    buttons.ShowMember: members.member_card,
    buttons.SetRole: members.set_role,
    buttons.StartRemoval: members.start_removal,
    buttons.CaseByCase: members.case_by_case,
    buttons.HandCase: members.hand_case,
    buttons.ConfirmRemoval: members.confirm_removal,
    buttons.RemoveNow: members.remove_now,
    buttons.RevokeInvite: members.revoke_invite,
    buttons.ConfirmErasure: erasure.confirm,
    buttons.KeepAccount: erasure.cancel,
    buttons.ListPage: page_turner(
        {
            cases.CASES: cases.caseload_page,
            cases.CASE_WORKERS: cases.workers_page,
            flags.FLAGS: flags.flags_page,
            actions.ACTIONS: actions.actions_page,
            team.TEAM: team.team_page,
            agenda.AGENDAS: agenda.workers_page,
            agenda.AGENDA: agenda.agenda_page,
            members.MEMBERS: members.members_page,
            engagement.SHEET: engagement.sheet_page,
        }
    ),
}
"""Every kind of button (bot/domain/buttons.py) and the handler that takes its press."""


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
        "report": reports.report_command,
        "members": members.show_members,
        "invites": members.show_invites,
        "unlinkgroup": members.unlink_group,
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
    # Then one handler parses every press and routes it by its kind of button (PRESS_ROUTES).
    application.add_handler(groups.ButtonOutsidePrivate(groups.button_outside_private))
    application.add_handler(CallbackQueryHandler(press_router(PRESS_ROUTES)))

    # A caseload file (CSV) a supervisor sends to import; before the flows' "text only".
    application.add_handler(
        MessageHandler(PRIVATE & caseload_import.SPREADSHEETS, caseload_import.receive_file)
    )

    # Typed answers in a flow; anything else in private gets a short menu.
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, flows.text_answer)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, fallback.show_menu))
    application.add_handler(MessageHandler(PRIVATE, flows.other_message))
