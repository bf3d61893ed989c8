"""What a button means: one frozen dataclass per kind of button, the only home of button data.

Telegram hands a pressed button's data back as at most 64 bytes of text that anyone can
forge or that may come from a message sent months ago. Each kind of button here has a
short prefix and typed fields, written and read strictly by the machinery in
``button_data``; anything that does not parse is refused as stale ("already done"), so a
handler only ever receives a well-formed button object. Whether the presser may still do
what it names is decided later, in the service, from the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from bot.domain.button_data import (
    MAX_BYTES,
    Button,
    Offer,
    Offers,
    PrefillToken,
    StaleButton,
    Stamp,
    Token,
    Word,
    is_id,
    prefill_token,
    prefilled,
)
from bot.domain.buttons_erasure import ConfirmErasure, KeepAccount
from bot.domain.buttons_meetings import IncidentAnswer, RateEngagement, TeamMeetingDiscussed
from bot.domain.buttons_reports import TeamPicture
from bot.domain.flags import FlagAction
from bot.domain.roles import Role
from bot.domain.stuck import StuckEnding

__all__ = [
    "MAX_BYTES",
    "Button",
    "ConfirmErasure",
    "IncidentAnswer",
    "KeepAccount",
    "Offer",
    "Offers",
    "RateEngagement",
    "StaleButton",
    "TeamMeetingDiscussed",
    "TeamPicture",
    "kinds",
    "parse",
    "prefill_token",
    "prefilled",
]

# Joining a team and inviting.


@dataclass(frozen=True)
class JoinTeam(Button):
    """Yes, join (under an invite's preview)."""

    prefix = "j"
    token: Token


@dataclass(frozen=True)
class DeclineJoin(Button):
    """Not now (under an invite's preview)."""

    prefix = "jx"


@dataclass(frozen=True)
class InviteRole(Button):
    """The role to invite, under /invite."""

    prefix = "inv"
    role: Role


# Flows.


@dataclass(frozen=True)
class FlowAnswer(Button):
    """An answer to a flow question: which session, at which version, which answer
    (``o2``, ``d2026-12-05``, ``b`` for Back, ``s`` for Skip, ...)."""

    prefix = "f"
    session_id: int
    version: int
    token: Token


@dataclass(frozen=True)
class KeepOpenFlow(Button):
    """Finish the open flow (offered when another is started)."""

    prefix = "fk"
    session_id: int
    version: int


@dataclass(frozen=True)
class DropOpenFlow(Button):
    """Drop the open flow and start the new one, with what it was started with."""

    prefix = "fd"
    session_id: int
    version: int
    flow: Word
    prefill: PrefillToken = ""


@dataclass(frozen=True)
class ResumeDraft(Button):
    """Carry on with a saved draft."""

    prefix = "dr"
    session_id: int


@dataclass(frozen=True)
class DiscardDraft(Button):
    """Throw a saved draft away."""

    prefix = "dx"
    session_id: int


@dataclass(frozen=True)
class StartAfresh(Button):
    """Throw a saved draft away and start the flow again, with what it was started with."""

    prefix = "dn"
    session_id: int
    flow: Word
    prefill: PrefillToken = ""


@dataclass(frozen=True)
class StopFlow(Button):
    """Stop here: leave the open flow, as /cancel does."""

    prefix = "fc"


@dataclass(frozen=True)
class StartFlowForCase(Button):
    """A case card's button that starts a flow for that case (Log visit, I'm stuck, ...)."""

    prefix = "cf"
    flow: Word
    case_id: int


# Cases and their notes.


@dataclass(frozen=True)
class ShowCase(Button):
    """A case's card."""

    prefix = "cc"
    case_id: int


@dataclass(frozen=True)
class ShowCaseload(Button):
    """‹ All cases: the caseload again."""

    prefix = "cl"


@dataclass(frozen=True)
class ChooseNewWorker(Button):
    """Reassign: a page of the members the case could go to."""

    prefix = "ra"
    case_id: int
    page: int = 0


@dataclass(frozen=True)
class ReassignCase(Button):
    """The member chosen to take the case."""

    prefix = "rw"
    case_id: int
    worker_id: int


@dataclass(frozen=True)
class ExportCase(Button):
    """Export a case as a PDF."""

    prefix = "ce"
    case_id: int


@dataclass(frozen=True)
class CaseHistory(Button):
    """A page of a case's notes, newest first."""

    prefix = "cn"
    case_id: int
    page: int = 0


@dataclass(frozen=True)
class ShowNote(Button):
    """One note in full (``kind`` is a note kind: v, s, k)."""

    prefix = "nv"
    kind: Word
    note_id: int


@dataclass(frozen=True)
class CorrectNote(Button):
    """Correct one field of a note (its number among the kind's correctable fields)."""

    prefix = "nx"
    kind: Word
    note_id: int
    field_number: int


# Actions, flags, agenda, nudges.


@dataclass(frozen=True)
class ActionDone(Button):
    """An open action done (on this page of the list)."""

    prefix = "ad"
    action_id: int
    page: int = 0


@dataclass(frozen=True)
class FlagResponse(Button):
    """A supervisor's answer to a flag: Acknowledge, I'll call you, Add to agenda, Resolve."""

    prefix = "fl"
    action: FlagAction
    flag_id: int


@dataclass(frozen=True)
class StuckEndingChoice(Button):
    """What to do with a finished "I'm stuck" walk-through."""

    prefix = "sk"
    walkthrough_id: int
    ending: StuckEnding


@dataclass(frozen=True)
class WorkerAgenda(Button):
    """A worker's supervision agenda, picked from a supervisor's list."""

    prefix = "ag"
    worker_id: int


ALL_ITEMS = "all"


@dataclass(frozen=True)
class AgendaTick(Button):
    """Tick off an agenda item (or ``all``) that a supervision note covered."""

    prefix = "at"
    item: Token
    note_id: int

    def is_well_formed(self) -> bool:
        """An item id, or all of them."""
        return self.item == ALL_ITEMS or is_id(self.item)

    @property
    def entry_id(self) -> int | None:
        """The one item to tick off, or None for all."""
        return None if self.item == ALL_ITEMS else int(self.item)


NUDGE_CHOICES = ("done", "snooze", "move")
_NUDGE_DAY = re.compile(r"d(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class NudgeChoice(Button):
    """Done, Snooze, Reschedule, or the new day chosen (``d2026-12-05``) under a nudge."""

    prefix = "nd"
    row_id: int
    choice: Token

    def is_well_formed(self) -> bool:
        """One of the choices, or a real date."""
        return self.choice in NUDGE_CHOICES or self.day is not None

    @property
    def day(self) -> date | None:
        """The day chosen to move the visit to, if this is a day."""
        found = _NUDGE_DAY.fullmatch(self.choice)
        if found is None:
            return None
        try:
            return date.fromisoformat(found.group(1))
        except ValueError:
            return None

    @classmethod
    def moving_to(cls, row_id: int, day: date) -> NudgeChoice:
        """The button that moves a nudge's visit to ``day``."""
        return cls(row_id, f"d{day.isoformat()}")


# The bearings check.


@dataclass(frozen=True)
class ShareBearings(Button):
    """Share a bearings check with my supervisor."""

    prefix = "bgs"
    check_id: int


@dataclass(frozen=True)
class BearingsToAgenda(Button):
    """Add a bearings check to the supervision agenda."""

    prefix = "bga"
    check_id: int


@dataclass(frozen=True)
class BearingsTeamSummary(Button):
    """The team's bearings summary (supervisors)."""

    prefix = "bgt"


@dataclass(frozen=True)
class SharedBearings(Button):
    """A shared check from the team summary."""

    prefix = "bgv"
    check_id: int


# Long lists.


@dataclass(frozen=True)
class ListPage(Button):
    """A page of a long list (``cases``, ``flags``, ...): which page, the stamp of the list it
    was cut from, and what the list is of (a worker, for one worker's cases; else 0)."""

    prefix = "lp"
    listing: Word
    page: int
    stamp: Stamp = ""
    subject: int = 0


# Importing a caseload.


@dataclass(frozen=True)
class ConfirmImport(Button):
    """Import the caseload file previewed (its rows wait as a pending import)."""

    prefix = "ci"
    pending_id: int


@dataclass(frozen=True)
class CancelImport(Button):
    """Don't import the caseload file previewed."""

    prefix = "cix"
    pending_id: int


# Membership (a supervisor manages the team's people).


@dataclass(frozen=True)
class ShowMember(Button):
    """One of the team's people: their card, with what a supervisor may change."""

    prefix = "mb"
    member_id: int


@dataclass(frozen=True)
class SetRole(Button):
    """Make the person a supervisor or a key worker."""

    prefix = "mro"
    member_id: int
    role: Role


@dataclass(frozen=True)
class StartRemoval(Button):
    """Remove the person: who takes over what they hold (a page of the colleagues)."""

    prefix = "mrm"
    member_id: int
    page: int = 0


@dataclass(frozen=True)
class CaseByCase(Button):
    """Hand the leaver's cases over one at a time: the next case still theirs (a page of
    the colleagues)."""

    prefix = "mcb"
    member_id: int
    page: int = 0


@dataclass(frozen=True)
class HandCase(Button):
    """Case by case: this case of the leaver's to this colleague."""

    prefix = "mhc"
    member_id: int
    case_id: int
    to_id: int


@dataclass(frozen=True)
class ConfirmRemoval(Button):
    """Ask once more: remove the person, whatever they still hold going to ``to_id``."""

    prefix = "mrx"
    member_id: int
    to_id: int


@dataclass(frozen=True)
class RemoveNow(Button):
    """Yes: remove the person, whatever they still hold going to ``to_id``."""

    prefix = "mry"
    member_id: int
    to_id: int


@dataclass(frozen=True)
class RevokeInvite(Button):
    """Revoke an open invite (its link stops working)."""

    prefix = "ivx"
    invite_id: int


from bot.domain import buttons_process  # noqa: E402, F401  (its kinds join kinds())


def parse(data: str | None) -> Button:
    """Whatever kind of button ``data`` is; StaleButton if it is none of them."""
    if not data:
        raise StaleButton()
    kind = kinds().get(data.split(":", 1)[0])
    if kind is None:
        raise StaleButton()
    return kind.parse(data)


@cache
def kinds() -> dict[str, type[Button]]:
    """Every kind of button, by prefix."""
    found: dict[str, type[Button]] = {}
    pending = list(Button.__subclasses__())
    while pending:
        kind = pending.pop()
        if kind.prefix in found:
            raise ValueError(f"two kinds of button use the prefix {kind.prefix!r}")
        found[kind.prefix] = kind
        pending.extend(kind.__subclasses__())
    return found
