"""Scheduled nudges: planned from the data on every tick, composed at send time, acted on.

``plan_nudges`` works out, team by team, which nudges' time has come and owes
them through the outbox (a unique key each, so a second run or a restart
changes nothing). A nudge composed later checks it is still relevant (the
visit not yet logged, the action not yet done) and is dropped otherwise. Its
buttons do the thing: Done, Snooze 1 day, Reschedule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import dates
from bot.domain import nudges as rules
from bot.domain.buttons import NudgeChoice, Offer, Offers
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.domain.schedule import WorkingHours
from bot.services.access import require_person
from bot.services.flows import FlowReply, start_flow
from bot.services.outgoing import Outgoing, composer
from bot.services.timing import (
    TeamRules,
    TeamSettingsById,
    every_team_settings,
    rules_of,
    team_rules,
)
from storage.models import Case, Member, OutboxMessage
from storage.repositories.planning import DueAction, DueCase, MemberTiming
from storage.uow import UnitOfWork

CASE_KINDS = ("visit_due", "visit_overdue", "review_coming", "review_overdue")
ACTION_KINDS = ("action_due", "action_overdue")
ASKING_KINDS = (*CASE_KINDS, *ACTION_KINDS)
"""Nudges that ask for something, and so carry Done / Snooze / Reschedule."""


@dataclass(frozen=True)
class _People:
    """A team's active members, their rules for time, and who is away."""

    members: dict[int, MemberTiming]
    recipients: dict[int, rules.Recipient]
    supervisors: list[int]
    today: dict[int, date]


@dataclass
class _Due:
    """What may be due in one team this tick: the rows the planner's queries found."""

    cases: list[DueCase] = field(default_factory=list)
    actions: list[DueAction] = field(default_factory=list)
    summaries: list[int] = field(default_factory=list)
    prompts: list[int] = field(default_factory=list)


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
    if teams is None:
        teams = await every_team_settings(uow)
    if not teams:
        return 0
    today = await _today_by_zone(uow, {zone for zone, _ in teams.values()}, now)
    days = sorted(set(today.values()))
    weeks = {zone: rules.monday_of(day) for zone, day in today.items()}
    settings = {team_id: team_setting for team_id, (_, team_setting) in teams.items()}
    ahead = max(max(s.review_nudge_days, default=0) for s in settings.values())
    due: dict[int, _Due] = defaultdict(_Due)
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
    rows = await _digest_rows(uow, weeks, now)
    members: dict[int, list[MemberTiming]] = defaultdict(list)
    for timing in await uow.planning.members_of(due):
        members[timing.team_id].append(timing)
    checks = await uow.planning.latest_checks([m for d in due.values() for m in d.prompts])
    loaded = {team.id: team for team in await uow.teams.many(due)}
    for team_id in sorted(due):
        team_rule = rules_of(loaded[team_id])
        people = _people(members[team_id], team_rule, now)
        nudges = _team_nudges(due[team_id], team_rule, people, checks)
        for nudge in nudges:
            recipient = people.recipients.get(nudge.member_id)
            member = people.members.get(nudge.member_id)
            if recipient is None or member is None or member.unreachable_at is not None:
                continue  # unknown, or blocked the bot (their supervisors were told)
            if nudge.kind == "bearings_prompt":
                hour = time.fromisoformat(team_rule.settings.bearings_hour)
                recipient = rules.Recipient(recipient.member_id, recipient.hours, hour)
            send_at = rules.send_time(nudge.on, recipient)
            if send_at > now:
                continue
            rows.append(_row(nudge.key, nudge.kind, team_id, member, nudge.ref, now))
    new = await uow.outbox.enqueue(rows)
    await _mark_weekly_planned(uow, rows)
    return new


async def _mark_weekly_planned(uow: UnitOfWork, rows: list[dict[str, Any]]) -> None:
    """Each weekly summary and prompt now in the outbox (new or there already) is planned:
    its member is not asked about again this week."""
    planned: dict[str, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        found = rules.weekly_planned(row["key"])
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


def _people(members: list[MemberTiming], team_rule: TeamRules, now: datetime) -> _People:
    recipients, today = {}, {}
    team_hour = time.fromisoformat(team_rule.settings.nudge_hour)
    team_today = now.astimezone(ZoneInfo(team_rule.hours.zone)).date()
    for member in members:
        if not member.settings and not member.timezone:  # most people keep the team's rules
            recipients[member.id] = rules.Recipient(member.id, team_rule.hours, team_hour)
            today[member.id] = team_today
            continue
        hours = _hours(member, team_rule.hours)
        hour = time.fromisoformat(
            (member.settings or {}).get("nudge_hour") or team_rule.settings.nudge_hour
        )
        recipients[member.id] = rules.Recipient(member.id, hours, hour)
        today[member.id] = now.astimezone(ZoneInfo(hours.zone)).date()
    supervisors = [m.id for m in members if m.role == Role.SUPERVISOR.value]
    return _People({m.id: m for m in members}, recipients, supervisors, today)


def _hours(member: Member | MemberTiming, team_hours: WorkingHours) -> WorkingHours:
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
    due: _Due, team_rule: TeamRules, people: _People, checks: dict[int, datetime]
) -> list[rules.Nudge]:
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
    for member_id in due.prompts:
        if member_id not in people.members:
            continue
        last = checks[member_id].date() if member_id in checks else None
        prompt = rules.bearings_prompt(
            member_id, people.today[member_id], team_rule.settings.bearings_weekday, last
        )
        if prompt is not None:
            found.append(prompt)
    return _while_away(found, people)


def _with_date(nudge: rules.Nudge, case: DueCase) -> rules.Nudge:
    """Remember which date the nudge was about, so a later change makes it moot."""
    about = case.next_visit_due if nudge.kind.startswith("visit") else case.next_review_on
    return rules.Nudge(
        nudge.key, nudge.kind, nudge.member_id, nudge.on, {**nudge.ref, "about": str(about)}
    )


def _while_away(nudges: list[rules.Nudge], people: _People) -> list[rules.Nudge]:
    """An away person's nudges go to their cover; without one, they wait, and their
    supervisors are told once which cases are unattended."""
    kept: list[rules.Nudge] = []
    for nudge in nudges:
        member = people.members[nudge.member_id]
        away = member.away_until is not None and people.today[member.id] <= member.away_until
        if not away:
            kept.append(nudge)
        elif member.away_cover_id in people.members and nudge.kind in ASKING_KINDS:
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


def _row(
    key: str,
    kind: str,
    team_id: int,
    member: Member | MemberTiming,
    ref: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
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


# --- composing ---------------------------------------------------------------------------


def asking_buttons(row_id: int) -> Offers:
    """Done, Snooze 1 day, Reschedule."""
    return [
        [
            Offer(NudgeChoice(row_id, "done"), "nudge_done"),
            Offer(NudgeChoice(row_id, "snooze"), "nudge_snooze"),
        ],
        [Offer(NudgeChoice(row_id, "move"), "nudge_reschedule")],
    ]


async def _case_still(uow: UnitOfWork, row: OutboxMessage) -> Case | None:
    """The case a nudge is about, if the date it was about still stands."""
    case = await uow.cases.get(int(row.ref["case"]))
    if case is None or case.closed_at is not None:
        return None
    about = case.next_visit_due if row.kind.startswith("visit") else case.next_review_on
    return case if str(about) == row.ref.get("about") else None


@composer("visit_due")
@composer("visit_overdue")
@composer("review_coming")
@composer("review_overdue")
async def compose_case_nudge(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A visit or plan review nudge, while the date it was about still stands."""
    case = await _case_still(uow, row)
    if case is None:
        return None
    if row.kind == "visit_due" and await _today(uow, clock, row) != case.next_visit_due:
        return None  # "due today" is past: the overdue nudge says it now
    values = {
        "kind": row.kind,
        "case": case,
        "days": row.ref.get("days"),
        "acted": None,
        **await _cover(uow, row),
    }
    return Outgoing("nudge_case", values, asking_buttons(row.id))


@composer("visit_overdue_supervisor")
async def compose_supervisor_visit(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """A supervisor told that a visit is a week overdue."""
    case = await _case_still(uow, row)
    if case is None:
        return None
    worker = await uow.members.get(case.worker_id)
    return Outgoing(
        "nudge_visit_overdue_supervisor",
        {"case": case, "worker": worker.display_name if worker else ""},
    )


@composer("action_due")
@composer("action_overdue")
async def compose_action_nudge(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """An action due or overdue, while it is open."""
    action = await uow.actions.get(int(row.ref["action"]))
    if action is None or action.status != "open":
        return None
    if row.kind == "action_due" and await _today(uow, clock, row) != action.due_on:
        return None
    case = await uow.cases.get(action.case_id) if action.case_id else None
    values = {
        "kind": row.kind,
        "action": action,
        "reference": case.reference if case else None,
        "acted": None,
        **await _cover(uow, row),
    }
    return Outgoing("nudge_action", values, asking_buttons(row.id))


@composer("weekly_summary")
async def compose_weekly_summary(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """Monday: this week's visits and reviews, and open actions."""
    if row.member_id is None:
        return None
    week = date.fromisoformat(row.key.rsplit(":", 1)[1])
    end = week + timedelta(days=6)
    cases = await uow.cases.open_for_worker(row.member_id)
    visits = [
        (c.reference, c.next_visit_due)
        for c in cases
        if c.next_visit_due and c.next_visit_due <= end
    ]
    reviews = [
        (c.reference, c.next_review_on)
        for c in cases
        if c.next_review_on and week <= c.next_review_on <= end
    ]
    actions = await uow.actions.open_for_owner(row.member_id)
    return Outgoing(
        "nudge_weekly_summary",
        {
            "week": week,
            "visits": sorted(visits, key=lambda v: v[1]),
            "reviews": sorted(reviews, key=lambda r: r[1]),
            "actions": actions,
        },
    )


@composer("bearings_prompt")
async def compose_bearings_prompt(
    uow: UnitOfWork, clock: Clock, row: OutboxMessage
) -> Outgoing | None:
    """The weekly invitation to keep one's bearings."""
    return Outgoing("nudge_bearings", {})


@composer("unattended")
async def compose_unattended(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """A supervisor told whose cases have no cover while they are away."""
    member = await uow.members.get(int(row.ref["member"]))
    if member is None or member.away_until is None or str(member.away_until) != row.ref["until"]:
        return None
    cases = await uow.cases.open_for_worker(member.id)
    return Outgoing(
        "nudge_unattended",
        {
            "name": member.display_name,
            "until": member.away_until,
            "references": [c.reference for c in cases],
        },
    )


@composer("digest")
async def compose_digest(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The team's Monday digest in its group: reviews this week, visits overdue; references
    and first names only."""
    digest = await team_digest(uow, int(row.ref["team"]), date.fromisoformat(row.ref["week"]))
    return Outgoing("digest", {"digest": digest})


@dataclass(frozen=True)
class Digest:
    """What the team's group sees on Monday."""

    team_name: str
    week: date
    reviews: list[tuple[str, str, date]]
    overdue: list[tuple[str, str, date]]


async def team_digest(uow: UnitOfWork, team_id: int, week: date) -> Digest:
    """Reviews due this week and visits overdue, by case reference and worker first name."""
    team = await uow.teams.get(team_id)
    end = week + timedelta(days=6)
    reviews, overdue = [], []
    for case in await uow.cases.open_for_team(team_id):
        worker = await uow.members.get(case.worker_id)
        first = worker.display_name.split()[0] if worker and worker.display_name else ""
        if case.next_review_on and week <= case.next_review_on <= end:
            reviews.append((case.reference, first, case.next_review_on))
        if case.next_visit_due and case.next_visit_due < week:
            overdue.append((case.reference, first, case.next_visit_due))
    return Digest(
        team.name if team else "",
        week,
        sorted(reviews, key=lambda r: r[2]),
        sorted(overdue, key=lambda r: r[2]),
    )


async def digest_preview(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Digest:
    """/digest: a supervisor sees this week's digest in private."""
    person = await require_person(uow, telegram_user_id)
    if not person.is_supervisor:
        raise Refusal("supervisors_only")
    team_rule = await team_rules(uow, person.team_id)
    today = clock.now().astimezone(ZoneInfo(team_rule.hours.zone)).date()
    return await team_digest(uow, person.team_id, rules.monday_of(today))


async def _cover(uow: UnitOfWork, row: OutboxMessage) -> dict[str, Any]:
    """For a nudge sent to a cover: whose case it is."""
    if "for" not in row.ref:
        return {"covering": None}
    member = await uow.members.get(int(row.ref["for"]))
    return {"covering": member.display_name if member else None}


# --- acting on a nudge ---------------------------------------------------------------------


@dataclass(frozen=True)
class NudgeOutcome:
    """What pressing a nudge's button did: the nudge's new words, buttons, and any flow."""

    template: str
    values: dict[str, Any]
    buttons: Offers | None
    flow: FlowReply | None = None


async def act_on_nudge(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    row_id: int,
    op: str,
    idle: timedelta,
) -> NudgeOutcome:
    """Done, Snooze 1 day, Reschedule (then a date) on a nudge the person was sent."""
    person = await require_person(uow, telegram_user_id)
    row = await uow.outbox.get(row_id)
    if row is None or row.member_id != person.member_id or row.kind not in ASKING_KINDS:
        raise Refusal("already_done")
    outgoing = await compose_again(uow, clock, row)
    if outgoing is None:
        raise Refusal("already_done")  # done, moved or closed since
    values = {**outgoing.values, "acted": None}
    today = clock.now().astimezone(ZoneInfo(await _zone(uow, person.member_id))).date()
    if op == "done":
        return await _done(uow, clock, row, values, telegram_user_id, idle)
    if op == "snooze":
        later = today + timedelta(days=1)
        await uow.outbox.enqueue(
            [
                {
                    **_row(
                        f"{row.key}:snooze:{later}",
                        row.kind,
                        row.team_id or person.team_id,
                        await _member(uow, row),
                        row.ref,
                        clock.now(),
                    ),
                    "due_at": rules.send_time(later, await _recipient(uow, row)),
                }
            ]
        )
        return NudgeOutcome(outgoing.template, {**values, "acted": "snoozed", "until": later}, None)
    if op == "move":
        days = dates.upcoming_days(today + timedelta(days=1), 6)
        buttons = [
            [
                Offer.worded(dates.day_label(day, today), NudgeChoice.moving_to(row.id, day))
                for day in days[i : i + 3]
            ]
            for i in (0, 3)
        ]
        return NudgeOutcome(outgoing.template, {**values, "acted": "choosing"}, buttons)
    if op.startswith("d"):
        day = date.fromisoformat(op[1:])
        if day <= today:
            raise Refusal("already_done")
        await _move(uow, row, day)
        return NudgeOutcome(outgoing.template, {**values, "acted": "moved", "until": day}, None)
    raise Refusal("already_done")


async def compose_again(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> Outgoing | None:
    """The nudge as it would be composed now (None when it no longer applies)."""
    if row.kind in CASE_KINDS:
        return await compose_case_nudge(uow, clock, row)
    return await compose_action_nudge(uow, clock, row)


async def _done(
    uow: UnitOfWork,
    clock: Clock,
    row: OutboxMessage,
    values: dict[str, Any],
    telegram_user_id: int,
    idle: timedelta,
) -> NudgeOutcome:
    """Done: a visit opens the visit note; a review asks for the next date; an action closes."""
    template = "nudge_case" if row.kind in CASE_KINDS else "nudge_action"
    if row.kind in ("visit_due", "visit_overdue"):
        flow = await start_flow(
            uow,
            clock,
            telegram_user_id=telegram_user_id,
            flow_name="visit",
            prefill={"case": int(row.ref["case"])},
            idle=idle,
        )
        return NudgeOutcome(template, {**values, "acted": "logging"}, None, flow)
    if row.kind in ("review_coming", "review_overdue"):
        flow = await start_flow(
            uow,
            clock,
            telegram_user_id=telegram_user_id,
            flow_name="case_review",
            prefill={"case": int(row.ref["case"])},
            idle=idle,
        )
        return NudgeOutcome(template, {**values, "acted": "reviewing"}, None, flow)
    action = await uow.actions.get(int(row.ref["action"]))
    assert action is not None
    action.status, action.done_at = "done", clock.now()
    return NudgeOutcome(template, {**values, "acted": "done"}, None)


async def _move(uow: UnitOfWork, row: OutboxMessage, day: date) -> None:
    if row.kind.startswith("visit"):
        case = await uow.cases.get(int(row.ref["case"]))
        assert case is not None
        case.next_visit_due = day
    elif row.kind.startswith("review"):
        case = await uow.cases.get(int(row.ref["case"]))
        assert case is not None
        case.next_review_on = day
    else:
        action = await uow.actions.get(int(row.ref["action"]))
        assert action is not None
        action.due_on = day


async def _member(uow: UnitOfWork, row: OutboxMessage) -> Member:
    member = await uow.members.get(row.member_id or 0)
    assert member is not None
    return member


async def _recipient(uow: UnitOfWork, row: OutboxMessage) -> rules.Recipient:
    member = await _member(uow, row)
    team_rule = await team_rules(uow, member.team_id)
    hour = time.fromisoformat(
        (member.settings or {}).get("nudge_hour") or team_rule.settings.nudge_hour
    )
    return rules.Recipient(member.id, _hours(member, team_rule.hours), hour)


async def _today(uow: UnitOfWork, clock: Clock, row: OutboxMessage) -> date:
    """Today where the nudge's recipient is."""
    return clock.now().astimezone(ZoneInfo(await _zone(uow, row.member_id or 0))).date()


async def _zone(uow: UnitOfWork, member_id: int) -> str:
    member = await uow.members.get(member_id)
    assert member is not None
    if member.timezone:
        return member.timezone
    return (await team_rules(uow, member.team_id)).hours.zone
