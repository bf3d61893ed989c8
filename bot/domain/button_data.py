"""The machinery of button data: how a kind of button writes and strictly reads its fields.

A kind of button (bot/domain/buttons.py) is a frozen dataclass with a short ``prefix`` and
typed fields. ``encode()`` writes ``prefix:field:field`` (at most 64 bytes, and only what
reads back as the same button); ``parse()`` reads it back strictly: decimal ids of sane size,
enum values it knows, words and tokens from a small alphabet, the right number of parts.
Anything else is ``StaleButton`` ("already done"). ``Offer`` is how a service says what to
offer: a label key from prompts/labels.yaml and its values (or words already chosen) and
the button.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import Enum
from typing import Annotated, Any, ClassVar, Self, Union

from bot.domain.errors import Refusal

MAX_BYTES = 64
"""Telegram's limit on callback data."""

MAX_ID_DIGITS = 18
"""Ids are database keys: longer "numbers" are forged (they would overflow a BIGINT)."""


class StaleButton(Refusal):
    """Button data that does not parse: forged, garbled or from a version long gone."""

    def __init__(self) -> None:
        super().__init__("already_done")


Word = Annotated[str, re.compile(r"[a-z][a-z_]{0,31}")]
"""A name in button data (a flow, a note kind): lower-case letters and underscores."""

Token = Annotated[str, re.compile(r"[A-Za-z0-9_.=-]{1,48}")]
"""An opaque token in button data (an invite, a flow answer): a small safe alphabet."""

PrefillToken = Annotated[str, re.compile(r"[A-Za-z0-9_.=-]{0,48}")]
"""What a flow was started with, as ``key=value`` (``case=12``), or empty for nothing."""

Stamp = Annotated[str, re.compile(r"[0-9a-f]{0,16}")]
"""A list's fingerprint (bot/domain/paging.py), or empty for "whatever it is now"."""


def prefill_token(answers: Mapping[str, object] | None) -> str:
    """The token for a flow's prefilled answers (at most one is ever prefilled)."""
    if not answers:
        return ""
    if len(answers) > 1:
        raise ValueError("a flow is started with at most one prefilled answer")
    ((key, value),) = answers.items()
    return f"{key}={value}"


def prefilled(token: str) -> dict[str, object]:
    """The prefilled answers a token carries; numbers come back as numbers."""
    key, sep, value = token.partition("=")
    if not sep or not key:
        return {}
    return {key: int(value) if value.isdecimal() else value}


@dataclass(frozen=True)
class Button:
    """A kind of button: a prefix and typed fields, written ``prefix:field:field``."""

    prefix: ClassVar[str]

    def encode(self) -> str:
        """The callback data for this button (at most 64 bytes, or ValueError)."""
        parts = [self.prefix, *(_write(getattr(self, f.name)) for f in fields(self))]
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"button data over {MAX_BYTES} bytes")
        try:
            same = type(self).parse(data) == self
        except StaleButton:
            same = False
        if not same:
            raise ValueError(f"{self!r} would not read back from its data")
        return data

    @classmethod
    def parse(cls, data: str) -> Self:
        """Read this kind of button back; StaleButton if ``data`` is anything else."""
        specs = _field_specs(cls)
        prefix, *parts = data.split(":")
        required = sum(1 for _, _, has_default in specs if not has_default)
        if prefix != cls.prefix or not required <= len(parts) <= len(specs):
            raise StaleButton()
        values = {
            name: _read(kind, part) for (name, kind, _), part in zip(specs, parts, strict=False)
        }
        button = cls(**values)
        if not button.is_well_formed():
            raise StaleButton()
        return button

    def is_well_formed(self) -> bool:
        """A kind's own check beyond its field types (overridden where there is one)."""
        return True


@dataclass(frozen=True)
class Offer:
    """A button to offer: what it says (a label key and values, or words already chosen,
    such as a person's name) and what pressing it means."""

    button: Button
    label: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    words: str | None = None

    def __post_init__(self) -> None:
        if (self.label is None) == (self.words is None):
            raise ValueError("an offer has either a label key or words, not both")

    @property
    def text(self) -> tuple[str, Mapping[str, Any]] | str:
        """The label key and its values, or the words as they are."""
        return self.words if self.words is not None else (str(self.label), self.values)

    @classmethod
    def worded(cls, words: str, button: Button) -> Offer:
        """A button labelled with words that are not a label key (a name, a flow's option)."""
        return cls(button, words=words)


Offers = list[list[Offer]]
"""Rows of buttons, as a service offers them."""


_SPECS: dict[type[Button], list[tuple[str, Any, bool]]] = {}


def _field_specs(kind: type[Button]) -> list[tuple[str, Any, bool]]:
    """(name, type, has a default) of each field, in order; worked out once per kind."""
    if kind not in _SPECS:
        hints = typing.get_type_hints(kind, include_extras=True)
        _SPECS[kind] = [
            (f.name, hints[f.name], f.default is not MISSING or f.default_factory is not MISSING)
            for f in fields(kind)
        ]
    return _SPECS[kind]


def _write(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _read(kind: Any, part: str) -> object:
    """One field from its text, or StaleButton."""
    if typing.get_origin(kind) in (Union, types.UnionType):
        raise TypeError("button fields are never optional; give them a default instead")
    if kind is int:
        if not is_id(part):
            raise StaleButton()
        return int(part)
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(part)
        except ValueError:
            raise StaleButton() from None
    if typing.get_origin(kind) is Annotated:
        _, pattern = typing.get_args(kind)
        if not pattern.fullmatch(part):
            raise StaleButton()
        return part
    raise TypeError(f"no way to read a button field of type {kind!r}")


def is_id(part: str) -> bool:
    """Whether a part of button data is a database id: decimal digits, at most 18."""
    return part.isascii() and part.isdecimal() and len(part) <= MAX_ID_DIGITS
