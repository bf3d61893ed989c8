"""What a case or a member question offers: every choice, in a useful order, a page at a time,
and what part of a reference or a name typed instead matches.

A key worker with fifteen cases is offered them by what is due soonest (the visit they have
just made is near the top), not alphabetically; a team member question puts the person
themselves first as "Me", then the worker the flow is about, then everyone else by name.
"""

from __future__ import annotations

from datetime import date

from bot.domain.flows import AnswerContext, CaseChoice, MemberChoice, Step

PICKER_PAGE = 8
"""Choices on one page of a question: a button each, with room for Back and the paging row."""


def case_choices(context: AnswerContext) -> list[CaseChoice]:
    """The cases to offer, soonest visit due first (none due last), then by reference."""
    return sorted(context.cases, key=lambda c: (c.due or date.max, c.reference.casefold()))


def member_choices(
    step: Step, context: AnswerContext, concerned: int | None = None
) -> list[MemberChoice]:
    """The members to offer: the person first, then the worker the flow is about, then the
    rest by name."""
    return sorted(
        context.members_for(step),
        key=lambda m: (m.id != context.me, m.id != concerned, m.name.casefold(), m.id),
    )


def member_label(member: MemberChoice, context: AnswerContext, me: str) -> str:
    """A member's name on a button, or ``me`` for the person answering."""
    return me if member.id == context.me else member.name


def matching_cases(context: AnswerContext, typed: str) -> list[CaseChoice]:
    """The cases whose reference holds what was typed ("0142", "fam-01"), in offer order."""
    wanted = _fold(typed)
    if not wanted:
        return []
    return [case for case in case_choices(context) if wanted in _fold(case.reference)]


def matching_members(
    step: Step, context: AnswerContext, typed: str, concerned: int | None = None
) -> list[MemberChoice]:
    """The members one of whose names starts with what was typed ("al", "Worker")."""
    wanted = typed.strip().casefold()
    if not wanted:
        return []
    return [
        member
        for member in member_choices(step, context, concerned)
        if member.name.casefold().startswith(wanted)
        or any(word.startswith(wanted) for word in member.name.casefold().split())
    ]


def _fold(text: str) -> str:
    """Letters and digits only, in one case: "FAM-0142" and "fam 0142" read alike."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())
