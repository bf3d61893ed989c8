"""Links that open a case in the chat from the dashboard, without saying which case.

A dashboard row's button opens ``t.me/<bot>?start=<token>``. The token names no
case and holds nothing to read: it is an HMAC, under a key drawn from the bot's
token, of the case, the person it was made for and the hour it was made in. The
bot finds the case again by working out the token of each case the person may
read now; a token made for someone else, or more than an hour before the last
hour began, matches nothing. Its shape (``c_`` and 26 characters) cannot be
mistaken for an invite token (43 characters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime

PREFIX = "c_"
_TOKEN = re.compile(r"^c_[a-z2-7]{26}$")
WINDOW_SECONDS = 3600
"""A token works in the hour it was made and the next."""


def link_key(bot_token: str) -> bytes:
    """The key case links are made with, drawn from the bot's token."""
    return hmac.new(b"BearingsCaseLink", bot_token.encode("utf-8"), hashlib.sha256).digest()


def _window(at: datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def _token(key: bytes, member_id: int, case_id: int, window: int) -> str:
    digest = hmac.new(key, f"{member_id}:{case_id}:{window}".encode(), hashlib.sha256).digest()
    return PREFIX + base64.b32encode(digest).decode("ascii").lower()[:26]


def case_link_token(key: bytes, *, member_id: int, case_id: int, at: datetime) -> str:
    """The token for a case, made for one person at one moment."""
    return _token(key, member_id, case_id, _window(at))


def is_case_link(text: str) -> bool:
    """Whether a /start argument has a case link's shape."""
    return bool(_TOKEN.match(text))


def linked_case(
    key: bytes, token: str, *, member_id: int, case_ids: Iterable[int], now: datetime
) -> int | None:
    """Which of these cases the token was made for (for this person, this hour or the last),
    or None."""
    if not is_case_link(token):
        return None
    window = _window(now)
    found = None
    for case_id in case_ids:
        for made in (window, window - 1):
            if hmac.compare_digest(_token(key, member_id, case_id, made), token):
                found = case_id
    return found
