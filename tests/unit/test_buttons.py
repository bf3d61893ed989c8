"""Button data: one kind per button, encode() and a strict parse() (bot/domain/buttons.py)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import buttons
from bot.domain.buttons import (
    AgendaTick,
    Button,
    CaseHistory,
    DropOpenFlow,
    FlowAnswer,
    NudgeChoice,
    Offer,
    ShowCase,
    StaleButton,
    StartFlowForCase,
    prefill_token,
    prefilled,
)
from bot.domain.buttons_process import PARTS, CasePlanMenu, CaseReviews, ShowCasePart
from bot.domain.flags import FlagAction
from bot.domain.roles import Role
from bot.domain.stuck import StuckEnding
from handlers import PRESS_ROUTES

BIG = 10**18 - 1  # the largest id button data carries (18 digits)

SAMPLES: dict[str, list[Button]] = {
    "j": [buttons.JoinTeam("AbC-_x9")],
    "jx": [buttons.DeclineJoin()],
    "inv": [buttons.InviteRole(Role.WORKER), buttons.InviteRole(Role.SUPERVISOR)],
    "f": [FlowAnswer(BIG, BIG, "d2026-12-31"), FlowAnswer(1, 2, "b"), FlowAnswer(1, 2, "o11")],
    "fk": [buttons.KeepOpenFlow(BIG, BIG)],
    "fd": [DropOpenFlow(12, 3, "visit", "case=12"), DropOpenFlow(12, 3, "newcase", "")],
    "dr": [buttons.ResumeDraft(BIG)],
    "dx": [buttons.DiscardDraft(7)],
    "dn": [buttons.StartAfresh(7, "note_correction", "note=v.12.3")],
    "fc": [buttons.StopFlow()],
    "cf": [StartFlowForCase("case_review", BIG)],
    "cc": [ShowCase(BIG)],
    "cl": [buttons.ShowCaseload()],
    "ra": [buttons.ChooseNewWorker(4)],
    "rw": [buttons.ReassignCase(4, 5)],
    "ce": [buttons.ExportCase(4)],
    "cpm": [CasePlanMenu(BIG)],
    "cpv": [ShowCasePart(4, part) for part in PARTS],
    "cpr": [CaseReviews(4), CaseReviews(4, 2)],
    "cn": [CaseHistory(4), CaseHistory(4, 3)],
    "nv": [buttons.ShowNote("v", 9), buttons.ShowNote("k", 9)],
    "nx": [buttons.CorrectNote("s", 9, 2)],
    "ad": [buttons.ActionDone(8), buttons.ActionDone(8, 3)],
    "fl": [buttons.FlagResponse(action, 3) for action in FlagAction],
    "sk": [buttons.StuckEndingChoice(2, ending) for ending in StuckEnding],
    "ag": [buttons.WorkerAgenda(6)],
    "tmd": [buttons.TeamMeetingDiscussed(41)],
    "eg": [buttons.RateEngagement(7, 739952, rating) for rating in ("engaged", "partly", "not")],
    "ei": [buttons.IncidentAnswer(739952, "yes"), buttons.IncidentAnswer(739952, "no")],
    "at": [AgendaTick("all", 5), AgendaTick("17", 5)],
    "nd": [NudgeChoice(3, c) for c in ("done", "snooze", "move", "d2026-12-05")],
    "bgs": [buttons.ShareBearings(1)],
    "bga": [buttons.BearingsToAgenda(1)],
    "bgt": [buttons.BearingsTeamSummary()],
    "tmp": [buttons.TeamPicture()],
    "bgv": [buttons.SharedBearings(1)],
    "ci": [buttons.ConfirmImport(BIG)],
    "cix": [buttons.CancelImport(3)],
    "mb": [buttons.ShowMember(BIG)],
    "mro": [buttons.SetRole(BIG, Role.SUPERVISOR), buttons.SetRole(1, Role.WORKER)],
    "mrm": [buttons.StartRemoval(BIG)],
    "mcb": [buttons.CaseByCase(BIG)],
    "mhc": [buttons.HandCase(BIG, BIG, BIG)],
    "mrx": [buttons.ConfirmRemoval(BIG, BIG)],
    "mry": [buttons.RemoveNow(BIG, BIG)],
    "ivx": [buttons.RevokeInvite(BIG)],
    "fm": [buttons.ConfirmErasure(2)],
    "fmx": [buttons.KeepAccount()],
    "lp": [buttons.ListPage("cases", 2, "0a1b2c3d", 7), buttons.ListPage("flags", 0)],
}


def test_every_kind_of_button_has_a_sample_here_and_a_handler() -> None:
    assert set(SAMPLES) == set(buttons.kinds())
    assert set(PRESS_ROUTES) == set(buttons.kinds().values())


@pytest.mark.parametrize("button", [b for kind in SAMPLES.values() for b in kind], ids=repr)
def test_every_button_reads_back_as_itself_within_64_bytes(button: Button) -> None:
    data = button.encode()
    assert len(data.encode("utf-8")) <= 64
    assert data.split(":")[0] == button.prefix
    assert buttons.parse(data) == button
    assert type(button).parse(data) == button


def test_the_wire_format_is_the_one_old_messages_carry() -> None:
    """Messages already in people's chats keep working after an upgrade."""
    assert FlowAnswer(123, 7, "d2026-12-05").encode() == "f:123:7:d2026-12-05"
    assert DropOpenFlow(1, 2, "visit", "case=5").encode() == "fd:1:2:visit:case=5"
    assert buttons.parse("cn:5") == CaseHistory(5, 0)  # the card's History, before paging
    assert buttons.parse("nd:3:d2026-12-05") == NudgeChoice.moving_to(3, date(2026, 12, 5))
    assert buttons.parse("fl:ack:9") == buttons.FlagResponse(FlagAction.ACKNOWLEDGE, 9)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "zz:1",
        "cc",
        "cc:",
        "cc:1:2",
        "cc:-1",
        "cc: 1",
        "cc:²",
        "cc:1234567890123456789",  # over 18 digits: would overflow a database id
        "cf:case_review:1e9",
        "cf::stuck::1",
        "cf:Visit:1",
        "cn::1",
        "f:1:2",
        "f:x:2:o0",
        "f:1:2:a:b",
        "f:1:2:o 1",
        "fl:zz:3",
        "sk:1:nothing",
        "inv:boss",
        "at:x:4",
        "nd:3:later",
        "nd:3:d2026-02-30",
        "cl:1",
        "fmx:1",
        "ci",
        "ci:x",
        "cix:1:2",
        "j:tok en",
    ],
)
def test_malformed_stale_or_forged_data_is_refused_as_already_done(data: str) -> None:
    with pytest.raises(StaleButton) as refused:
        buttons.parse(data)
    assert refused.value.code == "already_done"


@given(st.text(max_size=70))
def test_no_text_at_all_makes_parse_fail_other_than_as_stale(data: str) -> None:
    try:
        button = buttons.parse(data)
    except StaleButton:
        return
    assert button.encode() == data


@given(st.sampled_from(sorted(buttons.kinds())), st.lists(st.text(max_size=12), max_size=5))
def test_any_fields_after_a_real_prefix_parse_or_are_refused(prefix: str, parts: list[str]) -> None:
    data = ":".join([prefix, *parts])
    try:
        button = buttons.parse(data)
    except StaleButton:
        return
    assert isinstance(button, buttons.kinds()[prefix])
    for spec in fields(button):
        assert getattr(button, spec.name) is not None


def test_data_over_64_bytes_is_never_made() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        FlowAnswer(1, 1, "o" * 60).encode()
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.JoinTeam("a" * 63).encode()
    assert len(buttons.JoinTeam("a" * 48).encode()) <= 64


def test_a_button_that_would_not_read_back_is_never_made() -> None:
    with pytest.raises(ValueError, match="read back"):
        StartFlowForCase("no flow", 1).encode()
    with pytest.raises(ValueError, match="read back"):
        FlowAnswer(1, 2, "a:b").encode()
    with pytest.raises(ValueError, match="read back"):
        NudgeChoice(1, "later").encode()


def test_a_prefilled_answer_travels_as_one_token() -> None:
    assert prefill_token({"case": 12}) == "case=12"
    assert prefilled("case=12") == {"case": 12}
    assert prefilled("note=v.12.3") == {"note": "v.12.3"}
    assert prefill_token(None) == "" and prefilled("") == {}
    with pytest.raises(ValueError):
        prefill_token({"case": 1, "flag": 2})


def test_agenda_ticks_and_nudge_days_say_what_they_mean() -> None:
    assert AgendaTick("all", 5).entry_id is None and AgendaTick("17", 5).entry_id == 17
    assert NudgeChoice(3, "d2026-12-05").day == date(2026, 12, 5)
    assert NudgeChoice(3, "done").day is None


def test_an_offer_has_a_label_key_or_words_never_both() -> None:
    assert Offer(ShowCase(1), "back_to_case").text == ("back_to_case", {})
    assert Offer.worded("Alex", ShowCase(1)).text == "Alex"
    with pytest.raises(ValueError):
        Offer(ShowCase(1))
    with pytest.raises(ValueError):
        Offer(ShowCase(1), "back_to_case", words="Alex")
