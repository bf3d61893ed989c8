"""Flows (service layer): a person walks a flow, one step per message or button.

The parts, each with one job:

- ``use_cases``: start, answer (typed or by button), go back, skip, cancel, carry on
  with a draft or throw it away: what handlers call, re-exported here.
- ``turn``: one update's ``FlowTurn``, which works out the answer context once.
- ``engine``: walks the steps (begin, read an answer, apply it, step back, word the
  question).
- ``sessions``: the ``flow_sessions`` row (open, draft, closed; stale presses refused).
- ``replies``: what a flow says back (``FlowReply``, ``Question``, ``Said``).
- ``registry``: the tables a flow file's endings, checks and offers are looked up in
  (filled at start-up by ``bot.services.endings``).
- ``expiry``: the planner's part: idle flows become drafts, and their people are told.
"""

from bot.services.flows.replies import FlowReply, Question, Said
from bot.services.flows.sessions import DEFAULT_IDLE
from bot.services.flows.use_cases import (
    answer_other,
    answer_text,
    cancel,
    discard_draft,
    drop_and_start,
    keep_going,
    press,
    resume_draft,
    start_flow,
)

__all__ = [
    "DEFAULT_IDLE",
    "FlowReply",
    "Question",
    "Said",
    "answer_other",
    "answer_text",
    "cancel",
    "discard_draft",
    "drop_and_start",
    "keep_going",
    "press",
    "resume_draft",
    "start_flow",
]
