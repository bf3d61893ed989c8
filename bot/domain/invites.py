"""Invite tokens: long, random, single-use, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum

TOKEN_BYTES = 32  # 43 url-safe characters: fits Telegram's 64-character start parameter


class InviteState(StrEnum):
    """Whether an invite can still be used."""

    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"


def new_invite_token() -> str:
    """A fresh random token (43 characters of A-Z, a-z, 0-9, - and _)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Compare a presented token with a stored hash in constant time."""
    return hmac.compare_digest(hash_token(token), stored_hash)


def looks_like_token(text: str) -> bool:
    """Whether a /start argument could be an invite token at all (cheap shape check)."""
    return 20 <= len(text) <= 64 and all(c.isalnum() or c in "-_" for c in text)


def invite_state(expires_at: datetime, used_at: datetime | None, now: datetime) -> InviteState:
    """An invite is used once, and only before it expires."""
    if used_at is not None:
        return InviteState.USED
    if now >= expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID
