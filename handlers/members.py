"""/members, /invites and /unlinkgroup: a supervisor manages the team's people.

Every button here names ids only; what it may do is decided again by the services when
it is pressed (the presser's role and team now, the person's standing now).
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.domain.buttons import (
    Button,
    CaseByCase,
    ConfirmRemoval,
    HandCase,
    ListPage,
    Offer,
    Offers,
    RemoveNow,
    RevokeInvite,
    SetRole,
    ShowMember,
    StartRemoval,
)
from bot.domain.errors import Refusal
from bot.domain.paging import page_of, turning_row
from bot.domain.roles import Role
from bot.services import handover, membership
from bot.telegram.context import BearingsContext
from bot.telegram.press import Press
from bot.telegram.turn import Turn
from handlers.paging import Showing, paging_row
from handlers.role_menu import show_role_menu
from handlers.senders import sender

MEMBERS = "members"
RECEIVERS = 8
"""Colleagues a hand-over question shows a page at a time."""
BACK_TO_PEOPLE = ListPage(MEMBERS, 0)


async def show_members(update: Update, context: BearingsContext) -> None:
    """/members (supervisors only)."""
    await _show(context.turn, Showing.as_new_message(update))


async def members_page(turn: Turn, press: Press[ListPage]) -> None:
    """Another page of /members."""
    await _show(turn, Showing.in_pressed_message(press))


async def _show(turn: Turn, at: Showing) -> None:
    people = await membership.team_people(
        turn.uow, turn.clock, telegram_user_id=at.user_id, page=at.page, stamp=at.stamp or ""
    )
    keyboard: Offers = [
        [Offer(ShowMember(line.member_id), "member_button", {"line": line})]
        for line in people.page.items
    ]
    paging = paging_row(people.page, MEMBERS)
    at.show(turn, "members", [*keyboard, paging] if paging else keyboard, people=people)


async def member_card(turn: Turn, press: Press[ShowMember]) -> None:
    """A person's card: change their role, or take them off the team."""
    card = await membership.member_card(
        turn.uow, turn.clock, telegram_user_id=press.user_id, member_id=press.button.member_id
    )
    turn.replace(press.message_id, "member_card", _card_buttons(card), card=card)


async def set_role(turn: Turn, press: Press[SetRole]) -> None:
    """Make supervisor / Make key worker; their command menu follows."""
    card = await membership.change_role(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        member_id=press.button.member_id,
        role=press.button.role,
    )
    turn.replace(press.message_id, "member_card", _card_buttons(card), card=card)
    turn.say("role_changed", card=card)
    if card.telegram_user_id is not None:
        show_role_menu(turn, card.telegram_user_id, card.role)


async def start_removal(turn: Turn, press: Press[StartRemoval]) -> None:
    """Take off the team: who takes over, all to one or case by case."""
    found = await handover.handover(
        turn.uow, turn.clock, telegram_user_id=press.user_id, member_id=press.button.member_id
    )
    leaver = found.card.member_id
    keyboard = _receivers(
        found,
        lambda to: ConfirmRemoval(leaver, to),
        "all",
        press.button.page,
        lambda number: StartRemoval(leaver, number),
    )
    if found.next_case is not None:
        keyboard.append([Offer(CaseByCase(found.card.member_id), "handover_case_by_case")])
    keyboard.append([Offer(ShowMember(found.card.member_id), "member_back")])
    turn.replace(press.message_id, "handover_ask", keyboard, handover=found)


async def case_by_case(turn: Turn, press: Press[CaseByCase]) -> None:
    """The next case the leaver still holds, and who may take it."""
    found = await handover.handover(
        turn.uow, turn.clock, telegram_user_id=press.user_id, member_id=press.button.member_id
    )
    _ask_next(turn, press.message_id, found, press.button.page)


async def hand_case(turn: Turn, press: Press[HandCase]) -> None:
    """One case handed over; then the next, or who takes the rest."""
    button = press.button
    found = await handover.hand_over_case(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        member_id=button.member_id,
        case_id=button.case_id,
        to_id=button.to_id,
    )
    _ask_next(turn, press.message_id, found)


def _ask_next(turn: Turn, message_id: int, found: handover.Handover, page: int = 0) -> None:
    leaver = found.card.member_id
    turner: Callable[[int], Button] = lambda number: CaseByCase(leaver, number)  # noqa: E731
    if found.next_case is not None:
        case_id = found.next_case[0]
        keyboard = _receivers(found, lambda to: HandCase(leaver, case_id, to), "one", page, turner)
    else:
        keyboard = _receivers(found, lambda to: ConfirmRemoval(leaver, to), "one", page, turner)
    keyboard.append([Offer(ShowMember(leaver), "member_back")])
    turn.replace(message_id, "handover_case", keyboard, handover=found)


async def confirm_removal(turn: Turn, press: Press[ConfirmRemoval]) -> None:
    """Ask once more before taking someone off the team."""
    button = press.button
    found = await handover.handover(
        turn.uow, turn.clock, telegram_user_id=press.user_id, member_id=button.member_id
    )
    receiver = next((name for i, name, _ in found.receivers if i == button.to_id), None)
    if receiver is None:  # left the team since the button was shown
        raise Refusal("member_gone")
    keyboard: Offers = [
        [
            Offer(
                RemoveNow(button.member_id, button.to_id), "removal_yes", {"name": found.card.name}
            )
        ],
        [Offer(ShowMember(button.member_id), "removal_no")],
    ]
    turn.replace(press.message_id, "removal_confirm", keyboard, handover=found, receiver=receiver)


async def remove_now(turn: Turn, press: Press[RemoveNow]) -> None:
    """Take the person off the team; their command menu goes back to a stranger's."""
    button = press.button
    removed = await handover.remove_member(
        turn.uow,
        turn.clock,
        telegram_user_id=press.user_id,
        member_id=button.member_id,
        to_id=button.to_id,
    )
    keyboard: Offers = [[Offer(BACK_TO_PEOPLE, "member_back")]]
    turn.replace(press.message_id, "member_removed", keyboard, removed=removed)
    if removed.telegram_user_id is not None:
        show_role_menu(turn, removed.telegram_user_id, "default")


async def show_invites(update: Update, context: BearingsContext) -> None:
    """/invites: the open invite links, each with a Revoke button."""
    turn = context.turn
    invites = await membership.open_invites(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("invites", _invite_buttons(invites), invites=invites)


async def revoke_invite(turn: Turn, press: Press[RevokeInvite]) -> None:
    """Revoke one invite; the list again."""
    invites = await membership.revoke_invite(
        turn.uow, turn.clock, telegram_user_id=press.user_id, invite_id=press.button.invite_id
    )
    turn.replace(press.message_id, "invites", _invite_buttons(invites), invites=invites)


async def unlink_group(update: Update, context: BearingsContext) -> None:
    """/unlinkgroup: the team's group gets nothing more."""
    turn = context.turn
    team_name = await membership.unlink_group(turn.uow, turn.clock, telegram_user_id=sender(update))
    turn.say("group_unlinked", team_name=team_name)


def _card_buttons(card: membership.MemberCard) -> Offers:
    keyboard: Offers = []
    if card.role == Role.WORKER.value:
        keyboard.append([Offer(SetRole(card.member_id, Role.SUPERVISOR), "member_make_supervisor")])
    elif not card.last_supervisor:
        keyboard.append([Offer(SetRole(card.member_id, Role.WORKER), "member_make_worker")])
    if not card.is_me and not card.last_supervisor:
        keyboard.append([Offer(StartRemoval(card.member_id), "member_remove")])
    keyboard.append([Offer(BACK_TO_PEOPLE, "member_back")])
    return keyboard


def _receivers(
    found: handover.Handover,
    button_for: Callable[[int], Button],
    mode: str,
    page: int,
    turner: Callable[[int], Button],
) -> Offers:
    """A page of colleagues, a button each, two to a row ("All to Kim" or just "Kim"), and
    ‹ › to the other pages."""
    key = "handover_all_to" if mode == "all" else "handover_case_to"
    shown = page_of(found.receivers, page, keys=[r[0] for r in found.receivers], size=RECEIVERS)
    offers = [
        Offer(button_for(member_id), key, {"name": "me" if is_me else name})
        for member_id, name, is_me in shown.items
    ]
    rows = [offers[i : i + 2] for i in range(0, len(offers), 2)]
    paging = turning_row(shown, turner)
    return [*rows, paging] if paging else rows


def _invite_buttons(invites: list[membership.OpenInvite]) -> Offers:
    return [[Offer(RevokeInvite(i.invite_id), "invite_revoke", {"invite": i})] for i in invites]
