"""What /healthz checks: the database, the file storage, the limit storage (Redis) when one is
configured, and the job queue's Redis when jobs live there (the default SQLite file needs no check). Each check answers (ok, detail); details name the failure's kind, never a secret."""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import text

from ..extensions import db
from ..storage import StorageUnavailable, storage


def _database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _storage() -> None:
    storage().check()


def _limits() -> None:
    from ..auth import login_limits

    limiter, _fallback = current_app.extensions[login_limits.EXTENSION]
    if not limiter.storage.check():
        raise ConnectionError("limit storage did not answer")


def _queue() -> None:
    from redis import Redis

    client = Redis.from_url(current_app.config["JOBS_URL"], socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def checks() -> dict:
    from ..jobs.queue import describe

    found = {"database": _database, "storage": _storage}
    if not str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory"):
        found["redis"] = _limits
    if describe(current_app.config.get("JOBS_URL")) == "redis":
        found["queue"] = _queue
    return found


def run() -> tuple[bool, dict]:
    results, healthy = {}, True
    for name, check in checks().items():
        started = time.perf_counter()
        try:
            check()
            results[name] = {"ok": True}
        except StorageUnavailable as error:
            current_app.logger.error("healthz: %s: %s", name, error.detail)
            results[name] = {"ok": False, "error": "unavailable"}
        except Exception as error:  # noqa: BLE001 - any failure is "not healthy", named by its kind
            current_app.logger.error("healthz: %s failed: %r", name, error)
            results[name] = {"ok": False, "error": error.__class__.__name__}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
        healthy = healthy and results[name]["ok"]
    return healthy, results
