"""Loads the Bot API specification (api.min.json) and answers questions about methods and types."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("api.min.json")
_CONSTANT = re.compile(r"(?:must be|always) [\"“]?([a-z_]+)[\"”]?")


@dataclass(frozen=True)
class FieldSpec:
    """One method parameter or type field: its name, allowed types and whether required."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class MethodSpec:
    """One Bot API method: its canonical name, parameters and return types."""

    name: str
    fields: tuple[FieldSpec, ...]
    returns: tuple[str, ...]

    @cached_property
    def index(self) -> dict[str, FieldSpec]:
        """Return the parameters by name."""
        return {field.name: field for field in self.fields}

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Return the names of the required parameters."""
        return tuple(field.name for field in self.fields if field.required)


@dataclass(frozen=True)
class TypeSpec:
    """One Bot API object type: its fields, or the subtypes when it is abstract."""

    name: str
    fields: tuple[FieldSpec, ...]
    subtypes: tuple[str, ...]
    discriminator: tuple[str, str] | None

    @cached_property
    def index(self) -> dict[str, FieldSpec]:
        """Return the fields by name."""
        return {field.name: field for field in self.fields}

    @cached_property
    def required(self) -> tuple[str, ...]:
        """Return the names of the required fields."""
        return tuple(field.name for field in self.fields if field.required)


def _fields(raw: list[dict[str, Any]]) -> tuple[FieldSpec, ...]:
    return tuple(
        FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]), f.get("description", ""))
        for f in raw
    )


def _discriminator(fields: tuple[FieldSpec, ...]) -> tuple[str, str] | None:
    for field in fields:
        if field.required and field.types == ("String",):
            match = _CONSTANT.search(field.description)
            if match:
                return field.name, match.group(1)
    return None


class ApiSpec:
    """The parsed specification: method lookup (case-insensitive, like Telegram) and types."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw.get("version", "")
        self.methods: dict[str, MethodSpec] = {}
        self._by_lower: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            spec = MethodSpec(name, _fields(method.get("fields", [])), tuple(method["returns"]))
            self.methods[name] = spec
            self._by_lower[name.lower()] = spec
        self.types: dict[str, TypeSpec] = {}
        for name, typ in raw["types"].items():
            fields = _fields(typ.get("fields", []))
            disc = _discriminator(fields) if typ.get("subtype_of") else None
            self.types[name] = TypeSpec(name, fields, tuple(typ.get("subtypes", [])), disc)

    def method(self, name: str) -> MethodSpec | None:
        """Return the method called name (any letter case), or None when there is none."""
        return self._by_lower.get(name.lower())


@cache
def load_spec(path: Path = SPEC_PATH) -> ApiSpec:
    """Load and cache the specification shipped beside this module."""
    with path.open(encoding="utf-8") as handle:
        return ApiSpec(json.load(handle))
