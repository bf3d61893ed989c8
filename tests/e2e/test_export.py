"""/export through the real bot and the Bot API emulator: a worker's own data as two
documents, a supervisor's case export from the case card, and everyone else refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage.db import Database
from storage.models import AuditEntry
from tests.e2e.conftest import Chatter, member
from tests.e2e.test_no_content_in_logs import Captured
from tests.e2e.test_no_content_in_logs import captured as captured_logs  # noqa: F401
from tests.export_data import (
    ACCENTS,
    ARABIC,
    CHECK_NOTE,
    OUTCOME,
    REFERENCE,
    SEEDED_TEXTS,
    VISIT_NOTE,
    seed_case_with_everything,
)
from tests.team import (
    OTHER_TEAM_SUPERVISOR_ID,
    OTHER_WORKER_ID,
    SUPERVISOR_ID,
    WORKER_ID,
    seed_team,
)

NOT_YOURS = "That case isn't one you can see or change."


async def documents_after(chatter: Chatter, after: int, count: int) -> list[ChatMessage]:
    """The first ``count`` documents the bot sent to the chat at or after index ``after``
    (flag news from the seeding may arrive in between)."""
    emulator = chatter.emulator
    found: list[ChatMessage] = []
    while len(found) < count:
        start = after if not found else _index(emulator, chatter.user_id, found[-1]) + 1
        found.append(
            await emulator.wait_for_bot_message(
                chatter.user_id, lambda m: m.kind == "document", after=start
            )
        )
    return found


def _index(emulator: BotApiEmulator, chat_id: int, message: ChatMessage) -> int:
    ids = [m.message_id for m in emulator.bot_messages(chat_id)]
    return ids.index(message.message_id)


async def exports_audited(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as uow:
        query = select(AuditEntry).where(AuditEntry.action == action)
        return list((await uow.session.scalars(query)).all())


async def test_export_sends_a_worker_their_data_as_two_private_documents_and_refuses_others(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await seed_case_with_everything(database, clock)
    alex, kim = Chatter(emulator, WORKER_ID, "Alex"), Chatter(emulator, OTHER_WORKER_ID, "Kim")
    pat = Chatter(emulator, OTHER_TEAM_SUPERVISOR_ID, "Pat")

    after = len(emulator.bot_messages(WORKER_ID))
    coming = await alex.send_until("/export", "Your data is coming")
    assert "private" in coming.text
    files = {m.file_name: m for m in await documents_after(alex, after, 2)}

    assert set(files) == {"bearings-my-data-2026-11-23.json", "bearings-my-data-2026-11-23.pdf"}
    json_doc = files["bearings-my-data-2026-11-23.json"]
    assert json_doc.file_bytes is not None and json_doc.text == "Your data, for computers (JSON)."
    data = json.loads(json_doc.file_bytes)
    assert [v["how_it_went"] for v in data["visits"]] == [VISIT_NOTE]
    assert data["flags"][0]["outcome"] == OUTCOME
    pdf_doc = files["bearings-my-data-2026-11-23.pdf"]
    assert pdf_doc.file_bytes is not None and pdf_doc.file_bytes.startswith(b"%PDF-")
    assert _index(emulator, WORKER_ID, coming) < _index(emulator, WORKER_ID, json_doc)

    for chatter in (kim, pat):
        refused = await chatter.send_until(f"/export {REFERENCE}", NOT_YOURS)
        assert refused.kind == "text"
    stranger = Chatter(emulator, 4242, "Jo")
    assert "not a member" in (await stranger.send("/export")).text
    for user_id in (OTHER_WORKER_ID, OTHER_TEAM_SUPERVISOR_ID, 4242):
        assert all(m.kind != "document" for m in emulator.bot_messages(user_id))

    (entry,) = await exports_audited(database, "export.personal")
    async with database.unit_of_work() as uow:
        assert entry.actor_id == (await member(uow, WORKER_ID)).id
    assert await exports_audited(database, "export.case") == []


async def test_a_supervisor_exports_a_case_from_its_card_and_another_teams_is_refused(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    seeded = await seed_case_with_everything(database, clock)
    sam, alex = Chatter(emulator, SUPERVISOR_ID, "Sam"), Chatter(emulator, WORKER_ID, "Alex")
    pat = Chatter(emulator, OTHER_TEAM_SUPERVISOR_ID, "Pat")

    await sam.send_until("/cases", "Your team's cases")
    await sam.press(REFERENCE)
    after = len(emulator.bot_messages(SUPERVISOR_ID))
    coming = await sam.tap_until("Export PDF", "as a PDF is coming")
    assert "confidential" in coming.text
    (document,) = await documents_after(sam, after, 1)

    assert document.file_name == f"bearings-{REFERENCE}-2026-11-23.pdf"
    assert document.file_bytes is not None and document.file_bytes.startswith(b"%PDF-")
    assert document.text == f"{REFERENCE}, for the case record."

    await alex.send_until("/cases", "Your cases")  # not the flag news that also names it
    card = await alex.press(REFERENCE)
    assert "Reassign" not in card.labels and not any("Export" in b for b in card.labels)

    await pat.send("/help")
    forged = f"ce:{seeded.case_id}"
    before = len(emulator.bot_messages(OTHER_TEAM_SUPERVISOR_ID))
    await pat.press_data(emulator.bot_messages(OTHER_TEAM_SUPERVISOR_ID)[-1].message_id, forged)
    refused = await emulator.wait_for_bot_message(OTHER_TEAM_SUPERVISOR_ID, after=before)
    assert NOT_YOURS in refused.text
    assert all(m.kind != "document" for m in emulator.bot_messages(OTHER_TEAM_SUPERVISOR_ID))

    (entry,) = await exports_audited(database, "export.case")
    async with database.unit_of_work() as uow:
        assert entry.actor_id == (await member(uow, SUPERVISOR_ID)).id
    assert (entry.subject, entry.detail) == (
        f"case:{seeded.case_id}",
        {"files": "pdf", "via": "chat"},
    )


async def test_making_an_export_logs_none_of_its_content(
    captured_logs: Captured,  # noqa: F811  (the fixture imported above)
    bot: Bearings,
    emulator: BotApiEmulator,
    database: Database,
    clock: MovableClock,
) -> None:
    await seed_team(database, clock)
    await seed_case_with_everything(database, clock)
    alex, sam = Chatter(emulator, WORKER_ID, "Alex"), Chatter(emulator, SUPERVISOR_ID, "Sam")

    after = len(emulator.bot_messages(WORKER_ID))
    await alex.send_until("/export", "Your data is coming")
    await documents_after(alex, after, 2)
    after = len(emulator.bot_messages(SUPERVISOR_ID))
    await sam.send_until(f"/export {REFERENCE}", "as a PDF is coming")
    await documents_after(sam, after, 1)

    secrets = {f"text {n}": text for n, text in enumerate(SEEDED_TEXTS)}
    secrets |= {"accents": ACCENTS, "arabic": ARABIC, "check note": CHECK_NOTE}
    # The PDF library's font subsetter lists the letters a document uses: an anagram of it.
    secrets["letters used"] = "glyph names"
    assert captured_logs.leaks(secrets) == []
