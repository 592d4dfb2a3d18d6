"""Sign-in rate limits: per account and per client address; only failed attempts count."""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter


def normalized_login(raw: str | None) -> str:
    return (raw or "").strip().lower().replace(" ", "")


def _account_key() -> str:
    """The account the attempt is aimed at: username and phone of one person share one budget."""
    from .routes import find_user_by_login

    login = normalized_login(request.form.get("login"))
    user = find_user_by_login(login)
    return f"login-account:user-{user.id}" if user is not None else f"login-account:name-{login}"


def _address_key() -> str:
    return "login-address:" + get_remote_address()


def _failed(response) -> bool:
    # A successful sign-in redirects; everything else is a failed attempt.
    return response.status_code != 302


def account_limit():
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        key_func=_account_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    )


def address_limit():
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
        key_func=_address_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    )
