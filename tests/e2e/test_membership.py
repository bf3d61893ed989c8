"""Issue 20.1: a supervisor manages the team's people from the chat, over the emulator.

Taking someone off the team hands everything they hold to colleagues (all to one, or case by
case) and leaves nothing without an owner; a role changes both ways but the last supervisor
cannot step down; someone who joins another team starts afresh; an open invite is revoked;
the group is unlinked. Each change is audited and told to the people it affects.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Bearings
from bot.clock import MovableClock
from bot.domain.roles import Role
from bot.sandbox.emulator import BotApiEmulator
from bot.services import onboarding
from storage.db import Database
from storage.models import Action, AuditEntry, Case
from tests.e2e.conftest import Chatter, add_case, member
from tests.team import OTHER_TEAM_SUPERVISOR_ID, seed_team

SAM, ALEX, KIM = 1001, 1002, 1004


async def alex_with_three_cases(emulator: BotApiEmulator) -> Chatter:
    alex = Chatter(emulator, ALEX, "Alex")
    for reference in ("FAM-0142", "FAM-0200", "FAM-0300"):
        await add_case(alex, reference)
    return alex


async def holders(database: Database) -> dict[str, int]:
    """Each open case's reference and the Telegram id of who holds it."""
    async with database.unit_of_work() as uow:
        cases = (await uow.session.scalars(select(Case))).all()
        return {
            c.reference: (await uow.members.get(c.worker_id)).telegram_user_id or 0  # type: ignore[union-attr]
            for c in cases
        }


async def test_taking_a_worker_off_hands_everything_to_one_colleague_and_tells_both(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = await alex_with_three_cases(emulator)
    old_card = await alex.send("/cases")
    sam = Chatter(emulator, SAM, "Sam")
    listing = await sam.send("/members")
    assert "People in North Team" in listing.text
    assert {"Sam Supervisor (you)", "Alex Worker", "Kim Worker"} <= set(listing.labels)
    card = await sam.press("Alex Worker")
    assert "3 open cases: FAM-0142, FAM-0200, FAM-0300" in card.text
    asked = await sam.press("Take off the team")
    assert "Who takes over their 3 open cases" in asked.text
    assert {"All to me", "All to Kim Worker", "Case by case"} <= set(asked.labels)
    confirm = await sam.press("All to Kim Worker")
    assert "Everything they still hold goes to Kim Worker" in confirm.text
    done = await sam.press("Yes, take Alex Worker off")
    assert "Alex Worker is off the team" in done.text and "3 cases" in done.text

    assert await holders(database) == dict.fromkeys(("FAM-0142", "FAM-0200", "FAM-0300"), KIM)
    told = await emulator.wait_for_bot_message(ALEX, lambda m: "taken you off" in m.text, after=0)
    assert "North Team" in told.text
    kim_told = await emulator.wait_for_bot_message(
        KIM, lambda m: "handed you 3 of Alex's cases" in m.text, after=0
    )
    assert all(ref in kim_told.text for ref in ("FAM-0142", "FAM-0200", "FAM-0300"))
    # Alex is a stranger now: their command menu, their commands and their old buttons.
    assert [c["command"] for c in emulator.commands[f"chat:{ALEX}"]] == ["start", "help"]
    assert "invite link" in (await alex.send("/cases")).text
    answer = await alex.press_data(old_card.message_id, old_card.buttons[0][0].callback_data or "")
    assert "answered" not in answer  # not "something went wrong": a stranger's answer
    assert "not a member of a team" in emulator.bot_messages(ALEX)[-1].text
    async with database.unit_of_work() as uow:
        leaver = await member(uow, ALEX)
        assert not leaver.active
        actions = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert actions.count("case.reassigned") == 3 and "member.removed" in actions


async def test_case_by_case_each_case_to_its_own_colleague_and_the_rest_to_one(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    await alex_with_three_cases(emulator)
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/members")
    await sam.press("Alex Worker")
    await sam.press("Take off the team")
    first = await sam.press("Case by case")
    assert "3 cases still to hand over" in first.text and "FAM-0142" in first.text
    second = await sam.press("Kim Worker")
    assert "2 cases still to hand over" in second.text and "FAM-0200" in second.text
    third = await sam.press("me")
    assert "FAM-0300" in third.text
    rest = await sam.press("Kim Worker")
    assert "Every case is handed over" in rest.text
    await sam.press("me")
    done = await sam.press("Yes, take Alex Worker off")
    assert "off the team" in done.text

    assert await holders(database) == {"FAM-0142": KIM, "FAM-0200": SAM, "FAM-0300": KIM}
    kim_told = await emulator.wait_for_bot_message(
        KIM, lambda m: "handed you 2 of Alex's cases" in m.text, after=0
    )
    assert "FAM-0142" in kim_told.text and "FAM-0300" in kim_told.text
    assert "FAM-0200" not in kim_told.text
    leaver = await _member_id(database, ALEX)
    async with database.unit_of_work() as uow:
        owners = (await uow.session.scalars(select(Action.owner_id))).all()
    assert leaver not in owners


async def _member_id(database: Database, telegram_user_id: int) -> int:
    async with database.unit_of_work() as uow:
        return (await member(uow, telegram_user_id)).id


async def test_a_role_changes_both_ways_but_the_last_supervisor_cannot_step_down(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/members")
    card = await sam.press("Sam Supervisor (you)")
    assert "only supervisor" in card.text and "⬇ Make key worker" not in card.labels
    await sam.press("‹ People")
    await sam.press("Kim Worker")
    await sam.press("⬆ Make supervisor")
    told = await emulator.wait_for_bot_message(
        KIM, lambda m: "made you a supervisor" in m.text, after=0
    )
    assert "North Team" in told.text
    assert "members" in [c["command"] for c in emulator.commands[f"chat:{KIM}"]]
    kim = Chatter(emulator, KIM, "Kim")
    assert "People in North Team" in (await kim.send("/members")).text
    # Now Sam may step down; then Kim is the last and may not.
    await sam.send("/members")
    await sam.press("Sam Supervisor (you)")
    stepped = await sam.press("⬇ Make key worker")
    assert "key worker" in stepped.text
    await kim.send("/members")
    mine = await kim.press("Kim Worker (you)")
    assert "⬇ Make key worker" not in mine.labels
    async with database.unit_of_work() as uow:
        assert (await member(uow, SAM)).role == Role.WORKER.value
        assert (await member(uow, KIM)).role == Role.SUPERVISOR.value


async def test_someone_taken_off_who_joins_another_team_starts_afresh(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    alex = await alex_with_three_cases(emulator)
    sam = Chatter(emulator, SAM, "Sam")
    await sam.send("/members")
    await sam.press("Alex Worker")
    await sam.press("Take off the team")
    await sam.press("All to me")
    await sam.press("Yes, take Alex Worker off")
    async with database.unit_of_work() as uow:
        old_id = (await member(uow, ALEX)).id
        invite = await onboarding.create_invite(
            uow,
            clock,
            telegram_user_id=OTHER_TEAM_SUPERVISOR_ID,
            role=Role.WORKER,
            invite_ttl_days=7,
        )
    await alex.send_until(f"/start {invite.token}", "South Team")
    alex.emulator.press_button(ALEX, "Yes, join South Team")
    await emulator.wait_for_bot_message(ALEX, lambda m: "Welcome to South Team" in m.text, after=0)
    cases = await alex.send("/cases")
    assert not any(ref in cases.text for ref in ("FAM-0142", "FAM-0200", "FAM-0300"))
    for command in ("/flags", "/actions", "/agenda"):
        shown = await alex.send(command)
        assert not any(ref in shown.text for ref in ("FAM-0142", "FAM-0200", "FAM-0300"))
    async with database.unit_of_work() as uow:
        fresh = await member(uow, ALEX)
        old = await uow.members.get(old_id)
    assert fresh.id != old_id and old is not None and old.telegram_user_id is None


async def test_an_open_invite_is_revoked_and_its_link_stops_working(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, SAM, "Sam")
    made = await sam.send("/invite worker")
    token = made.text.split("start=")[1].split()[0]
    listing = await sam.send("/invites")
    assert "Invite links still open" in listing.text
    revoked = await sam.press("Revoke: a key worker")
    assert "No invite links are open" in revoked.text
    newcomer = Chatter(emulator, 3003, "Nia")
    assert "expired" in (await newcomer.send(f"/start {token}")).text
    assert "Take off the team" not in str(revoked.labels)


async def test_the_group_is_unlinked_and_gets_nothing_more(
    bot: Bearings, emulator: BotApiEmulator, database: Database, clock: MovableClock
) -> None:
    await seed_team(database, clock)
    sam = Chatter(emulator, SAM, "Sam")
    assert "no group linked" in (await sam.send("/unlinkgroup")).text
    emulator.bot_added_to_group(-100500, "North chat", SAM)
    emulator.send_message(SAM, "/linkgroup", chat_id=-100500, chat_type="supergroup")
    await emulator.wait_for_bot_message(-100500, lambda m: "North Team" in m.text, after=0)
    unlinked = await sam.send("/unlinkgroup")
    assert "group is unlinked" in unlinked.text
    async with database.unit_of_work() as uow:
        team = await uow.teams.by_name("North Team")
        assert team is not None and team.group_chat_id is None
        entries = (await uow.session.scalars(select(AuditEntry.action))).all()
    assert "team.group_unlinked" in entries
