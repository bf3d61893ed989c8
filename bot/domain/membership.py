"""Membership rules (PRODUCT.md, "People and roles"): who may change whose place in a team.

Plain functions over facts the services load: a supervisor manages the people of
their own team; nobody removes or demotes themselves out of being the team's last
supervisor, since a team with none has nobody to pick up its flags.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.roles import Role


@dataclass(frozen=True)
class Standing:
    """A member as a membership change sees them."""

    member_id: int
    team_id: int
    role: Role
    active: bool


def may_manage(actor: Standing, target: Standing) -> bool:
    """A supervisor manages the active members of their own team (themselves included, for
    a change of role)."""
    return (
        actor.active
        and actor.role is Role.SUPERVISOR
        and target.active
        and actor.team_id == target.team_id
    )


def leaves_no_supervisor(target: Standing, supervisors: list[int]) -> bool:
    """Whether taking ``target`` out of supervising (removed, or made a worker) would leave
    the team with no active supervisor (``supervisors``: the team's active ones)."""
    return (
        target.role is Role.SUPERVISOR and [s for s in supervisors if s != target.member_id] == []
    )


def may_receive(receiver: Standing, leaver: Standing) -> bool:
    """Who may take over a leaver's cases: another active member of the same team."""
    return (
        receiver.active
        and receiver.team_id == leaver.team_id
        and receiver.member_id != leaver.member_id
    )
