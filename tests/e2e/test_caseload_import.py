"""Importing a caseload in chat, over the Bot API emulator: a supervisor sends a CSV file,
sees what it would add (or its problems by row), presses Import, and the cases are there;
workers and strangers are answered politely and their files are not even fetched."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage, FaultRule
from prompts import render
from storage.db import Database
from storage.models import Case, Member, PendingImport
from tests.e2e.conftest import Chatter
from tests.team import OTHER_WORKER_ID, SUPERVISOR_ID, WORKER_ID, seed_team

STRANGER = 9999
CASELOAD = (
    "\ufeffReference,Key worker,Stage,Visit cadence,Next visit due,Next plan review\n"
    "FAM-0142,@alex_kw,Engagement,weekly,5/12/2026,\n"
    "FAM-0143,Kim Worker,Monitoring & review,every 2 weeks,,14 Jan 2027\n"
    "FAM-0144,alex worker,family meeting,28,2026-12-01,\n"
).encode()


async def send_file(
    emulator: BotApiEmulator,
    user_id: int,
    content: bytes,
    name: str = "caseload.csv",
    mime_type: str | None = "text/csv",
) -> ChatMessage:
    """A person sends a file; the bot's next message."""
    after = len(emulator.bot_messages(user_id))
    emulator.send_document(user_id, content, name, mime_type=mime_type)
    return await emulator.wait_for_bot_message(user_id, after=after)


def downloads(emulator: BotApiEmulator) -> int:
    return len([r for r in emulator.requests if r.method == "getFile"])


async def count(database: Database, model: type[Case | PendingImport | Member]) -> int:
    async with database.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_supervisor_sends_a_caseload_sees_the_preview_and_imports_it_on_confirm(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = Chatter(emulator, WORKER_ID, "Alex")
    # Alex has written to the bot since joining, so Bearings knows their username.
    after = len(emulator.bot_messages(WORKER_ID))
    emulator.send_message(WORKER_ID, "/help", first_name="Alex", username="alex_kw")
    await emulator.wait_for_bot_message(WORKER_ID, after=after)
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")

    preview = await send_file(emulator, SUPERVISOR_ID, CASELOAD)

    assert "Ready to import into North Team" in preview.text
    assert "3 new cases." in preview.text
    assert "By key worker: Alex Worker 2 · Kim Worker 1" in preview.text
    assert "• FAM-0142 · Alex Worker · Engagement · every 7 days · visit 5 Dec 2026" in preview.text
    assert "• FAM-0143 · Kim Worker · Monitoring · every 14 days · review 14 Jan 2027" in (
        preview.text
    )
    assert "Nothing changes until you press Import" in preview.text
    assert preview.labels == ["Import 3 cases", "Cancel"]
    assert downloads(emulator) == 1
    assert await count(database, Case) == 0

    import_data = preview.button("Import 3 cases").callback_data
    assert import_data is not None
    done = await sam.press("Import 3 cases")
    assert done.text.startswith("Done – 3 cases added to North Team.")
    assert done.labels == []
    assert await count(database, Case) == 3 and await count(database, PendingImport) == 0

    # Each key worker finds theirs in /cases.
    own = await alex.send("/cases")
    assert "FAM-0142" in own.text and "FAM-0144" in own.text and "FAM-0143" not in own.text
    kims = await Chatter(emulator, OTHER_WORKER_ID, "Kim").send("/cases")
    assert "FAM-0143" in kims.text and "FAM-0142" not in kims.text

    # Import pressed again on the old preview: no longer open, nothing added twice.
    seen = len(emulator.bot_messages(SUPERVISOR_ID))
    await sam.press_data(preview.message_id, import_data)
    (gone,) = emulator.bot_messages(SUPERVISOR_ID)[seen:]
    assert gone.html == render("refusal_import_gone")
    assert await count(database, Case) == 3

    # The same file again: nothing to import, and no buttons.
    again = await send_file(emulator, SUPERVISOR_ID, CASELOAD)
    assert "Everything in this file is already in Bearings" in again.text
    assert again.labels == []


async def test_a_file_with_problems_lists_them_by_row_and_cancel_imports_nothing(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, SUPERVISOR_ID, "Sam")
    bad = (
        b"reference;key worker;stage;next visit due\n"
        b"FAM-0142;Kim Worker;engagement;5/12/2026\n"
        b"FAM-0143;Kim Worker;Closed;12/25/2026\n"
        b"fam-0142;Somebody;engagement;\n"
    )

    problems = await send_file(emulator, SUPERVISOR_ID, bad)

    assert "I can't import this file yet – 4 things to fix. Nothing has been imported." in (
        problems.text
    )
    assert "• Row 3, stage: that's not a stage I know." in problems.text
    assert "• Row 3, next visit due: this date looks month first." in problems.text
    assert "• Row 4, reference: FAM-0142 is already on row 2." in problems.text
    assert "• Row 4, key worker: nobody active in the team goes by this name" in problems.text
    assert problems.labels == [] and await count(database, PendingImport) == 0

    fixed = bad.replace(b"Closed;12/25/2026", b"Closing;25/12/2026").replace(
        b"fam-0142;Somebody", b"FAM-0144;Kim Worker"
    )
    preview = await send_file(emulator, SUPERVISOR_ID, fixed, name="FIXED.CSV", mime_type=None)
    assert "3 new cases." in preview.text and await count(database, PendingImport) == 1
    cancelled = await sam.press("Cancel")
    assert cancelled.text == render("import_cancelled")
    assert await count(database, Case) == 0 and await count(database, PendingImport) == 0

    spreadsheet = await send_file(
        emulator, SUPERVISOR_ID, b"PK\x03\x04", name="caseload.xlsx", mime_type=None
    )
    assert spreadsheet.html == render("import_not_csv")

    # Too big to fetch at all; and Telegram failing to hand the file over.
    too_big = await send_file(emulator, SUPERVISOR_ID, b"x" * 1_000_001)
    assert too_big.html == render("refusal_import_too_big", megabytes=1)
    emulator.faults.add(FaultRule(method="getFile", status=500))
    failed = await send_file(emulator, SUPERVISOR_ID, fixed)
    assert failed.html == render("refusal_import_download_failed")
    assert downloads(emulator) == 3  # the two readable files and the failed try, not the big one
    assert await count(database, Case) == 0 and await count(database, PendingImport) == 0


async def test_workers_and_strangers_are_answered_and_their_files_are_not_fetched(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    members = await count(database, Member)

    worker = await send_file(emulator, OTHER_WORKER_ID, CASELOAD)
    stranger = await send_file(emulator, STRANGER, CASELOAD)

    assert worker.html == render("refusal_import_supervisors_only")
    assert stranger.html == render("refusal_not_a_member")
    assert downloads(emulator) == 0
    assert await count(database, PendingImport) == 0 and await count(database, Case) == 0
    assert await count(database, Member) == members  # nothing kept about the stranger

    # Any other file is still "text only" in a flow (a worker's PDF, say).
    kim = Chatter(emulator, OTHER_WORKER_ID, "Kim")
    await kim.send("/visit")
    (reply,) = await kim.send_media("document")
    assert reply.html == render("flow_text_only")
