"""Being away (nudges paused, a cover named) and one's own settings for nudges."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain.errors import Refusal
from bot.domain.flows import Accepted, Rejected
from bot.domain.timezones import check_timezone
from bot.services.access import Person, require_person
from bot.services.flows.replies import Said
from storage.uow import UnitOfWork


async def set_away(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /away: nudges paused until the date; the cover (if any) gets them."""
    member = await uow.members.get(person.member_id)
    assert member is not None
    cover_id = answers.get("cover")
    cover = await uow.members.get(int(cover_id)) if cover_id else None
    if cover_id and (cover is None or cover.team_id != person.team_id or not cover.active):
        raise Refusal("case_not_yours")
    if cover is not None and cover.id == member.id:
        raise Refusal("cover_yourself")
    member.away_until = date.fromisoformat(answers["until"])
    member.away_cover_id = cover.id if cover else None
    await uow.audit.record(
        at=clock.now(),
        action="member.away",
        subject=f"member:{member.id}",
        team_id=person.team_id,
        actor_id=person.member_id,
        detail={"cover": member.away_cover_id},
    )
    return [
        Said(
            "away_set",
            {"until": member.away_until, "cover": cover.display_name if cover else None},
        )
    ]


async def come_back(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Said:
    """/back: nudges resume now."""
    person = await require_person(uow, telegram_user_id)
    member = await uow.members.get(person.member_id)
    assert member is not None
    was_away = member.away_until is not None
    member.away_until, member.away_cover_id = None, None
    return Said("away_back", {"was_away": was_away})


async def check_zone(uow: UnitOfWork, person: Person, value: Any) -> Accepted | Rejected:
    """A real IANA time zone name."""
    try:
        return Accepted(check_timezone(str(value).strip()))
    except ValueError:
        return Rejected("timezone_unknown")


async def save_settings(
    uow: UnitOfWork, clock: Clock, person: Person, answers: dict[str, Any]
) -> list[Said]:
    """The end of /settings: one's nudge time, quiet hours or time zone."""
    member = await uow.members.get(person.member_id)
    assert member is not None
    settings = dict(member.settings or {})
    if answers.get("nudge_hour"):
        settings["nudge_hour"] = answers["nudge_hour"]
    if answers.get("quiet_start") and answers.get("quiet_end"):
        settings["quiet_start"], settings["quiet_end"] = (
            answers["quiet_start"],
            answers["quiet_end"],
        )
    if answers.get("timezone"):
        member.timezone = answers["timezone"]
    member.settings = settings
    return [
        Said(
            "settings_saved",
            {
                "nudge_hour": settings.get("nudge_hour"),
                "quiet_start": settings.get("quiet_start"),
                "quiet_end": settings.get("quiet_end"),
                "timezone": member.timezone,
            },
        )
    ]
