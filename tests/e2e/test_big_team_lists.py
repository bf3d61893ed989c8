"""A real team at its real size, over the emulator: a supervisor with eight key workers and
120 cases, and a second team of 25, drive the list commands and the flows' pickers.

Each list is paged through to its last page and must reach every item exactly once; no
request the bot makes is refused by the emulator (which enforces Telegram's limits); and
nothing of the other team appears. The figures (messages, pages and handling time of each
command) are logged, for the issue's closing note.
"""

from __future__ import annotations

import logging
import re
import time

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from tests.big_team import BigTeam, seed_big_team
from tests.e2e.big_team_helpers import NOT_ITEMS, items, page_through, refused
from tests.e2e.conftest import Chatter

log = logging.getLogger(__name__)


class Figures:
    """What each command produced: messages, pages, and how long until its last page."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator, self.lines = emulator, [f"{'command':<30} messages  pages  seconds"]

    async def run(self, person: Chatter, command: str, who: str) -> list[ChatMessage]:
        before, started = len(self.emulator.bot_messages(person.user_id)), time.monotonic()
        pages = await page_through(person, await person.send(command))
        messages = len(self.emulator.bot_messages(person.user_id)) - before
        seconds = time.monotonic() - started
        self.lines.append(
            f"{command + ' (' + who + ')':<30} {messages:>8} {len(pages):>6} {seconds:8.2f}"
        )
        return pages


async def test_every_list_reaches_every_item_for_a_supervisor_and_each_worker(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team: BigTeam = await seed_big_team(database, clock)
    figures = Figures(emulator)
    sam = Chatter(emulator, team.supervisor, "Sam")

    shown = items(await figures.run(sam, "/cases", "supervisor"))
    assert sorted(shown) == sorted(team.references)  # all 120, each once
    south_only = set(team.other_references) - set(team.shared_references)
    assert not set(shown) & south_only
    for worker in team.workers:
        person = Chatter(emulator, worker, team.names[worker].split()[0])
        mine = items(await figures.run(person, "/cases", team.names[worker][:14]))
        assert sorted(mine) == sorted(team.cases[worker])

    flags = await figures.run(sam, "/flags", "supervisor")
    numbers = [int(n) for page in flags for n in re.findall(r"^(\d+)\. ", page.text, re.M)]
    assert numbers == list(range(1, team.open_flags + 1))
    assert not any(re.search(r"\d</?i?>?(Waiting|Acknowledged|On the)", p.text) for p in flags)
    assert all("</i>\n" in page.html or "Raised" not in page.text for page in flags)
    workers = items(await figures.run(sam, "/team", "supervisor"))
    assert len(workers) == len(team.workers)
    agendas = items(await figures.run(sam, "/agenda", "supervisor"))
    assert len(agendas) == len(team.workers)
    await figures.run(sam, "/digest", "supervisor")
    person = Chatter(emulator, team.workers[0], "Worker")
    await figures.run(person, "/actions", "a worker")
    await figures.run(person, "/flags", "a worker")

    log.info("big team figures\n%s", "\n".join(figures.lines))
    assert not refused(emulator)


async def test_the_flows_pickers_reach_every_case_and_every_worker(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team: BigTeam = await seed_big_team(database, clock)
    worker = team.workers[0]
    person = Chatter(emulator, worker, "Worker")
    pages = await page_through(person, await person.send("/visit"))
    assert sorted(items(pages)) == sorted(team.cases[worker])
    await person.send("/cancel")

    sam = Chatter(emulator, team.supervisor, "Sam")
    pages = await page_through(sam, await sam.send("/visit"))
    assert sorted(items(pages)) == sorted(team.references)  # a supervisor: the team's cases
    await sam.send("/cancel")
    await sam.send("/supervision")
    pages = await page_through(sam, await sam.tap("General – no case"))
    names = [label for page in pages for label in page.labels if label not in NOT_ITEMS]
    assert sorted(names) == sorted(team.names[w] for w in team.workers)
    assert not refused(emulator)
