"""Reads Bot API parameters from a request: query string, JSON, url-encoded or multipart bodies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import bad_request
from .models import UploadedFile

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def decode_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Return (parameters, file parts); a file part named like a parameter is its value."""
    params: dict[str, Any] = dict(request.query) if request.query_string else {}
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.read()
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(data, dict):
                raise bad_request("JSON object expected")
            params.update(data)
    elif content_type in _FORMS:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                upload = UploadedFile(value.filename, value.file.read(), value.content_type)
                files[key] = upload
                params[key] = upload
            else:
                params[key] = value
    return params, files


def loggable(params: dict[str, Any]) -> dict[str, Any]:
    """Return params with uploaded files replaced by a small description (name and size)."""
    if not any(isinstance(value, UploadedFile) for value in params.values()):
        return params
    return {
        key: (
            {"file_name": value.name, "size": len(value.content)}
            if isinstance(value, UploadedFile)
            else value
        )
        for key, value in params.items()
    }
