"""The emulator's shared state: one object every API method and user action works on."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .chats import ChatState, ChatStore
from .errors import ApiError, bad_request, rate_limited
from .faults import FaultInjector
from .files import FileStore
from .models import RequestRecord, WebhookState
from .ratelimit import RateLimiter
from .spec import ApiSpec, load_spec
from .updates import UpdateQueue
from .validation import Validator
from .waiting import ChangeNotifier
from .webhook import WebhookPusher


@dataclass
class EmulatorState:
    """Everything the emulator knows: chats, files, updates, webhook, faults, limits, records."""

    token: str
    bot_username: str
    rng: random.Random
    spec: ApiSpec
    validator: Validator
    notifier: ChangeNotifier
    chats: ChatStore
    files: FileStore
    updates: UpdateQueue
    webhook: WebhookState
    pusher: WebhookPusher
    faults: FaultInjector
    stats: Counter[str]
    requests: list[RequestRecord] = field(default_factory=list)
    limiter: RateLimiter | None = None
    latency: float = 0.0
    callback_queries: dict[str, bool] = field(default_factory=dict)
    callback_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    menu_buttons: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)

    @property
    def bot_id(self) -> int:
        """Return the bot's user id: the numeric part of the token."""
        return int(self.token.split(":", 1)[0])

    def bot_user(self) -> dict[str, Any]:
        """Return the bot's User object as it appears in messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Bearings",
            "username": self.bot_username,
        }

    def target_chat(self, ref: int | str) -> ChatState:
        """Resolve a chat_id for sending: unknown numeric ids become new chats; checks
        migration (400), blocked users and left groups (403)."""
        chat = self.chats.find(ref)
        if chat is None:
            if not isinstance(ref, int):
                raise bad_request(errors.CHAT_NOT_FOUND)
            chat = self.chats.ensure(ref)
        if chat.migrated_to is not None:
            raise bad_request(errors.MIGRATED, {"migrate_to_chat_id": chat.migrated_to})
        if chat.type == "private" and chat.id in self.blocked:
            raise ApiError(403, errors.BLOCKED)
        if chat.left:
            raise ApiError(403, errors.NOT_A_MEMBER)
        return chat

    def check_rate(self, kind: str, chat_id: int | None) -> None:
        """Raise the 429 answer when a "send" or "edit" is over the configured limits."""
        if self.limiter is None:
            return
        retry_after = self.limiter.check(kind, chat_id, time.monotonic())
        if retry_after is not None:
            self.stats["rate_limited"] += 1
            raise rate_limited(retry_after)


def new_state(token: str, bot_username: str, seed: int) -> EmulatorState:
    """Build a fresh state; update ids start at a seeded pseudo-random number above 100000."""
    rng = random.Random(seed)
    spec = load_spec()
    notifier = ChangeNotifier()
    stats: Counter[str] = Counter()
    updates = UpdateQueue(100_000 + rng.randrange(900_000), notifier)
    webhook = WebhookState()
    return EmulatorState(
        token=token,
        bot_username=bot_username,
        rng=rng,
        spec=spec,
        validator=Validator(spec),
        notifier=notifier,
        chats=ChatStore(notifier),
        files=FileStore(),
        updates=updates,
        webhook=webhook,
        pusher=WebhookPusher(updates, webhook, stats),
        faults=FaultInjector(rng),
        stats=stats,
    )
