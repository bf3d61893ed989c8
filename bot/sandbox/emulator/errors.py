"""Telegram-style API errors raised by the emulator and the exact descriptions it uses."""

from __future__ import annotations

from typing import Any

UNAUTHORIZED = "Unauthorized"
NOT_FOUND = "Not Found"
TEXT_EMPTY = "Bad Request: message text is empty"
TEXT_TOO_LONG = "Bad Request: message is too long"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
WEB_APP_URL_INVALID = (
    "Bad Request: inline keyboard button Web App URL '{url}' is invalid: "
    "Only HTTPS links are allowed"
)
WEB_APP_PRIVATE_ONLY = "Bad Request: BUTTON_TYPE_INVALID"
MENU_BUTTON_INVALID = "Bad Request: can't parse menu button"
MENU_CHAT_INVALID = "Bad Request: chat_id must be a private chat"
BUTTONS_TOO_MUCH = "Bad Request: reply markup is too long"
BUTTON_TEXT_EMPTY = "Bad Request: a button of an inline keyboard needs a text"
BUTTON_TYPE_INVALID = (
    "Bad Request: can't parse inline keyboard button: "
    "exactly one of the optional fields must be used"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
CANT_EDIT = "Bad Request: message can't be edited"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
DELETE_NOT_FOUND = "Bad Request: message to delete not found"
REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
UNSUPPORTED_METHOD = "Bad Request: method is not supported by the Bearings emulator"
CHAT_NOT_FOUND = "Bad Request: chat not found"
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_A_MEMBER = "Forbidden: bot is not a member of the group chat"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLLING_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
FILE_EMPTY = "Bad Request: file must be non-empty"
WRONG_ACTION = "Bad Request: wrong parameter action in request"
COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
COMMAND_DESCRIPTION_INVALID = "Bad Request: command description must be non-empty"


def too_many_requests(retry_after: int) -> str:
    """Return Telegram's 429 description for a retry delay in whole seconds."""
    return f"Too Many Requests: retry after {retry_after}"


class ApiError(Exception):
    """An error answer in Telegram's shape: HTTP status, description and optional parameters."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """Return the JSON body Telegram would answer with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Build a 400 error, adding the "Bad Request: " prefix when it is missing."""
    if not description.startswith("Bad Request: "):
        description = f"Bad Request: {description}"
    return ApiError(400, description, parameters)


def rate_limited(retry_after: int) -> ApiError:
    """Build Telegram's 429 answer with parameters.retry_after."""
    return ApiError(429, too_many_requests(retry_after), {"retry_after": retry_after})
