"""Roles and what each may do."""

from __future__ import annotations

from bot.domain.roles import Role, may_invite, may_link_group, parse_role


def test_roles_are_read_as_people_type_them() -> None:
    assert parse_role(" Worker ") is Role.WORKER
    assert parse_role("SUPERVISOR") is Role.SUPERVISOR
    assert parse_role("manager") is None


def test_only_supervisors_invite_and_link_groups() -> None:
    assert may_invite(Role.SUPERVISOR) and may_link_group(Role.SUPERVISOR)
    assert not may_invite(Role.WORKER) and not may_link_group(Role.WORKER)
