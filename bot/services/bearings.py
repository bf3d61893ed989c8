"""Keeping your bearings: saving a check, its picture and reading, sharing it, the supervision
agenda, and a supervisor's team summary. Service layer.

A check is private to the person who took it. Sharing it lets the supervisors
of their team see that one check (and its change since the previous one only
if that was shared too). A supervisor's team summary shows averages only when
at least five workers took a check in the period, and never anyone's unshared
check. The private note stays with its author even when the check is shared.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot import charts
from bot.clock import Clock
from bot.domain import bearings as rules
from bot.domain.buttons import (
    BearingsTeamSummary,
    BearingsToAgenda,
    Offer,
    Offers,
    ShareBearings,
    SharedBearings,
)
from bot.domain.errors import Refusal
from bot.domain.roles import Role
from bot.services.access import Person, require_person, require_supervisor
from bot.services.flows.replies import Said
from bot.services.local_time import local_today
from prompts import label
from storage.models import BearingsCheck
from storage.uow import UnitOfWork

AGENDA_KIND = "bearings"
"""The agenda item kind for a check brought to supervision."""


def names() -> dict[str, str]:
    """The short names of the quadrants, elements, balances and balance ends (labels.yaml)."""
    found = {pair.quadrant: label(f"bearings_q_{pair.quadrant}") for pair in rules.PAIRS}
    keys = [*rules.ELEMENTS, *rules.BOUNDARIES]
    keys += [f"{b}{end}" for b in rules.BALANCES for end in ("", ":low", ":high")]
    return found | {key: label(f"bearings_{key.replace(':', '_')}") for key in keys}


@dataclass(frozen=True)
class _Shown:
    """A check with what it is compared against, as one viewer may see it."""

    row: BearingsCheck
    check: rules.Check
    previous_row: BearingsCheck | None
    previous: rules.Check | None


async def save_bearings(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /bearings: keep the check, then the picture, the reading and the offers."""
    check = rules.Check.from_answers(answers)
    row = await uow.bearings.add(
        BearingsCheck(
            team_id=person.team_id,
            member_id=person.member_id,
            taken_at=clock.now(),
            ratings=check.to_stored(),
            note=answers.get("note") or None,
            shared_at=None,
        )
    )
    shown = await _with_previous(uow, row, only_shared=False)
    values = await _values(uow, person, shown)
    return [await _picture(shown, values), _result(person, shown, values)]


async def share_check(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, check_id: int
) -> Said:
    """Share one's own check with the team's supervisors (again is harmless); the result again."""
    person = await require_person(uow, telegram_user_id)
    row = await _own_check(uow, person, check_id)
    if row.shared_at is None:
        row.shared_at = clock.now()
    shown = await _with_previous(uow, row, only_shared=False)
    return _result(person, shown, await _values(uow, person, shown))


async def add_to_agenda(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, check_id: int
) -> Said:
    """Put one's own check on one's supervision agenda (once); the result again."""
    person = await require_person(uow, telegram_user_id)
    row = await _own_check(uow, person, check_id)
    await uow.agenda.add(
        team_id=person.team_id,
        worker_id=person.member_id,
        kind=AGENDA_KIND,
        ref_id=row.id,
        case_id=None,
        at=clock.now(),
    )
    shown = await _with_previous(uow, row, only_shared=False)
    return _result(person, shown, await _values(uow, person, shown))


async def shared_check(
    uow: UnitOfWork, clock: Clock, *, telegram_user_id: int, check_id: int
) -> list[Said]:
    """A check as a supervisor sees it once shared (or its owner sees it): picture and reading.

    Anything else is refused without saying whether the check exists; a supervisor's
    reading is audited.
    """
    person = await require_person(uow, telegram_user_id)
    row = await uow.bearings.get(check_id)
    if row is None or not rules.may_see(
        viewer_id=person.member_id,
        viewer_team_id=person.team_id,
        viewer_supervises=person.is_supervisor,
        owner_id=row.member_id,
        team_id=row.team_id,
        shared=row.shared_at is not None,
    ):
        raise Refusal("bearings_not_shared")
    own = row.member_id == person.member_id
    if not own:
        await uow.audit.record(
            at=clock.now(),
            action="bearings.read",
            subject=f"bearings:{row.id}",
            team_id=row.team_id,
            actor_id=person.member_id,
        )
    shown = await _with_previous(uow, row, only_shared=not own)
    if own:
        values = await _values(uow, person, shown)
        return [await _picture(shown, values), _result(person, shown, values)]
    owner = await uow.members.get(row.member_id)
    values = await _values(uow, person, shown, owner_name=owner.display_name if owner else "")
    return [await _picture(shown, values), Said("bearings_shared", values)]


async def team_summary(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Said:
    """/bearings team: averages when at least five workers took a check in the last 14 days,
    and the checks shared with the supervisor in that time (one button each)."""
    person = await require_supervisor(uow, telegram_user_id)
    since = clock.now() - timedelta(days=rules.TEAM_PERIOD_DAYS)
    workers = {
        member.id: member
        for member in await uow.members.of_team(person.team_id, role=Role.WORKER.value)
    }
    latest: dict[int, BearingsCheck] = {}
    latest_shared: dict[int, BearingsCheck] = {}
    for row in await uow.bearings.for_team_since(person.team_id, since):  # newest first
        if row.member_id not in workers:
            continue
        latest.setdefault(row.member_id, row)
        if row.shared_at is not None:
            latest_shared.setdefault(row.member_id, row)
    averages = rules.team_averages([rules.Check.from_stored(r.ratings) for r in latest.values()])
    buttons: Offers = []
    for member_id, row in sorted(latest_shared.items()):
        day = await _local_date(uow, person, row.taken_at)
        buttons.append(
            [
                Offer(
                    SharedBearings(row.id),
                    "bearings_open_shared",
                    {"name": workers[member_id].display_name, "day": day},
                )
            ]
        )
    return Said(
        "bearings_team",
        {
            "averages": averages,
            "contributors": len(latest),
            "minimum": rules.TEAM_MINIMUM,
            "period_days": rules.TEAM_PERIOD_DAYS,
            "shared_count": len(latest_shared),
            "pairs": rules.PAIRS,
            "balances": rules.BALANCES,
            "names": names(),
        },
        buttons,
    )


# --- what a check shows --------------------------------------------------------------------


async def _own_check(uow: UnitOfWork, person: Person, check_id: int) -> BearingsCheck:
    """The person's own check; anyone else's (or none) is a stale or forged button."""
    row = await uow.bearings.get(check_id)
    if row is None or row.member_id != person.member_id:
        raise Refusal("already_done")
    return row


async def _with_previous(uow: UnitOfWork, row: BearingsCheck, *, only_shared: bool) -> _Shown:
    """The check and the one before it (left out when the viewer may not see that one)."""
    previous_row = await uow.bearings.before(row)
    if previous_row is not None and only_shared and previous_row.shared_at is None:
        previous_row = None
    return _Shown(
        row=row,
        check=rules.Check.from_stored(row.ratings),
        previous_row=previous_row,
        previous=rules.Check.from_stored(previous_row.ratings) if previous_row else None,
    )


async def _values(
    uow: UnitOfWork, person: Person, shown: _Shown, owner_name: str | None = None
) -> dict[str, Any]:
    reading = rules.read(shown.check)
    tilts, twice = rules.worth_supervision(shown.previous, shown.check)
    previous_on = (
        await _local_date(uow, person, shown.previous_row.taken_at) if shown.previous_row else None
    )
    on_agenda = any(
        item.kind == AGENDA_KIND and item.ref_id == shown.row.id
        for item in await uow.agenda.open_for_worker(shown.row.member_id)
    )
    return {
        "check": shown.check,
        "reading": reading,
        "summary": rules.summary(reading),
        "changes": rules.changes(shown.previous, shown.check),
        "previous_on": previous_on,
        "taken_on": await _local_date(uow, person, shown.row.taken_at),
        "tilts": tilts,
        "twice": twice,
        "shared": shown.row.shared_at is not None,
        "on_agenda": on_agenda,
        "is_supervisor": person.is_supervisor,
        "owner_name": owner_name,
        "names": names(),
    }


def _result(person: Person, shown: _Shown, values: dict[str, Any]) -> Said:
    """The reading under the picture, with its offers: share, the agenda, the team summary."""
    buttons: Offers = []
    if values["tilts"] and not values["on_agenda"]:
        buttons.append([Offer(BearingsToAgenda(shown.row.id), "bearings_agenda")])
    if not values["shared"] and not person.is_supervisor:
        buttons.append([Offer(ShareBearings(shown.row.id), "bearings_share")])
    if person.is_supervisor:
        buttons.append([Offer(BearingsTeamSummary(), "bearings_team")])
    return Said("bearings_result", values, buttons or None)


async def _picture(shown: _Shown, values: dict[str, Any]) -> Said:
    """The picture, captioned with the two-line reading. The PNG carries numbers and the fixed
    words only: the name (for a supervisor) is in the caption, never on the picture."""
    words = names()
    before = shown.previous
    reading = values["reading"]
    look = {gap.element for gap in reading.gaps}
    look |= {lean.away for lean in reading.leans if not lean.on_slider}
    ends = {lean.where for lean in reading.leans if lean.on_slider}
    pairs = [
        charts.PairBars(
            heading=words[pair.quadrant],
            first=words[pair.first],
            second=words[pair.second],
            now=(shown.check.elements[pair.first], shown.check.elements[pair.second]),
            before=(before.elements[pair.first], before.elements[pair.second])
            if before and pair.first in before.elements and pair.second in before.elements
            else None,
            look=(pair.first in look, pair.second in look),
        )
        for pair in rules.PAIRS
    ]
    sliders = [
        charts.Slider(
            heading=words[balance],
            low_end=words[f"{balance}:low"],
            high_end=words[f"{balance}:high"],
            now=shown.check.balances[balance],
            before=before.balances.get(balance) if before else None,
            look=balance in ends,
        )
        for balance in rules.BALANCES
    ]
    legend = charts.Words(
        title=label("bearings_chart_title"),
        key_now=label("bearings_chart_now"),
        key_look=label("bearings_chart_look"),
        key_before=label("bearings_chart_before"),
    )
    # Drawing takes a moment of CPU; off the event loop, other chats carry on meanwhile.
    png = await asyncio.to_thread(charts.bearings_png, pairs, sliders, legend)
    return Said("bearings_picture", values, photo=png)


async def trend(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Said:
    """``/bearings trend``: one's own last eight checks as lines, and what moved, in words.
    Only ever one's own (a shared check is shared one at a time)."""
    person = await require_person(uow, telegram_user_id)
    rows = list(reversed(await uow.bearings.for_member(person.member_id, rules.TREND_CHECKS)))
    if len(rows) < 2:
        return Said("bearings_trend_too_few", {"count": len(rows)})
    checks = [rules.Check.from_stored(row.ratings) for row in rows]
    words = names()
    first_on = await _local_date(uow, person, rows[0].taken_at)
    last_on = await _local_date(uow, person, rows[-1].taken_at)
    lines = [
        charts.TrendRow(
            words[pair.quadrant],
            words[pair.first],
            words[pair.second],
            tuple(rules.balance_of(check, pair.quadrant) for check in checks),
            4,
        )
        for pair in rules.PAIRS
    ]
    lines += [
        charts.TrendRow(
            words[balance],
            words[f"{balance}:high"],
            words[f"{balance}:low"],
            tuple(rules.balance_of(check, balance) for check in checks),
            2,
        )
        for balance in rules.BALANCES
    ]
    png = await asyncio.to_thread(
        charts.trend_png,
        lines,
        label("bearings_trend_title"),
        f"{first_on:%-d %b}",
        f"{last_on:%-d %b}",
    )
    values = {
        "count": len(rows),
        "first_on": first_on,
        "last_on": last_on,
        "drifts": rules.drifts(checks),
        "pairs": {pair.quadrant: (pair.first, pair.second) for pair in rules.PAIRS},
        "names": words,
    }
    return Said("bearings_trend", values, photo=png)


class _At:
    """A clock stopped at one instant (to read that instant as a local date)."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant

    def now(self) -> datetime:
        return self._instant


async def _local_date(uow: UnitOfWork, person: Person, instant: datetime) -> date:
    """An instant as a date where the person works."""
    return await local_today(uow, _At(instant), person)
