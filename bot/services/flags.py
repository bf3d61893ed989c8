"""Flags: raising one, getting it to every supervisor, their actions, chasing it up.

A raised flag is written to the outbox once per supervisor (urgent ones at
once, even in quiet hours; others at the next working moment). When a
supervisor acts, every copy is updated in place and the worker is told. The
periodic planner (``chase_flags``) reminds and escalates from the data alone,
so it survives restarts and sends each reminder once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.flags import (
    STATE_AFTER,
    FlagAction,
    FlagState,
    Urgency,
    allowed,
    chase_due,
    deadlines,
    follow_up_deadlines,
    may_wait_for_supervision,
)
from bot.domain.paging import Page, page_of
from bot.domain.roles import Role
from bot.domain.schedule import next_allowed
from bot.services.access import Person, find_person_by_member, require_person
from bot.services.agenda import planned_supervision
from bot.services.cases import readable_case
from bot.services.flag_messages import (
    ESCALATION,
    FLAG,
    FLAG_EDIT,
    FLAG_NEWS,
    FOLLOW_UP,
    NEUTRAL,
    REMINDER,
    STALLED,
    FlagView,
    flag_view,
)
from bot.services.flows import start_flow
from bot.services.flows.replies import FlowReply, Said
from bot.services.timing import TeamSettingsById, every_team_settings, rules_of, team_rules
from storage.models import Flag, Member
from storage.uow import UnitOfWork


async def raise_flag(
    uow: UnitOfWork,
    clock: Clock,
    person: Person,
    *,
    case_id: int | None,
    urgency: Urgency,
    source: str,
    summary: str,
    for_worker: int | None = None,
) -> list[Said]:
    """Record a flag and owe it to every active supervisor; what to tell the worker.

    A supervisor escalating from a worker's supervision note (``for_worker``) raises it
    about that worker and holds it at once, as if they had acknowledged it: it is theirs
    to resolve and they are chased until they do; the other supervisors get a copy."""
    case = await readable_case(uow, person, case_id) if case_id else None
    now = clock.now()
    held = for_worker is not None
    flag = await uow.flags.add(
        Flag(
            team_id=person.team_id,
            case_id=case.id if case else None,
            worker_id=for_worker if for_worker is not None else person.member_id,
            urgency=urgency.value,
            source=source,
            summary=summary,
            state=(FlagState.ACKNOWLEDGED if held else FlagState.OPEN).value,
            raised_at=now,
            handled_by_id=person.member_id if held else None,
            handled_at=now if held else None,
        )
    )
    await uow.audit.record(
        at=now,
        action="flag.raised",
        subject=f"flag:{flag.id}",
        team_id=person.team_id,
        actor_id=person.member_id,
        detail={"urgency": urgency.value, "source": source},
    )
    supervisors = await _supervisors(uow, person.team_id, but=person.member_id, today=now.date())
    rules = await team_rules(uow, person.team_id)
    due = now if urgency is Urgency.TODAY else next_allowed(now, rules.hours)
    await _owe_copies(uow, flag, supervisors, "to", due, now)
    if urgency is Urgency.SUPERVISION:
        await _onto_agenda(uow, flag, now)
    values = {
        "reference": case.reference if case else None,
        "urgency": urgency.value,
        "supervisors": len(supervisors),
        "instruction": rules.settings.safeguarding_instruction,
        "waits": due > now,
    }
    if held:
        return [Said("flag_held", values)]
    return [Said("flag_raised" if supervisors else "flag_no_supervisor", values)]


async def act_on_flag(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, flag_id: int, action: FlagAction
) -> FlagView:
    """Acknowledge, "I'll call you" or "add to the agenda": every copy updated, worker told."""
    person = await _flag_handler(uow, clock, telegram_user_id)
    flag = await _flag_for_supervisor(uow, person, flag_id)
    if action is FlagAction.RESOLVE:
        raise Refusal("already_done")
    _check_allowed(flag, action, person)
    now = clock.now()
    flag.state = STATE_AFTER[action].value
    if flag.handled_by_id is None:
        flag.handled_by_id, flag.handled_at = person.member_id, now
    if action is FlagAction.AGENDA:
        await _onto_agenda(uow, flag, now)
    await _after_action(uow, flag, person, action, now)
    return await flag_view(uow, clock, flag)


async def raise_case_flag(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of "Flag to supervisor" from a case: urgency and a short reason."""
    return await raise_flag(
        uow,
        clock,
        person,
        case_id=int(answers["case"]),
        urgency=Urgency(answers["urgency"]),
        source="case",
        summary=answers["reason"],
    )


async def begin_resolving(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, flag_id: int, idle: timedelta
) -> FlowReply:
    """Resolve: ask for the one-line outcome (a short flow), if it is still open."""
    return await start_flow(
        uow,
        clock,
        telegram_user_id=telegram_user_id,
        flow_name="flag_resolve",
        prefill={"flag": flag_id},
        idle=idle,
    )


async def check_flag_to_resolve(uow: UnitOfWork, clock: Clock, person: Person, value: Any) -> None:
    """Resolving starts with the flag: one of the team's, still open, and the person handles
    the team's flags (a supervisor, or the cover of an away one)."""
    if not await _handles_flags(uow, clock.now().date(), person):
        raise Refusal("supervisors_only")
    flag = await _flag_for_supervisor(uow, person, int(value))
    _check_allowed(flag, FlagAction.RESOLVE, person)


async def resolve_flag(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of resolving: the outcome kept with the flag, every copy updated."""
    if not await _handles_flags(uow, clock.now().date(), person):
        raise Refusal("supervisors_only")
    flag = await _flag_for_supervisor(uow, person, int(answers["flag"]))
    _check_allowed(flag, FlagAction.RESOLVE, person)
    now = clock.now()
    flag.state = FlagState.RESOLVED.value
    flag.resolved_by_id, flag.resolved_at, flag.outcome = person.member_id, now, answers["outcome"]
    if flag.handled_by_id is None:
        flag.handled_by_id, flag.handled_at = person.member_id, now
    told = await _after_action(uow, flag, person, FlagAction.RESOLVE, now)
    view = await flag_view(uow, clock, flag)
    return [Said("flag_resolved", {"flag": view, "worker_told": told})]


async def open_flags(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> list[FlagView]:
    """/flags: a supervisor's team's open flags, a worker's own; most urgent and oldest first."""
    person = await require_person(uow, telegram_user_id)
    flags = (
        await uow.flags.open_for_team(person.team_id)
        if person.is_supervisor
        else await uow.flags.open_for_worker(person.member_id)
    )
    order = {Urgency.TODAY: 0, Urgency.WEEK: 1, Urgency.SUPERVISION: 2}
    views = [await flag_view(uow, clock, flag) for flag in flags]
    return sorted(views, key=lambda v: (order[Urgency(v.urgency)], v.raised_at))


FLAGS_PER_PAGE = 5
"""Flags carry a summary each: fewer of them fit a phone's screen than cases."""


async def open_flags_page(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, page: int = 0, stamp: str | None = None
) -> Page[FlagView]:
    """A page of /flags, in the same order on every page."""
    views = await open_flags(uow, clock, telegram_user_id=telegram_user_id)
    return page_of(views, page, keys=[v.id for v in views], stamp=stamp, size=FLAGS_PER_PAGE)


async def chase_flags(
    uow: UnitOfWork, clock: Clock, *, teams: TeamSettingsById | None = None
) -> int:
    """The planner's part for flags: remind, then escalate, flags nobody has picked up
    (``teams``: every team's settings, when the caller has them already)."""
    now, owed = clock.now(), 0
    settings = teams if teams is not None else await every_team_settings(uow)
    # A flag is never chased sooner than its team's shortest time to pick up (by the clock,
    # or counted in working time, which runs no faster): younger ones are not even read.
    soonest = min(
        (min(s.ack_minutes_today, s.ack_working_minutes_week) for _, s in settings.values()),
        default=0,
    )
    waiting = await uow.flags.waiting(raised_before=now - timedelta(minutes=soonest))
    loaded = {t.id: t for t in await uow.teams.many({flag.team_id for flag in waiting})}
    for flag in waiting:
        rules = rules_of(loaded[flag.team_id])
        due = deadlines(Urgency(flag.urgency), flag.raised_at, rules.settings, rules.hours)
        remind, escalate = chase_due(
            now, due, reminded=flag.reminded_at is not None, escalated=flag.escalated_at is not None
        )
        if not (remind or escalate):
            continue
        send_at = now if flag.urgency == Urgency.TODAY else next_allowed(now, rules.hours)
        supervisors = await _supervisors(uow, flag.team_id, but=flag.worker_id, today=now.date())
        if escalate:
            flag.reminded_at, flag.escalated_at = flag.reminded_at or now, now
            owed += await _owe_copies(uow, flag, supervisors, ESCALATION, send_at, now)
            worker = await uow.members.get(flag.worker_id)
            if worker is not None and worker.active:
                owed += await _owe_news(uow, flag, worker, "chased", None, send_at, now)
        elif remind:
            flag.reminded_at = now
            owed += await _owe_copies(uow, flag, supervisors, REMINDER, send_at, now)
    return owed + await _follow_up(uow, now, settings) + await _deliver_unseen(uow, now)


async def _deliver_unseen(uow: UnitOfWork, now: datetime) -> int:
    """A flag raised while no supervisor (or cover) could receive it goes to the first who
    can, as soon as one can: it shows its age, and the worker hears when it is picked up."""
    owed = 0
    for flag in await uow.flags.waiting():
        if await uow.outbox.with_key_prefix(f"flag:{flag.id}:"):
            continue  # someone has it
        supervisors = await _supervisors(uow, flag.team_id, but=flag.worker_id, today=now.date())
        if supervisors:
            rules = await team_rules(uow, flag.team_id)
            send_at = now if flag.urgency == Urgency.TODAY else next_allowed(now, rules.hours)
            owed += await _owe_copies(uow, flag, supervisors, "to", send_at, now)
    return owed


async def _follow_up(uow: UnitOfWork, now: datetime, settings: TeamSettingsById) -> int:
    """Flags picked up but not resolved: whoever took one is asked for an update, then every
    supervisor is told it has stalled, each once (the outbox's keys keep it so)."""
    owed = 0
    soonest = min((s.update_hours_today for _, s in settings.values()), default=0)
    picked = await uow.flags.picked_up(before=now - timedelta(hours=soonest))
    loaded = {t.id: t for t in await uow.teams.many({flag.team_id for flag in picked})}
    for flag in picked:
        rules = rules_of(loaded[flag.team_id])
        assert flag.handled_at is not None  # picked up
        due = follow_up_deadlines(
            Urgency(flag.urgency),
            flag.handled_at,
            rules.settings,
            rules.hours,
            await _after_supervision(uow, flag, now),
        )
        remind, escalate = chase_due(now, due, reminded=False, escalated=False)
        if not (remind or escalate):
            continue
        send_at = now if flag.urgency == Urgency.TODAY else next_allowed(now, rules.hours)
        supervisors = await _supervisors(uow, flag.team_id, but=flag.worker_id, today=now.date())
        if escalate:
            owed += await _owe_copies(uow, flag, supervisors, STALLED, send_at, now)
            continue
        taker = [s for s in supervisors if s.id == flag.handled_by_id] or supervisors
        owed += await _owe_copies(uow, flag, taker, FOLLOW_UP, send_at, now)
    return owed


# --- helpers -------------------------------------------------------------------------------


async def _after_supervision(uow: UnitOfWork, flag: Flag, now: datetime) -> datetime | None:
    """For a "next supervision" flag: the start of the day after the worker's next supervision
    (as their last note planned it), when one is planned."""
    if flag.urgency != Urgency.SUPERVISION:
        return None
    day = await planned_supervision(
        uow, flag.worker_id, flag.handled_at.date() if flag.handled_at else now.date()
    )
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) if day else None


async def _flag_handler(uow: UnitOfWork, clock: Clock, telegram_user_id: int) -> Person:
    """A supervisor, or the person covering for an away supervisor of the same team."""
    person = await require_person(uow, telegram_user_id)
    if not await _handles_flags(uow, clock.now().date(), person):
        raise Refusal("supervisors_only")
    return person


async def _handles_flags(uow: UnitOfWork, today: date, person: Person) -> bool:
    """A supervisor, or covering for a supervisor of the team who is away today."""
    if person.is_supervisor:
        return True
    return any(
        member.away_cover_id == person.member_id
        and member.away_until is not None
        and member.away_until >= today
        for member in await uow.members.of_team(person.team_id, role=Role.SUPERVISOR.value)
    )


async def _handles_now(uow: UnitOfWork, member_id: int | None, flag: Flag, now: datetime) -> bool:
    """Whether the member holding a copy of the flag may still act on it."""
    member = await uow.members.get(member_id or 0)
    if member is None or not member.active or member.team_id != flag.team_id:
        return False
    person = await find_person_by_member(uow, member.id)
    return person is not None and await _handles_flags(uow, now.date(), person)


async def _onto_agenda(uow: UnitOfWork, flag: Flag, now: datetime) -> None:
    """Keep the flag for the worker's next supervision (once)."""
    await uow.agenda.add(
        team_id=flag.team_id,
        worker_id=flag.worker_id,
        kind="flag",
        ref_id=flag.id,
        case_id=flag.case_id,
        at=now,
    )


def _check_allowed(flag: Flag, action: FlagAction, person: Person) -> None:
    state = FlagState(flag.state)
    if action is FlagAction.AGENDA and not may_wait_for_supervision(
        Urgency(flag.urgency), flag.source
    ):
        raise Refusal("flag_cannot_wait")
    if allowed(state, action):
        return
    if flag.handled_by_id == person.member_id or state is not FlagState.RESOLVED:
        raise Refusal("already_done")
    raise Refusal("flag_already_resolved")


async def _flag_for_supervisor(uow: UnitOfWork, person: Person, flag_id: int) -> Flag:
    flag = await uow.flags.get(flag_id)
    if flag is None or flag.team_id != person.team_id:
        raise Refusal("flag_not_yours")
    return flag


async def edit_copies(uow: UnitOfWork, flag: Flag, why: str, now: datetime) -> None:
    """Update every delivered copy in place (reminders, escalations and the worker's "being
    chased" too). Someone who has lost the right since their copy came (left, stepped down,
    a cover whose supervisor is back) sees a neutral line in its place, not what happened."""
    copies = [
        *await uow.outbox.with_key_prefix(f"flag:{flag.id}:"),
        *await uow.outbox.with_key_prefix(f"flagnews:{flag.id}:chased"),
    ]
    for row in copies:
        if row.kind not in (FLAG, FLAG_NEWS):
            continue
        kept = row.kind == FLAG_NEWS or await _handles_now(uow, row.member_id, flag, now)
        await uow.outbox.enqueue(
            [
                {
                    "key": f"{row.key}:{why}",
                    "kind": FLAG_EDIT,
                    "team_id": flag.team_id,
                    "member_id": row.member_id,
                    "chat_id": row.chat_id,
                    "ref": {"flag": flag.id, "original": row.key, **({} if kept else NEUTRAL)},
                    "due_at": now,
                    "created_at": now,
                }
            ]
        )


async def _after_action(
    uow: UnitOfWork, flag: Flag, person: Person, action: FlagAction, now: datetime
) -> bool:
    """Update every copy, tell the worker, and audit it; whether the worker is told (not
    when they acted themselves, left, or erased their account)."""
    await edit_copies(uow, flag, action.value, now)
    worker = await uow.members.get(flag.worker_id)
    told = False
    if worker is not None and worker.active and worker.id != person.member_id:
        await _owe_news(uow, flag, worker, action.value, person.member_id, now, now)
        told = True
    await uow.audit.record(
        at=now,
        action=f"flag.{STATE_AFTER[action].value}",
        subject=f"flag:{flag.id}",
        team_id=flag.team_id,
        actor_id=person.member_id,
    )
    return told


async def _owe_copies(
    uow: UnitOfWork,
    flag: Flag,
    supervisors: list[Member],
    stage: str,
    due: datetime,
    now: datetime,
) -> int:
    rows = [
        {
            "key": f"flag:{flag.id}:{stage}:{member.id}",
            "kind": FLAG,
            "team_id": flag.team_id,
            "member_id": member.id,
            "chat_id": member.telegram_user_id,
            "ref": {"flag": flag.id, **({"stage": stage} if stage != "to" else {})},
            "due_at": due,
            "created_at": now,
        }
        for member in supervisors
    ]
    return await uow.outbox.enqueue(rows)


async def _owe_news(
    uow: UnitOfWork,
    flag: Flag,
    worker: Member,
    news: str,
    by: int | None,
    due: datetime,
    now: datetime,
) -> int:
    row = {
        "key": f"flagnews:{flag.id}:{news}",
        "kind": FLAG_NEWS,
        "team_id": flag.team_id,
        "member_id": worker.id,
        "chat_id": worker.telegram_user_id,
        "ref": {"flag": flag.id, "news": news, "by": by},
        "due_at": due,
        "created_at": now,
    }
    return await uow.outbox.enqueue([row])


async def _supervisors(
    uow: UnitOfWork, team_id: int, *, but: int, today: date | None = None
) -> list[Member]:
    """Who gets a team's flags: its supervisors who can be reached; for one who is away,
    the cover they named. Never the person who raised it."""
    chosen: dict[int, Member] = {}
    for member in await uow.members.of_team(team_id, role=Role.SUPERVISOR.value):
        away = today is not None and member.away_until is not None and member.away_until >= today
        if away and member.away_cover_id is not None:
            cover = await uow.members.get(member.away_cover_id)
            if cover is not None and cover.active and cover.unreachable_at is None:
                chosen[cover.id] = cover
        elif not away and member.unreachable_at is None:
            chosen[member.id] = member
    chosen.pop(but, None)
    return list(chosen.values())
