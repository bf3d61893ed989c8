"""Nudges (service layer): planned from the data on every tick, composed at send time,
acted on by their buttons.

- ``planning``: which nudges' time has come, owed through the outbox (``plan_nudges``).
- ``messages``: what each kind of nudge says when it is sent, and the Monday digest.
- ``actions``: Done, Snooze 1 day and Reschedule on a nudge (``act_on_nudge``).

What the planner and handlers call is re-exported here.
"""

from bot.services.nudges.actions import NudgeOutcome, act_on_nudge
from bot.services.nudges.messages import Digest, digest_preview
from bot.services.nudges.planning import plan_nudges

__all__ = ["Digest", "NudgeOutcome", "act_on_nudge", "digest_preview", "plan_nudges"]
