"""The one place flow endings, step checks, prefill checks, note offers and outbox composers
are registered (service layer), and the start-up check that every name a flow file uses
has a function.

A flow file names its ending (``ending: save_visit``), its steps' checks and its
notes' offers; an outbox row names its kind. ``register_endings`` files the function
for each name; ``bot.services.startup.prepare_services`` calls it once at start-up
(the composition root, and the tests' fixtures). A new flow's ending, or a new kind
of message in the outbox, is added to a table below.
"""

from __future__ import annotations

from bot.domain.stages import STAGE_KINDS
from bot.services import (
    availability,
    bearings,
    cases,
    engagement,
    erasure,
    evaluation,
    flag_messages,
    flags,
    membership,
    notes,
    plan_reviews,
    process_sources,
    reachability,
    report_monthly,
    safeguarding,
    stages,
    stuck,
    supervision,
    support_plan,
    team_admin,
    visits,
)
from bot.services.flag_messages import is_urgent as urgent
from bot.services.flow_catalogue import catalogue
from bot.services.flows.expiry import FLOW_EXPIRED, compose_flow_expired
from bot.services.flows.registry import (
    ENDINGS,
    NOTE_OFFERS,
    OPTION_SOURCES,
    PREFILL_CHECKS,
    STEP_CHECKS,
    Ending,
    NoteOffer,
    OptionSource,
    PrefillCheck,
    StepCheck,
)
from bot.services.nudges import messages as nudge_messages
from bot.services.nudges.quiet import held_in_quiet_hours
from bot.services.outgoing import COMPOSERS, Composer

FLOW_ENDINGS: dict[str, Ending] = {
    "change_stage": stages.change_stage,
    "set_meeting_date": stages.set_meeting_date,
    "record_incident": engagement.record_incident,
    "close_case": cases.close_case,
    "correct_note": notes.correct_note,
    "create_case": cases.create_case,
    "raise_case_flag": flags.raise_case_flag,
    "raise_safeguarding": safeguarding.from_command,
    "resolve_flag": flags.resolve_flag,
    "save_agreement": support_plan.save_agreement,
    "save_assessment": support_plan.save_assessment,
    "save_bearings": bearings.save_bearings,
    "save_plan": support_plan.save_plan,
    "save_plan_aims": support_plan.save_plan_aims,
    "save_plan_action": support_plan.save_plan_action,
    "save_review": plan_reviews.save_review,
    "save_settings": availability.save_settings,
    "save_stuck": stuck.save_stuck,
    "save_supervision": supervision.save_supervision,
    "save_team_setting": team_admin.change_team_setting,
    "save_visit": visits.save_visit,
    "set_away": availability.set_away,
    "set_review_date": cases.set_review_date,
}
"""What acts on each flow's answers when it is finished (``ending:`` in its file)."""

FLOW_STEP_CHECKS: dict[str, StepCheck] = {
    "case_reference": cases.check_case_reference,
    "timezone": availability.check_zone,
    "whole_number": evaluation.check_whole_number,
}
"""What a step's typed answer must pass (``check:`` in its file)."""

FLOW_PREFILL_CHECKS: dict[str, PrefillCheck] = {
    "flag": flags.check_flag_to_resolve,
    "note": notes.check_note_to_correct,
}
"""What an answer given in advance on a button must pass (``case`` is the engine's own)."""

FLOW_NOTE_OFFERS: dict[str, NoteOffer] = {
    "safeguarding_case": safeguarding.take_the_case,
    "safeguarding_stuck": safeguarding.from_stuck,
    "safeguarding_supervision": safeguarding.from_supervision,
    "safeguarding_visit": safeguarding.from_visit,
    "stuck_last_time": stuck.last_time,
}
"""What a note's ``offer:`` does when the note is shown."""

FLOW_OPTION_SOURCES: dict[str, OptionSource] = {
    "agencies": process_sources.agencies,
    "family_roles": process_sources.family_roles,
    "new_aims": process_sources.new_aims,
    "current_aims": process_sources.current_aims,
    "added_aims": process_sources.added_aims,
    "open_plan_actions": process_sources.open_plan_actions,
    "participants": process_sources.participants,
    "plan_aims": process_sources.plan_aims,
    "team_counts": process_sources.team_counts,
}
"""Where a step's options (``options_from:``) or items (``each:``) come from."""

_NUDGE_COMPOSERS: dict[str, Composer] = {
    "visit_due": nudge_messages.compose_case_nudge,
    "visit_overdue": nudge_messages.compose_case_nudge,
    "review_coming": nudge_messages.compose_case_nudge,
    "review_overdue": nudge_messages.compose_case_nudge,
    "visit_overdue_supervisor": nudge_messages.compose_supervisor_visit,
    "action_due": nudge_messages.compose_action_nudge,
    "action_overdue": nudge_messages.compose_action_nudge,
    "weekly_summary": nudge_messages.compose_weekly_summary,
    "bearings_prompt": nudge_messages.compose_bearings_prompt,
    "unattended": nudge_messages.compose_unattended,
    "digest": nudge_messages.compose_digest,
    **dict.fromkeys(STAGE_KINDS, stages.compose_stage_nudge),
    "engagement_check": engagement.compose_engagement_check,
}
"""Nudges and the digest: nobody asked for them at that moment, so one delivered late waits
out the recipient's quiet hours and days off (``nudges.quiet``)."""

OUTBOX_COMPOSERS: dict[str, Composer] = {
    # Nudges
    **{kind: held_in_quiet_hours(composer) for kind, composer in _NUDGE_COMPOSERS.items()},
    # A visit nudge already shown, edited once the visit is logged
    nudge_messages.VISIT_LOGGED: nudge_messages.compose_visit_logged,
    # A flag to a supervisor, the update of a copy already sent, news for the one who raised it
    # (an edit makes no sound, and goes at once; a copy or news of an urgent flag too)
    flag_messages.FLAG: held_in_quiet_hours(flag_messages.compose_flag, unless=urgent),
    flag_messages.FLAG_EDIT: flag_messages.compose_flag_edit,
    flag_messages.FLAG_NEWS: held_in_quiet_hours(flag_messages.compose_flag_news, unless=urgent),
    # A flow left idle, kept as a draft
    FLOW_EXPIRED: held_in_quiet_hours(compose_flow_expired),
    # A worker left Bearings: their supervisor is told which cases are theirs now
    erasure.CASES_PASSED: held_in_quiet_hours(erasure.compose_cases_passed),
    # Bearings cannot reach someone: their supervisors are told
    reachability.MEMBER_UNREACHABLE: held_in_quiet_hours(reachability.compose_member_unreachable),
    # A role changed, someone taken off the team, a leaver's cases handed over
    membership.MEMBERSHIP_NEWS: held_in_quiet_hours(membership.compose_membership_news),
    # The month's report to a team's supervisors: its summary picture, then its PDF
    report_monthly.PICTURE: held_in_quiet_hours(report_monthly.compose_report),
    report_monthly.PDF: held_in_quiet_hours(report_monthly.compose_report),
}
"""What composes each kind of outbox row at send time."""


def register_endings() -> None:
    """File every function above under its name (again: no change)."""
    for name, ending in FLOW_ENDINGS.items():
        ENDINGS.add(name, ending)
    for name, step_check in FLOW_STEP_CHECKS.items():
        STEP_CHECKS.add(name, step_check)
    for name, prefill_check in FLOW_PREFILL_CHECKS.items():
        PREFILL_CHECKS.add(name, prefill_check)
    for name, note_offer in FLOW_NOTE_OFFERS.items():
        NOTE_OFFERS.add(name, note_offer)
    for name, source in FLOW_OPTION_SOURCES.items():
        OPTION_SOURCES.add(name, source)
    for kind, composer in OUTBOX_COMPOSERS.items():
        COMPOSERS.add(kind, composer)


def check_flows() -> None:
    """Fail start-up when a flow file names an ending, check or offer that nothing registered
    (so a typo never reaches a phone)."""
    flows = catalogue().values()
    missing = sorted(f.ending for f in flows if f.ending not in ENDINGS)
    missing += sorted(
        step.check
        for f in flows
        for step in f.steps
        if step.check and step.check not in STEP_CHECKS
    )
    missing += sorted(
        note.offer
        for f in flows
        for step in f.steps
        for note in step.notes
        if note.offer and note.offer not in NOTE_OFFERS
    )
    missing += sorted(
        name
        for f in flows
        for step in f.steps
        for name in (step.options_from, step.each)
        if name and name not in OPTION_SOURCES
    )
    if missing:
        raise LookupError(f"flow endings or checks not registered: {', '.join(missing)}")
