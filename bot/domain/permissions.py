"""Who may read and change what (PRODUCT.md, "People and roles").

Decided from facts the services load from the database, never from what a
message claims: a worker may act on their own things, a supervisor on their
team's, nobody on another team's.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.roles import Role


@dataclass(frozen=True)
class Actor:
    """The person asking, as the database knows them."""

    member_id: int
    team_id: int
    role: Role


def may_read(actor: Actor, *, owner_id: int, team_id: int) -> bool:
    """Read a case, note or action owned by ``owner_id`` in ``team_id``."""
    if actor.team_id != team_id:
        return False
    return actor.role is Role.SUPERVISOR or actor.member_id == owner_id


def may_change(actor: Actor, *, owner_id: int, team_id: int) -> bool:
    """Change it: the same rule as reading (supervisors act for their team)."""
    return may_read(actor, owner_id=owner_id, team_id=team_id)


def may_reassign(actor: Actor, *, team_id: int) -> bool:
    """Give a case to another worker: supervisors of the case's team only."""
    return actor.role is Role.SUPERVISOR and actor.team_id == team_id


def may_correct(
    actor: Actor, *, author_id: int, team_id: int, age_days: float, window: int
) -> bool:
    """Correct a note: its author, in their team, within the correction window."""
    return actor.team_id == team_id and actor.member_id == author_id and age_days <= window
