"""/bearings over the emulator: the check, its picture, the agenda offer, sharing, team summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.domain.roles import Role
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from bot.services import onboarding
from storage.db import Database
from storage.models import AgendaItem, BearingsCheck
from tests.e2e.conftest import Chatter, member
from tests.team import seed_team

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVEN = (4, 4, 4, 4, 4, 4, 4, 4)  # the eight elements, in the order they are asked
MIDDLE = (3, 3)  # the two sliders


async def take_check(
    person: Chatter,
    elements: Sequence[int] = EVEN,
    sliders: Sequence[int] = MIDDLE,
    *,
    boundaries: Sequence[str] | None = None,
    note: str | None = None,
) -> tuple[ChatMessage, ChatMessage]:
    """Walk /bearings one tap at a time; return the picture and the reading that end it."""
    first = await person.send("/bearings")
    assert "Keeping your bearings · step 1 of" in first.text
    assert first.labels[:5] == ["1", "2", "3", "4", "5"]
    for rating in (*elements, *sliders):
        await person.tap(str(rating))
    if boundaries is None:
        await person.tap("No, that's it")
    else:
        await person.tap("Yes, a few more")
        for answer in boundaries:
            await person.tap(answer)
    after = len(person.emulator.bot_messages(person.user_id))
    if note is None:
        person.emulator.press_button(person.user_id, "No note")
    else:
        person.emulator.send_message(person.user_id, note, first_name=person.first_name)
    await person.emulator.wait_for_bot_message(
        person.user_id, lambda m: "This check is just for you" in m.text, after=after
    )
    picture, reading = person.emulator.bot_messages(person.user_id)[after:]
    return picture, reading


async def forge_view(person: Chatter, check_id: int) -> ChatMessage:
    """Press a hand-made "open this check" button on the person's newest message; the reply."""
    newest = await person.send("/help")
    after = len(person.emulator.bot_messages(person.user_id))
    await person.press_data(newest.message_id, f"bgv:{check_id}")
    return await person.emulator.wait_for_bot_message(person.user_id, after=after)


async def stored_checks(database: Database) -> list[BearingsCheck]:
    async with database.unit_of_work() as uow:
        query = select(BearingsCheck).order_by(BearingsCheck.id)
        return list((await uow.session.scalars(query)).all())


async def test_bearings_twice_with_a_tilted_balance_sends_pictures_and_offers_the_agenda(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team = await seed_team(database, clock)
    alex = Chatter(emulator, team.worker, "Alex")

    picture, reading = await take_check(alex, sliders=(5, 3))
    assert picture.kind == "photo" and picture.file_bytes is not None
    assert picture.file_bytes.startswith(PNG_SIGNATURE) and len(picture.file_bytes) > 10_000
    assert picture.text.splitlines() == [
        "Your bearings · Mon 23 Nov",
        "Right at one end: giving a clear steer.",
        "No gaps: nothing is at 2 or below.",
    ]
    assert "This is your first check" in reading.text
    assert "Twice running" not in reading.text
    assert reading.labels == ["🔒 Share with my supervisor"]  # no agenda offer the first time

    clock.advance(timedelta(days=7))
    picture2, reading2 = await take_check(
        alex,
        (4, 2, 4, 4, 4, 4, 4, 4),
        (5, 3),
        boundaries=["Yes", "No", "Yes", "Partly", "Yes"],
        note="Felt <b>stretched</b> & tired",
    )
    assert picture2.kind == "photo" and picture2.file_bytes is not None
    assert picture2.file_bytes.startswith(PNG_SIGNATURE)
    assert picture2.file_bytes != picture.file_bytes  # last time is drawn behind, and it changed
    assert "Mon 30 Nov" in picture2.text
    assert "Leaning towards one-to-one trust, away from connected to the team" in picture2.text
    assert "Connected to the team could do with some care." in picture2.text
    assert "Since Mon 23 Nov" in reading2.text and "Connected to the team: 4 → 2" in reading2.text
    assert "Their lead or your steer: at giving a clear steer both times." in reading2.text
    assert "Do you have the authority? No." in reading2.text
    assert "Is there time for it? Partly." in reading2.text
    assert "One-to-one trust (4) well ahead of connected to the team (2)" in reading2.text
    assert "talk one case through with a colleague" in reading2.text
    assert reading2.labels == ["🗓 Add to supervision agenda", "🔒 Share with my supervisor"]

    checks = await stored_checks(database)
    assert len(checks) == 2
    assert checks[1].ratings["elements"]["connected"] == 2
    assert checks[1].ratings["balances"] == {"steer": 5, "liaison": 3}
    assert checks[1].ratings["boundaries"]["authority"] == "no"
    assert (checks[0].note, checks[1].note) == (None, "Felt <b>stretched</b> & tired")
    assert checks[0].shared_at is None and checks[1].shared_at is None

    added = await alex.press("Add to supervision agenda")
    assert "✓ It's on your supervision agenda." in added.text
    assert added.labels == ["🔒 Share with my supervisor"]
    async with database.unit_of_work() as uow:
        alex_id = (await member(uow, team.worker)).id
        items = (await uow.session.scalars(select(AgendaItem))).all()
    assert [(i.worker_id, i.kind, i.ref_id, i.case_id) for i in items] == [
        (alex_id, "bearings", checks[1].id, None)
    ]

    # Pressing the old button again (a double tap) adds nothing more.
    await alex.press_data(reading2.message_id, f"bga:{checks[1].id}")
    async with database.unit_of_work() as uow:
        assert len((await uow.session.scalars(select(AgendaItem))).all()) == 1


async def test_a_strong_imbalance_is_offered_for_the_agenda_the_first_time(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    """Issue 21.3 (PRODUCT: "an offer to put a strong imbalance on the next supervision
    agenda"): one-to-one trust at 5 and connected to the team at 1 on a first check."""
    team = await seed_team(database, clock)
    alex = Chatter(emulator, team.worker, "Alex")
    _, reading = await take_check(alex, (5, 1, 4, 4, 4, 4, 4, 4))
    assert "This is your first check" in reading.text
    assert "A strong lean this time" in reading.text
    assert "Connected to the team is at 1: neglected lately." in reading.text
    assert "Leaning strongly towards one-to-one trust." in reading.text
    assert reading.labels == ["🗓 Add to supervision agenda", "🔒 Share with my supervisor"]
    added = await alex.press("Add to supervision agenda")
    assert "✓ It's on your supervision agenda." in added.text
    agenda = await alex.send("/agenda")
    assert "Bearings check" in agenda.text and "Worth talking through" in agenda.text


async def test_a_check_is_private_until_shared_then_the_supervisor_sees_it(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team = await seed_team(database, clock)
    alex = Chatter(emulator, team.worker, "Alex")
    sam = Chatter(emulator, team.supervisor, "Sam")
    kim = Chatter(emulator, team.other_worker, "Kim")
    pat = Chatter(emulator, team.other_team_supervisor, "Pat")

    await take_check(alex, (5, 2, 3, 1, 4, 4, 4, 4), note="Keep this to myself")
    (check,) = await stored_checks(database)

    assert "Only supervisors" in (await alex.send("/bearings team")).text
    summary = await sam.send("/bearings team")
    assert "1 worker did a check in this time" in summary.text
    assert "No one has shared a check with you" in summary.text
    assert summary.labels == []

    # A supervisor (or anyone else) who forges the button still cannot see an unshared check.
    for person in (sam, kim, pat):
        assert "hasn't been shared with you" in (await forge_view(person, check.id)).text
        assert all(m.kind != "photo" for m in emulator.bot_messages(person.user_id))

    shared = await alex.press("Share with my supervisor")
    assert "✓ Shared with your supervisor." in shared.text
    assert "Share with my supervisor" not in " ".join(shared.labels)
    (check,) = await stored_checks(database)
    assert check.shared_at is not None

    summary = await sam.send("/bearings team")
    assert "Shared with you" in summary.text and summary.labels == ["Alex Worker · Mon 23 Nov"]
    after = len(emulator.bot_messages(sam.user_id))
    emulator.press_button(sam.user_id, "Alex Worker · Mon 23 Nov")
    view = await emulator.wait_for_bot_message(
        sam.user_id, lambda m: "shared this check with you" in m.text, after=after
    )
    picture = emulator.bot_messages(sam.user_id)[after]
    assert picture.kind == "photo" and picture.file_bytes is not None
    assert picture.file_bytes.startswith(PNG_SIGNATURE)
    assert picture.text.startswith("Alex Worker's bearings")
    assert "Managing risk (1)" in view.text
    assert all("Keep this to myself" not in m.text for m in emulator.bot_messages(sam.user_id))

    # Shared means shared with that team's supervisors: a colleague or another team's
    # supervisor is still refused.
    for person in (kim, pat):
        assert "hasn't been shared with you" in (await forge_view(person, check.id)).text


async def test_team_summary_waits_for_five_workers_and_never_shows_one_persons_answers(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    team = await seed_team(database, clock)
    extra = [(1011, "Jo Worker"), (1012, "Lee Worker"), (1013, "Mo Worker")]
    async with database.unit_of_work() as uow:
        for user_id, name in extra:
            invite = await onboarding.create_invite(
                uow, clock, telegram_user_id=team.supervisor, role=Role.WORKER, invite_ttl_days=7
            )
            await onboarding.join_team(
                uow, clock, token=invite.token, telegram_user_id=user_id, display_name=name
            )
    sam = Chatter(emulator, team.supervisor, "Sam")
    workers = [team.worker, team.other_worker, *(user_id for user_id, _ in extra)]

    # A worker's older check is replaced by their latest; the supervisor's own does not count.
    await take_check(Chatter(emulator, team.worker, "Alex"), (1, 1, 1, 1, 1, 1, 1, 1), (1, 1))
    await take_check(sam, (2, 2, 2, 2, 2, 2, 2, 2), (2, 2))
    for risk, user_id in enumerate(workers[:4], start=1):
        await take_check(Chatter(emulator, user_id, "W"), (4, 4, 4, risk, 4, 4, 4, 4), (risk, 3))

    refused = await sam.send("/bearings team")
    assert "4 workers did a check in this time" in refused.text
    assert "at least 5" in refused.text and "Averages" not in refused.text
    assert "managing risk" not in refused.text

    await take_check(Chatter(emulator, workers[4], "Mo"), (4, 4, 4, 5, 4, 4, 4, 4), (5, 3))
    shown = await sam.send("/bearings team")
    assert "Averages of 5 workers' latest checks" in shown.text
    assert "their own people 4.0 · managing risk 3.0" in shown.text
    assert "Their lead or your steer: 3.0" in shown.text
    assert "Where your time goes: 3.0" in shown.text
    assert "1 =" in shown.text and shown.labels == []  # nothing shared, no one to open

    # A supervisor's button on their own result opens the same summary.
    again = await sam.tap("Team summary")
    assert "Averages of 5 workers' latest checks" in again.text

    # Fourteen days on, those checks are out of the period.
    clock.advance(timedelta(days=15))
    later = await sam.send("/bearings team")
    assert "0 workers did a check in this time" in later.text


async def test_the_trend_picture_shows_ones_own_checks_over_time_and_says_what_moved(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock, tmp_path
) -> None:
    """Issue 21.3: ``/bearings trend``: the last checks as lines (a PNG, looked at) and the
    pairs or sliders that moved, in words; a second person's checks never in it."""
    team = await seed_team(database, clock)
    alex = Chatter(emulator, team.worker, "Alex")
    assert "Once you have two" in (await alex.send("/bearings trend")).text
    for connected, steer in ((4, 3), (3, 4), (2, 5)):
        await take_check(alex, (4, connected, 4, 4, 4, 4, 4, 4), (steer, 3))
        clock.advance(timedelta(days=7))
    kim = Chatter(emulator, team.other_worker, "Kim")
    await take_check(kim, (1, 5, 4, 4, 4, 4, 4, 4), (1, 1))
    picture = await alex.send("/bearings trend")
    assert picture.kind == "photo" and picture.file_bytes is not None
    assert picture.file_bytes.startswith(PNG_SIGNATURE)
    (tmp_path / "trend.png").write_bytes(picture.file_bytes)
    assert "Your last 3 checks, 23 Nov to 7 Dec" in picture.text
    assert "Your team: from balanced to leaning towards one-to-one trust." in picture.text, (
        picture.text
    )
    assert "Their lead or your steer: from balanced to towards giving a clear steer." in (
        picture.text
    )
    assert "Where your time goes" not in picture.text  # it did not move
