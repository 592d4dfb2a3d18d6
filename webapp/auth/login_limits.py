"""Sign-in limits: failed attempts counted per (account, client address) pair and per address.

The counters live in the configured storage (``RATELIMIT_STORAGE_URI``): ``memory://`` for one
process, Redis for several workers and servers, which then share one count. Each app keeps its own
storage (``install``), so two apps never share a process-wide limiter by accident.

A flood of wrong passwords against one account from one address refuses that pair only: the owner
signing in from elsewhere is never refused. Past ``LOGIN_SLOWDOWN_AFTER`` failures on an account
(from any addresses), each further *wrong* answer for it comes back slowly; the right password is
never slowed or refused because of someone else's attempts.
"""
from __future__ import annotations

import time

from flask import current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION = "zhibu_login_limits"


def normalized_login(raw: str | None) -> str:
    return (raw or "").strip().lower().replace(" ", "")


def install(app) -> None:
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    # When the shared storage does not answer, limits hold per process rather than not at all,
    # and sign-in keeps working.
    fallback = MovingWindowRateLimiter(storage_from_string("memory://"))
    app.extensions[EXTENSION] = (MovingWindowRateLimiter(storage), fallback)


def _with_limiter(action):
    shared, fallback = current_app.extensions[EXTENSION]
    try:
        return action(shared)
    except Exception as error:  # noqa: BLE001 - any storage failure (Redis down, timeout)
        current_app.logger.warning("sign-in limit storage failed, using per-process limits: %r", error)
        return action(fallback)


def account_key(user, login: str | None) -> str:
    """The account aimed at: username and phone of one person share one key."""
    return f"user-{user.id}" if user is not None else f"name-{normalized_login(login)[:64]}"


def client_address() -> str:
    # Behind trusted proxies, ProxyFix (create_app, ZHIBU_TRUSTED_PROXIES) has set remote_addr.
    return request.remote_addr or "unknown"


def _checks(account: str, address: str):
    config = current_app.config
    return (
        (parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), ("login-pair", account, address)),
        (parse(config["LOGIN_LIMIT_PER_ADDRESS"]), ("login-address", address)),
    )


def retry_after(account: str, address: str) -> int | None:
    """Seconds until another attempt is allowed, when the pair or the address is over its limit."""
    checks = _checks(account, address)

    def check(limiter) -> int | None:
        for item, keys in checks:
            if not limiter.test(item, *keys):
                reset = limiter.get_window_stats(item, *keys).reset_time
                return max(1, int(reset - time.time()) + 1)
        return None

    return _with_limiter(check)


def failed(account: str, address: str) -> None:
    """Count a failed attempt; slow the answer down when the account is under a wide attack."""
    checks = _checks(account, address)
    config = current_app.config
    wide = parse(config["LOGIN_SLOWDOWN_AFTER"])

    def count(limiter) -> bool:
        for item, keys in checks:
            limiter.hit(item, *keys)
        return limiter.hit(wide, "login-account", account)

    if not _with_limiter(count):
        time.sleep(float(config["LOGIN_SLOWDOWN_SECONDS"]))
