"""Encryption at rest for free text: MultiFernet behind SQLAlchemy column types.

The composition root installs the key ring once (``install_keys``) from
``BEARINGS_DATA_KEYS``; the first key encrypts, every key decrypts, so keys can
be rotated without downtime.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class KeyRing:
    """The Fernet keys in use: the first encrypts, all decrypt."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        self._fernets = [Fernet(key) for key in keys]
        self._multi = MultiFernet(self._fernets)

    def encrypt(self, plaintext: str) -> str:
        """Encrypt under the first key."""
        return self._multi.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Decrypt with whichever key fits."""
        try:
            return self._multi.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise DataKeyError(
                "a stored value cannot be decrypted with BEARINGS_DATA_KEYS; "
                "was a key removed before rotation finished?"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the first key."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    def rotated(self, token: str) -> str | None:
        """The token re-encrypted under the first key; None when it is under it already.

        One check against the first key, then the one decryption that fits: cheaper than
        ``is_current`` followed by ``rotate``, which checks the first key twice.
        """
        data = token.encode("ascii")
        first, *others = self._fernets
        try:
            first.decrypt(data)
        except InvalidToken:
            pass
        else:
            return None
        for fernet in others:
            try:
                plaintext = fernet.decrypt(data)
            except InvalidToken:
                continue
            return first.encrypt(plaintext).decode("ascii")
        raise InvalidToken

    def is_current(self, token: str) -> bool:
        """Whether a token is already encrypted under the first key."""
        try:
            self._fernets[0].decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True


class DataKeyError(Exception):
    """Stored data cannot be decrypted with the configured keys."""


_ring: KeyRing | None = None


def install_keys(keys: list[str]) -> KeyRing:
    """Install the process's key ring (called by the composition root and tests)."""
    global _ring
    _ring = KeyRing(keys)
    return _ring


def key_ring() -> KeyRing:
    """The installed key ring."""
    if _ring is None:
        raise DataKeyError("no data keys installed: set BEARINGS_DATA_KEYS")
    return _ring


def generate_key() -> str:
    """A fresh Fernet key, for the sandbox, tests and operators."""
    return Fernet.generate_key().decode("ascii")


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; reads and writes plain ``str``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        return None if value is None else key_ring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        return None if value is None else key_ring().decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored encrypted; reads and writes plain Python data."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Serialise and encrypt on the way in."""
        if value is None:
            return None
        return key_ring().encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        """Decrypt and parse on the way out."""
        return None if value is None else json.loads(key_ring().decrypt(value))
