"""Roles and what each may do (PRODUCT.md, "People and roles")."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in their team."""

    WORKER = "worker"
    SUPERVISOR = "supervisor"


def parse_role(text: str) -> Role | None:
    """Read a role as a person types it ("worker", "Supervisor"); None when it is neither."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None


def may_invite(role: Role) -> bool:
    """Only supervisors invite people."""
    return role is Role.SUPERVISOR


def may_link_group(role: Role) -> bool:
    """Only supervisors make a group the team chat."""
    return role is Role.SUPERVISOR
