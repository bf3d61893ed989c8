"""Every flow's pickers on a team at its real size (issue 18, items 3 and 6), over the emulator.

A key worker has fifteen cases and a supervisor the team's 120: a picker that shows eight of
them, or shows them alphabetically, or pages back to the whole list after a reference was
typed, leaves someone unable to note the visit they have just made. So for a worker and for
the supervisor each flow with a case or member question is started, its picker paged to the
last page, and every case or member must be there exactly once, in the order the issue asks
(cases soonest visit due first; members "Me" first), with nothing of South Team and no
request the emulator (Telegram's limits) refuses. Typing part of a reference or of a name
offers the matches, a page at a time; a choice on the last page is the one the flow uses.

The flows whose case comes with a case's card (flag, review date, stage, close, reassign)
have the caseload as their picker: it is paged to its last page, a case chosen there, and
each flow started from that card must name it.

The big team is seeded once per test function (about 2 s); each test drives several flows.
"""

from __future__ import annotations

from datetime import date

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from tests.big_team import SUPERVISOR_NAME, BigTeam, seed_big_team
from tests.e2e.big_team_helpers import labels, page_through, refused
from tests.e2e.conftest import Chatter

STEP = " · step "
"""In every flow question ("Visit note · step 1 of 5"), in no note said beside one."""


def fold(text: str) -> str:
    """A reference as typing matches it: letters and digits, one case."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


async def due_order(database: Database, team: BigTeam, telegram_user_id: int) -> list[str]:
    """The cases a person's case pickers offer, soonest visit due first (then by reference):
    a worker's own open cases, a supervisor's whole team's."""
    async with database.unit_of_work() as uow:
        member = await uow.members.get(team.member_ids[telegram_user_id])
        assert member is not None
        found = (
            await uow.cases.open_for_team(member.team_id)
            if telegram_user_id == team.supervisor
            else await uow.cases.open_for_worker(member.id)
        )
    ordered = sorted(found, key=lambda c: (c.next_visit_due or date.max, c.reference.casefold()))
    return [case.reference for case in ordered]


def member_order(
    team: BigTeam, me: int, *, concerned: int | None = None, workers_only: bool = False
) -> list[str]:
    """The names a member picker offers: "Me" first, then the worker the flow is about, then
    the rest of North Team by name."""
    people = [*(() if workers_only else (team.supervisor,)), *team.workers]
    people.sort(key=lambda p: (p != me, p != concerned, team.names[p].casefold()))
    return ["Me" if p == me else team.names[p] for p in people]


async def walk(
    person: Chatter, question: ChatMessage, until: str, answers: dict[str, str] | None = None
) -> ChatMessage:
    """Answer a flow's questions until the one whose text holds ``until``: a button whose label
    an ``answers`` entry gives for a question holding its key (else typed text), else Skip."""
    for _ in range(40):
        if until in question.text:
            return question
        reply = next((a for key, a in (answers or {}).items() if key in question.text), "Skip")
        if reply in question.labels:
            question = await person.tap_until(reply, STEP)
        else:
            question = await person.send_until(reply, STEP)
    raise AssertionError(f"never reached {until!r}: {question.text}")


async def picker(person: Chatter, question: ChatMessage, expected: list[str]) -> ChatMessage:
    """Page a case or member question to its last page: each of ``expected`` once, in that
    order; returns the last page."""
    pages = await page_through(person, question)
    assert labels(pages) == expected  # a case's button is its reference, a member's the name
    if len(expected) > 8:
        assert "Page 1 of" in pages[0].text
    assert "Or type" in pages[0].text
    return pages[-1]


async def typed(person: Chatter, fragment: str, expected: list[str]) -> list[ChatMessage]:
    """Type part of a reference or a name at a picker: the matches, every page of them."""
    pages = await page_through(person, await person.send_until(fragment, STEP))
    assert labels(pages) == expected, (fragment, labels(pages))
    assert f"“{fragment}”" in pages[0].text
    return pages


async def test_a_workers_case_and_member_pickers_reach_everything_in_order(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team: BigTeam = await seed_big_team(database, clock)
    worker = team.workers[7]  # Tom Reid: fifteen cases, one with a reference at the limit
    person = Chatter(emulator, worker, "Tom")
    mine = await due_order(database, team, worker)
    assert sorted(mine) == sorted(team.cases[worker]) and len(mine) == 15

    # /visit: the last page's last case, through to the saved note.
    last = await picker(person, await person.send("/visit"), mine)
    chosen = mine[-1]
    assert chosen in last.labels
    question = await person.tap_until(chosen, STEP)
    assert "When was the visit" in question.text
    question = await walk(person, question, "How did it go", {"When was": "Today"})
    question = await person.send_until("Went fine.", STEP)
    question = await walk(person, question, "next step", {"risk changed": "➡ Same"})
    saved = await person.tap_until("Skip", "Saved your visit")
    assert f"Saved your visit to {chosen}" in saved.text

    # /stuck: its case question, part of a reference typed, then its member question.
    question = await walk(person, await person.send("/stuck"), "Which case?", {"risk": "No"})
    await picker(person, question, mine)
    fragment = "fam-01"
    matches = [r for r in mine if fold(fragment) in fold(r)]
    assert 1 < len(matches) < len(mine)
    await typed(person, fragment, matches)
    long_reference = next(r for r in mine if r in team.long_references)
    await typed(person, long_reference[-9:-3], [long_reference])
    question = await walk(
        person,
        await person.tap_until(long_reference, STEP),
        "Who does it?",
        {"What's the next step": "Ring the school", "Which other agency": "No other agencies"},
    )
    everyone = member_order(team, worker, concerned=worker)
    assert everyone[0] == "Me" and len(everyone) == 9
    last = await picker(person, question, everyone)
    assert everyone[-1] in last.labels
    question = await person.tap_until(everyone[-1], STEP)
    question = await walk(person, question, "Did you get what you needed", {"By when": "Tomorrow"})
    summary = await person.tap_until("Yes", "I'm stuck ·")
    assert long_reference in summary.text and f"– {everyone[-1]}" in summary.text

    # /supervision: its case question, then (an action agreed) its owner question.
    question = await person.send("/supervision")
    await picker(person, question, mine)
    await typed(person, mine[3][-3:], [r for r in mine if fold(mine[3][-3:]) in fold(r)])
    question = await walk(
        person,
        await person.tap_until(mine[3], STEP),
        "Who will do it?",
        {
            "When did you meet": "Today",
            "What kind": "One-to-one",
            "Who was the supervisor": SUPERVISOR_NAME,
            "Mark the task": "Plan the review",
            "risks changed": "➡ Same",
            "come away with": "A decision",
            "first action": "Book the family meeting",
        },
    )
    await picker(person, question, everyone)
    await person.send("/cancel")

    # /away: who covers (never oneself), part of a name typed.
    question = await walk(
        person, await person.send("/away"), "Who's covering", {"Until": "Tomorrow"}
    )
    others = [name for name in everyone if name != "Me"]
    await picker(person, question, others)
    await typed(person, "pri", ["Priya Raghunathan"])
    await typed(person, "al", ["Alex Morgan"])
    away = await person.tap_until("Alex Morgan", "nudges are paused")
    assert "Alex Morgan gets the nudges" in away.text

    assert refused(emulator) == []


async def test_the_supervisors_case_and_member_pickers_reach_the_whole_team_in_order(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team: BigTeam = await seed_big_team(database, clock)
    sam = Chatter(emulator, team.supervisor, "Sam")
    whole = await due_order(database, team, team.supervisor)
    assert sorted(whole) == sorted(team.references)  # all 120, nothing of South Team

    # /visit: the whole team's cases; part of a reference typed, its matches paged too.
    await picker(sam, await sam.send("/visit"), whole)
    fragment = "fam-01"
    matches = [r for r in whole if fold(fragment) in fold(r)]
    assert len(matches) > 8  # more than a page
    await typed(sam, fragment, matches)
    nothing = await sam.send_until("STH-00", STEP)  # South Team's references match nothing here
    assert not any(label.startswith("STH") for label in nothing.labels)
    await sam.send("/cancel")

    # /stuck: the same 120, and a case on the last page chosen.
    question = await walk(sam, await sam.send("/stuck"), "Which case?", {"risk": "No"})
    last = await picker(sam, question, whole)
    assert whole[-1] in last.labels
    question = await sam.tap_until(whole[-1], STEP)
    assert "where exactly are you stuck" in question.text
    answered = next(
        m for m in emulator.bot_messages(sam.user_id) if m.message_id == last.message_id
    )
    assert f"✓ {whole[-1]}" in answered.text  # the picker, answered with the chosen case
    await sam.send("/cancel")

    # /supervision for a case: its action's owner, "Me", then the case's worker, then the rest.
    last = await picker(sam, await sam.send("/supervision"), whole)
    chosen = whole[-1]
    concerned = team.worker_of(chosen)
    question = await walk(
        sam,
        await sam.tap_until(chosen, STEP),
        "Who will do it?",
        {
            "When did you meet": "Today",
            "What kind": "One-to-one",
            "Who was the supervisor": "Me",
            "Mark the task": "Plan the review",
            "risks changed": "➡ Same",
            "come away with": "A decision",
            "first action": "Book the family meeting",
        },
    )
    owners = member_order(team, team.supervisor, concerned=concerned)
    assert owners[:2] == ["Me", team.names[concerned]]
    await picker(sam, question, owners)
    await typed(sam, "jess", ["Jess Okonkwo 🌻"])
    question = await sam.tap_until("Jess Okonkwo 🌻", STEP)
    question = await walk(
        sam,
        question,
        "next come back",
        {"By when": "Tomorrow", "Another action": "No", "escalating": "No"},
    )
    saved = await sam.tap_until("Skip", "Saved the supervision note")
    assert f"for {chosen}" in saved.text and "Jess Okonkwo 🌻" in saved.text

    # /supervision, general: whose supervision (workers only, by name), a name typed.
    await sam.send_until("/supervision", "Which case")
    question = await sam.tap_until("General – no case", STEP)
    await picker(sam, question, member_order(team, team.supervisor, workers_only=True))
    await typed(sam, "tom", ["Tom Reid"])
    question = await sam.tap_until("Tom Reid", STEP)
    assert "When did you meet" in question.text
    await sam.send("/cancel")

    # /away: who covers: the eight workers, never "Me".
    question = await walk(sam, await sam.send("/away"), "Who's covering", {"Until": "Tomorrow"})
    await picker(sam, question, member_order(team, team.supervisor)[1:])
    await sam.send("/cancel")

    assert refused(emulator) == []


async def test_the_flows_started_from_a_case_on_the_caseloads_last_page_name_that_case(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team: BigTeam = await seed_big_team(database, clock)
    worker = team.workers[2]
    for who, name, expected in (
        (worker, "Zoë", team.cases[worker]),
        (team.supervisor, "Sam", team.references),
    ):
        person = Chatter(emulator, who, name)
        pages = await page_through(person, await person.send("/cases"))
        shown = [label.split(" ")[0] for label in labels(pages)]
        assert sorted(shown) == sorted(expected)  # the caseload is these flows' case picker
        button = labels(pages)[-1]
        chosen = shown[-1]
        card = await person.press(button)
        assert chosen in card.text
        for flow_button, asks in (
            ("🚩 Flag to supervisor", "How soon does a supervisor need to look at"),
            ("📅 Review date", "When is the next plan review for"),
            ("Close case", "Close"),
            ("Change stage", "Which stage is"),
        ):
            question = await person.tap_until(flow_button, STEP)
            assert f"{asks} {chosen}" in question.text, question.text
            await person.send("/cancel")
        await person.tap_until("Change stage", STEP)
        done = await person.tap_until("Monitoring", "is now at")
        assert f"{chosen} is now at: Monitoring" in done.text

    # Reassign (a supervisor's, from the card): every other member of North Team, once each,
    # "Me" first.
    sam = Chatter(emulator, team.supervisor, "Sam")
    card = await sam.press("Reassign")
    now_with = team.worker_of(chosen)
    others = [team.names[p] for p in team.workers if p != now_with]
    assert labels([card]) == ["Me", *sorted(others, key=str.casefold)]
    moved = await sam.press(others[-1])
    assert f"{chosen} is now with {others[-1]}" in moved.text
    assert refused(emulator) == []


async def test_south_teams_people_and_a_leavers_colleagues_page_to_the_last(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 20 on a team of 25: /members pages to every person once; taking one off offers
    every colleague once, a page at a time, and one on the last page takes everything."""
    team: BigTeam = await seed_big_team(database, clock)
    boss = Chatter(emulator, team.other_supervisors[0], "Boss")
    people = await page_through(boss, await boss.send("/members"))
    named = [label.removesuffix(" (you)") for label in labels(people)]
    assert sorted(named) == sorted(team.names[p] for p in team.other_team)
    on_last_page = labels(people[-1:])[0]  # someone on the page the message shows now
    leaver = next(p for p in team.other_workers if team.names[p] == on_last_page)
    await boss.press(on_last_page)
    asked = await boss.press("Take off the team")
    offered = await page_through(boss, asked)
    assert len(offered) > 1  # 24 colleagues, eight a page
    others = [label for label in labels(offered) if label.startswith("All to ")]
    expected = {f"All to {team.names[p]}" for p in team.other_team if p != leaver}
    expected = (expected - {f"All to {team.names[team.other_supervisors[0]]}"}) | {"All to me"}
    assert sorted(others) == sorted(expected)
    await boss.press(others[-1])
    done = await boss.press(f"Yes, take {team.names[leaver]} off")
    assert "off the team" in done.text
    assert refused(emulator) == []
