"""Forged buttons: for every kind of button the bot answers, someone else's id pressed.

``FORGED`` has a row for each kind of button (bot/domain/buttons.py, by prefix; a new
kind without a row fails), plus the catch-all for anything else, mutated data included.
Each row forges button data of the right shape carrying one of Alex's ids
(tests/access_world.py) and names who presses it and the refusal they must get:
``already_done`` is the quiet "that button has been dealt with" answer on the button
itself; any other code is its refusal message.
Rows for buttons that carry no id (``cl``, ``fc``, ``jx``, ``bgt``, ``tmp``) act on the
presser's own things, so they expect no refusal, only that nothing of Alex's is
shown and nothing changes. A few rows forge the other parts of a button: Kim
answering their own question with Alex's case, Alex naming a flow that does
not exist, Kim dropping their own flow to start one with Alex's flag or note.

After every press: the press was answered, nothing went wrong, nothing the
presser was shown carries Alex's case reference or words, and every table but
the inbox holds what it held before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from telegram.ext import CallbackQueryHandler

from bot.app import Bearings
from bot.clock import MovableClock
from bot.domain import buttons
from bot.sandbox.emulator import BotApiEmulator
from bot.services import flows
from prompts import render
from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories.outbox import PENDING, SENDING
from tests.access_world import MARKERS, REFERENCE, Snapshot, Who, World, build_world, snapshot
from tests.e2e.conftest import Chatter
from tests.waiting import eventually

CATCH_ALL = "(anything else)"
OPEN_WEEK = date(2026, 11, 23).toordinal()
CLOSED_WEEK = date(2026, 10, 5).toordinal()
"""Weeks of the engagement check: the world's own, and one long closed."""
QUIET = "already_done"


@dataclass(frozen=True)
class Forgery:
    """Who presses what, and the refusal they must get (None: their own things, no refusal)."""

    who: Who
    data: Callable[[Scene], str]
    refusal: str | None


@dataclass(frozen=True)
class Scene(World):
    """Alex's things, and Kim's own visit note in progress, waiting for a case."""

    colleague_session: int
    colleague_version: int


async def build_scene(database: Database, clock: MovableClock) -> Scene:
    """The access world, and Kim starting /visit (the case question is their open step)."""
    world = await build_world(database, clock)
    async with database.unit_of_work() as uow:
        await flows.start_flow(uow, clock, telegram_user_id=Who.COLLEAGUE.value, flow_name="visit")
        session = await uow.flows.open_for(world.colleague_member)
        assert session is not None and session.step == "case"
        return Scene(
            **asdict(world), colleague_session=session.id, colleague_version=session.version
        )


def _kim_drops_for(scene: Scene, flow_and_prefill: str) -> str:
    """ "Drop it and start ..." on Kim's own open flow, naming what to start instead."""
    return f"fd:{scene.colleague_session}:{scene.colleague_version}:{flow_and_prefill}"


def colleague_and_other_supervisor(data: Callable[[Scene], str], refusal: str) -> list[Forgery]:
    """The usual pair of forgers: another worker of the team, a supervisor of another team."""
    return [Forgery(Who.COLLEAGUE, data, refusal), Forgery(Who.OTHER_SUPERVISOR, data, refusal)]


def everyone_else(data: Callable[[Scene], str], refusal: str) -> list[Forgery]:
    """Also the team's supervisor (for things only their owner may touch)."""
    return [
        *colleague_and_other_supervisor(data, refusal),
        Forgery(Who.SUPERVISOR, data, refusal),
    ]


FORGED: dict[str, list[Forgery]] = {
    "j": [
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"j:{w.invite_token}", "already_member"),
        Forgery(Who.STRANGER, lambda w: "j:" + "A" * 43, "invite_unknown"),
    ],
    "jx": [Forgery(Who.STRANGER, lambda w: "jx", None)],
    "inv": [Forgery(Who.COLLEAGUE, lambda w: "inv:supervisor", "supervisors_only")],
    "f": [
        *everyone_else(lambda w: f"f:{w.session}:{w.session_version}:d2026-11-23", QUIET),
        # Kim's own question, answered with Alex's case.
        Forgery(
            Who.COLLEAGUE,
            lambda w: f"f:{w.colleague_session}:{w.colleague_version}:c{w.case}",
            QUIET,
        ),
    ],
    "fk": everyone_else(lambda w: f"fk:{w.session}:{w.session_version}", QUIET),
    "fd": [
        *everyone_else(lambda w: f"fd:{w.session}:{w.session_version}:bearings:", QUIET),
        # Kim's own open flow dropped for a flow started with someone else's flag or note,
        # or with an answer no button of the bot's carries.
        Forgery(
            Who.COLLEAGUE,
            lambda w: _kim_drops_for(w, f"flag_resolve:flag={w.flag}"),
            "supervisors_only",
        ),
        Forgery(
            Who.COLLEAGUE,
            lambda w: _kim_drops_for(w, f"note_correction:note=v.{w.visit}.0"),
            "note_not_yours",
        ),
        Forgery(Who.COLLEAGUE, lambda w: _kim_drops_for(w, "visit:how=Forged"), QUIET),
    ],
    "dr": everyone_else(lambda w: f"dr:{w.draft}", QUIET),
    "dx": everyone_else(lambda w: f"dx:{w.draft}", QUIET),
    "dn": [
        *everyone_else(lambda w: f"dn:{w.draft}:stuck:", QUIET),
        # Alex's own draft, with a flow name that names no flow: the draft stays.
        Forgery(Who.OWNER, lambda w: f"dn:{w.draft}:nosuchflow:", QUIET),
    ],
    "cf": [
        *colleague_and_other_supervisor(lambda w: f"cf:visit:{w.case}", "case_not_yours"),
        Forgery(Who.OWNER, lambda w: f"cf:nosuchflow:{w.case}", QUIET),
    ],
    "cc": colleague_and_other_supervisor(lambda w: f"cc:{w.case}", "case_not_yours"),
    "cl": [Forgery(Who.COLLEAGUE, lambda w: "cl", None)],
    "ra": [
        Forgery(Who.COLLEAGUE, lambda w: f"ra:{w.case}", "supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"ra:{w.case}", "case_not_yours"),
    ],
    "rw": colleague_and_other_supervisor(
        lambda w: f"rw:{w.case}:{w.colleague_member}", "supervisors_only"
    ),
    "ad": colleague_and_other_supervisor(lambda w: f"ad:{w.action}", "action_not_yours"),
    "fl": [
        Forgery(Who.COLLEAGUE, lambda w: f"fl:ack:{w.flag}", "supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"fl:ack:{w.flag}", "flag_not_yours"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"fl:resolve:{w.flag}", "flag_not_yours"),
    ],
    "sk": everyone_else(lambda w: f"sk:{w.walkthrough}:agenda", QUIET),
    "ag": colleague_and_other_supervisor(lambda w: f"ag:{w.owner_member}", "agenda_not_yours"),
    # A case's weekly engagement: its holder or their supervisor; a week long closed: refused.
    "eg": colleague_and_other_supervisor(
        lambda w: f"eg:{w.case}:{OPEN_WEEK}:engaged", "case_not_yours"
    ),
    "ei": [
        Forgery(Who.COLLEAGUE, lambda w: f"ei:{CLOSED_WEEK}:no", "engagement_check_closed"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"ei:{CLOSED_WEEK}:yes", "engagement_check_closed"),
    ],
    # The team meeting's items: the presser's own team's, supervisors only.
    "tmd": [
        Forgery(Who.COLLEAGUE, lambda w: "tmd:99999", "supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: "tmd:99999", None),
    ],
    "at": [
        Forgery(Who.COLLEAGUE, lambda w: f"at:all:{w.supervision}", "agenda_not_yours"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"at:all:{w.supervision}", QUIET),
    ],
    "nd": everyone_else(lambda w: f"nd:{w.nudge}:snooze", QUIET),
    "fc": [Forgery(Who.OTHER_SUPERVISOR, lambda w: "fc", None)],
    "cn": colleague_and_other_supervisor(lambda w: f"cn:{w.case}", "case_not_yours"),
    "nv": colleague_and_other_supervisor(lambda w: f"nv:v:{w.visit}", "note_not_yours"),
    "nx": [
        *colleague_and_other_supervisor(lambda w: f"nx:v:{w.visit}:0", "note_not_yours"),
        Forgery(Who.SUPERVISOR, lambda w: f"nx:v:{w.visit}:0", "note_correction_closed"),
    ],
    "bgs": everyone_else(lambda w: f"bgs:{w.check}", QUIET),
    "bga": everyone_else(lambda w: f"bga:{w.check}", QUIET),
    "bgt": [
        Forgery(Who.COLLEAGUE, lambda w: "bgt", "supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: "bgt", None),
    ],
    # The other team's supervisor pressing it gets their own team's picture, and that read
    # is audited (a change): tests/e2e/test_reports.py.
    "tmp": [Forgery(Who.COLLEAGUE, lambda w: "tmp", "supervisors_only")],
    "bgv": colleague_and_other_supervisor(lambda w: f"bgv:{w.check}", "bearings_not_shared"),
    "ce": colleague_and_other_supervisor(lambda w: f"ce:{w.case}", "case_not_yours"),
    "cpm": colleague_and_other_supervisor(lambda w: f"cpm:{w.case}", "case_not_yours"),
    "cpv": [
        *colleague_and_other_supervisor(lambda w: f"cpv:{w.case}:plan", "case_not_yours"),
        Forgery(Who.OWNER, lambda w: f"cpv:{w.case}:nosuchpart", QUIET),
    ],
    "cpr": colleague_and_other_supervisor(lambda w: f"cpr:{w.case}:0", "case_not_yours"),
    # Erasure acts only on the presser's own account: a stranger has none; Kim's press
    # naming a supervisor other than the one the plan passes cases to only asks again.
    "fm": [
        Forgery(Who.STRANGER, lambda w: f"fm:{w.owner_member}", QUIET),
        Forgery(Who.COLLEAGUE, lambda w: f"fm:{w.former_member}", None),
    ],
    "fmx": [Forgery(Who.COLLEAGUE, lambda w: "fmx", None)],
    # Pages of lists: the presser's own lists only; another worker's cases (a supervisor's
    # filter) or a list name that does not exist are refused.
    "lp": [
        Forgery(Who.COLLEAGUE, lambda w: "lp:cases:1::0", None),
        Forgery(Who.COLLEAGUE, lambda w: f"lp:cases:0::{w.owner_member}", None),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"lp:cases:0::{w.owner_member}", QUIET),
        Forgery(Who.COLLEAGUE, lambda w: "lp:case_workers:0", "supervisors_only"),
        Forgery(Who.COLLEAGUE, lambda w: "lp:nosuchlist:0", QUIET),
    ],
    # Sam's caseload file, waiting for their Confirm: nobody else can import or drop it.
    "ci": [
        Forgery(Who.COLLEAGUE, lambda w: f"ci:{w.pending_import}", "import_supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: f"ci:{w.pending_import}", "import_gone"),
        Forgery(Who.STRANGER, lambda w: f"ci:{w.pending_import}", "not_a_member"),
    ],
    "cix": colleague_and_other_supervisor(lambda w: f"cix:{w.pending_import}", "import_gone"),
    # Managing people: a supervisor of the team only; another team's supervisor finds nobody.
    **{
        prefix: [
            Forgery(Who.COLLEAGUE, data, "supervisors_only"),
            Forgery(Who.OTHER_SUPERVISOR, data, "member_gone"),
        ]
        for prefix, data in (
            ("mb", lambda w: f"mb:{w.owner_member}"),
            ("mro", lambda w: f"mro:{w.owner_member}:supervisor"),
            ("mrm", lambda w: f"mrm:{w.owner_member}"),
            ("mcb", lambda w: f"mcb:{w.owner_member}"),
            ("mhc", lambda w: f"mhc:{w.owner_member}:{w.case}:{w.colleague_member}"),
            ("mrx", lambda w: f"mrx:{w.owner_member}:{w.colleague_member}"),
            ("mry", lambda w: f"mry:{w.owner_member}:{w.colleague_member}"),
        )
    },
    "ivx": [
        Forgery(Who.COLLEAGUE, lambda w: "ivx:1", "supervisors_only"),
        Forgery(Who.OTHER_SUPERVISOR, lambda w: "ivx:1", QUIET),
    ],
    CATCH_ALL: [
        Forgery(Who.COLLEAGUE, lambda w: f"zz:{w.case}", QUIET),
        # Known prefixes with mutated parts: refused as stale, never "something went wrong".
        Forgery(Who.OWNER, lambda w: "cf:case_review:1e9", QUIET),
        Forgery(Who.OWNER, lambda w: f"cf::stuck::{w.case}", QUIET),
        Forgery(Who.OWNER, lambda w: "cn::1", QUIET),
        Forgery(Who.OWNER, lambda w: f"cc:{w.case}:{w.case}", QUIET),
        Forgery(Who.OWNER, lambda w: "nd:1:d2026-02-30", QUIET),
        Forgery(Who.OWNER, lambda w: "cc:99999999999999999999", QUIET),
    ],
}


def button_handlers(bearings: Bearings) -> list[CallbackQueryHandler[Any, Any]]:
    """The running bot's handlers of button presses."""
    return [
        handler
        for handlers in bearings.application.handlers.values()
        for handler in handlers
        if isinstance(handler, CallbackQueryHandler)
    ]


async def settled(database: Database) -> Snapshot:
    """Once the outbox has delivered what the world owed, every table but the inbox and the
    periodic job's record of its runs (read on
    a plain connection, so the running bot's writes are not held up)."""

    async def drained() -> bool:
        async with database.engine.connect() as connection:
            waiting = await connection.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([PENDING, SENDING]))
            )
        return not waiting

    await eventually(drained)
    async with database.engine.connect() as connection:
        return await snapshot(connection, leave_out=("inbox", "job_runs"))


async def test_every_kind_of_button_has_a_forged_row(bot: Bearings) -> None:
    assert set(FORGED) == set(buttons.kinds()) | {CATCH_ALL}
    # Every press goes through the one router, which parses it and routes it by its kind
    # (tests/unit/test_buttons.py checks the routing table covers every kind).
    (router,) = button_handlers(bot)
    assert router.pattern is None


async def test_forged_buttons_are_refused_politely_and_change_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    world = await build_scene(database, clock)
    forgers = {forgery.who for forgeries in FORGED.values() for forgery in forgeries}
    chatters = {who: Chatter(emulator, who.value, who.name.title()) for who in forgers}
    pressable = {who: (await chatter.send("/help")).message_id for who, chatter in chatters.items()}
    before = await settled(database)
    crashes = {render("something_went_wrong"), render("try_again")}
    wrong: list[str] = []
    for pattern, forgeries in FORGED.items():
        for forgery in forgeries:
            data, chatter = forgery.data(world), chatters[forgery.who]
            seen = len(emulator.bot_messages(chatter.user_id))
            answer = await chatter.press_data(pressable[forgery.who], data)
            said = [m.html or m.text for m in emulator.bot_messages(chatter.user_id)[seen:]]
            shown = [*said, str(answer.get("text") or "")]
            where = f"{forgery.who.name} pressing {data!r} ({pattern})"
            if crashes & set(said):
                wrong.append(f"{where}: something went wrong")
            words = (REFERENCE, *MARKERS.values()) if forgery.who is not Who.OWNER else ()
            if any(word in text for text in shown for word in words):
                wrong.append(f"{where}: was shown Alex's things")
            if forgery.refusal == QUIET and answer.get("text") != render("button_done"):
                wrong.append(f"{where}: not answered 'already dealt with' ({answer})")
            elif forgery.refusal not in (None, QUIET) and (
                render(f"refusal_{forgery.refusal}") not in said
            ):
                wrong.append(f"{where}: no {forgery.refusal} refusal in {said}")
            if await settled(database) != before:
                wrong.append(f"{where}: changed the database")
                before = await settled(database)
    assert wrong == [], "\n".join(wrong)
