"""Configuration from the environment or a ``.env`` file (pydantic-settings).

The variable names are a contract with operators, tests and tooling; see
``.env.example``. A wrong value stops start-up with one clear line naming the
variable (``ConfigError``), never a traceback.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.timezones import check_timezone

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message is one line for the operator."""


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    return value


class Settings(BaseSettings):
    """Every setting Bearings reads, with its default."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    bot_username: str | None = None
    database_url: str = "sqlite+aiosqlite:///bearings.db"
    bearings_data_keys: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    # 0: any free port (tests).
    listen_port: int = Field(default=8080, ge=0, le=65535)
    # /healthz and /metrics on LISTEN_HOST:LISTEN_PORT (beside the webhook, or on their own
    # when polling), unless OPS_LISTEN_PORT gives them their own address.
    metrics_enabled: bool = True
    # Their own address (host defaults to LISTEN_HOST); the webhook port then serves only the
    # webhook. Unset: they stay on LISTEN_HOST:LISTEN_PORT.
    ops_listen_port: int | None = Field(default=None, ge=0, le=65535)
    ops_listen_host: str | None = None
    log_level: str = "INFO"
    default_timezone: str = "Europe/London"
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    flow_idle_hours: int = Field(default=48, ge=1, le=24 * 30)
    retention_days: int = Field(default=90, ge=1, le=3650)
    concurrent_chats: int = Field(default=64, ge=1, le=1024)
    # Per-person flood control (bot/domain/flood.py): a burst at once, then so many a second.
    flood_burst: float = Field(default=20.0, ge=1, le=10_000)
    flood_per_second: float = Field(default=2.0, gt=0, le=1000)
    tick_seconds: float = Field(default=15.0, gt=0, le=300)
    # How long delivery waits for Telegram to answer a send before counting it as timed out.
    telegram_send_timeout: float = Field(default=10.0, gt=0, le=120)
    # Sends between going out and being recorded, at most: a crash repeats no more than this
    # many nudges (one per chat at most). 1 sends one at a time.
    delivery_in_flight: int = Field(default=16, ge=1, le=256)
    # Updates whose replies have gone out but are not yet recorded as delivered, at most: a
    # crash repeats no more than this many updates' replies. Unset: no limit of its own, and
    # the record rides along with the next write (a crash repeats at most one per chat).
    replies_in_flight: int | None = Field(default=None, ge=1, le=1024)
    # A reply Telegram has not taken (it is down, or answers 5xx) stays owed and is tried
    # again, through restarts, for this many hours after its update was handled; then it is
    # dropped (a log event and bearings_replies_dropped).
    reply_give_up_hours: float = Field(default=24.0, gt=0, le=24 * 7)
    nudges_enabled: bool = True
    # The HTTPS address a reverse proxy forwards to LISTEN_HOST:LISTEN_PORT: the supervisors'
    # dashboard (a Telegram Mini App) is served under /app/ there. Unset: no dashboard.
    public_url: str | None = None
    # How old a Mini App's signed launch data (its auth_date) may be, in seconds.
    webapp_auth_max_age: int = Field(default=3600, ge=60, le=7 * 24 * 3600)

    @field_validator("telegram_api_base_url", "telegram_api_file_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        return _http_url(value)

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        return _http_url(value)

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(_http_url(value))
        if parts.query or parts.fragment:
            raise ValueError("must be a plain address, with no ?query or #fragment")
        return value.rstrip("/")

    @property
    def dashboard_url(self) -> str | None:
        """The dashboard's address for Telegram's buttons, or None when there is none to offer:
        PUBLIC_URL unset, or not HTTPS (Telegram opens Mini Apps over HTTPS only). Plain HTTP
        on this machine is offered only when the Bot API is on this machine too: the emulator
        (the sandbox and the tests), which lets a local page through."""
        if self.public_url is None:
            return None
        url = f"{self.public_url}/app/"
        parts = urlsplit(url)
        if parts.scheme == "https":
            return url
        api = urlsplit(self.telegram_api_base_url)
        local = (parts.hostname, api.hostname)
        return url if all(host in _LOOPBACK for host in local) else None

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or value.get_secret_value() == "":
            return None
        if not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("ops_listen_port", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("ops_listen_host")
    @classmethod
    def _check_ops_host(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value in (None, ""):
            return None
        if info.data.get("ops_listen_port") is None:
            raise ValueError("needs OPS_LISTEN_PORT too (the port of that address)")
        return value

    @property
    def ops_address(self) -> tuple[str, int] | None:
        """Where /healthz and /metrics listen on their own, or None: beside the webhook."""
        if self.ops_listen_port is None:
            return None
        return self.ops_listen_host or self.listen_host, self.ops_listen_port

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in _DATABASE_SCHEMES:
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        return value

    @field_validator("bearings_data_keys")
    @classmethod
    def _check_data_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        for number, key in enumerate(_split_keys(value.get_secret_value()), start=1):
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise ValueError(
                    f"key {number} is not a valid Fernet key (32 url-safe base64-encoded bytes)"
                ) from None
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return value.upper()

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @property
    def data_keys(self) -> list[str]:
        """The Fernet keys, first one encrypts; empty when unset."""
        if self.bearings_data_keys is None:
            return []
        return _split_keys(self.bearings_data_keys.get_secret_value())

    @property
    def token(self) -> str | None:
        """The bot token, or None when unset."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            return None
        return self.telegram_bot_token.get_secret_value()

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is a SQLite file."""
        return self.database_url.startswith("sqlite")


def _split_keys(raw: str) -> list[str]:
    return [key.strip() for key in raw.split(",") if key.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and ``.env``), raising ConfigError on a bad value."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"Configuration error: {name}: {message}") from None
