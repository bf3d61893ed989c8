"""Exports (services layer): a person's own data as JSON and PDF, and one case as a PDF.

Who may export what is decided here, from the database: anyone their own data;
a case, the supervisors of its team and the worker who holds it; the command
line (the operator, with the database in hand) any case or person, for copying
into the record or answering a subject access request. Every export is audited
by ids only. Walk-throughs a worker kept to themselves stay out of a case
export made by anyone else, as they stay out of the case's history; the
export says how many were left out.

The files are built in memory and handed back as bytes.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain import bearings as bearings_rules
from bot.domain import cases as case_rules
from bot.domain import export as rules
from bot.domain.errors import Refusal
from bot.domain.flows import AnswerContext, CaseChoice, FlowDefinition, MemberChoice, answer_label
from bot.domain.roles import Role
from bot.services.access import Person, require_person
from bot.services.bearings import names as bearings_names
from bot.services.cases import readable_case
from bot.services.flow_catalogue import catalogue
from bot.services.local_time import member_zone, person_zone
from bot.services.process_records import process_record
from prompts import render
from storage.models import (
    Action,
    AuditEntry,
    BearingsCheck,
    Case,
    Flag,
    Member,
    StuckWalkthrough,
    SupervisionNote,
    Visit,
)
from storage.uow import UnitOfWork

JSON_TYPE, PDF_TYPE = "application/json", "application/pdf"
CHAT, COMMAND_LINE = "chat", "command line"


@dataclass(frozen=True)
class ExportFile:
    """One file of an export, in memory."""

    name: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Exported:
    """What an export produced: its kind, the case's reference (for a case) and its files."""

    kind: str
    reference: str | None
    files: list[ExportFile]


async def export_own_data(uow: UnitOfWork, clock: Clock, *, telegram_user_id: int) -> Exported:
    """/export: everything Bearings holds about the person asking, as JSON and a PDF."""
    person = await require_person(uow, telegram_user_id)
    member = await uow.members.get(person.member_id)
    assert member is not None  # require_person found them
    zone = await member_zone(uow, member)
    return await _personal(uow, clock, member, zone, actor_id=person.member_id, via=CHAT)


async def export_case(
    uow: UnitOfWork,
    clock: Clock,
    *,
    telegram_user_id: int,
    reference: str | None = None,
    case_id: int | None = None,
) -> Exported:
    """/export REF or a case card's Export button: the case as a PDF, for a supervisor of its
    team or the worker who holds it; anyone else is refused without learning if it exists."""
    person = await require_person(uow, telegram_user_id)
    if case_id is None:
        case_id = await _case_id_in_team(uow, person.team_id, reference or "")
    case = await readable_case(uow, person, case_id)
    zone = await person_zone(uow, person)
    return await _case(uow, clock, case, zone, reader=person, via=CHAT)


async def export_case_for_operator(
    uow: UnitOfWork, clock: Clock, *, team_name: str, reference: str
) -> Exported:
    """``bearings export --case REF --team NAME``: the case as a supervisor would get it."""
    team = await uow.teams.by_name(team_name)
    if team is None:
        raise Refusal("team_unknown", name=team_name)
    case = await uow.cases.get(await _case_id_in_team(uow, team.id, reference))
    assert case is not None
    return await _case(uow, clock, case, ZoneInfo(team.timezone), reader=None, via=COMMAND_LINE)


async def export_member_for_operator(
    uow: UnitOfWork, clock: Clock, *, team_name: str, subject_telegram_id: int
) -> Exported:
    """``bearings export --member ID --team NAME``: a subject access request, also for someone
    who has left the team (their record is kept until it is erased). The person is the
    subject, not the one asking: the operator asks."""
    team = await uow.teams.by_name(team_name)
    if team is None:
        raise Refusal("team_unknown", name=team_name)
    member = await uow.members.by_telegram_id(subject_telegram_id)
    if member is None or member.team_id != team.id:
        raise Refusal("export_member_unknown", team=team.name, telegram_user_id=subject_telegram_id)
    zone = await member_zone(uow, member)
    return await _personal(uow, clock, member, zone, actor_id=None, via=COMMAND_LINE)


async def _case_id_in_team(uow: UnitOfWork, team_id: int, reference: str) -> int:
    normal = case_rules.normalise_reference(reference)
    case = (
        await uow.cases.by_reference(team_id, normal)
        if not isinstance(normal, case_rules.ReferenceProblem)
        else None
    )
    if case is None:
        raise Refusal("case_not_yours")
    return case.id


async def _personal(
    uow: UnitOfWork, clock: Clock, member: Member, zone: ZoneInfo, *, actor_id: int | None, via: str
) -> Exported:
    reader = await _Reader.start(uow, clock, member.team_id, zone)
    exports = uow.exports
    cases = await exports.cases_held_by(member.id)
    flags = await exports.flags(worker_id=member.id)
    await reader.load_history([*(f"case:{c.id}" for c in cases), *(f"flag:{f.id}" for f in flags)])
    export = rules.PersonalExport(
        generated_at=reader.now,
        timezone=zone.key,
        member=await reader.member(member),
        cases=[await reader.case(c) for c in cases],
        visits=[await reader.visit(v) for v in await exports.visits(author_id=member.id)],
        supervision_notes=[
            await reader.supervision(n)
            for n in await exports.supervision_notes(member_id=member.id)
        ],
        actions=[await reader.action(a) for a in await exports.actions(owner_id=member.id)],
        flags=[await reader.flag(f) for f in flags],
        stuck_walkthroughs=[
            await reader.walkthrough(w) for w in await exports.walkthroughs(worker_id=member.id)
        ],
        bearings_checks=[reader.check(c) for c in await exports.bearings_checks(member.id)],
    )
    await uow.audit.record(
        at=clock.now(),
        action="export.personal",
        subject=f"member:{member.id}",
        team_id=member.team_id,
        actor_id=actor_id,
        detail={"files": "json,pdf", "via": via},
    )
    json_file = ExportFile(rules.file_name(export, "json"), rules.export_json(export), JSON_TYPE)
    return Exported("personal", None, [json_file, await _pdf(export, "pdf_personal")])


async def _case(
    uow: UnitOfWork, clock: Clock, case: Case, zone: ZoneInfo, *, reader: Person | None, via: str
) -> Exported:
    records = await _Reader.start(uow, clock, case.team_id, zone)
    exports = uow.exports
    flags = await exports.flags(case_id=case.id)
    await records.load_history([f"case:{case.id}", *(f"flag:{f.id}" for f in flags)])
    walks = await exports.walkthroughs(case_id=case.id)
    shown = [
        walk
        for walk in walks
        if (reader is not None and walk.worker_id == reader.member_id)
        or not rules.private_walkthrough(_endings(walk))
    ]
    team = await uow.teams.get(case.team_id)
    export = rules.CaseExport(
        generated_at=records.now,
        timezone=zone.key,
        team=team.name if team else "",
        case=await records.case(case),
        visits=[await records.visit(v) for v in await exports.visits(case_id=case.id)],
        supervision_notes=[
            await records.supervision(n) for n in await exports.supervision_notes(case_id=case.id)
        ],
        actions=[await records.action(a) for a in await exports.actions(case_id=case.id)],
        flags=[await records.flag(f) for f in flags],
        stuck_walkthroughs=[await records.walkthrough(w) for w in shown],
        walkthroughs_private=len(walks) - len(shown),
        process=await process_record(uow, case),
    )
    await uow.audit.record(
        at=clock.now(),
        action="export.case",
        subject=f"case:{case.id}",
        team_id=case.team_id,
        actor_id=reader.member_id if reader is not None else None,
        detail={"files": "pdf", "via": via},
    )
    return Exported("case", case.reference, [await _pdf(export, "pdf_case")])


async def _pdf(export: rules.Export, template: str) -> ExportFile:
    """The readable PDF, laid out off the event loop (a long export takes a moment)."""
    # Imported here, not at the top: fpdf2, fontTools and matplotlib's font path cost the
    # running bot a second of start-up and tens of MiB it only needs when someone exports.
    from bot import pdf

    content = await asyncio.to_thread(
        pdf.document,
        render(template, export=export),
        title=render("pdf_title", export=export),
        footer=render("pdf_footer", export=export),
        created=export.generated_at,
        notice=render("pdf_missing_characters", export=export),
    )
    return ExportFile(rules.file_name(export, "pdf"), content, PDF_TYPE)


def _endings(walk: StuckWalkthrough) -> list[str]:
    return [ending for ending in walk.endings.split(",") if ending]


class _Reader:
    """Turns rows into export records: names looked up once, instants in one time zone,
    answers read back in words as the flows word them."""

    def __init__(
        self,
        uow: UnitOfWork,
        zone: ZoneInfo,
        now: datetime,
        members: Sequence[Member],
        today: date,
    ) -> None:
        self._uow = uow
        self._zone = zone
        self.now = now
        self._names = {m.id: m.display_name for m in members}
        self._members = [MemberChoice(m.id, m.display_name, m.role == Role.WORKER) for m in members]
        self._today = today
        self._references: dict[int, str] = {}
        self._history: dict[str, list[AuditEntry]] = defaultdict(list)
        self._flows = catalogue()

    @classmethod
    async def start(cls, uow: UnitOfWork, clock: Clock, team_id: int, zone: ZoneInfo) -> _Reader:
        """A reader for one team's rows, in ``zone``."""
        members = await uow.members.of_team(team_id, active_only=False)
        now = clock.now().astimezone(zone)
        return cls(uow, zone, now, members, now.date())

    async def load_history(self, subjects: Iterable[str]) -> None:
        """Read the audit entries about these cases and flags, once."""
        for entry in await self._uow.exports.audit_about(list(subjects)):
            self._history[entry.subject].append(entry)

    def local(self, instant: datetime | None) -> datetime | None:
        """An instant in the export's time zone."""
        return instant.astimezone(self._zone) if instant is not None else None

    def _at(self, instant: datetime) -> datetime:
        return instant.astimezone(self._zone)

    async def name(self, member_id: int | None) -> str | None:
        """A member's name (a member of another team, rare, is looked up)."""
        if member_id is None:
            return None
        if member_id not in self._names:
            member = await self._uow.members.get(member_id)
            self._names[member_id] = member.display_name if member else ""
        return self._names[member_id]

    async def _named(self, member_id: int) -> str:
        return await self.name(member_id) or ""

    async def reference(self, case_id: int | None) -> str | None:
        """A case's reference."""
        if case_id is None:
            return None
        if case_id not in self._references:
            case = await self._uow.cases.get(case_id)
            self._references[case_id] = case.reference if case else ""
        return self._references[case_id]

    async def member(self, member: Member) -> rules.MemberRecord:
        """The person's own record."""
        team = await self._uow.teams.get(member.team_id)
        return rules.MemberRecord(
            telegram_user_id=member.telegram_user_id,
            display_name=member.display_name,
            role=member.role,
            team=team.name if team else "",
            timezone=member.timezone,
            joined_at=self._at(member.joined_at),
            active=member.active,
            settings=dict(member.settings or {}),
            away_until=member.away_until,
            away_cover=await self.name(member.away_cover_id),
            telegram_username=member.telegram_username,
        )

    async def case(self, case: Case) -> rules.CaseRecord:
        """A case's reference, stage, dates and stored history."""
        self._references[case.id] = case.reference
        known = case.stage in case_rules.Stage._value2member_map_
        stage = case_rules.Stage(case.stage) if known else None
        return rules.CaseRecord(
            id=case.id,
            reference=case.reference,
            key_worker=await self._named(case.worker_id),
            stage=case.stage,
            stage_label=case_rules.STAGE_LABELS[stage] if stage else case.stage,
            cadence_days=case.cadence_days,
            opened_at=self._at(case.opened_at),
            closed_at=self.local(case.closed_at),
            closing_reason=case.closing_reason,
            last_visit_on=case.last_visit_on,
            next_visit_due=case.next_visit_due,
            next_review_on=case.next_review_on,
            history=await self._events(f"case:{case.id}"),
        )

    async def visit(self, visit: Visit) -> rules.VisitRecord:
        """A visit note, with its earlier wording if it was corrected."""
        risk = self._flows["visit"].step("risk")
        return rules.VisitRecord(
            id=visit.id,
            case_reference=await self.reference(visit.case_id) or "",
            visited_on=visit.visited_on,
            author=await self._named(visit.author_id),
            how_it_went=visit.how_it_went,
            risk_change=visit.risk_change,
            risk_words=answer_label(risk, visit.risk_change),
            next_step=visit.next_step,
            created_at=self._at(visit.created_at),
            updated_at=self._at(visit.updated_at),
            earlier_versions=await self._revisions("visit", visit.id),
        )

    async def supervision(self, note: SupervisionNote) -> rules.SupervisionRecord:
        """A supervision note, its answers in the order they were asked."""
        flow = self._flows["supervision"]
        content = dict(note.content or {})
        context = await self._context(note.case_id)
        return rules.SupervisionRecord(
            id=note.id,
            case_reference=await self.reference(note.case_id),
            held_on=note.held_on,
            kind=note.kind,
            kind_words=answer_label(flow.step("kind"), note.kind),
            worker=await self._named(note.worker_id),
            author=await self._named(note.author_id),
            answers=self._answers(
                flow, {k: v for k, v in content.items() if v is not None}, context
            ),
            created_at=self._at(note.created_at),
            updated_at=self._at(note.updated_at),
            earlier_versions=await self._revisions("supervision", note.id),
        )

    async def action(self, action: Action) -> rules.ActionRecord:
        """An action."""
        return rules.ActionRecord(
            id=action.id,
            case_reference=await self.reference(action.case_id),
            text=action.text,
            owner=await self._named(action.owner_id),
            due_on=action.due_on,
            status=action.status,
            source=action.source.split(":")[0],
            created_by=await self._named(action.created_by_id),
            created_at=self._at(action.created_at),
            done_at=self.local(action.done_at),
        )

    async def flag(self, flag: Flag) -> rules.FlagRecord:
        """A flag, what became of it, and every step of its history."""
        history = await self._events(f"flag:{flag.id}")
        for what, at in (
            ("flag.reminded", flag.reminded_at),
            ("flag.escalated", flag.escalated_at),
        ):
            if at is not None:
                history.append(rules.Event(self._at(at), what, None))
        history.sort(key=lambda event: event.at)
        return rules.FlagRecord(
            id=flag.id,
            case_reference=await self.reference(flag.case_id),
            raised_by=await self._named(flag.worker_id),
            urgency=flag.urgency,
            source=flag.source,
            summary=flag.summary,
            state=flag.state,
            raised_at=self._at(flag.raised_at),
            picked_up_by=await self.name(flag.handled_by_id),
            picked_up_at=self.local(flag.handled_at),
            resolved_by=await self.name(flag.resolved_by_id),
            resolved_at=self.local(flag.resolved_at),
            outcome=flag.outcome,
            reminded_at=self.local(flag.reminded_at),
            escalated_at=self.local(flag.escalated_at),
            history=history,
        )

    async def walkthrough(self, walk: StuckWalkthrough) -> rules.WalkthroughRecord:
        """An "I'm stuck" walk-through, its answers in words."""
        answers = dict(walk.answers or {})
        return rules.WalkthroughRecord(
            id=walk.id,
            case_reference=await self.reference(walk.case_id) or "",
            worker=await self._named(walk.worker_id),
            created_at=self._at(walk.created_at),
            answers=self._answers(self._flows["stuck"], answers, await self._context(walk.case_id)),
            endings=_endings(walk),
        )

    def check(self, row: BearingsCheck) -> rules.CheckRecord:
        """A bearings check, each rating named."""
        check = bearings_rules.Check.from_stored(row.ratings or {})
        words = bearings_names()
        ratings = [
            rules.Rating(key, "element", words[key], value) for key, value in check.elements.items()
        ]
        ratings += [
            rules.Rating(
                key, "balance", words[key], value, words[f"{key}:low"], words[f"{key}:high"]
            )
            for key, value in check.balances.items()
        ]
        ratings += [
            rules.Rating(key, "boundary", words[key], value)
            for key, value in check.boundaries.items()
        ]
        return rules.CheckRecord(
            id=row.id,
            taken_at=self._at(row.taken_at),
            ratings=ratings,
            note=row.note,
            shared_at=self.local(row.shared_at),
        )

    def _answers(
        self, flow: FlowDefinition, answers: dict[str, Any], context: AnswerContext
    ) -> list[rules.Answer]:
        return [
            rules.Answer(
                step.id,
                step.summary or step.id,
                answers[step.id],
                answer_label(step, answers[step.id], context),
            )
            for step in flow.steps
            if step.id in answers
        ]

    async def _context(self, case_id: int | None) -> AnswerContext:
        reference = await self.reference(case_id)
        cases = [CaseChoice(case_id, reference)] if case_id is not None and reference else []
        return AnswerContext(today=self._today, cases=cases, members=self._members)

    async def _events(self, subject: str) -> list[rules.Event]:
        events = []
        for entry in self._history.get(subject, []):
            detail = dict(entry.detail or {})
            for key in ("from", "to"):
                if isinstance(detail.get(key), int):
                    detail[key] = await self.name(detail[key])
            events.append(
                rules.Event(
                    self._at(entry.at), entry.action, await self.name(entry.actor_id), detail
                )
            )
        return events

    async def _revisions(self, kind: str, note_id: int) -> list[rules.Revision]:
        return [
            rules.Revision(
                self._at(revision.changed_at),
                await self._named(revision.changed_by_id),
                dict(revision.previous or {}),
            )
            for revision in await self._uow.notes.revisions(kind, note_id)
        ]
