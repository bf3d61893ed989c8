"""Stores files the bot uploads (and stand-ins for users' media) under Telegram-like file ids."""

from __future__ import annotations

import struct
from dataclasses import dataclass

_PREFIX = {"photo": "AgACAgQ", "document": "BQACAgQ", "sticker": "CAACAgQ", "voice": "AwACAgQ"}


@dataclass
class StoredFile:
    """One file: ids, content (None when only a URL was given), name, type and download path."""

    file_id: str
    file_unique_id: str
    content: bytes | None
    name: str | None
    mime_type: str | None
    path: str

    @property
    def size(self) -> int:
        """Return the size in bytes (0 when the content is unknown)."""
        return len(self.content) if self.content is not None else 0


class FileStore:
    """All files by file_id and by file_path (for the /file/bot<token>/<path> downloads)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self, kind: str, content: bytes | None, name: str | None, mime_type: str | None
    ) -> StoredFile:
        """Store a new file and return it with fresh ids."""
        self._counter += 1
        number = self._counter
        file_id = f"{_PREFIX.get(kind, 'BAACAgQ')}AAx{number:08d}{kind[:2].upper()}"
        extension = (name or "").rpartition(".")[2] if name and "." in name else "bin"
        stored = StoredFile(
            file_id,
            f"AQAD{number:08d}",
            content,
            name,
            mime_type,
            f"{kind}s/file_{number}.{extension}",
        )
        self._by_id[file_id] = stored
        self._by_path[stored.path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id, if any."""
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        """Return the file stored under this download path, if any."""
        return self._by_path.get(path)


def image_size(content: bytes | None) -> tuple[int, int]:
    """Return (width, height) of a PNG, GIF or JPEG image, or a plausible default."""
    if content is None:
        return 800, 600
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    return 800, 600


def _jpeg_size(content: bytes) -> tuple[int, int]:
    index = 2
    while index + 9 < len(content):
        if content[index] != 0xFF:
            index += 1
            continue
        marker = content[index + 1]
        length = int.from_bytes(content[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", content[index + 5 : index + 9])
            return int(width), int(height)
        index += 2 + length
    return 800, 600


def photo_sizes(stored: StoredFile, width: int, height: int) -> list[dict[str, object]]:
    """Return a PhotoSize list like Telegram's: a thumbnail and the full size."""
    scale = min(1.0, 90 / max(width, height, 1))
    thumb = {
        "file_id": f"{stored.file_id}_s",
        "file_unique_id": f"{stored.file_unique_id}s",
        "width": max(1, round(width * scale)),
        "height": max(1, round(height * scale)),
        "file_size": max(1, stored.size // 10),
    }
    full = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": width,
        "height": height,
        "file_size": stored.size,
    }
    return [thumb, full]
