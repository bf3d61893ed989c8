"""Mini App launch data checked as Telegram specifies, against an independent signer written
here from the specification (core.telegram.org/bots/webapps, "Validating data received via
the Mini App"): secret key = HMAC-SHA256(key="WebAppData", msg=bot token); hash = hex
HMAC-SHA256 of the data-check-string (every field but hash, sorted by key, "key=value"
lines) under it."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlencode

from bot.domain.webapp_auth import AuthFailure, LaunchUser, check_init_data, sign_init_data

TOKEN = "123456:TEST-token"
NOW = 1_800_000_000
HOUR = 3600


def telegram_signed(fields: dict[str, str], token: str = TOKEN) -> str:
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    digest = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest}, quote_via=quote)


FIELDS = {
    "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
    "user": '{"id":279058397,"first_name":"Vladislav","last_name":"Kibenko","language_code":"en"}',
    "auth_date": str(NOW - 60),
    "signature": "6fbdaab833d39f54518bd5c3eb3f511d035e68cb",
}


def check(init_data: str | None, *, now: int = NOW, token: str = TOKEN) -> object:
    return check_init_data(init_data, token, now=now, max_age=HOUR)


def test_data_signed_as_telegram_signs_it_names_its_user() -> None:
    assert check(telegram_signed(FIELDS)) == LaunchUser(279058397, NOW - 60)


def test_our_signer_signs_as_telegram_does() -> None:
    signed = sign_init_data(TOKEN, user_id=42, first_name="Sam", auth_date=NOW)
    assert check(signed) == LaunchUser(42, NOW)


def test_another_bots_token_or_any_change_is_forged() -> None:
    assert check(telegram_signed(FIELDS, "999:other")) is AuthFailure.FORGED
    signed = telegram_signed(FIELDS)
    assert check(signed.replace("279058397", "279058398")) is AuthFailure.FORGED
    assert check(signed.replace("Vladislav", "Vladimir")) is AuthFailure.FORGED
    assert check(signed + "&extra=1") is AuthFailure.FORGED
    assert check(signed, token=TOKEN + "x") is AuthFailure.FORGED


def test_old_or_future_launch_data_is_stale() -> None:
    signed = telegram_signed({**FIELDS, "auth_date": str(NOW - HOUR - 1)})
    assert check(signed) is AuthFailure.STALE
    assert check(telegram_signed({**FIELDS, "auth_date": str(NOW - HOUR)})) != AuthFailure.STALE
    assert check(telegram_signed({**FIELDS, "auth_date": str(NOW + 600)})) is AuthFailure.STALE


def test_missing_and_malformed_are_refused_unread() -> None:
    assert check(None) is AuthFailure.MISSING
    assert check("") is AuthFailure.MISSING
    assert check("no-equals-sign") is AuthFailure.MALFORMED
    assert check("a=1&a=2&hash=00") is AuthFailure.MALFORMED
    assert check(telegram_signed(FIELDS) + "&" + "x" * 5000) is AuthFailure.MALFORMED
    no_hash = urlencode(FIELDS)
    assert check(no_hash) is AuthFailure.MALFORMED
    # Signed, but no user in it, or a user that is not a positive number.
    assert check(telegram_signed({"auth_date": str(NOW)})) is AuthFailure.MALFORMED
    bad_user = {**FIELDS, "user": '{"id": "42"}'}
    assert check(telegram_signed(bad_user)) is AuthFailure.MALFORMED
