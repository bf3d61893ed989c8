"""BotApiEmulator: starts the fake Telegram server and offers the in-process test API."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .actors import Actors
from .chats import Listener
from .faults import FaultInjector
from .models import ChatMessage, RequestRecord, WebhookState
from .ratelimit import RateLimiter, RateLimits
from .server import build_app
from .state import EmulatorState, new_state
from .testapi import add_test_routes


class BotApiEmulator:
    """A local Telegram Bot API server plus helpers to act as users and inspect what the bot did."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "bearings_sandbox_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limits: RateLimits | None = None,
        latency: float = 0.0,
        seed: int = 0,
    ) -> None:
        self.state: EmulatorState = new_state(token, bot_username, seed)
        self.host = host
        self.port = port
        self.rate_limits = rate_limits
        self.latency = latency
        self._actors = Actors(self.state)
        self._runner: web.AppRunner | None = None

    # lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start serving on host:port (port 0 picks a free one, then self.port holds it)."""
        app = build_app(self.state)
        add_test_routes(app, self)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        self.port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        """Stop the webhook pusher, end long polls and shut the server down."""
        await self.state.pusher.stop()
        self.state.updates.wake_all()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # identity ------------------------------------------------------------------------------
    @property
    def token(self) -> str:
        """Return the bot token the server accepts."""
        return self.state.token

    @property
    def bot_id(self) -> int:
        """Return the bot's user id (the numeric part of the token)."""
        return self.state.bot_id

    @property
    def bot_username(self) -> str:
        """Return the bot's username (without "@")."""
        return self.state.bot_username

    @property
    def url(self) -> str:
        """Return the server's root URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Return the base_url to give python-telegram-bot (token is appended)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Return the base_file_url to give python-telegram-bot."""
        return f"{self.url}/file/bot"

    # settings ------------------------------------------------------------------------------
    @property
    def latency(self) -> float:
        """Return the seconds added to every API answer."""
        return self.state.latency

    @latency.setter
    def latency(self, value: float) -> None:
        self.state.latency = max(0.0, float(value))

    @property
    def rate_limits(self) -> RateLimits | None:
        """Return the enforced flood limits (None: unlimited)."""
        limiter = self.state.limiter
        return limiter.limits if limiter else None

    @rate_limits.setter
    def rate_limits(self, limits: RateLimits | None) -> None:
        self.state.limiter = RateLimiter(limits) if limits is not None else None

    @property
    def faults(self) -> FaultInjector:
        """Return the fault injector (add / clear rules)."""
        return self.state.faults

    @property
    def webhook_retry_initial(self) -> float:
        """Return the first webhook retry delay in seconds (doubles up to webhook_retry_max)."""
        return self.state.pusher.retry_initial

    @webhook_retry_initial.setter
    def webhook_retry_initial(self, value: float) -> None:
        self.state.pusher.retry_initial = value

    @property
    def webhook_retry_max(self) -> float:
        """Return the longest webhook retry delay in seconds."""
        return self.state.pusher.retry_max

    @webhook_retry_max.setter
    def webhook_retry_max(self, value: float) -> None:
        self.state.pusher.retry_max = value

    # acting as people ----------------------------------------------------------------------
    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:
        """A user writes text; returns the queued Update."""
        return self._actors.send_message(
            user_id,
            text,
            chat_id=chat_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            chat_type=chat_type,
            chat_title=chat_title,
            reply_to=reply_to,
        )

    def press(
        self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses a button with this callback data on a bot message."""
        return self._actors.press(user_id, message_id, data, chat_id=chat_id)

    def press_button(
        self, user_id: int, label: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user presses the newest button with this label (exact, else containing it)."""
        return self._actors.press_button(user_id, label, chat_id=chat_id)

    def send_media(
        self, user_id: int, kind: str, *, chat_id: int | None = None, caption: str | None = None
    ) -> dict[str, Any]:
        """A user sends media: photo, sticker, voice, video, document, location, contact, ..."""
        return self._actors.send_media(user_id, kind, chat_id=chat_id, caption=caption)

    def send_document(
        self,
        user_id: int,
        content: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A user sends a file with this content and name (downloadable with getFile)."""
        return self._actors.send_document(
            user_id, content, file_name, mime_type=mime_type, chat_id=chat_id, caption=caption
        )

    def send_edited_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """A user edits an earlier message of theirs."""
        return self._actors.send_edited_message(user_id, message_id, text, chat_id=chat_id)

    def send_channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        """A post appears in a channel."""
        return self._actors.send_channel_post(chat_id, text)

    def add_member_to_group(
        self,
        user_id: int,
        chat_id: int,
        *,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        by_user_id: int | None = None,
        chat_title: str | None = None,
    ) -> dict[str, Any]:
        """A user joins or is added to a group (new_chat_members message)."""
        return self._actors.add_member_to_group(
            user_id,
            chat_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            by_user_id=by_user_id,
            chat_title=chat_title,
        )

    def bot_added_to_group(self, chat_id: int, title: str, by_user_id: int) -> dict[str, Any]:
        """The bot is added to a group; returns the my_chat_member update (a message follows)."""
        return self._actors.bot_added_to_group(chat_id, title, by_user_id)

    def add_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue any raw update; update_id is assigned when missing."""
        return self._actors.push(raw)

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat answer 403 (a my_chat_member is queued)."""
        if user_id not in self.state.blocked:
            self.state.blocked.add(user_id)
            self._actors.block_changed(user_id, True)

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (a my_chat_member update is queued)."""
        if user_id in self.state.blocked:
            self.state.blocked.discard(user_id)
            self._actors.block_changed(user_id, False)

    def migrate_group(self, chat_id: int) -> int:
        """Upgrade a group to a supergroup; returns the new -100... id."""
        return self._actors.migrate_group(chat_id)

    # reading what happened -----------------------------------------------------------------
    def transcript(self, chat_id: int) -> list[ChatMessage]:
        """Return every message of the chat in order, current state (deleted ones flagged)."""
        chat = self.state.chats.get(chat_id)
        return [m.snapshot() for m in chat.messages.values()] if chat else []

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        """Return the bot's messages in the chat that are not deleted."""
        chat = self.state.chats.get(chat_id)
        return [m.snapshot() for m in chat.bot_log if not m.deleted] if chat else []

    def bot_message_count(self, chat_id: int) -> int:
        """Return how many messages the bot ever sent to the chat (deleted included)."""
        chat = self.state.chats.get(chat_id)
        return len(chat.bot_log) if chat else 0

    def last_bot_message(self, chat_id: int) -> ChatMessage | None:
        """Return the bot's newest undeleted message in the chat, if any."""
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        """Return one message of the chat in its current state."""
        chat = self.state.chats.get(chat_id)
        found = chat.messages.get(message_id) if chat else None
        return found.snapshot() if found else None

    @property
    def requests(self) -> list[RequestRecord]:
        """Return every API call so far, oldest first."""
        return self.state.requests

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """Return answerCallbackQuery parameters by callback_query_id."""
        return self.state.callback_answers

    @property
    def commands(self) -> dict[str, list[dict[str, Any]]]:
        """Return setMyCommands lists by scope key ("default", "chat:<id>", ...; "/<lang>")."""
        return self.state.commands

    @property
    def menu_buttons(self) -> dict[str, dict[str, Any]]:
        """Return setChatMenuButton buttons by private chat id (as text), or "default"."""
        return self.state.menu_buttons

    @property
    def descriptions(self) -> dict[str, str]:
        """Return set descriptions by "description/<lang>" and "short_description/<lang>"."""
        return self.state.descriptions

    @property
    def webhook(self) -> WebhookState:
        """Return the webhook settings (url is empty in getUpdates mode)."""
        return self.state.webhook

    @property
    def confirmed_update_ids(self) -> set[int]:
        """Return the ids of updates the bot has confirmed (offset or webhook 2xx)."""
        return self.state.updates.confirmed_ids

    @property
    def update_available_at(self) -> dict[int, float]:
        """Return when each update became available to the bot (time.monotonic), by update_id."""
        return self.state.updates.available_at

    @property
    def stats(self) -> dict[str, int]:
        """Return counters: requests, errors, 429, faults, sent_messages, edited_messages, ..."""
        return self.state.stats

    def pending_updates(self) -> int:
        """Return how many updates are queued and not yet confirmed."""
        return self.state.updates.count()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call listener(event, message) on "message", "edit", "delete"; returns an unsubscriber."""
        self.state.chats.listeners.append(listener)
        return lambda: self.state.chats.listeners.remove(listener)

    # waiting -------------------------------------------------------------------------------
    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until predicate() is true; raise TimeoutError after timeout seconds."""
        if not await self.state.notifier.wait_for(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout}s")

    async def wait_for_bot_message(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool] | None = None,
        *,
        after: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> ChatMessage:
        """Wait for a bot message in the chat at index >= after (default: the next new one).

        Indexes count every bot message ever sent to the chat (deleted ones too); while
        nothing was deleted that equals len(bot_messages(chat_id)).
        """
        start = self.bot_message_count(chat_id) if after is None else after
        found: list[ChatMessage] = []

        def ready() -> bool:
            chat = self.state.chats.get(chat_id)
            if chat is None:
                return False
            for message in chat.bot_log[start:]:
                if predicate is None or predicate(message.snapshot()):
                    found.append(message)
                    return True
            return False

        if await self.state.notifier.wait_for(ready, timeout):
            return found[0].snapshot()
        raise TimeoutError(
            f"no bot message in chat {chat_id} at index >= {start} matched within {timeout}s; "
            f"{self.recent(chat_id)}"
        )

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        predicate: Callable[[ChatMessage], bool] | None = None,
    ) -> ChatMessage:
        """Wait for the next edit of a message (text, caption or keyboard) matching predicate."""
        chat = self.state.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        version = message.version

        def ready() -> bool:
            return message.version > version and (
                predicate is None or predicate(message.snapshot())
            )

        if await self.state.notifier.wait_for(ready, timeout):
            return message.snapshot()
        raise TimeoutError(
            f"message {message_id} in chat {chat_id} was not edited as expected within "
            f"{timeout}s; now: {message.summary()}"
        )

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait until the bot answers this callback query; return the answer's parameters."""
        answers = self.state.callback_answers
        if await self.state.notifier.wait_for(lambda: query_id in answers, timeout):
            return answers[query_id]
        raise TimeoutError(f"callback query {query_id} was not answered within {timeout}s")

    async def wait_for_polling(
        self,
        *,
        after: int = 0,
        since: float = 0.0,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> float:
        """Wait until the bot calls getUpdates: a call at index >= after in requests, or a long
        poll that began after ``since`` (time.monotonic) and is still waiting. Returns when
        that call reached the emulator, without waiting for a long poll to run out."""
        arrived: list[float] = []

        def ready() -> bool:
            record = self._first_call("getUpdates", after)
            if record is not None:
                arrived.append(record.received_at)
                return True
            began = self.state.updates.poll_began_at
            if began is not None and began >= since:
                arrived.append(began)
                return True
            return False

        if await self.state.notifier.wait_for(ready, timeout):
            return arrived[0]
        raise TimeoutError(f"no getUpdates call within {timeout}s")

    async def wait_for_request(
        self,
        method: str,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> RequestRecord:
        """Wait for an API call of this method at index >= after in requests."""
        found: list[RequestRecord] = []

        def ready() -> bool:
            record = self._first_call(method, after)
            if record is not None:
                found.append(record)
            return record is not None

        if await self.state.notifier.wait_for(ready, timeout):
            return found[0]
        raise TimeoutError(f"no {method} call within {timeout}s")

    def _first_call(self, method: str, after: int) -> RequestRecord | None:
        """The first call of this method (any case) at index >= after in requests."""
        lower = method.lower()
        return next((r for r in self.state.requests[after:] if r.method.lower() == lower), None)

    def recent(self, chat_id: int, count: int = 5) -> str:
        """The last few messages the bot sent to a chat, for a failure message."""
        chat = self.state.chats.get(chat_id)
        if chat is None or not chat.bot_log:
            return "the bot has sent nothing to this chat"
        lines = "\n  ".join(m.summary() for m in chat.bot_log[-count:])
        return f"last bot messages:\n  {lines}"
