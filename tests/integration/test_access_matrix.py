"""Access control proven by one table: every service operation x six kinds of person.

The rule for what is an operation: every public coroutine function defined in a
``bot/services`` module (packages included) that takes the acting person, as
``telegram_user_id``, ``member_id`` or a ``person`` (a ``Person`` the engine
resolved), has a row in ``MATRIX``. The other public coroutines are listed in
``PRESENTERS`` (they take a ``Person`` with a thing its caller already authorised,
and decide nothing), ``ENGINE`` (steps of the flow engine, given a ``turn`` that
carries the person a flow use case resolved) or ``NOT_ACTED`` (run by the periodic
job or the operator's command line, or Telegram's news about a chat, never a
person's request), each with why. A new function in no list fails
``test_every_service_operation_has_a_row``.

Each row names who may do it to Alex's things (tests/access_world.py); everyone
else must be refused: a ``Refusal`` (``find_person`` refuses with ``None``), and
afterwards every table holds exactly what it held before. An operation on
one's own things only (``/cases``, ``/cancel``) is allowed to all four active
members, and what it returns to anyone but Alex and Alex's supervisor must not
carry Alex's case reference or words. A stranger and a former member never get
a ``Person`` (``require_person`` refuses them), so operations that take one are
called through ``require_person`` exactly as the flow engine does.

Every cell runs in its own transaction, rolled back afterwards as the inbox does
with a refused update, so one seeded world serves all of them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import bot.services
from bot.clock import MovableClock
from bot.domain.bearings import BALANCES, ELEMENTS
from bot.domain.buttons import FlowAnswer
from bot.domain.case_links import case_link_token, link_key
from bot.domain.errors import Refusal
from bot.domain.flags import FlagAction, Urgency
from bot.domain.roles import Role
from bot.domain.stuck import StuckEnding
from bot.services import (
    access,
    actions,
    agenda,
    availability,
    bearings,
    case_plan,
    caseload_import,
    cases,
    dashboard,
    engagement,
    erasure,
    evaluation,
    export,
    flags,
    flows,
    handover,
    local_time,
    membership,
    notes,
    nudges,
    onboarding,
    plan_reviews,
    process_sources,
    reports,
    safeguarding,
    stages,
    stuck,
    supervision,
    support_plan,
    team,
    team_admin,
    visits,
)
from bot.services.access import Person, require_person
from bot.services.flows import turn as flow_turn
from storage.db import Database
from storage.uow import UnitOfWork
from tests.access_world import (
    MARKERS,
    MONDAY,
    REFERENCE,
    TODAY,
    Snapshot,
    Who,
    World,
    build_world,
    snapshot,
)

IDLE = timedelta(hours=48)
ALL_ACTIVE = frozenset({Who.OWNER, Who.COLLEAGUE, Who.SUPERVISOR, Who.OTHER_SUPERVISOR})
OWNER_AND_SUPERVISOR = frozenset({Who.OWNER, Who.SUPERVISOR})
OWNER = frozenset({Who.OWNER})
TEAM_SUPERVISOR = frozenset({Who.SUPERVISOR})
SUPERVISORS = frozenset({Who.SUPERVISOR, Who.OTHER_SUPERVISOR})
NOT_YET_MEMBERS = frozenset({Who.STRANGER, Who.FORMER})
SEES_ALEX = frozenset({Who.OWNER, Who.SUPERVISOR})
# Anyone Bearings holds, who has a supervisor to pass their cases to (each team's only
# supervisor is refused; someone who has left may still erase what is kept of them).
ERASABLE = frozenset({Who.OWNER, Who.COLLEAGUE, Who.FORMER})
EVERYONE = frozenset(Who)
LINK_KEY = link_key("123456:MATRIX")
WEEK = date(2026, 11, 23).toordinal()
"""The week of the world's Monday, as an engagement check's button names it."""


@dataclass
class Cell:
    """One person trying one operation, inside a transaction that is rolled back."""

    uow: UnitOfWork
    clock: MovableClock
    world: World
    who: Who

    @property
    def user(self) -> int:
        """Their Telegram user id."""
        return self.who.value

    async def person(self) -> Person:
        """Who they are to the services: as the flow engine finds them (or refused)."""
        return await require_person(self.uow, self.user)


Call = Callable[[Cell], Awaitable[Any]]


@dataclass(frozen=True)
class Row:
    """Who may do it (everyone else is refused and nothing changes), and how to try."""

    allowed: frozenset[Who]
    call: Call


def as_person(act: Callable[[Cell, Person], Awaitable[Any]]) -> Call:
    """An operation that takes a ``Person``: reached only through ``require_person``."""

    async def call(cell: Cell) -> Any:
        return await act(cell, await cell.person())

    return call


def none_refuses(act: Call) -> Call:
    """An operation whose refusal is ``None`` (looking someone up)."""

    async def call(cell: Cell) -> Any:
        found = await act(cell)
        if found is None:
            raise Refusal("not_a_member")
        return found

    return call


async def _member_id(cell: Cell) -> int:
    """The acting member's id (a stranger has none: an id no member has)."""
    member = await cell.uow.members.by_telegram_id(cell.user)
    return member.id if member is not None else 999_999


def _visit_answers(world: World) -> dict[str, Any]:
    return {"case": world.case, "date": TODAY.isoformat(), "how": "Fine", "risk": "same"}


# fmt: off
MATRIX: dict[str, Row] = {
    # --- who is asking -----------------------------------------------------------------
    "access.find_person": Row(ALL_ACTIVE, none_refuses(
        lambda c: access.find_person(c.uow, c.user))),
    "access.find_person_by_member": Row(ALL_ACTIVE, none_refuses(
        lambda c: _by_member(c))),
    "access.require_person": Row(ALL_ACTIVE, lambda c: access.require_person(c.uow, c.user)),
    "access.require_supervisor": Row(SUPERVISORS,
        lambda c: access.require_supervisor(c.uow, c.user)),
    # --- actions -----------------------------------------------------------------------
    "actions.add_action": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: actions.add_action(
        c.uow, c.clock, p, text="Ring school", owner_id=c.world.owner_member,
        due_on=TODAY + timedelta(days=3), case_id=c.world.case, source="matrix"))),
    "actions.open_actions": Row(ALL_ACTIVE,
        lambda c: actions.open_actions(c.uow, c.clock, telegram_user_id=c.user)),
    "actions.complete_action": Row(OWNER_AND_SUPERVISOR, lambda c: actions.complete_action(
        c.uow, c.clock, telegram_user_id=c.user, action_id=c.world.action)),
    # --- agenda ------------------------------------------------------------------------
    "agenda.agenda": Row(OWNER_AND_SUPERVISOR, lambda c: agenda.agenda(
        c.uow, c.clock, telegram_user_id=c.user, worker_id=c.world.owner_member)),
    "agenda.agenda_for": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: agenda.agenda_for(c.uow, c.clock, p, c.world.owner_member))),
    "agenda.team_agendas": Row(SUPERVISORS,
        lambda c: agenda.team_agendas(c.uow, c.clock, telegram_user_id=c.user)),
    "agenda.team_agendas_page": Row(SUPERVISORS,
        lambda c: agenda.team_agendas_page(c.uow, c.clock, telegram_user_id=c.user)),
    "agenda.team_meeting": Row(SUPERVISORS,
        lambda c: agenda.team_meeting(c.uow, c.clock, telegram_user_id=c.user)),
    "agenda.team_meeting_discussed": Row(SUPERVISORS,
        lambda c: agenda.team_meeting_discussed(c.uow, c.clock, telegram_user_id=c.user, upto=1)),
    "agenda.worker_named": Row(TEAM_SUPERVISOR,
        lambda c: agenda.worker_named(c.uow, telegram_user_id=c.user, name="Alex")),
    "agenda.tick_off": Row(OWNER_AND_SUPERVISOR, lambda c: agenda.tick_off(
        c.uow, c.clock, telegram_user_id=c.user, entry_id=None, note_id=c.world.supervision)),
    # --- away and settings (one's own) -------------------------------------------------
    "availability.set_away": Row(ALL_ACTIVE, as_person(lambda c, p: availability.set_away(
        c.uow, c.clock, p, {"until": (TODAY + timedelta(days=7)).isoformat()}))),
    "availability.come_back": Row(ALL_ACTIVE,
        lambda c: availability.come_back(c.uow, c.clock, telegram_user_id=c.user)),
    "availability.check_zone": Row(ALL_ACTIVE,
        as_person(lambda c, p: availability.check_zone(c.uow, p, "Europe/Paris"))),
    "availability.save_settings": Row(ALL_ACTIVE, as_person(
        lambda c, p: availability.save_settings(c.uow, c.clock, p, {"nudge_hour": "10:00"}))),
    # --- bearings checks ---------------------------------------------------------------
    "bearings.save_bearings": Row(ALL_ACTIVE, as_person(
        lambda c, p: bearings.save_bearings(c.uow, c.clock, p, _ratings()))),
    "bearings.share_check": Row(OWNER, lambda c: bearings.share_check(
        c.uow, c.clock, telegram_user_id=c.user, check_id=c.world.check)),
    "bearings.add_to_agenda": Row(OWNER, lambda c: bearings.add_to_agenda(
        c.uow, c.clock, telegram_user_id=c.user, check_id=c.world.check)),
    "bearings.shared_check": Row(OWNER_AND_SUPERVISOR, lambda c: bearings.shared_check(
        c.uow, c.clock, telegram_user_id=c.user, check_id=c.world.check)),
    "bearings.team_summary": Row(SUPERVISORS,
        lambda c: bearings.team_summary(c.uow, c.clock, telegram_user_id=c.user)),
    # --- importing a caseload (Sam's file waits for their Confirm) -----------------------
    "caseload_import.who_may_import": Row(SUPERVISORS,
        lambda c: caseload_import.who_may_import(c.uow, telegram_user_id=c.user)),
    "caseload_import.preview_upload": Row(SUPERVISORS, lambda c: caseload_import.preview_upload(
        c.uow, c.clock, telegram_user_id=c.user, content=b"ref,worker,stage\nNEW-0001,Kim,x\n")),
    "caseload_import.confirm_upload": Row(TEAM_SUPERVISOR, lambda c: caseload_import.confirm_upload(
        c.uow, c.clock, telegram_user_id=c.user, pending_id=c.world.pending_import)),
    "caseload_import.cancel_upload": Row(TEAM_SUPERVISOR, lambda c: caseload_import.cancel_upload(
        c.uow, c.clock, telegram_user_id=c.user, pending_id=c.world.pending_import)),
    # --- cases -------------------------------------------------------------------------
    # --- export and erasure: one's own data; a case for whoever may read it ------------
    "export.export_own_data": Row(ALL_ACTIVE,
        lambda c: export.export_own_data(c.uow, c.clock, telegram_user_id=c.user)),
    "export.export_case": Row(OWNER_AND_SUPERVISOR, lambda c: export.export_case(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case)),
    "erasure.plan_erasure": Row(ERASABLE,
        lambda c: erasure.plan_erasure(c.uow, c.clock, telegram_user_id=c.user)),
    "erasure.erase_member": Row(ERASABLE, lambda c: _erase(c)),
    "cases.readable_case": Row(OWNER_AND_SUPERVISOR,
        as_person(lambda c, p: cases.readable_case(c.uow, p, c.world.case))),
    "cases.changeable_case": Row(OWNER_AND_SUPERVISOR,
        as_person(lambda c, p: cases.changeable_case(c.uow, p, c.world.case))),
    "cases.caseload": Row(ALL_ACTIVE,
        lambda c: cases.caseload(c.uow, c.clock, telegram_user_id=c.user)),
    "cases.case_workers": Row(SUPERVISORS,
        lambda c: cases.case_workers(c.uow, c.clock, telegram_user_id=c.user)),
    "cases.case_card": Row(OWNER_AND_SUPERVISOR, lambda c: cases.case_card(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case)),
    "cases.reassign_options": Row(TEAM_SUPERVISOR, lambda c: cases.reassign_options(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case)),
    "cases.reassign_case": Row(TEAM_SUPERVISOR, lambda c: cases.reassign_case(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case,
        worker_id=c.world.colleague_member)),
    "cases.check_case_reference": Row(ALL_ACTIVE,
        as_person(lambda c, p: cases.check_case_reference(c.uow, p, "NEW-0001"))),
    "cases.create_case": Row(ALL_ACTIVE, as_person(lambda c, p: cases.create_case(
        c.uow, c.clock, p, {"reference": "NEW-0001", "stage": "engagement", "cadence": 7}))),
    "cases.set_review_date": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: cases.set_review_date(
        c.uow, c.clock, p, {"case": c.world.case, "review": "2026-12-01"}))),
    "stages.change_stage": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: stages.change_stage(
        c.uow, c.clock, p, {"case": c.world.case, "stage": "assessment"}))),
    "stages.set_meeting_date": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: stages.set_meeting_date(
            c.uow, c.clock, p, {"case": c.world.case, "meeting_on": "2026-12-01"}))),
    "engagement.rate": Row(OWNER_AND_SUPERVISOR, lambda c: engagement.rate(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case,
        week=WEEK, rating="partly")),
    "engagement.no_incidents": Row(OWNER, lambda c: engagement.no_incidents(
        c.uow, c.clock, telegram_user_id=c.user, week=WEEK)),
    "engagement.sheet_page": Row(OWNER, lambda c: engagement.sheet_page(
        c.uow, c.clock, telegram_user_id=c.user, week=WEEK, page=0, stamp="")),
    "engagement.record_incident": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: engagement.record_incident(
            c.uow, c.clock, p, {"case": c.world.case, "what": "Window broken"}))),
    "cases.close_case": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: cases.close_case(
        c.uow, c.clock, p, {"case": c.world.case, "confirm": "yes", "reason": "Moved away"}))),
    # --- the key-worker process: agreement, assessment, plan, reviews, evaluation -------
    "support_plan.save_agreement": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: support_plan.save_agreement(c.uow, c.clock, p, {
            "case": c.world.case, "standards": ["Home by 9"], "agreed_on": TODAY.isoformat()}))),
    "support_plan.save_assessment": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: support_plan.save_assessment(c.uow, c.clock, p, {
            "case": c.world.case, "person_risk": ["Missing school"]}))),
    "support_plan.save_plan": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: support_plan.save_plan(c.uow, c.clock, p, {
            "case": c.world.case, "aims": ["Back in school"]}))),
    "support_plan.save_plan_aims": Row(
        OWNER_AND_SUPERVISOR, as_person(lambda c, p: _plan_then_new_aims(c, p))),
    "support_plan.save_plan_action": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: support_plan.save_plan_action(c.uow, c.clock, p, {
            "case": c.world.case, "what": "Get up on time", "owner_kind": "family",
            "owner_family": "Mum", "due": (TODAY + timedelta(days=7)).isoformat()}))),
    "plan_reviews.save_review": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: plan_reviews.save_review(c.uow, c.clock, p, {
            "case": c.world.case, "held_on": TODAY.isoformat(), "outcome": "carry_on",
            "next_review": (TODAY + timedelta(days=42)).isoformat()}))),
    "plan_reviews.review_history": Row(OWNER_AND_SUPERVISOR, lambda c: plan_reviews.review_history(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case)),
    "case_plan.case_process": Row(OWNER_AND_SUPERVISOR, lambda c: case_plan.case_process(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case, part="plan")),
    "evaluation.check_whole_number": Row(ALL_ACTIVE,
        as_person(lambda c, p: evaluation.check_whole_number(c.uow, p, "3"))),
    **{
        f"process_sources.{name}": Row(OWNER_AND_SUPERVISOR, as_person(
            lambda c, p, name=name: getattr(process_sources, name)(
                c.uow, p, {"case": c.world.case})))
        for name in (
            "family_roles", "agencies", "participants", "open_plan_actions", "plan_aims",
            "current_aims", "added_aims",
        )
    },
    "process_sources.new_aims": Row(ALL_ACTIVE, as_person(
        lambda c, p: process_sources.new_aims(c.uow, p, {"aims": ["Calmer evenings"]}))),
    "process_sources.team_counts": Row(ALL_ACTIVE, as_person(
        lambda c, p: process_sources.team_counts(c.uow, p, {}))),
    # --- flags -------------------------------------------------------------------------
    "flags.raise_flag": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: flags.raise_flag(
        c.uow, c.clock, p, case_id=c.world.case, urgency=Urgency.WEEK, source="case",
        summary="Worried"))),
    "flags.act_on_flag": Row(TEAM_SUPERVISOR, lambda c: flags.act_on_flag(
        c.uow, c.clock, telegram_user_id=c.user, flag_id=c.world.flag,
        action=FlagAction.ACKNOWLEDGE)),
    "flags.raise_case_flag": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: flags.raise_case_flag(
        c.uow, c.clock, p, {"case": c.world.case, "urgency": "week", "reason": "Worried"}))),
    "flags.begin_resolving": Row(TEAM_SUPERVISOR, lambda c: flags.begin_resolving(
        c.uow, c.clock, telegram_user_id=c.user, flag_id=c.world.flag, idle=IDLE)),
    "flags.resolve_flag": Row(TEAM_SUPERVISOR, as_person(lambda c, p: flags.resolve_flag(
        c.uow, c.clock, p, {"flag": c.world.flag, "outcome": "Talked it through"}))),
    "flags.check_flag_to_resolve": Row(TEAM_SUPERVISOR, as_person(
        lambda c, p: flags.check_flag_to_resolve(c.uow, c.clock, p, c.world.flag))),
    "flags.open_flags": Row(ALL_ACTIVE,
        lambda c: flags.open_flags(c.uow, c.clock, telegram_user_id=c.user)),
    "flags.open_flags_page": Row(ALL_ACTIVE,
        lambda c: flags.open_flags_page(c.uow, c.clock, telegram_user_id=c.user)),
    # --- flows -------------------------------------------------------------------------
    "flows.use_cases.start_flow": Row(OWNER_AND_SUPERVISOR, lambda c: flows.start_flow(
        c.uow, c.clock, telegram_user_id=c.user, flow_name="case_review",
        prefill={"case": c.world.case})),
    "flows.use_cases.answer_text": Row(ALL_ACTIVE,
        lambda c: flows.answer_text(c.uow, c.clock, telegram_user_id=c.user, text="Hello")),
    "flows.use_cases.answer_other": Row(ALL_ACTIVE,
        lambda c: flows.answer_other(c.uow, c.clock, telegram_user_id=c.user)),
    "flows.use_cases.press": Row(OWNER, lambda c: flows.press(
        c.uow, c.clock, telegram_user_id=c.user,
        button=FlowAnswer(c.world.session, c.world.session_version, f"d{TODAY.isoformat()}"))),
    "flows.use_cases.cancel": Row(ALL_ACTIVE,
        lambda c: flows.cancel(c.uow, c.clock, telegram_user_id=c.user)),
    "flows.use_cases.keep_going": Row(OWNER, lambda c: flows.keep_going(
        c.uow, c.clock, telegram_user_id=c.user, session_id=c.world.session,
        version=c.world.session_version)),
    "flows.use_cases.drop_and_start": Row(OWNER, lambda c: flows.drop_and_start(
        c.uow, c.clock, telegram_user_id=c.user, session_id=c.world.session,
        version=c.world.session_version, flow_name="bearings")),
    "flows.use_cases.resume_draft": Row(OWNER, lambda c: flows.resume_draft(
        c.uow, c.clock, telegram_user_id=c.user, session_id=c.world.draft)),
    "flows.use_cases.discard_draft": Row(OWNER, lambda c: flows.discard_draft(
        c.uow, c.clock, telegram_user_id=c.user, session_id=c.world.draft)),
    "flows.turn.load_answer_context": Row(ALL_ACTIVE,
        as_person(lambda c, p: flow_turn.load_answer_context(c.uow, c.clock, p))),
    # --- local time --------------------------------------------------------------------
    "local_time.local_today": Row(ALL_ACTIVE,
        as_person(lambda c, p: local_time.local_today(c.uow, c.clock, p))),
    "local_time.person_zone": Row(ALL_ACTIVE,
        as_person(lambda c, p: local_time.person_zone(c.uow, p))),
    # --- notes -------------------------------------------------------------------------
    "notes.case_notes": Row(OWNER_AND_SUPERVISOR, lambda c: notes.case_notes(
        c.uow, c.clock, telegram_user_id=c.user, case_id=c.world.case)),
    "notes.note_view": Row(OWNER_AND_SUPERVISOR, lambda c: notes.note_view(
        c.uow, c.clock, telegram_user_id=c.user, kind=notes.VISIT, note_id=c.world.visit)),
    "notes.begin_correction": Row(OWNER, lambda c: notes.begin_correction(
        c.uow, c.clock, telegram_user_id=c.user, kind=notes.VISIT, note_id=c.world.visit,
        field_number=0, idle=IDLE)),
    "notes.check_note_to_correct": Row(OWNER, as_person(lambda c, p: notes.check_note_to_correct(
        c.uow, c.clock, p, f"v.{c.world.visit}.0"))),
    "notes.correct_note": Row(OWNER, as_person(lambda c, p: notes.correct_note(
        c.uow, c.clock, p, {"note": f"v.{c.world.visit}.0", "text": "Better words"}))),
    # --- nudges ------------------------------------------------------------------------
    "nudges.messages.digest_preview": Row(SUPERVISORS,
        lambda c: nudges.digest_preview(c.uow, c.clock, telegram_user_id=c.user)),
    "nudges.actions.act_on_nudge": Row(OWNER, lambda c: nudges.act_on_nudge(
        c.uow, c.clock, telegram_user_id=c.user, row_id=c.world.nudge, op="snooze", idle=IDLE)),
    # --- joining -----------------------------------------------------------------------
    "onboarding.create_invite": Row(SUPERVISORS, lambda c: onboarding.create_invite(
        c.uow, c.clock, telegram_user_id=c.user, role=Role.WORKER, invite_ttl_days=7)),
    "onboarding.preview_invite": Row(NOT_YET_MEMBERS, lambda c: onboarding.preview_invite(
        c.uow, c.clock, token=c.world.invite_token, telegram_user_id=c.user)),
    "onboarding.join_team": Row(NOT_YET_MEMBERS, lambda c: onboarding.join_team(
        c.uow, c.clock, token=c.world.invite_token, telegram_user_id=c.user,
        display_name="Newcomer")),
    "onboarding.link_group": Row(SUPERVISORS, lambda c: onboarding.link_group(
        c.uow, c.clock, telegram_user_id=c.user, chat_id=-100777)),
    # --- Membership (a supervisor manages their team's people) --------------------------
    "membership.team_people": Row(SUPERVISORS, lambda c: membership.team_people(
        c.uow, c.clock, telegram_user_id=c.user)),
    "membership.member_card": Row(TEAM_SUPERVISOR, lambda c: membership.member_card(
        c.uow, c.clock, telegram_user_id=c.user, member_id=c.world.owner_member)),
    "membership.change_role": Row(TEAM_SUPERVISOR, lambda c: membership.change_role(
        c.uow, c.clock, telegram_user_id=c.user, member_id=c.world.owner_member,
        role=Role.SUPERVISOR)),
    "membership.managed": Row(TEAM_SUPERVISOR, lambda c: membership.managed(
        c.uow, c.user, c.world.owner_member)),
    "membership.open_invites": Row(SUPERVISORS, lambda c: membership.open_invites(
        c.uow, c.clock, telegram_user_id=c.user)),
    "membership.revoke_invite": Row(TEAM_SUPERVISOR, lambda c: _revoke_first_invite(c)),
    "membership.unlink_group": Row(SUPERVISORS, lambda c: _link_then_unlink(c)),
    "bearings.trend": Row(ALL_ACTIVE, lambda c: bearings.trend(
        c.uow, c.clock, telegram_user_id=c.user)),
    "team_admin.change_team_setting": Row(SUPERVISORS, as_person(
        lambda c, p: team_admin.change_team_setting(
            c.uow, c.clock, p, {"what": "working_days", "working_days": "123456"}))),
    "handover.handover": Row(TEAM_SUPERVISOR, lambda c: handover.handover(
        c.uow, c.clock, telegram_user_id=c.user, member_id=c.world.owner_member)),
    "handover.hand_over_case": Row(TEAM_SUPERVISOR, lambda c: handover.hand_over_case(
        c.uow, c.clock, telegram_user_id=c.user, member_id=c.world.owner_member,
        case_id=c.world.case, to_id=c.world.colleague_member)),
    "handover.remove_member": Row(TEAM_SUPERVISOR, lambda c: handover.remove_member(
        c.uow, c.clock, telegram_user_id=c.user, member_id=c.world.owner_member,
        to_id=c.world.colleague_member)),
    # --- "I'm stuck" -------------------------------------------------------------------
    "safeguarding.raise_safeguarding": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.raise_safeguarding(
            c.uow, c.clock, p, c.world.case, entrance="command", under_way=False))),
    "safeguarding.from_stuck": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.from_stuck(c.uow, c.clock, p, {"case": c.world.case}))),
    "safeguarding.from_visit": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.from_visit(c.uow, c.clock, p, {"case": c.world.case}))),
    "safeguarding.from_supervision": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.from_supervision(c.uow, c.clock, p, {"case": c.world.case}))),
    "safeguarding.from_command": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.from_command(c.uow, c.clock, p, {"case": c.world.case}))),
    "safeguarding.take_the_case": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: safeguarding.take_the_case(
            c.uow, c.clock, p, {"case": c.world.case, "safety": "yes"}))),
    "stuck.last_time": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: stuck.last_time(c.uow, c.clock, p, {"case": c.world.case}))),
    "stuck.save_stuck": Row(OWNER_AND_SUPERVISOR, as_person(lambda c, p: stuck.save_stuck(
        c.uow, c.clock, p, {"case": c.world.case, "where_stuck": "Still stuck"}))),
    "stuck.choose_ending": Row(OWNER, lambda c: stuck.choose_ending(
        c.uow, c.clock, telegram_user_id=c.user, walkthrough_id=c.world.walkthrough,
        choice=StuckEnding.AGENDA)),
    "stuck.walkthrough_view": Row(OWNER_AND_SUPERVISOR, lambda c: stuck.walkthrough_view(
        c.uow, c.clock, telegram_user_id=c.user, walkthrough_id=c.world.walkthrough)),
    # --- supervision, team, visits -----------------------------------------------------
    "supervision.save_supervision": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: supervision.save_supervision(c.uow, c.clock, p, {
            "case": c.world.case, "held_on": TODAY.isoformat(), "kind": "thinking_together",
            "task": "Plan", "risk": "same"}))),
    "dashboard.team_dashboard": Row(SUPERVISORS, lambda c: dashboard.team_dashboard(
        c.uow, c.clock, telegram_user_id=c.user, link_key=LINK_KEY)),
    "dashboard.record_refused": Row(EVERYONE, lambda c: dashboard.record_refused(
        c.uow, c.clock, telegram_user_id=c.user)),
    "dashboard.open_case_link": Row(OWNER_AND_SUPERVISOR, lambda c: _open_case_link(c)),
    "team.team_overview": Row(SUPERVISORS,
        lambda c: team.team_overview(c.uow, c.clock, telegram_user_id=c.user)),
    "team.team_picture": Row(SUPERVISORS,
        lambda c: team.team_picture(c.uow, c.clock, telegram_user_id=c.user)),
    "reports.report_for_supervisor": Row(SUPERVISORS,
        lambda c: reports.report_for_supervisor(c.uow, c.clock, telegram_user_id=c.user)),
    "visits.save_visit": Row(OWNER_AND_SUPERVISOR, as_person(
        lambda c, p: visits.save_visit(c.uow, c.clock, p, _visit_answers(c.world)))),
}
# fmt: on

PRESENTERS = {
    "reports.audit_report": "records a report its callers allowed (member_id: whom the "
    "monthly report went to); decides nothing",
    "evaluation.save_evaluation": "keeps the evaluation of a case close_case (its row above) "
    "checked the person may change",
    "process_records.process_record": "reads a case's process for callers that authorised the "
    "case (case_process, review_history, export_case)",
    "process_records.plan_actions": "reads a case's plan actions for callers that authorised "
    "the case (process_record, the option sources)",
    "flows.engine.flow_values": "reads back answers the caller already holds",
    "onboarding.new_membership": "makes the membership its callers checked (join_team, its row "
    "above, or the operator's bearings member move); decides nothing",
    "membership.card_of": "shows a member its callers (member_card, change_role, handover) "
    "authorised with membership.managed",
    "stuck.stuck_summary": "shows a walk-through its callers (choose_ending, walkthrough_view, "
    "save_stuck) loaded and authorised",
}
ENGINE = {
    name: "a step of the flow engine, reached only through the flows.use_cases rows above "
    "with the person they resolved (in a FlowTurn)"
    for name in (
        "flows.engine.apply_answer",
        "flows.engine.begin_flow",
        "flows.engine.button_answer",
        "flows.engine.current_question",
        "flows.engine.startable_flow",
        "flows.engine.step_back",
        "flows.engine.typed_answer",
        "flows.gathering.typed_piece",
        "flows.gathering.pressed_piece",
        "flows.dynamic.resolved",
        "flows.dynamic.items",
        "flows.dynamic.current_item",
        "flows.sessions.close_session",
        "flows.sessions.expire_session",
        "flows.sessions.open_session",
        "flows.sessions.own_draft",
        "flows.sessions.session_at",
    )
}
NOT_ACTED = {
    "agenda.next_supervision_on": "a worker's next supervision date, for callers that chose the "
    "worker (the agenda, a flag's follow-up)",
    "agenda.planned_supervision": "a worker's planned supervision date, for callers that chose "
    "the worker (the agenda, a flag's follow-up)",
    "actions.open_action_lines": "lists a member's actions for callers that chose the member",
    "audit.read_audit_log": "operator's command line (bearings audit)",
    "caseload_import.check_file_for_team": "operator's command line (bearings import --dry-run)",
    "caseload_import.import_file_for_team": "operator's command line (bearings import cases)",
    "caseload_import.purge_expired_imports": "periodic job",
    "flags.chase_flags": "periodic job",
    "flag_messages.flag_view": "shows a flag its callers loaded and authorised",
    "flag_messages.compose_flag": "outbox composer (periodic job)",
    "flag_messages.compose_flag_edit": "outbox composer (periodic job)",
    "flag_messages.compose_flag_news": "outbox composer (periodic job)",
    "flags.edit_copies": "edits a flag's copies after a change its callers checked "
    "(act_on_flag, resolve_flag, safeguarding.take_the_case)",
    "flag_messages.is_urgent": "whether an outbox row may go in quiet hours (delivery)",
    "flows.expiry.expire_idle_flows": "periodic job",
    "flows.expiry.compose_flow_expired": "outbox composer (periodic job)",
    "local_time.member_zone": "a member's time zone for callers that hold the member",
    "local_time.team_zone": "a team's time zone for callers that chose the team",
    "nudges.planning.plan_nudges": "periodic job",
    "nudges.messages.compose_case_nudge": "outbox composer (periodic job)",
    "stages.compose_stage_nudge": "outbox composer (periodic job)",
    "engagement.compose_engagement_check": "outbox composer (periodic job)",
    "engagement.sheet_for": "a worker's check, for callers that chose the worker (their own "
    "check, its composer)",
    "engagement.worker_figures": "a worker's figures, for /team (supervisors, checked there)",
    "nudges.messages.compose_supervisor_visit": "outbox composer (periodic job)",
    "nudges.messages.compose_action_nudge": "outbox composer (periodic job)",
    "nudges.messages.compose_weekly_summary": "outbox composer (periodic job)",
    "nudges.messages.compose_bearings_prompt": "outbox composer (periodic job)",
    "nudges.messages.compose_unattended": "outbox composer (periodic job)",
    "nudges.messages.compose_digest": "outbox composer (periodic job)",
    "nudges.messages.compose_again": "recomposes a nudge row act_on_nudge authorised",
    "nudges.messages.team_digest": "composes a team's digest for the job or digest_preview",
    "nudges.messages.case_nudge_values": "what a nudge row its callers hold shows",
    "nudges.messages.visit_under_way": "checks a nudge row its callers hold",
    "nudges.messages.withdraw_visit_nudges": "after save_visit, which checked the case",
    "nudges.messages.compose_visit_logged": "outbox composer (periodic job)",
    "nudges.quiet.recipients_hours": "the hours of a row's recipient (periodic job)",
    "nudges.quiet.quiet_until": "when a row's recipient may be sent to (periodic job)",
    "onboarding.create_team": "operator's command line (bearings team create)",
    "onboarding.create_invite_for_team": "operator's command line (bearings invite)",
    "outgoing.compose": "outbox composer (periodic job)",
    "planner.plan": "periodic job",
    "reachability.mark_unreachable": "Telegram's report that a chat blocked the bot",
    "reachability.heard_from": "Telegram's news that a chat wrote to the bot",
    "reachability.move_group_chat": "Telegram's news that a group became a supergroup",
    "reachability.compose_member_unreachable": "outbox composer (periodic job)",
    "retention.purge_due": "periodic job and operator's command line (bearings purge)",
    "retention.forget_kept_answers": "periodic job (the purge)",
    "retention.forget_failed_updates": "periodic job (the purge)",
    "team.team_flag_figures": "figures for team_overview and the command line's team report",
    "export.export_case_for_operator": "operator's command line (bearings export --case)",
    "export.export_member_for_operator": "operator's command line (bearings export --member)",
    "erasure.compose_cases_passed": "outbox composer (periodic job)",
    "membership.compose_membership_news": "outbox composer (periodic job)",
    "membership.owe_news": "owes news for an operation that was authorised",
    "membership.next_working_moment": "a time rule, no person",
    "team_admin.team_details": "operator's command line (bearings team show)",
    "team_admin.set_team_setting": "operator's command line (bearings team set)",
    "reports.operator_figures": "operator's command line (bearings report)",
    "reports.team_figures": "figures for report_for_supervisor and the monthly report's composer",
    "reports.drawn": "draws figures its callers already worked out; decides nothing",
    "reports.picture_of": "draws figures its callers already worked out; decides nothing",
    "reports.pdf_of": "lays out figures its callers already worked out; decides nothing",
    "report_facts.team_facts": "reads the facts for reports.team_figures and operator_figures",
    "report_monthly.plan_monthly_reports": "the planner (periodic job)",
    "report_monthly.compose_report": "outbox composer (periodic job)",
    "member_admin.remove_named": "operator's command line (bearings member remove)",
    "member_admin.set_role_named": "operator's command line (bearings member role)",
    "member_admin.move_named": "operator's command line (bearings member move)",
    "handover.take_off": "removal once checked: remove_member (its row above) or the operator's "
    "command line",
    "timing.team_rules": "a team's settings for callers that chose the team",
    "timing.every_team_settings": "every team's settings, read once per planner tick",
}


async def _open_case_link(cell: Cell) -> Any:
    """Open Alex's case by a dashboard link made for the person trying it, just now."""
    token = case_link_token(
        LINK_KEY, member_id=await _member_id(cell), case_id=cell.world.case, at=cell.clock.now()
    )
    return await dashboard.open_case_link(
        cell.uow, cell.clock, telegram_user_id=cell.user, token=token, link_key=LINK_KEY
    )


async def _plan_then_new_aims(cell: Cell, person: Person) -> Any:
    """Change the aims of a plan the same person made just before (refused at the plan when
    they may not)."""
    answers = {"case": cell.world.case, "aims": ["Back in school"]}
    await support_plan.save_plan(cell.uow, cell.clock, person, answers)
    answers["aims"] = ["Calmer evenings", "Back in school"]
    return await support_plan.save_plan_aims(cell.uow, cell.clock, person, answers)


async def _by_member(cell: Cell) -> Person | None:
    return await access.find_person_by_member(cell.uow, await _member_id(cell))


async def _erase(cell: Cell) -> Any:
    """Erase as confirmed: with the plan the person was shown."""
    plan = await erasure.plan_erasure(cell.uow, cell.clock, telegram_user_id=cell.user)
    return await erasure.erase_member(
        cell.uow, cell.clock, telegram_user_id=cell.user, supervisor_id=plan.supervisor_id
    )


async def _revoke_first_invite(cell: Cell) -> Any:
    """Revoke North Team's open invite (made for the occasion, by Sam, outside the cell's
    own refusals: an invite of Alex's team that only its supervisor may revoke)."""
    invites = await cell.uow.invites.open_for_team(cell.world.team, cell.clock.now())
    if not invites:
        await onboarding.create_invite(
            cell.uow,
            cell.clock,
            telegram_user_id=Who.SUPERVISOR.value,
            role=Role.WORKER,
            invite_ttl_days=7,
        )
        invites = await cell.uow.invites.open_for_team(cell.world.team, cell.clock.now())
    return await membership.revoke_invite(
        cell.uow, cell.clock, telegram_user_id=cell.user, invite_id=invites[0].id
    )


async def _link_then_unlink(cell: Cell) -> Any:
    """Unlink the team's group (linked first, by the same person)."""
    await onboarding.link_group(cell.uow, cell.clock, telegram_user_id=cell.user, chat_id=-100778)
    return await membership.unlink_group(cell.uow, cell.clock, telegram_user_id=cell.user)


def _ratings() -> dict[str, Any]:
    return {key: 2 for key in (*ELEMENTS, *BALANCES)}


def service_coroutines() -> set[str]:
    """Every public coroutine function defined in a bot/services module, as ``module.name``."""
    found = set()
    for info in pkgutil.walk_packages(bot.services.__path__, prefix="bot.services."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.iscoroutinefunction(value)
                and value.__module__ == module.__name__
            ):
                found.add(f"{info.name.removeprefix('bot.services.')}.{name}")
    return found


def takes_a_person(qualified: str) -> bool:
    """Whether the function's signature names the acting person (a ``turn`` carries one)."""
    module, name = qualified.rsplit(".", 1)
    function = getattr(importlib.import_module(f"bot.services.{module}"), name)
    parameters = inspect.signature(function).parameters
    return bool({"telegram_user_id", "member_id", "person", "turn"} & set(parameters))


def test_every_service_operation_has_a_row() -> None:
    everything = service_coroutines()
    listed = set(MATRIX) | set(PRESENTERS) | set(ENGINE) | set(NOT_ACTED)
    assert everything - listed == set(), "add a row to MATRIX (or say in NOT_ACTED why not)"
    assert listed - everything == set(), "rows for functions that no longer exist"
    # Taking a person's id but not in the matrix is only for Telegram's news about a chat.
    unmatched = {n for n in everything if takes_a_person(n)} - set(MATRIX) - set(PRESENTERS)
    unmatched -= set(ENGINE)
    assert all(NOT_ACTED[name].startswith("Telegram's") for name in unmatched), unmatched


class _Undo(Exception):
    """Raised to roll a cell's transaction back."""


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: its result or refusal, and whether a refusal left changes."""

    result: Any
    refused: Refusal | None
    changed: bool


async def attempt(
    database: Database,
    clock: MovableClock,
    world: World,
    row: Row,
    who: Who,
    before: Snapshot,
) -> Outcome:
    """Try it in a transaction that is always rolled back. A refusal is compared with the
    database inside that transaction, before the rollback, so it must have written nothing
    (the inbox rolls refused updates back too, but a refusal should not rely on that)."""
    outcome = Outcome(None, None, False)
    try:
        async with database.unit_of_work() as uow:
            try:
                outcome = Outcome(await row.call(Cell(uow, clock, world, who)), None, False)
            except Refusal as refusal:
                outcome = Outcome(None, refusal, await snapshot(uow.session) != before)
            raise _Undo
    except _Undo:
        pass
    return outcome


def leaks(result: Any) -> list[str]:
    """Alex's case reference or words, if the result carries any."""
    shown = repr(result)
    return [word for word in (REFERENCE, *MARKERS.values()) if word in shown]


async def test_every_operation_allows_and_refuses_as_the_table_says(database: Database) -> None:
    clock = MovableClock(MONDAY)
    world = await build_world(database, clock)
    async with database.unit_of_work() as uow:
        before = await snapshot(uow.session)
    wrong: list[str] = []
    for name, row in MATRIX.items():
        for who in Who:
            outcome = await attempt(database, clock, world, row, who, before)
            if who in row.allowed:
                if outcome.refused is not None:
                    wrong.append(f"{name} refused {who.name} ({outcome.refused.code})")
                elif who not in SEES_ALEX and leaks(outcome.result):
                    wrong.append(f"{name} showed {who.name} {leaks(outcome.result)}")
            elif outcome.refused is None:
                wrong.append(f"{name} allowed {who.name}")
            elif outcome.changed:
                wrong.append(f"{name} refused {who.name} but changed the database")
    assert wrong == [], "\n".join(wrong)
    async with database.unit_of_work() as uow:
        assert await snapshot(uow.session) == before  # every cell was rolled back
