"""The functions a flow file names (service layer): its ending, its steps' checks, the checks
of answers given in advance, and what a note offers.

The tables are filled at start-up by ``bot.services.endings.register_endings``; the flow
engine looks names up here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.clock import Clock
from bot.domain.flows import Accepted, Option, Rejected
from bot.services.access import Person
from bot.services.flows.replies import Said
from bot.services.registry import Registry
from storage.uow import UnitOfWork

Ending = Callable[[UnitOfWork, Clock, Person, dict[str, Any]], Awaitable[list[Said]]]
ENDINGS: Registry[Ending] = Registry("flow endings")
"""What acts on a finished flow's answers (``ending:`` in its file)."""

StepCheck = Callable[[UnitOfWork, Person, Any], Awaitable[Accepted | Rejected]]
STEP_CHECKS: Registry[StepCheck] = Registry("step checks")
"""What a step's typed answer must pass (``check:`` in its file)."""

PrefillCheck = Callable[[UnitOfWork, Clock, Person, Any], Awaitable[None]]
PREFILL_CHECKS: Registry[PrefillCheck] = Registry("prefill checks")
"""What an answer given in advance (``flag=12``, carried on a button) must pass.

Such answers come back from button data, so they are checked whenever a flow starts
with them; the check raises a ``Refusal``. A key with no check (other than ``case``,
checked by the engine) was never put on a button by the bot and is refused.
"""

NoteOffer = Callable[[UnitOfWork, Clock, Person, dict[str, Any]], Awaitable[list[Said]]]
NOTE_OFFERS: Registry[NoteOffer] = Registry("note offers")
"""What a note's ``offer:`` does when the note is shown (given the answers)."""

OptionSource = Callable[[UnitOfWork, Person, dict[str, Any]], Awaitable[list[Option]]]
OPTION_SOURCES: Registry[OptionSource] = Registry("option sources")
"""Where a step's options or items come from (``options_from:`` and ``each:`` in its file),
worked out from the data and the answers so far when the step is asked."""
