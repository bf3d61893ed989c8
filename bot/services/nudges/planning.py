"""Planning nudges (service layer): what the outbox owes, worked out from the data on every tick.

``plan_nudges`` works out, team by team, which nudges' time has come and owes
them through the outbox (a unique key each, so a second run or a restart
changes nothing). Only what can be due is read; the rules of which nudge is due
when are the domain's (``bot.domain.nudges``). What a nudge says is composed at
send time (``nudges.messages``); its buttons are acted on in ``nudges.actions``.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import nudges as rules
from bot.domain.nudges import ASKING_KINDS, CASE_KINDS
from bot.domain.roles import Role
from bot.domain.schedule import WorkingHours, next_allowed
from bot.domain.stages import StageCase, StageTimings, engagement_check, stage_nudges
from bot.services.timing import TeamRules, TeamSettingsById, every_team_settings, rules_of
from storage.models import Member
from storage.repositories.planning import DueAction, DueCase, MemberTiming
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MISSED = ("missed_day", "joined_after")
"""Why a weekly summary is not owed at all this week (rather than not yet)."""


@dataclass(frozen=True)
class _TeamPeople:
    """A team's active members, their rules for time, and who is away."""

    members: dict[int, MemberTiming]
    recipients: dict[int, rules.Recipient]
    supervisors: list[int]
    today: dict[int, date]


@dataclass
class _DueInTeam:
    """What may be due in one team this tick: the rows the planner's queries found."""

    cases: list[DueCase] = field(default_factory=list)
    actions: list[DueAction] = field(default_factory=list)
    summaries: list[int] = field(default_factory=list)
    prompts: list[int] = field(default_factory=list)
    stage_cases: list[StageCase] = field(default_factory=list)
    engagement: list[int] = field(default_factory=list)


async def plan_nudges(
    uow: UnitOfWork, clock: Clock, *, teams: TeamSettingsById | None = None
) -> int:
    """Owe every nudge whose time has come; returns how many new ones (``teams``: every
    team's settings, when the caller has them already).

    Only what can be due is read (see ``storage.repositories.planning``): visits and
    reviews by date, actions by due date, and the workers not yet owed this week's
    summary or bearings prompt; each team with something due is then planned in full.
    """
    now = clock.now()
    debugging = log.isEnabledFor(logging.DEBUG)
    if teams is None:
        teams = await every_team_settings(uow)
    if not teams:
        return 0
    today = await _today_by_zone(uow, {zone for zone, _ in teams.values()}, now)
    days = sorted(set(today.values()))
    weeks = {zone: rules.monday_of(day) for zone, day in today.items()}
    settings = {team_id: team_setting for team_id, (_, team_setting) in teams.items()}
    ahead = max(max(s.review_nudge_days, default=0) for s in settings.values())
    due: dict[int, _DueInTeam] = defaultdict(_DueInTeam)
    for case in await uow.planning.due_cases(days[-1], days[-1] + timedelta(days=ahead)):
        due[case.team_id].cases.append(case)
    for action in await uow.planning.due_actions(days[-1]):
        due[action.team_id].actions.append(action)
    for member_id, team_id in await uow.planning.workers_not_owed("weekly_summary", weeks):
        due[team_id].summaries.append(member_id)
    prompting = [
        team_id
        for team_id, s in settings.items()
        if any(day.weekday() >= s.bearings_weekday for day in days)
    ]
    if prompting:
        for member_id, team_id in await uow.planning.workers_not_owed(
            "bearings_prompt", weeks, team_ids=prompting, no_check_since=max(weeks.values())
        ):
            due[team_id].prompts.append(member_id)
    for team_id, stage_case in await uow.planning.stage_cases():
        if team_id in settings:
            due[team_id].stage_cases.append(stage_case)
    checking = [
        team_id
        for team_id, s in settings.items()
        if any(day.weekday() >= s.engagement_weekday for day in days)
    ]
    if checking:
        for member_id, team_id in await uow.planning.workers_not_owed(
            "engagement_check", weeks, team_ids=checking
        ):
            due[team_id].engagement.append(member_id)
    rows = await _digest_rows(uow, weeks, now)
    members: dict[int, list[MemberTiming]] = defaultdict(list)
    for timing in await uow.planning.members_of(due):
        members[timing.team_id].append(timing)
    checks = await uow.planning.latest_checks([m for d in due.values() for m in d.prompts])
    loaded = {team.id: team for team in await uow.teams.many(due)}
    counts: Counter[tuple[str, str]] = Counter((row["kind"], "owed") for row in rows)
    settled: list[str] = []
    for team_id in sorted(due):
        team_rule = rules_of(loaded[team_id])
        people = _team_people(members[team_id], team_rule, now)
        nudges = _team_nudges(due[team_id], team_rule, people, checks, counts)
        for nudge in nudges:
            row, outcome = _owe(nudge, team_id, team_rule, people, now)
            counts[(nudge.kind, outcome)] += 1
            if row is not None:
                rows.append(row)
            elif outcome in MISSED:
                settled.append(nudge.key)  # none this week: not asked about again until next
            if row is None and debugging:
                log.debug("nudge.held", extra={"key": nudge.key, "why": outcome})
    new = await uow.outbox.enqueue(rows)
    await _mark_weekly_planned(uow, [row["key"] for row in rows] + settled)
    if debugging:
        for (kind, outcome), count in sorted(counts.items()):
            log.debug("nudges.planned", extra={"kind": kind, "outcome": outcome, "count": count})
        log.debug("nudges.plan_done", extra={"teams": len(due), "rows": len(rows), "new": new})
    return new


def _owe(
    nudge: rules.Nudge, team_id: int, team_rule: TeamRules, people: _TeamPeople, now: datetime
) -> tuple[dict[str, Any] | None, str]:
    """The outbox row owing this nudge now (due at once, or at the person's next allowed
    moment when it is quiet for them), or None and why it is held."""
    recipient = people.recipients.get(nudge.member_id)
    member = people.members.get(nudge.member_id)
    if recipient is None or member is None:
        return None, "unknown"
    if member.unreachable_at is not None:
        return None, "unreachable"  # blocked the bot (their supervisors were told)
    if nudge.kind == "bearings_prompt":
        hour = time.fromisoformat(team_rule.settings.bearings_hour)
        recipient = rules.Recipient(recipient.member_id, recipient.hours, hour)
    send_at = rules.send_time(nudge.on, recipient)
    if send_at > now:
        return None, "not_yet"
    missed = rules.missed_its_day(nudge.kind, send_at, now, recipient.hours.zone, member.joined_at)
    if missed is not None:
        return None, missed
    row = outbox_row(nudge.key, nudge.kind, team_id, member, nudge.ref, now)
    allowed = next_allowed(now, recipient.hours)
    if allowed > now:  # its day has come, but it is quiet where they are now
        row["due_at"] = allowed
        return row, "owed_after_quiet_hours"
    return row, "owed"


async def _mark_weekly_planned(uow: UnitOfWork, keys: list[str]) -> None:
    """Each weekly summary and prompt now in the outbox (new or there already), or settled as
    not owed this week (its day missed), is planned: its member is not asked about again
    this week."""
    planned: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for key in keys:
        found = rules.weekly_planned(key)
        if found is not None:
            kind, member_id, week = found
            planned[kind][week].append(member_id)
    for kind, by_week in planned.items():
        await uow.planning.mark_planned(kind, by_week)


async def _today_by_zone(uow: UnitOfWork, zones: set[str], now: datetime) -> dict[str, date]:
    """Today's date in every time zone in use (the teams' and the ones members chose): the
    planner's queries reach no further than the latest of them."""
    zones = zones | await uow.planning.member_zones()
    return {zone: now.astimezone(ZoneInfo(zone)).date() for zone in zones}


def _team_people(members: list[MemberTiming], team_rule: TeamRules, now: datetime) -> _TeamPeople:
    """Each member's rules for time and today's date where they are, and the supervisors."""
    recipients, today = {}, {}
    team_hour = time.fromisoformat(team_rule.settings.nudge_hour)
    team_today = now.astimezone(ZoneInfo(team_rule.hours.zone)).date()
    for member in members:
        if not member.settings and not member.timezone:  # most people keep the team's rules
            recipients[member.id] = rules.Recipient(member.id, team_rule.hours, team_hour)
            today[member.id] = team_today
            continue
        hours = working_hours_for(member, team_rule.hours)
        hour = time.fromisoformat(
            (member.settings or {}).get("nudge_hour") or team_rule.settings.nudge_hour
        )
        recipients[member.id] = rules.Recipient(member.id, hours, hour)
        today[member.id] = now.astimezone(ZoneInfo(hours.zone)).date()
    supervisors = [m.id for m in members if m.role == Role.SUPERVISOR.value]
    return _TeamPeople({m.id: m for m in members}, recipients, supervisors, today)


def working_hours_for(member: Member | MemberTiming, team_hours: WorkingHours) -> WorkingHours:
    """A person's own time zone and quiet hours where they set them, else the team's."""
    own = member.settings or {}
    return WorkingHours(
        zone=member.timezone or team_hours.zone,
        quiet_start=time.fromisoformat(own["quiet_start"])
        if own.get("quiet_start")
        else team_hours.quiet_start,
        quiet_end=time.fromisoformat(own["quiet_end"])
        if own.get("quiet_end")
        else team_hours.quiet_end,
        working_days=team_hours.working_days,
    )


def _team_nudges(
    due: _DueInTeam,
    team_rule: TeamRules,
    people: _TeamPeople,
    checks: dict[int, datetime],
    counts: Counter[tuple[str, str]],
) -> list[rules.Nudge]:
    """Every nudge of one team whose occasion has come, before the time of day is checked."""
    found: list[rules.Nudge] = []
    for case in due.cases:
        worker = people.members.get(case.worker_id)
        if worker is None:
            continue
        today = people.today[worker.id]
        sups = [s for s in people.supervisors if s != worker.id]
        case_nudges = rules.visit_nudges(case.id, case.next_visit_due, today, worker.id, sups)
        case_nudges += rules.review_nudges(
            case.id,
            case.next_review_on,
            today,
            worker.id,
            sups,
            team_rule.settings.review_nudge_days,
        )
        found += [_with_date(n, case) for n in case_nudges]
    for action in due.actions:
        if action.owner_id in people.members:
            found += rules.action_nudges(
                action.id, action.due_on, people.today[action.owner_id], action.owner_id
            )
    for member_id in due.summaries:
        if member_id in people.members:
            found.append(rules.weekly_summary(member_id, people.today[member_id]))
    timings = StageTimings(
        team_rule.settings.first_contact_alert_days, team_rule.settings.assessment_due_days
    )
    for stage_case in due.stage_cases:
        if stage_case.worker_id in people.members:
            sups = [s for s in people.supervisors if s != stage_case.worker_id]
            today = people.today[stage_case.worker_id]
            found += stage_nudges(stage_case, today, sups, timings)
    for member_id in due.engagement:
        if member_id in people.members:
            weekday = team_rule.settings.engagement_weekday
            check = engagement_check(member_id, people.today[member_id], weekday)
            found += [check] if check is not None else []
    for member_id in due.prompts:
        if member_id not in people.members:
            continue
        last = checks[member_id].date() if member_id in checks else None
        prompt = rules.bearings_prompt(
            member_id, people.today[member_id], team_rule.settings.bearings_weekday, last
        )
        if prompt is not None:
            found.append(prompt)
    return _while_away(found, people, counts)


def _with_date(nudge: rules.Nudge, case: DueCase) -> rules.Nudge:
    """Remember which date the nudge was about, so a later change makes it moot."""
    about = case.next_visit_due if nudge.kind.startswith("visit") else case.next_review_on
    return rules.Nudge(
        nudge.key, nudge.kind, nudge.member_id, nudge.on, {**nudge.ref, "about": str(about)}
    )


def _while_away(
    nudges: list[rules.Nudge], people: _TeamPeople, counts: Counter[tuple[str, str]]
) -> list[rules.Nudge]:
    """An away person's nudges go to their cover; without one, they wait, and their
    supervisors are told once which cases are unattended."""
    kept: list[rules.Nudge] = []
    for nudge in nudges:
        member = people.members[nudge.member_id]
        away = member.away_until is not None and people.today[member.id] <= member.away_until
        if not away:
            kept.append(nudge)
            continue
        counts[(nudge.kind, "away")] += 1
        if member.away_cover_id in people.members and nudge.kind in ASKING_KINDS:
            kept.append(rules.redirect(nudge, member.away_cover_id))
        elif member.away_cover_id is None and nudge.kind in CASE_KINDS:
            kept += [
                rules.Nudge(
                    f"unattended:{member.id}:{member.away_until}:{supervisor}",
                    "unattended",
                    supervisor,
                    people.today[supervisor],
                    {"member": member.id, "until": str(member.away_until)},
                )
                for supervisor in people.supervisors
                if supervisor != member.id
            ]
    return kept


async def _digest_rows(
    uow: UnitOfWork, weeks: dict[str, date], now: datetime
) -> list[dict[str, Any]]:
    """The Monday digest of every team with a group, where it is time and not yet owed
    (``weeks``: the Monday in each time zone)."""
    rows = []
    for team in await uow.planning.groups_not_owed("digest", weeks):
        week = weeks[team.timezone]
        team_rule = rules_of(team)
        recipient = rules.Recipient(
            0, team_rule.hours, time.fromisoformat(team_rule.settings.nudge_hour)
        )
        if rules.send_time(week, recipient) > now:
            continue
        rows.append(
            {
                "key": f"digest:{team.id}:{week}",
                "kind": "digest",
                "team_id": team.id,
                "member_id": None,
                "chat_id": team.group_chat_id,
                "ref": {"team": team.id, "week": str(week)},
                "due_at": now,
                "created_at": now,
            }
        )
    return rows


def outbox_row(
    key: str,
    kind: str,
    team_id: int,
    member: Member | MemberTiming,
    ref: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The outbox row owing a nudge to a member, due now."""
    return {
        "key": key,
        "kind": kind,
        "team_id": team_id,
        "member_id": member.id,
        "chat_id": member.telegram_user_id,
        "ref": ref,
        "due_at": now,
        "created_at": now,
    }
