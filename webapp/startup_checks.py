"""Refusals at start in production mode: settings whose absence would fail silently later."""
from __future__ import annotations


class UnsafeConfiguration(RuntimeError):
    """Production settings that would break sign-in security; the message says what to set."""


def problems(config) -> list[str]:
    if not config.get("PRODUCTION"):
        return []
    found = []
    if not config.get("SECRET_KEY"):
        found.append("ZHIBU_SECRET_KEY is not set: every server would sign sessions with its own "
                     "random key, and sessions would break from one server to the next")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    processes = int(config.get("WORKERS") or 1) * int(config.get("SERVERS") or 1)
    if storage.startswith("memory") and processes > 1:
        found.append(f"sign-in limits are kept per process ({storage}) while {processes} app processes "
                     "are declared (WEB_CONCURRENCY x ZHIBU_SERVERS): set ZHIBU_RATELIMIT_STORAGE to "
                     "a Redis URL shared by all of them")
    servers = int(config.get("SERVERS") or 1)
    files = str(config.get("STORAGE_URL") or "").strip()
    if servers > 1 and not files.startswith("s3://"):
        where = files or "the instance folder"
        found.append(f"files (photos, exports) are kept on each server's own disk ({where}) while {servers} "
                     "servers are declared (ZHIBU_SERVERS): a photo uploaded to one would be missing on the "
                     "others; set ZHIBU_STORAGE_URL to an S3-compatible object store "
                     "(s3://bucket?endpoint=...) shared by all of them")
    jobs = str(config.get("JOBS_URL") or "").strip()
    from .jobs.queue import JobsMisconfigured, describe

    try:
        jobs_store = describe(jobs)
    except JobsMisconfigured as error:
        found.append(str(error))
    else:
        if servers > 1 and jobs_store != "redis":
            where = jobs or "a SQLite file in the instance folder"
            found.append(f"the job queue is kept in {where} while {servers} servers are declared "
                         "(ZHIBU_SERVERS): an export started on one would wait for a worker on that server "
                         "alone; set ZHIBU_JOBS_URL to a Redis URL (redis://host:port/db) shared by all of them")
    return found


def check(config) -> None:
    found = problems(config)
    if found:
        raise UnsafeConfiguration("Refusing to start in production mode: " + "; ".join(found))
