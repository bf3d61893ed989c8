"""The key-worker process's tables (CONTENT.md §D): a case's network, family agreements,
assessments, its support plan (aims and actions), plan reviews and the evaluation at closing.

Every word typed is encrypted (``EncryptedText``/``EncryptedJSON``), and so are the codes and
scores that say how a case is going (an aim's score, a review's outcome), as for a visit's risk
change. Dates are local ``Date`` values in the team's time zone. Everything here belongs to
its case: the purge deletes it with the case, and a member's erasure leaves it (it names
team members by id only, so an erased member reads as a former member).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.crypto import EncryptedJSON, EncryptedText
from storage.models import Base
from storage.types import UTCDateTime


class NetworkEntry(Base):
    """Someone involved with the family, by role or agency, never by name ("Mum", "School")."""

    __tablename__ = "case_network"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "family" or "agency"
    label: Mapped[str] = mapped_column(EncryptedText)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FamilyAgreement(Base):
    """A family agreement: its standards and consequences as short lines, and when agreed.
    The newest of a case's is the one that stands."""

    __tablename__ = "family_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    standards: Mapped[list[str]] = mapped_column(EncryptedJSON)
    consequences: Mapped[list[str]] = mapped_column(EncryptedJSON)
    agreed_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assessment(Base):
    """Risk and protective factors at three levels, with what to build on and what to reduce.

    ``factors`` maps a level (person, family, community) to its ``risk`` and ``protective``
    lines."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    factors: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    build_on: Mapped[str | None] = mapped_column(EncryptedText)
    reduce: Mapped[str | None] = mapped_column(EncryptedText)
    assessed_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SupportPlan(Base):
    """A case's support plan (one per case); its aims and actions hang from it and the case."""

    __tablename__ = "support_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    made_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanAim(Base):
    """One aim of a plan, in order of need (``position`` 1 first), scored 0-10 when the plan
    was made and again at closing."""

    __tablename__ = "plan_aims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(EncryptedText)
    start_score: Mapped[int | None] = mapped_column(EncryptedJSON)
    end_score: Mapped[int | None] = mapped_column(EncryptedJSON)


class PlanAction(Base):
    """An action of a case's plan. A team member's is an ``actions`` row (``action_id``: its
    words, owner, due date and status are there, and it is nudged like any action); one for
    someone in the network (``network_id``) keeps its words, due date and status here."""

    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("case_network.id"))
    text: Mapped[str | None] = mapped_column(EncryptedText)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    quick_win: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PlanReview(Base):
    """A plan review meeting: who took part, the agreement revisited, each action marked, the
    outcome and the next review date.

    ``participants``: ``{"member": id}`` for a team member, ``{"text": "Mum"}`` for anyone
    else; ``marks``: a plan action's id (as text) to done / carried / dropped."""

    __tablename__ = "plan_reviews"
    __table_args__ = (Index("ix_plan_reviews_case_held", "case_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[list[dict[str, Any]]] = mapped_column(EncryptedJSON)
    agreement: Mapped[str] = mapped_column(EncryptedText)  # "holds", "changed" or "none"
    agreement_note: Mapped[str | None] = mapped_column(EncryptedText)
    marks: Mapped[dict[str, str]] = mapped_column(EncryptedJSON)
    outcome: Mapped[str] = mapped_column(EncryptedText)  # carry_on, step_up, step_down, close
    next_review_on: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseEvaluation(Base):
    """What changed by the end, in words and in numbers, and where the family went next.

    ``impacts``: short lines from the family and agencies; ``counts``: each of the team's
    counts (by name) ``{"start": n, "end": n}``. The aims' scores are on ``plan_aims``, the
    reason for closing on the case."""

    __tablename__ = "case_evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    worker_words: Mapped[str | None] = mapped_column(EncryptedText)
    impacts: Mapped[list[str]] = mapped_column(EncryptedJSON)
    counts: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    stepped_down_to: Mapped[str | None] = mapped_column(EncryptedText)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
