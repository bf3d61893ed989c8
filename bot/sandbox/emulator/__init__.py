"""A local emulator of the Telegram Bot API for end-to-end tests, the sandbox chat and benchmarks.

It speaks HTTP like api.telegram.org, validates every call against the Bot API specification
(api.min.json), keeps chat transcripts, and can inject faults and enforce flood limits.
"""

from .emulator import BotApiEmulator
from .errors import ApiError
from .faults import FaultRule
from .models import Button, ChatMessage, RequestRecord, WebhookState
from .ratelimit import RateLimits

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "Button",
    "ChatMessage",
    "FaultRule",
    "RateLimits",
    "RequestRecord",
    "WebhookState",
]
