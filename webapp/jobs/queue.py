"""The app's Huey instance, built on first use from ``JOBS_URL`` (``ZHIBU_JOBS_URL``).

- empty: a SQLite file in the instance folder (``instance/jobs.db``): the embedded default, no
  extra service; the web process enqueues, ``flask jobs work`` on the same machine consumes.
- ``sqlite:///path/to/file.db``: a SQLite file somewhere else (tests).
- ``redis://host:port/db``: Redis, shared by every server and worker in production (priorities on).

Huey (and the Redis client it imports) is loaded only here, by a process that enqueues or consumes:
a worker serving pages and sync never loads it (tests/unit/test_lazy_imports.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app

if TYPE_CHECKING:
    from huey import Huey

EXTENSION = "zhibu_jobs"
QUEUE_NAME = "zhibu"


class JobsMisconfigured(ValueError):
    """ZHIBU_JOBS_URL names a store Huey cannot use."""


def describe(url: str | None) -> str:
    """Which store a JOBS_URL means: "sqlite" or "redis" (startup checks and /healthz read this)."""
    url = (url or "").strip()
    if not url or url.startswith("sqlite:"):
        return "sqlite"
    if url.startswith(("redis://", "rediss://", "unix://")):
        return "redis"
    raise JobsMisconfigured(f"ZHIBU_JOBS_URL {url!r}: use empty (SQLite in the instance folder), "
                            "sqlite:///file or redis://host:port/db")


def _create(app: Flask) -> Huey:
    from huey import PriorityRedisHuey, SqliteHuey

    url = (app.config.get("JOBS_URL") or "").strip()
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if describe(url) == "redis":
        huey = PriorityRedisHuey(QUEUE_NAME, url=url, immediate=immediate, utc=True)
    else:
        filename = url[len("sqlite:///"):] if url.startswith("sqlite:///") else str(Path(app.instance_path) / "jobs.db")
        huey = SqliteHuey(QUEUE_NAME, filename=filename, immediate=immediate, utc=True)
    from .tasks import register

    huey.zhibu_tasks = register(huey, app)
    return huey


def huey_for(app: Flask | None = None) -> Huey:
    app = app or current_app
    app = getattr(app, "_get_current_object", lambda: app)()  # the app itself, never the proxy: tasks keep it
    huey = app.extensions.get(EXTENSION)
    if huey is None:
        huey = app.extensions[EXTENSION] = _create(app)
    return huey


def tasks(app: Flask | None = None):
    """The app's registered tasks (see tasks.register)."""
    return huey_for(app).zhibu_tasks


def depth(app: Flask | None = None) -> int:
    """Tasks waiting in the queue (not counting scheduled retries)."""
    return huey_for(app).pending_count()
