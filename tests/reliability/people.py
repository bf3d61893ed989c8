"""People for the battery: a seeded crowd of workers with cases, and the journeys they walk.

A journey is a list of steps (how, what, expect): type ``what`` or tap the button labelled
``what``, then wait for the bot's new message containing ``expect``. Waiting for the *next*
step's words (not just any new message) keeps a person on track when a crash makes the bot
say something twice. When the bot answers "please send it again" (its database was busy),
the person does just that, and the step counts it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.domain.roles import Role
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services import onboarding, team_admin
from prompts import render
from storage.db import Database
from storage.models import Case
from tests.e2e.test_stuck import WALK as STUCK_WALK

SUPERVISOR_ID = 1001
CROWD_TEAM = "Battery Team"
ROUND_THE_CLOCK = {"quiet_start": "00:00", "quiet_end": "00:00", "working_days": "1234567"}
FIRST_WORKER_ID = 20_000
TRY_AGAIN = render("try_again").splitlines()[0]
Step = tuple[str, str, str]


@dataclass(frozen=True)
class Worker:
    """A seeded worker: Telegram id, display name, and their cases' references."""

    user_id: int
    name: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Crowd:
    """A team of one supervisor and many workers, each with open cases."""

    supervisor: int
    workers: tuple[Worker, ...]


async def seed_crowd(
    database: Database, clock: Clock, *, workers: int, cases_each: int = 1
) -> Crowd:
    """One team (supervisor Sam) with ``workers`` workers, joined through the real invites,
    each with ``cases_each`` cases whose visit is due today.

    The bot under test runs on the real clock, so the team works round the clock, every day
    (as an out-of-hours duty team does): nothing it owes waits for the morning, whenever
    the battery runs."""
    people = []
    async with database.unit_of_work() as uow:
        first = await onboarding.create_team(
            uow, clock, name=CROWD_TEAM, timezone="Europe/London", invite_ttl_days=7
        )
        for key, value in ROUND_THE_CLOCK.items():
            await team_admin.set_team_setting(uow, clock, name=CROWD_TEAM, key=key, value=value)
        await onboarding.join_team(
            uow,
            clock,
            token=first.token,
            telegram_user_id=SUPERVISOR_ID,
            display_name="Sam Supervisor",
        )
        today = clock.now().date()
        for number in range(workers):
            user_id = FIRST_WORKER_ID + number
            name = f"Worker {number:04d}"
            invite = await onboarding.create_invite(
                uow, clock, telegram_user_id=SUPERVISOR_ID, role=Role.WORKER, invite_ttl_days=7
            )
            person = await onboarding.join_team(
                uow, clock, token=invite.token, telegram_user_id=user_id, display_name=name
            )
            references = tuple(f"W{number:04d}-{n}" for n in range(cases_each))
            for reference in references:
                uow.session.add(
                    Case(
                        team_id=person.team_id,
                        reference=reference,
                        worker_id=person.member_id,
                        stage="engagement",
                        cadence_days=7,
                        next_visit_due=today,
                        opened_at=clock.now(),
                    )
                )
            people.append(Worker(user_id, name, references))
    return Crowd(SUPERVISOR_ID, tuple(people))


def plain(fragment: str) -> str:
    """A fragment of a question as the person reads it (no HTML tags)."""
    return re.sub(r"</?[a-z]+>", "", fragment)


@dataclass
class Person:
    """Someone in a private chat with the bot, walking journeys step by step."""

    emulator: BotApiEmulator
    user_id: int
    first_name: str
    timeout: float = 30.0
    spans: list[tuple[float, float]] = field(default_factory=list)
    """Each step's (sent, answered) moments, time.monotonic."""
    tries_again: int = 0

    @property
    def latencies(self) -> list[float]:
        """Each step's reply time in seconds."""
        return [answered - sent for sent, answered in self.spans]

    async def step(self, how: str, what: str, expect: str) -> ChatMessage:
        """Type or tap, then wait for the bot's new message containing ``expect``."""
        wanted = plain(expect)
        while True:
            after = self.emulator.bot_message_count(self.user_id)
            began = time.monotonic()
            if how == "type":
                self.emulator.send_message(self.user_id, what, first_name=self.first_name)
            else:
                # A person presses a button once they see it (after a restart it may be on
                # its way again).
                await self.emulator.wait_until(lambda: self._has_button(what), timeout=self.timeout)
                self.emulator.press_button(self.user_id, what)
            reply = await self.emulator.wait_for_bot_message(
                self.user_id,
                lambda m: wanted in m.text or TRY_AGAIN in m.text,
                after=after,
                timeout=self.timeout,
            )
            self.spans.append((began, time.monotonic()))
            if wanted in reply.text:
                return reply
            self.tries_again += 1  # the bot kept nothing: say it again

    async def walk(self, steps: Sequence[Step]) -> ChatMessage:
        """Walk every step; return the bot's last message."""
        reply: ChatMessage | None = None
        for how, what, expect in steps:
            reply = await self.step(how, what, expect)
        assert reply is not None
        return reply

    async def press(self, label: str, expect: str) -> ChatMessage:
        """Press a button on a message the bot then edits in place; wait for the edit
        (whose text or buttons contain ``expect``)."""
        await self.emulator.wait_until(lambda: self._has_button(label), timeout=self.timeout)
        message = self._with_button(label)
        data = message.button(label).callback_data
        assert data is not None
        began = time.monotonic()
        self.emulator.press(self.user_id, message.message_id, data)
        wanted = plain(expect)
        edited = await self.emulator.wait_for_edit(
            self.user_id,
            message.message_id,
            predicate=lambda m: wanted in m.text or any(wanted in label for label in m.labels),
            timeout=self.timeout,
        )
        self.spans.append((began, time.monotonic()))
        return edited

    def messages(self) -> list[ChatMessage]:
        """Every message the bot sent this person (deleted ones excepted)."""
        return self.emulator.bot_messages(self.user_id)

    def repeats(self) -> int:
        """Messages the bot sent this person more than once, word for word ("please send it
        again" aside: the person is meant to see that each time)."""
        counts = Counter(m.text for m in self.messages() if TRY_AGAIN not in m.text)
        return sum(n - 1 for n in counts.values())

    def _has_button(self, label: str) -> bool:
        needle = label.casefold()
        return any(needle in text.casefold() for m in self.messages() for text in m.labels)

    def _with_button(self, label: str) -> ChatMessage:
        for message in reversed(self.messages()):
            if any(label.lower() in text.lower() for text in message.labels):
                return message
        raise AssertionError(f"no message in chat {self.user_id} has a button {label!r}")


def visit(reference: str, how: str, next_step: str) -> list[Step]:
    """/visit: a note of today's visit to a case."""
    return [
        ("type", "/visit", "Which case did you visit"),
        ("tap", reference, "When was the visit"),
        ("tap", "Today", "How did it go"),
        ("type", how, "has the risk changed"),
        ("tap", "Same", "next step"),
        ("type", next_step, "Saved your visit"),
    ]


def stuck(reference: str, owner: str) -> list[Step]:
    """/stuck: the whole walk-through the end-to-end test takes, on this case, with the
    next step given to ``owner``."""
    swap = {"FAM-0142": reference, "Alex Worker": owner}
    steps: list[Step] = [("type", "/stuck", "immediate risk")]
    for how, what, expect in STUCK_WALK:
        steps.append((how, swap.get(what, what), expect.replace("FAM-0142", reference)))
    return steps


def new_case(reference: str) -> list[Step]:
    """/newcase with no review date."""
    return [
        ("type", "/newcase", "case reference"),
        ("type", reference, "Which stage"),
        ("tap", "Engagement", "How often will you visit"),
        ("tap", "Every week", "next plan review"),
        ("tap", "Skip", "Added"),
    ]


def supervision(reference: str, owner: str) -> list[Step]:
    """/supervision about a case, with one action."""
    return [
        ("type", "/supervision", "Which case was it about"),
        ("tap", reference, "When did you meet"),
        ("tap", "Today", "What kind of conversation"),
        ("tap", "Thinking Together", "Who was the supervisor"),
        ("tap", "Sam Supervisor", "Mark the task"),
        ("type", "Decide about the school plan", "State the case"),
        ("tap", "Skip", "The feelings"),
        ("type", "Worried <b>but</b> steady & clear", "young person"),
        ("tap", "Skip", "the family"),
        ("tap", "Skip", "the network"),
        ("tap", "Skip", "Have the risks changed"),
        ("tap", "Same", "risks now"),
        ("tap", "Skip", "strengths"),
        ("tap", "Skip", "family's view"),
        ("tap", "Skip", "What did you come away with"),
        ("tap", "A decision", "What was decided"),
        ("type", "Wait a week, the family asked for time", "actions from last time"),
        ("tap", "Skip", "first action"),
        ("type", "Call the school", "Who will do it"),
        ("tap", owner, "By when"),
        ("tap", "Tomorrow", "Another action"),
        ("tap", "No", "escalating"),
        ("tap", "No", "next come back"),
        ("tap", "Skip", "Saved the supervision note"),
    ]


def bearings() -> list[Step]:
    """/bearings: eight elements at 4, both balances at 3, no boundaries, no note."""
    asks = ["connected", "their own people", "The family · risk", "whole of life", "joining up"]
    asks += ["local know-how", "Learning · evidence", "their lead or your steer"]
    asks += ["where your time goes", "Five more quick ones"]
    taps = ["4"] * 8 + ["3", "3"]
    steps: list[Step] = [("type", "/bearings", "one-to-one trust")]
    steps += [("tap", rating, ask) for rating, ask in zip(taps, asks, strict=True)]
    steps.append(("tap", "No, that's it", "Anything you'd like to note"))
    steps.append(("tap", "No note", "This check is just for you"))
    return steps


def flag(reference: str, reason: str) -> list[Step]:
    """Flag a case to the supervisors from the case card (after ``open_case``)."""
    return [
        ("tap", "Flag to supervisor", "How soon"),
        ("tap", "This week", "what do you need from them"),
        ("type", reason, "Flagged"),
    ]


def away(cover: str) -> list[Step]:
    """/away until Friday with a cover, then /back."""
    return [
        ("type", "/away", "Until when"),
        ("type", "fri", "Who's covering"),
        ("tap", cover, "paused until"),
        ("type", "/back", "Welcome back"),
    ]


def settings() -> list[Step]:
    """/settings: nudges at 10:00."""
    return [
        ("type", "/settings", "What would you like to change"),
        ("tap", "When my nudges come", "What time"),
        ("tap", "10:00", "Nudges come at 10:00"),
    ]


async def flag_case(person: Person, reference: str, reason: str) -> ChatMessage:
    """Open the case from /cases and flag it (this week)."""
    await person.step("type", "/cases", "Your cases")
    await person.press(reference, "Flag to supervisor")
    return await person.walk(flag(reference, reason))


Journey = Callable[[Person], Awaitable[object]]


def every_flow(worker: Worker, tag: str = "") -> dict[str, Journey]:
    """Every flow, as this worker walks it, by name (``tag`` makes the new case's
    reference unique when a worker adds cases again and again)."""
    case = worker.cases[0]
    return {
        "newcase": lambda p: p.walk(new_case(f"N{worker.user_id}{tag}")),
        "visit": lambda p: p.walk(visit(case, "Went well", "Call school")),
        "supervision": lambda p: p.walk(supervision(case, "Me")),
        "stuck": lambda p: p.walk(stuck(case, "Me")),
        "bearings": lambda p: p.walk(bearings()),
        "flag": lambda p: flag_case(p, case, f"Steer on {case}"),
        "away": lambda p: p.walk(away("Sam Supervisor")),
        "settings": lambda p: p.walk(settings()),
    }
