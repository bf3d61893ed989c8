"""Configuration: defaults, and one clear line naming the variable for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from storage.crypto import generate_key


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """No .env or stray variables leak into these tests."""
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "DATABASE_URL",
        "BEARINGS_DATA_KEYS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
        "LISTEN_PORT",
        "PUBLIC_URL",
        "WEBAPP_AUTH_MAX_AGE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_point_at_telegram_and_a_local_sqlite_file() -> None:
    settings = load_settings()
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.database_url == "sqlite+aiosqlite:///bearings.db"
    assert settings.token is None
    assert settings.data_keys == []
    assert settings.is_sqlite


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = generate_key(), generate_key()
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("BEARINGS_DATA_KEYS", f"{first}, {second}")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bearings@db/bearings")
    settings = load_settings()
    assert settings.token == "123:abc"
    assert settings.telegram_api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.data_keys == [first, second]
    assert not settings.is_sqlite


def test_dotenv_file_is_read(tmp_path: object) -> None:
    from pathlib import Path

    Path(".env").write_text("TELEGRAM_BOT_TOKEN=999:from-dotenv\n")
    assert load_settings().token == "999:from-dotenv"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot", "TELEGRAM_API_BASE_URL: must be an http"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must start with sqlite+aiosqlite"),
        ("BEARINGS_DATA_KEYS", "not-a-key", "BEARINGS_DATA_KEYS: key 1 is not a valid Fernet key"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("WEBHOOK_URL", "ftp://example.org", "WEBHOOK_URL: must be an http"),
        ("WEBHOOK_SECRET", "has spaces", "WEBHOOK_SECRET: must be 1-256 characters"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: must be one of"),
        ("LISTEN_PORT", "70000", "LISTEN_PORT:"),
    ],
)
def test_a_bad_value_gives_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("Configuration error: ")
    assert expected in message
    assert "\n" not in message


def test_second_bad_key_is_named_by_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BEARINGS_DATA_KEYS", f"{generate_key()},broken")
    with pytest.raises(ConfigError, match="key 2 is not a valid Fernet key"):
        load_settings()


def test_every_setting_is_in_env_example_and_the_readme() -> None:
    """Every variable in .env.example, and in the README's table or, for the tuning ones, the
    table the README points to in docs/deploying.md."""
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    tuning = (root / "docs" / "deploying.md").read_text(encoding="utf-8").split("## Tuning")[1]
    assert "docs/deploying.md#tuning" in readme
    for name in Settings.model_fields:
        variable = name.upper()
        assert f"\n{variable}=" in example or f"\n# {variable}=" in example, variable
        assert f"`{variable}`" in readme or f"`{variable}`" in tuning, variable


def test_delivery_in_flight_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELIVERY_IN_FLIGHT", "1")
    assert load_settings().delivery_in_flight == 1
    monkeypatch.setenv("DELIVERY_IN_FLIGHT", "0")
    with pytest.raises(ConfigError, match="DELIVERY_IN_FLIGHT"):
        load_settings()


def test_replies_in_flight_is_unset_unless_given_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REPLIES_IN_FLIGHT", raising=False)
    assert load_settings().replies_in_flight is None
    monkeypatch.setenv("REPLIES_IN_FLIGHT", "1")
    assert load_settings().replies_in_flight == 1
    monkeypatch.setenv("REPLIES_IN_FLIGHT", "0")
    with pytest.raises(ConfigError, match="REPLIES_IN_FLIGHT"):
        load_settings()


def test_health_and_metrics_get_their_own_address_only_when_a_port_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OPS_LISTEN_HOST", "OPS_LISTEN_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LISTEN_HOST", "127.0.0.1")
    assert load_settings().ops_address is None  # unset: beside the webhook, as before
    monkeypatch.setenv("OPS_LISTEN_PORT", "9090")
    assert load_settings().ops_address == ("127.0.0.1", 9090)
    monkeypatch.setenv("OPS_LISTEN_HOST", "10.0.0.5")
    assert load_settings().ops_address == ("10.0.0.5", 9090)
    monkeypatch.delenv("OPS_LISTEN_PORT")
    with pytest.raises(ConfigError, match="OPS_LISTEN_HOST: needs OPS_LISTEN_PORT"):
        load_settings()
    monkeypatch.setenv("OPS_LISTEN_PORT", "70000")
    with pytest.raises(ConfigError, match="OPS_LISTEN_PORT"):
        load_settings()


def test_the_dashboard_is_offered_over_https_or_to_a_local_emulator_only() -> None:
    assert load_settings().dashboard_url is None
    assert load_settings().webapp_auth_max_age == 3600
    served = load_settings(public_url="https://bearings.example.org/team/")
    assert served.public_url == "https://bearings.example.org/team"
    assert served.dashboard_url == "https://bearings.example.org/team/app/"
    # Telegram opens Mini Apps over HTTPS only: plain HTTP is served but never offered...
    assert load_settings(public_url="http://bearings.example.org").dashboard_url is None
    assert load_settings(public_url="http://127.0.0.1:8080").dashboard_url is None
    # ...except on this machine to an emulator on this machine (the sandbox, the tests).
    local = load_settings(
        public_url="http://127.0.0.1:8080", telegram_api_base_url="http://127.0.0.1:9000/bot"
    )
    assert local.dashboard_url == "http://127.0.0.1:8080/app/"


@pytest.mark.parametrize("value", ["bearings.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_a_public_url_that_is_not_a_plain_web_address_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_settings(public_url=value)
