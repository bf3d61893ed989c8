"""Flood control at the inbox (Telegram side): hold back, never drop.

Each new update counts against its sender's bucket (``bot.domain.flood``) as
it arrives. An update over the limit is kept and handled later: its chat waits
for it (holding one of the ``CONCURRENT_CHATS`` workers, so other chats carry
on with the rest), and the first one to wait in a flood first tells the
person, once, to slow down.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bot.domain.flood import FloodGuard, FloodRule
from bot.telegram.calls import ApiCaller
from bot.telegram.inbox.stopping import Stopping
from prompts import render

# One logger for the whole inbox, named as it was before the inbox was split into modules.
log = logging.getLogger(__package__)


@dataclass(frozen=True)
class _HeldUpdate:
    """An update held back by flood control: not before ``until`` (monotonic seconds)."""

    until: float
    warn_chat: int | None
    """The private chat to tell to slow down, when this is the first wait of a flood."""


class FloodHold:
    """Holds back the updates of someone writing faster than the flood rule allows."""

    def __init__(self, rule: FloodRule, caller: ApiCaller, stopping: Stopping) -> None:
        self._guard = FloodGuard(rule)
        self._caller = caller
        self._stopping = stopping
        self._held: dict[int, _HeldUpdate] = {}

    def hold_if_flooding(self, update_id: int, chat: int, sender: int, now: float) -> None:
        """Count a new update against its sender; hold it back if they are over the limit."""
        admission = self._guard.admit(sender, now)
        if admission.wait <= 0:
            return
        # Private chats have the person's own (positive) id; groups are never told.
        warn_chat = chat if admission.warn and chat > 0 else None
        self._held[update_id] = _HeldUpdate(now + admission.wait, warn_chat)
        if admission.warn:
            log.info("inbox.flood", extra={"chat": chat, "update_id": update_id})

    async def wait_if_held(self, update_id: int) -> None:
        """Tell the person once, then wait for this update's turn (less if Bearings stops)."""
        held = self._held.pop(update_id, None)
        if held is None:
            return
        if held.warn_chat is not None:
            await self._caller.call(
                "sendMessage",
                {"chat_id": held.warn_chat, "text": render("slow_down"), "parse_mode": "HTML"},
            )
        await self._stopping.sleep(held.until - time.monotonic())
