"""Checks and coerces request parameters against the Bot API specification, recursively."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import ApiError, bad_request
from .models import UploadedFile
from .spec import ApiSpec, FieldSpec, MethodSpec, TypeSpec

_INTEGER = re.compile(r"\s*[-+]?\d+\s*")
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "True", "String", "InputFile"})


class Invalid(Exception):
    """A value does not fit its declared type; path locates it inside the parameter."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path} {problem}")
        self.path = path
        self.problem = problem


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Validator:
    """Validates a method's parameters, recursing into the spec's object types."""

    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec

    def validate(
        self, method: MethodSpec, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        """Return the method's known parameters converted to Python values; raise ApiError (400)."""
        for name in method.required:
            if raw.get(name) is None:
                raise bad_request(f'parameter "{name}" is required')
        params: dict[str, Any] = {}
        index = method.index
        for name, value in raw.items():
            field = index.get(name)
            if field is None or value is None:
                continue
            try:
                params[name] = self._union(field.types, value, "", True, files)
            except Invalid as error:
                raise _describe(field, error) from None
        return params

    def _union(
        self,
        types: tuple[str, ...],
        value: Any,
        path: str,
        lenient: bool,
        files: dict[str, UploadedFile],
    ) -> Any:
        if len(types) == 1:
            return self._convert(types[0], value, path, lenient, files)
        if "InputFile" in types and isinstance(value, str) and value.startswith("attach://"):
            return self._convert("InputFile", value, path, lenient, files)
        errors: list[Invalid] = []
        for name in self._ranked(types, value):
            try:
                return self._convert(name, value, path, lenient, files)
            except Invalid as error:
                errors.append(error)
        deeper = [error for error in errors if error.path != path]
        if deeper:
            raise deeper[0]
        raise Invalid(path, f"must be of type {' or '.join(types)}")

    def _ranked(self, types: tuple[str, ...], value: Any) -> list[str]:
        """Order union members so the object type the value most resembles is tried first."""
        if isinstance(value, str) and value.startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                return list(types)
        if not isinstance(value, dict):
            return list(types)

        def score(name: str) -> int:
            spec = self.spec.types.get(name.removeprefix("Array of "))
            if spec is None:
                return 0
            return sum(1 for f in spec.fields if f.required and f.name in value)

        return sorted(types, key=score, reverse=True)

    def _convert(
        self,
        name: str,
        value: Any,
        path: str,
        lenient: bool,
        files: dict[str, UploadedFile],
    ) -> Any:
        if name in _PRIMITIVES:
            return _primitive(name, value, path, lenient, files)
        if name.startswith("Array of "):
            items = _json(value, list, path) if lenient and isinstance(value, str) else value
            if not isinstance(items, list):
                raise Invalid(path, f"must be of type {name}")
            inner = name[len("Array of ") :]
            return [
                self._convert(inner, item, f"{path}[{index}]", False, files)
                for index, item in enumerate(items)
            ]
        spec = self.spec.types.get(name)
        if spec is None or (name == "KeyboardButton" and isinstance(value, str)):
            return value
        obj = _json(value, dict, path) if lenient and isinstance(value, str) else value
        if not isinstance(obj, dict):
            raise Invalid(path, f"must be of type {name}")
        return self._object(spec, obj, path, files)

    def _object(
        self, spec: TypeSpec, obj: dict[str, Any], path: str, files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        if spec.subtypes:
            return self._object(self._subtype(spec, obj, path), obj, path, files)
        if spec.discriminator is not None:
            key, constant = spec.discriminator
            if obj.get(key) != constant:
                raise Invalid(_join(path, key), f'must be "{constant}"')
        for name in spec.required:
            if obj.get(name) is None:
                raise Invalid(_join(path, name), "is required")
        result = dict(obj)
        index = spec.index
        for name, value in obj.items():
            field = index.get(name)
            if field is not None and value is not None:
                result[name] = self._union(field.types, value, _join(path, name), False, files)
        return result

    def _subtype(self, spec: TypeSpec, obj: dict[str, Any], path: str) -> TypeSpec:
        subtypes = [self.spec.types[name] for name in spec.subtypes if name in self.spec.types]
        keys = {sub.discriminator[0] for sub in subtypes if sub.discriminator is not None}
        for sub in subtypes:
            if (
                sub.discriminator is not None
                and obj.get(sub.discriminator[0]) == sub.discriminator[1]
            ):
                return sub
        if keys:
            key = sorted(keys)[0]
            raise Invalid(_join(path, key), f"has unsupported value {obj.get(key)!r}")
        if not subtypes:
            raise Invalid(path, f"must be of type {spec.name}")
        return max(subtypes, key=lambda sub: sum(f.required and f.name in obj for f in sub.fields))


def _describe(field: FieldSpec, error: Invalid) -> ApiError:
    if error.path:
        return bad_request(
            f'can\'t parse parameter "{field.name}": field "{error.path}" {error.problem}'
        )
    return bad_request(f'parameter "{field.name}" {error.problem}')


def _json(value: str, kind: type, path: str) -> Any:
    try:
        parsed = json.loads(value)
    except ValueError:
        noun = "array" if kind is list else "object"
        raise Invalid(path, f"must be a JSON-serialized {noun}") from None
    return parsed


def _primitive(
    name: str, value: Any, path: str, lenient: bool, files: dict[str, UploadedFile]
) -> Any:
    if name == "String":
        if isinstance(value, str):
            return value
    elif name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if lenient and isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
    elif name == "Float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if lenient and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                return number
    elif name in ("Boolean", "True"):
        flag = value if isinstance(value, bool) else None
        if flag is None and lenient and isinstance(value, str):
            flag = _BOOLEANS.get(value.strip().lower())
        if flag is not None and (name == "Boolean" or flag):
            return flag
    elif name == "InputFile":
        if isinstance(value, UploadedFile):
            return value
        if lenient and isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://") :])
            if part is not None:
                return part
            raise Invalid(path, f"refers to a missing file part {value!r}")
    raise Invalid(path, f"must be of type {name}")
