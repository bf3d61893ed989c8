"""Every template and the builder of its values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import handlers.cases as cases_handlers
from bot.domain import bearings as bearing_rules
from bot.domain.cases import STAGE_LABELS
from bot.domain.flags import FlagFigures
from bot.domain.flow_lists import MAX_LINES
from bot.domain.process import OUTCOMES
from bot.domain.report_figures import figures as report_figures
from bot.domain.roles import Role
from bot.domain.stages import STAGE_KINDS
from bot.services import reports
from bot.services.actions import ActionList
from bot.services.agenda import WorkerLine, agenda_page
from bot.services.bearings import names as bearing_names
from bot.services.caseload_import import LIMITS, Imported
from bot.services.cases import WorkerCases
from bot.services.engagement import EngagementFigures
from bot.services.erasure import Erased, ErasurePlan
from bot.services.export import Exported, ExportFile
from bot.services.flags import FLAGS_PER_PAGE
from bot.services.flow_catalogue import catalogue
from bot.services.handover import Removed
from bot.services.membership import PEOPLE_PAGE, MemberLine, OpenInvite, People
from bot.services.notes import PAGE as NOTES_PAGE
from bot.services.notes import NoteItem, NoteList
from bot.services.nudges.messages import Digest
from bot.services.onboarding import InvitePreview, IssuedInvite
from bot.services.team import TeamOverview, WorkerRow
from storage.models import Case
from tests.template_samples import process_views
from tests.template_samples.fill import (
    INSTRUCTION_LIMIT,
    TEAM_NAME_LIMIT,
    TODAY,
    Fill,
    Values,
)
from tests.template_samples.views import (
    ACTIONS_MOST,
    CASES_MOST,
    FLAGS_MOST,
    WORKERS_MOST,
    _refs,
    action_line,
    action_row,
    agenda,
    bearings_values,
    card,
    case_row,
    caseload,
    engagement_sheet,
    exports,
    flag_view,
    handover,
    import_check,
    limit_of,
    member_card,
    note_view,
    paged,
    person,
    problem,
    question,
    stuck_summary,
    team_meeting,
)
from tests.unit.test_report_figures import facts as report_facts


def meeting_booked(case: Case, on: date) -> Case:
    """A case whose family meeting is booked (a stage reminder may show its date)."""
    case.meeting_on = on
    return case


NO_VALUES = (
    "_import_problem", "_pdf", "button_done", "button_private_only", "flow_nothing_to_cancel",
    "flow_rejected_case_unknown", "flow_rejected_choose_a_button", "flow_rejected_date_any",
    "flow_rejected_date_future", "flow_rejected_date_past", "flow_rejected_empty",
    "flow_rejected_reference_name_like", "flow_rejected_reference_shape",
    "flow_rejected_reference_taken", "flow_rejected_timezone_unknown", "flow_text_only",
    "forget_me_cancelled", "group_only", "help_supervisor", "help_worker", "import_cancelled",
    "import_not_csv", "invite_which_role", "join_declined", "note_corrected",
    "nudge_bearings", "refusal_action_not_yours", "refusal_agenda_not_yours",
    "refusal_already_done", "refusal_already_member", "refusal_bearings_not_shared",
    "refusal_case_not_yours", "refusal_cover_yourself", "refusal_flag_already_resolved",
    "refusal_flag_not_yours", "refusal_group_taken", "refusal_import_download_failed",
    "refusal_import_gone", "refusal_import_supervisors_only", "refusal_invite_expired",
    "refusal_invite_role", "refusal_invite_unknown", "refusal_invite_used",
    "refusal_not_a_member", "refusal_note_correction_closed", "refusal_note_not_yours",
    "refusal_nothing_to_erase", "refusal_supervisors_only", "refusal_team_name_invalid",
    "slow_down", "something_went_wrong", "something_went_wrong_not_kept", "start_stranger",
    "stuck_note_basics", "stuck_note_fit", "stuck_note_other_side", "stuck_note_strong_feeling",
    "stuck_note_whose", "try_again", "refusal_engagement_check_closed", "refusal_member_gone",
    "refusal_remove_yourself", "refusal_no_group", "_setting_words", "refusal_flag_cannot_wait",
    "refusal_case_link_stale", "refusal_report_period_backwards", "pdf_report_notice",
    "stuck_note_whose", "try_again", "refusal_member_gone", "refusal_remove_yourself",
    "refusal_no_group", "_setting_words", "refusal_flag_cannot_wait",
    "flow_rejected_whole_number", "_process",
)  # fmt: skip

Builder = Callable[[Fill], Values]


def report_values(f: Fill) -> Values:
    """A report's values: the hand-worked fixture of the report tests, under a long team name."""
    figures = report_figures(report_facts(scope=f.text(TEAM_NAME_LIMIT)))
    return {
        "report": figures,
        "words": reports.words_for(figures),
        "charts": {"caseload": "data:image/png;base64,"},
        "monthly": f.maybe(),
    }


def _agenda_paged(f: Fill) -> Values:
    """A page of an agenda, as /agenda shows it."""
    shown = agenda(f)
    return {"agenda": shown, "page": agenda_page(shown, f.number(0, 20))}


SAMPLES: dict[str, Builder] = {name: lambda f: {} for name in NO_VALUES} | {
    "_agenda_body": lambda f: _agenda_paged(f),
    "_bearings_details": bearings_values,
    "_bearings_reading": bearings_values,
    "_flag_lines": lambda f: {"flag": flag_view(f)},
    "_menu": lambda f: {"person": person(f)},
    "_nudge_acted": lambda f: {
        "acted": f.pick(
            ("snoozed", "moved", "choosing", "logging", "reviewing", "visit_logged", "done")
        ),
        "until": f.day(),
        "next_working": f.maybe(),
    },
    "_page_changed": lambda f: {"page": paged(f, lambda i: i, CASES_MOST)},
    "_page_footer": lambda f: {"page": paged(f, lambda i: i, CASES_MOST)},
    "_privacy": lambda f: {"retention_days": f.number(30, 3650)},
    "actions": lambda f: {
        "listing": ActionList([], TODAY, paged(f, lambda i: action_line(f, i), ACTIONS_MOST))
    },
    "agenda": lambda f: _agenda_paged(f),
    "agenda_tick_offer": lambda f: {"agenda": agenda(f)},
    "agenda_ticked": lambda f: {"agenda": agenda(f)},
    "agenda_workers": lambda f: {
        "page": paged(f, lambda i: WorkerLine(i, f.name(), f.number(0, 99)), WORKERS_MOST),
        "meeting": team_meeting(f),
        "discussed": f.optional(f.number(1, 99)),
    },
    "away_back": lambda f: {"was_away": f.maybe()},
    "away_set": lambda f: {"until": f.day(), "cover": f.optional(f.name())},
    "bearings_picture": bearings_values,
    "bearings_result": bearings_values,
    "bearings_shared": bearings_values,
    "bearings_team": lambda f: {
        "averages": f.optional(
            bearing_rules.TeamAverages(
                f.number(5, WORKERS_MOST),
                {e: 4.6 for e in bearing_rules.ELEMENTS},
                {b: 2.5 for b in bearing_rules.BALANCES},
            )
        ),
        "contributors": f.number(0, WORKERS_MOST),
        "minimum": bearing_rules.TEAM_MINIMUM,
        "period_days": bearing_rules.TEAM_PERIOD_DAYS,
        "shared_count": f.number(0, WORKERS_MOST),
        "pairs": bearing_rules.PAIRS,
        "balances": bearing_rules.BALANCES,
        "names": bearing_names(),
    },
    "case_card": lambda f: {"case": card(f)},
    "case_process": lambda f: process_views.shown(f, part=False),
    "case_part": lambda f: process_views.shown(f, part=True),
    "case_reviews": process_views.history,
    "_pdf_process": lambda f: {"process": process_views.process(f)},
    "agreement_saved": lambda f: {"reference": f.reference()},
    "assessment_saved": lambda f: {"reference": f.reference()},
    "plan_saved": lambda f: {
        "reference": f.reference(),
        "aims": f.many(lambda i: f.text(limit_of("plan", "aims")), MAX_LINES + 1),
    },
    "plan_aims_saved": lambda f: {
        "reference": f.reference(),
        "aims": f.many(lambda i: f.text(limit_of("plan_aims", "aims")), MAX_LINES + 1),
    },
    "plan_action_saved": lambda f: {
        "reference": f.reference(),
        "owner": f.pick((f.name(), f.text(limit_of("plan_action", "owner_agency")))),
        "due": f.day(),
        "quick_win": f.maybe(),
    },
    "review_saved": lambda f: {
        "reference": f.reference(),
        "outcome": f.pick(OUTCOMES),
        "next_review": f.optional(f.day()),
    },
    "refusal_plan_exists": lambda f: {"reference": f.reference()},
    "refusal_no_plan": lambda f: {"reference": f.reference()},
    "flow_rejected_too_many_lines": lambda f: {"limit": MAX_LINES},
    "case_closed": lambda f: {"reference": f.reference()},
    "case_created": lambda f: {"case": card(f), "today": TODAY},
    "case_left_open": lambda f: {"reference": f.reference()},
    "case_notes": lambda f: {
        "listing": NoteList(
            1,
            f.reference(),
            f.many(lambda i: NoteItem("v", i, f.day(), f.name()), NOTES_PAGE),
            page=f.number(0, 30),
            has_older=f.maybe(),
        )
    },
    "case_reassign": lambda f: {"case": card(f)},
    "case_reassigned": lambda f: {"case": card(f)},
    "case_review_set": lambda f: {"case": replace(card(f), next_review_on=f.day())},
    "case_stage_set": lambda f: {
        "reference": f.reference(),
        "stage": f.pick(tuple(STAGE_LABELS.values())),
        "meeting_on": f.optional(f.day()),
        "next_review_on": f.optional(f.day()),
    },
    "case_meeting_set": lambda f: {"reference": f.reference(), "on": f.day()},
    "engagement_check": lambda f: {"sheet": engagement_sheet(f)},
    "engagement_incident_saved": lambda f: {"reference": f.reference()},
    "nudge_stage": lambda f: {
        "kind": f.pick(STAGE_KINDS),
        "case": meeting_booked(case_row(f), f.day()),
        "worker": f.name(),
        "days": f.number(1, 400),
    },
    "case_workers": lambda f: {
        "page": paged(
            f, lambda i: WorkerCases(i, f.name(), f.number(0, 200), f.number(0, 200)), WORKERS_MOST
        )
    },
    "caseload": caseload,
    "cases_passed": lambda f: {"references": _refs(f)},
    "digest": lambda f: {
        "digest": Digest(
            f.text(TEAM_NAME_LIMIT),
            f.day(),
            f.many(lambda i: (f.reference(), f.name(), f.day()), CASES_MOST),
            f.many(lambda i: (f.reference(), f.name(), f.day()), CASES_MOST),
        )
    },
    "export_coming": lambda f: {
        "exported": Exported(f.pick(("case", "personal")), f.reference(), [])
    },
    "export_file": lambda f: {
        "exported": Exported(f.pick(("case", "personal")), f.reference(), []),
        "file": ExportFile("x.pdf", b"", f.pick(("application/pdf", "application/json"))),
    },
    "flag_message": lambda f: {
        "flag": flag_view(f),
        "stage": f.pick(("escalation", "reminder", "flag")),
    },
    "flag_news": lambda f: {
        "flag": flag_view(f),
        "news": f.pick(("resolve", "chased", "ack", "call", "agenda")),
        "by": f.name(),
    },
    "flag_held": lambda f: {
        "reference": f.optional(f.reference()),
        "supervisors": f.number(0, 5),
        "urgency": f.pick(("today", "week")),
    },
    "flag_no_supervisor": lambda f: {"instruction": f.text(INSTRUCTION_LIMIT)},
    "flag_raised": lambda f: {
        "reference": f.optional(f.reference()),
        "supervisors": f.number(1, 5),
        "urgency": f.pick(("today", "week", "supervision")),
        "waits": f.maybe(),
        "instruction": f.text(INSTRUCTION_LIMIT),
    },
    "flag_resolved": lambda f: {"flag": flag_view(f), "worker_told": f.maybe()},
    "flags": lambda f: {
        "page": paged(f, lambda i: flag_view(f, i), FLAGS_MOST, FLAGS_PER_PAGE),
        "whole_team": f.maybe(),
    },
    "flow_answered": question,
    "flow_cancelled": lambda f: {"title": f.pick([c.title for c in catalogue().values()])},
    "flow_conflict": lambda f: {
        "open_title": f.pick([c.title for c in catalogue().values()]),
        "new_title": f.pick([c.title for c in catalogue().values()]),
    },
    "flow_draft_discarded": lambda f: {"title": f.pick([c.title for c in catalogue().values()])},
    "flow_draft_found": lambda f: {
        "title": f.pick([c.title for c in catalogue().values()]),
        "started": "Wed 30 Dec",
    },
    "flow_expired": lambda f: (
        {
            "title": f.pick([c.title for c in catalogue().values()]),
            "started": "Wed 30 Dec",
        }
        | ({"text_not_taken": True} if f.maybe() else {})
    ),
    "flow_question": question,
    "flow_rejected_scale": lambda f: {"step": catalogue()["bearings"].steps[0]},
    "flow_rejected_too_long": lambda f: {"limit": f.number(32, 2000)},
    "forget_me": lambda f: {
        "plan": ErasurePlan(1, f.name(), _refs(f), f.number(0, 100), f.number(0, 100), f.name()),
        "changed": f.maybe(),
    },
    "forget_me_done": lambda f: {"erased": Erased(f.name(), _refs(f))},
    "group_linked": lambda f: {"team_name": f.text(TEAM_NAME_LIMIT)},
    "import_done": lambda f: {
        "done": Imported(f.text(TEAM_NAME_LIMIT), _refs(f), f.many(lambda i: f.reference(), 2000))
    },
    "import_expired": lambda f: {"hours": LIMITS.preview_hours},
    "import_preview": import_check,
    "import_problem": lambda f: {"problem": problem(f), "limits": LIMITS},
    "invite_created": lambda f: {
        "invite": IssuedInvite(f.text(TEAM_NAME_LIMIT), f.pick(tuple(Role)), "t" * 43, 7),
        "link": "https://t.me/bearings_sandbox_bot?start=" + "t" * 43,
    },
    "invite_preview": lambda f: {
        "preview": InvitePreview(f.text(TEAM_NAME_LIMIT), f.pick(tuple(Role))),
        "retention_days": f.number(30, 3650),
    },
    "joined": lambda f: {"person": person(f)},
    "menu": lambda f: {"person": person(f)},
    "member_unreachable": lambda f: {"name": f.name()},
    "note": note_view,
    "nudge_action": lambda f: {
        "kind": f.pick(("action_overdue", "action_due")),
        "action": action_row(f),
        "reference": f.optional(f.reference()),
        "covering": f.optional(f.name()),
        "acted": f.pick(("snoozed", "moved", "choosing", "logging", "reviewing", "done", None)),
        "until": f.day(),
        "next_working": f.maybe(),
    },
    "nudge_case": lambda f: {
        "kind": f.pick(("review_coming", "visit_due", "visit_overdue", "review_overdue")),
        "case": case_row(f),
        "due": f.optional(f.day()),
        "days": f.number(1, 14),
        "covering": f.optional(f.name()),
        "acted": f.pick(
            ("snoozed", "moved", "choosing", "logging", "reviewing", "visit_logged", "done", None)
        ),
        "until": f.day(),
        "next_working": f.maybe(),
    },
    "flow_not_a_working_day": lambda f: {"day": f.day()},
    "nudge_unattended": lambda f: {"name": f.name(), "until": f.day(), "references": _refs(f)},
    "nudge_visit_overdue_supervisor": lambda f: {"case": case_row(f), "worker": f.name()},
    "nudge_weekly_summary": lambda f: {
        "week": f.day(),
        "visits": f.many(lambda i: (f.reference(), f.day()), CASES_MOST),
        "reviews": f.many(lambda i: (f.reference(), f.day()), CASES_MOST),
        "actions": f.many(lambda i: action_row(f), ACTIONS_MOST),
    },
    "pdf_report": report_values,
    "pdf_report_footer": report_values,
    "pdf_report_title": report_values,
    "report_picture": report_values,
    "report_file": report_values,
    "team_picture": lambda f: {"team_name": f.text(TEAM_NAME_LIMIT)},
    "pdf_case": lambda f: {
        "export": replace(exports(f, "case")["export"], process=process_views.process(f))
    },
    "pdf_footer": exports,
    "pdf_missing_characters": exports,
    "pdf_personal": lambda f: exports(f, "personal"),
    "pdf_title": exports,
    "private_only": lambda f: {"bot_username": "bearings_sandbox_bot"},
    "refusal_agenda_worker_unknown": lambda f: {"name": f.name()},
    "refusal_case_closed": lambda f: {"reference": f.reference()},
    "refusal_erasure_no_supervisor": lambda f: {
        "is_supervisor": f.maybe(),
        "team_name": f.text(TEAM_NAME_LIMIT),
    },
    "refusal_export_member_unknown": lambda f: {
        "team": f.text(TEAM_NAME_LIMIT),
        "telegram_user_id": 2**52,
    },
    "refusal_import_too_big": lambda f: {"megabytes": LIMITS.megabytes},
    "refusal_reference_taken": lambda f: {"reference": f.reference()},
    "refusal_setting_invalid": lambda f: {"reason": f.text(200)},
    "refusal_team_exists": lambda f: {"name": f.text(TEAM_NAME_LIMIT)},
    "refusal_team_unknown": lambda f: {"name": f.text(TEAM_NAME_LIMIT)},
    "refusal_timezone_unknown": lambda f: {"timezone": f.text(limit_of("settings", "timezone"))},
    "settings_saved": lambda f: {
        "nudge_hour": f.optional("09:00"),
        "quiet_start": f.optional("21:00"),
        "quiet_end": "07:00",
        "timezone": f.optional("America/Argentina/ComodRivadavia"),
    },
    "start_member": lambda f: {"person": person(f)},
    "stuck_actions_made": lambda f: {"actions": f.many(lambda i: action_line(f, i), 3)},
    "stuck_last_time": lambda f: {
        "on": f.day(),
        "where_stuck": f.text(limit_of("stuck", "where_stuck")),
        "quick_win": f.text(limit_of("stuck", "quick_win")),
        "next_step": f.text(limit_of("stuck", "next_step")),
    },
    "flow_still_open": lambda f: {"title": f.pick([c.title for c in catalogue().values()])},
    "safeguarding_now": lambda f: {
        "instruction": f.text(INSTRUCTION_LIMIT),
        "reference": f.reference(),
        "under_way": True,
    },
    "stuck_summary": lambda f: {"summary": stuck_summary(f), "readonly": f.maybe()},
    "supervision_saved": lambda f: {
        "reference": f.optional(f.reference()),
        "worker_name": f.name(),
        "actions": f.many(lambda i: action_line(f, i), 3),
        "escalation": f.pick(("flag", "flag_today", "referral", None)),
        "supervisor_name": f.optional(f.name()),
    },
    "team": lambda f: {
        "overview": TeamOverview(
            f.text(TEAM_NAME_LIMIT),
            [],
            FlagFigures(999, 999, timedelta(minutes=59), timedelta(days=40), 999),
            paged(
                f,
                lambda i: WorkerRow(
                    i,
                    f.name(),
                    200,
                    200,
                    200,
                    100,
                    100,
                    f.optional(f.day()),
                    EngagementFigures(90, 60, 50, f.number(0, 200)),
                ),
                WORKERS_MOST,
            ),
        )
    },
    # Membership (/members, /invites, /unlinkgroup).
    "members": lambda f: {
        "people": People(
            f.text(TEAM_NAME_LIMIT),
            paged(
                f,
                lambda i: MemberLine(i, f.name(), f.pick(("worker", "supervisor")), 200, i == 0),
                WORKERS_MOST,
                size=PEOPLE_PAGE,
            ),
        )
    },
    "member_card": lambda f: {"card": member_card(f)},
    "role_changed": lambda f: {"card": member_card(f)},
    "handover_ask": lambda f: {"handover": handover(f)},
    "handover_case": lambda f: {"handover": handover(f)},
    "removal_confirm": lambda f: {"handover": handover(f), "receiver": f.name()},
    "member_removed": lambda f: {
        "removed": Removed(f.name(), f.name(), f.number(0, 200), f.number(0, 100), 100, 1)
    },
    "membership_news": lambda f: {
        "event": f.pick(("handed", "role", "removed")),
        "team_name": f.text(TEAM_NAME_LIMIT),
        "by": f.name(),
        "role": f.pick(("supervisor", "worker")),
        "references": _refs(f),
        "former": f.name(),
        "setting": f.pick(("nudge_hour", "quiet", "safeguarding_instruction")),
    },
    "bearings_trend": lambda f: {
        "count": 8,
        "first_on": f.day(),
        "last_on": f.day(),
        "drifts": [
            bearing_rules.Drift(where, f.number(-4, 4), f.number(-4, 4))
            for where in ("team", "family", "network", "learning")
        ]
        + [bearing_rules.Drift(where, -2, 2) for where in ("steer", "liaison")],
        "pairs": {p.quadrant: (p.first, p.second) for p in bearing_rules.PAIRS},
        "names": bearing_names(),
    },
    "bearings_trend_too_few": lambda f: {"count": f.pick((0, 1))},
    "team_setting_saved": lambda f: {
        "setting": f.pick(("safeguarding_instruction", "quiet")),
        "team_name": f.text(TEAM_NAME_LIMIT),
    },
    "invites": lambda f: {
        "invites": f.many(lambda i: OpenInvite(i, f.pick(("worker", "supervisor")), f.moment()), 20)
    },
    "group_unlinked": lambda f: {"team_name": f.text(TEAM_NAME_LIMIT)},
    "flag_handled_elsewhere": lambda f: {"team_name": f.text(TEAM_NAME_LIMIT)},
    "refusal_last_supervisor": lambda f: {"name": f.name()},
    "refusal_member_unknown": lambda f: {"name": f.name(), "team": f.text(TEAM_NAME_LIMIT)},
    "visit_saved": lambda f: {
        "reference": f.reference(),
        "next_due": f.day(),
        "risk": f.pick(("up", "same", "down")),
    },
}
"""Every template's values (the e2e test checks that no template is missing here)."""

CAPTIONS = {
    "bearings_picture": "photo",
    "bearings_trend": "photo",
    "export_file": "document",
    "report_picture": "photo",
    "report_file": "document",
    "team_picture": "photo",
}
"""Templates that go out as a caption: under a picture, or a file."""


KEYBOARDS: dict[str, Callable[[Values], Any]] = {
    "caseload": lambda values: cases_handlers._caseload_buttons(values["load"]),
    "case_card": lambda values: cases_handlers._card_buttons(values["case"], supervisor=True),
}
"""The buttons the handlers put under these templates (labels with the long names and
references in them, callback data within 64 bytes)."""
