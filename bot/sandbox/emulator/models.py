"""Data classes the emulator exposes: chat messages, buttons, request records, webhook state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class UploadedFile:
    """A file part received in a multipart/form-data request."""

    name: str
    content: bytes
    content_type: str | None = None


@dataclass
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app: str | None = None
    """The URL of the Mini App the button opens (a ``web_app`` button)."""


@dataclass
class ChatMessage:
    """One message in a chat transcript, from a user or from the bot, in its current state."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str
    html: str | None = None
    kind: str = "text"
    buttons: list[list[Button]] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    deleted: bool = False
    file_bytes: bytes | None = None
    file_name: str | None = None
    date: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    keyboard: list[list[str]] = field(default_factory=list)
    user_id: int | None = None
    version: int = 0

    @property
    def labels(self) -> list[str]:
        """Return every inline button label, row by row."""
        return [button.text for row in self.buttons for button in row]

    def button(self, label: str) -> Button:
        """Return the button labelled label, else the unique one containing it (any case)."""
        flat = [button for row in self.buttons for button in row]
        for button in flat:
            if button.text == label:
                return button
        needle = label.casefold()
        found = [button for button in flat if needle in button.text.casefold()]
        if len(found) == 1:
            return found[0]
        problem = "several buttons match" if found else "no button matches"
        raise LookupError(f"{problem} {label!r} in message {self.message_id}: {self.labels}")

    def snapshot(self) -> ChatMessage:
        """Return a copy that later edits of the live message do not change."""
        return replace(
            self,
            buttons=[list(row) for row in self.buttons],
            edits=list(self.edits),
            entities=list(self.entities),
            keyboard=[list(row) for row in self.keyboard],
        )

    def summary(self) -> str:
        """Return a one-line description for error messages."""
        state = " (deleted)" if self.deleted else ""
        buttons = f" buttons={self.labels}" if self.buttons else ""
        return f"#{self.message_id} [{self.kind}]{state} {self.text[:80]!r}{buttons}"


@dataclass
class RequestRecord:
    """One Bot API call as the emulator answered it.

    ``received_at`` is when the call reached the emulator (time.monotonic), before any
    simulated latency; ``at`` is when it was answered. ``retry_after`` is the wait a 429
    told the bot to keep, in seconds.
    """

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float
    chat_id: int | None = None
    received_at: float = 0.0
    retry_after: int | None = None


@dataclass
class WebhookState:
    """The webhook the bot has set, if any (url is empty in getUpdates mode)."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    @property
    def active(self) -> bool:
        """Return whether updates are pushed to a webhook rather than fetched with getUpdates."""
        return bool(self.url)
