"""What a flow says back (service layer): plain data for the handler to render.

A ``FlowReply`` is the outcome of one interaction with a flow: the question just
answered (to mark it so), what to tell the person (``Said``) and the next
``Question``. Other services that end a flow or start one speak in ``Said`` too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain.buttons import Offers
from bot.domain.flows import FlowDefinition, Step
from bot.domain.paging import Page


@dataclass(frozen=True)
class Said:
    """Something to tell the person: a template, its values, and any buttons under it.

    With ``photo`` (PNG bytes) it is a picture, and the template is its caption.
    """

    template: str
    values: dict[str, Any] = field(default_factory=dict)
    buttons: Offers | None = None
    photo: bytes | None = None


@dataclass(frozen=True)
class Question:
    """A step to show: its words, where it sits in the flow, and its buttons."""

    flow: FlowDefinition
    step: Step
    number: int
    total: int
    buttons: Offers
    values: dict[str, Any]
    picker: Page[tuple[str, str]] | None = None
    """For a case or member question: the page of choices shown."""
    typed: str | None = None
    """What the person typed, when the choices shown are those that match it."""


@dataclass
class FlowReply:
    """The outcome of one interaction with a flow."""

    answered: tuple[Question, str] | None = None
    says: list[Said] = field(default_factory=list)
    question: Question | None = None
    turned_page: bool = False
    """The question is the one pressed, at another page: shown in its place."""
