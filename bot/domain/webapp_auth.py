"""Mini App launch data (``initData``), checked exactly as Telegram specifies.

Telegram signs the data it hands a Mini App: the fields, sorted by key, written
``key=value`` one a line without ``hash`` (the data-check-string), signed with
HMAC-SHA256 under the key HMAC-SHA256(key="WebAppData", msg=bot token); the hex
signature is the ``hash`` field. Here the signature is checked in constant time,
then ``auth_date``'s age; only then is the user read. ``sign_init_data`` makes
such data for the sandbox and the tests, the way Telegram does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

MAX_INIT_DATA = 4096
"""Longer than any launch data Telegram sends: refused unread."""
CLOCK_SKEW = 60
"""Seconds an ``auth_date`` may lie ahead of this server's clock (Telegram's runs apart)."""


class AuthFailure(StrEnum):
    """Why launch data was not accepted (each answered 401, with no data)."""

    MISSING = "missing"
    MALFORMED = "malformed"
    FORGED = "forged"
    STALE = "stale"


@dataclass(frozen=True)
class LaunchUser:
    """Who opened the Mini App, as Telegram vouches for them."""

    telegram_user_id: int
    auth_date: int


def secret_key(bot_token: str) -> bytes:
    """HMAC-SHA256 of the bot token under the key "WebAppData"."""
    return hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()


def data_check_string(fields: Mapping[str, str]) -> str:
    """Every field but ``hash``, sorted by key, as ``key=value`` lines."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def _signature(fields: Mapping[str, str], bot_token: str) -> str:
    check = data_check_string(fields).encode("utf-8")
    return hmac.new(secret_key(bot_token), check, hashlib.sha256).hexdigest()


def check_init_data(
    init_data: str | None, bot_token: str, *, now: int, max_age: int
) -> LaunchUser | AuthFailure:
    """The user the launch data vouches for, or why it is refused: missing, malformed,
    signed with another token (or altered), or signed more than ``max_age`` seconds ago."""
    if not init_data:
        return AuthFailure.MISSING
    if len(init_data) > MAX_INIT_DATA:
        return AuthFailure.MALFORMED
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return AuthFailure.MALFORMED
    fields = dict(pairs)
    given = fields.get("hash", "")
    if len(fields) != len(pairs) or not given:
        return AuthFailure.MALFORMED
    if not hmac.compare_digest(
        given.encode("ascii", "replace"), _signature(fields, bot_token).encode()
    ):
        return AuthFailure.FORGED
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = user["id"]
    except (KeyError, ValueError, TypeError):
        return AuthFailure.MALFORMED
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        return AuthFailure.MALFORMED
    if not -CLOCK_SKEW <= now - auth_date <= max_age:
        return AuthFailure.STALE
    return LaunchUser(telegram_user_id=user_id, auth_date=auth_date)


def sign_init_data(
    bot_token: str, *, user_id: int, first_name: str, auth_date: int, query_id: str = "sandbox"
) -> str:
    """Launch data for a user, signed as Telegram signs it (the sandbox and tests)."""
    user = json.dumps({"id": user_id, "first_name": first_name}, separators=(",", ":"))
    fields = {"auth_date": str(auth_date), "query_id": query_id, "user": user}
    return urlencode({**fields, "hash": _signature(fields, bot_token)})
