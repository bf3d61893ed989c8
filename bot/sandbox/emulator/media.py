"""Minimal but realistic payloads for media a user sends (photo, voice, sticker, ...)."""

from __future__ import annotations

import base64
from typing import Any

from .files import FileStore, StoredFile, photo_sizes

MEDIA_KINDS = frozenset(
    {
        "photo",
        "sticker",
        "voice",
        "video",
        "document",
        "location",
        "contact",
        "animation",
        "audio",
        "video_note",
    }
)
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
_FILES: dict[str, tuple[str, str, bytes]] = {
    "photo": ("photo.png", "image/png", TINY_PNG),
    "sticker": ("sticker.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 "),
    "voice": ("voice.ogg", "audio/ogg", b"OggS\x00emulated voice"),
    "video": ("video.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42emulated"),
    "document": ("notes.pdf", "application/pdf", b"%PDF-1.4\n% emulated document\n"),
    "animation": ("animation.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42animation"),
    "audio": ("audio.mp3", "audio/mpeg", b"ID3\x03\x00emulated audio"),
    "video_note": ("video_note.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42round"),
}


def _ids(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }


def media_content(
    kind: str, files: FileStore, user: dict[str, Any]
) -> tuple[dict[str, Any], StoredFile | None]:
    """Return the Message fields for a user's media of this kind and the stand-in file."""
    if kind not in MEDIA_KINDS:
        raise ValueError(f"unknown media kind {kind!r}; use one of {sorted(MEDIA_KINDS)}")
    if kind == "location":
        return {"location": {"latitude": 51.5007, "longitude": -0.1246}}, None
    if kind == "contact":
        contact = {
            "phone_number": "+447700900123",
            "first_name": user.get("first_name", "Test"),
            "user_id": user["id"],
        }
        return {"contact": contact}, None
    name, mime, content = _FILES[kind]
    stored = files.add(kind, content, name, mime)
    ids = _ids(stored)
    if kind == "photo":
        return {"photo": photo_sizes(stored, 1280, 960)}, stored
    if kind == "sticker":
        sticker = {
            **ids,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return {"sticker": sticker}, stored
    if kind == "voice":
        return {"voice": {**ids, "duration": 3, "mime_type": mime}}, stored
    if kind == "video":
        video = {**ids, "width": 640, "height": 360, "duration": 5, "mime_type": mime}
        return {"video": video}, stored
    if kind == "document":
        return {"document": {**ids, "file_name": name, "mime_type": mime}}, stored
    if kind == "animation":
        animation = {
            **ids,
            "width": 320,
            "height": 240,
            "duration": 2,
            "file_name": name,
            "mime_type": mime,
        }
        document = {**ids, "file_name": name, "mime_type": mime}
        return {"animation": animation, "document": document}, stored
    if kind == "audio":
        audio = {**ids, "duration": 30, "performer": "Test", "title": "Audio", "mime_type": mime}
        return {"audio": audio}, stored
    return {"video_note": {**ids, "length": 240, "duration": 5}}, stored
