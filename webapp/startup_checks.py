"""Refusals at start in production mode: settings whose absence would fail silently later. With more
than one server declared (ZHIBU_SERVERS), everything a request or a job may need from another server
must be shared: the secret key, the sign-in limits, the files, the job queue and the Web Push key."""
from __future__ import annotations


class UnsafeConfiguration(RuntimeError):
    """Production settings that would break sign-in security; the message says what to set."""


def _secret_key(config, servers: int) -> list[str]:
    if config.get("SECRET_KEY"):
        return []
    return ["ZHIBU_SECRET_KEY is not set: every server would sign sessions with its own "
            "random key, and sessions would break from one server to the next"]


def _limits(config, servers: int) -> list[str]:
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    processes = int(config.get("WORKERS") or 1) * servers
    if not storage.startswith("memory") or processes <= 1:
        return []
    return [f"sign-in limits are kept per process ({storage}) while {processes} app processes "
            "are declared (WEB_CONCURRENCY x ZHIBU_SERVERS): set ZHIBU_RATELIMIT_STORAGE to "
            "a Redis URL shared by all of them"]


def _files(config, servers: int) -> list[str]:
    files = str(config.get("STORAGE_URL") or "").strip()
    if servers <= 1 or files.startswith("s3://"):
        return []
    where = files or "the instance folder"
    return [f"files (photos, exports) are kept on each server's own disk ({where}) while {servers} "
            "servers are declared (ZHIBU_SERVERS): a photo uploaded to one would be missing on the "
            "others; set ZHIBU_STORAGE_URL to an S3-compatible object store "
            "(s3://bucket?endpoint=...) shared by all of them"]


def _jobs(config, servers: int) -> list[str]:
    from .jobs.queue import JobsMisconfigured, describe

    jobs = str(config.get("JOBS_URL") or "").strip()
    try:
        jobs_store = describe(jobs)
    except JobsMisconfigured as error:
        return [str(error)]
    if servers <= 1 or jobs_store == "redis":
        return []
    where = jobs or "a SQLite file in the instance folder"
    return [f"the job queue is kept in {where} while {servers} servers are declared "
            "(ZHIBU_SERVERS): an export started on one would wait for a worker on that server "
            "alone; set ZHIBU_JOBS_URL to a Redis URL (redis://host:port/db) shared by all of them"]


def _push_key(config, servers: int) -> list[str]:
    if servers <= 1 or str(config.get("VAPID_PRIVATE_KEY_PATH") or "").strip():
        return []
    return [f"the Web Push (VAPID) key would be each server's own file (instance/vapid_private.pem) while "
            f"{servers} servers are declared (ZHIBU_SERVERS): a phone subscribed through one server "
            "could not be sent reminders signed with another's key; create one key (flask push keys) and "
            "set ZHIBU_VAPID_PRIVATE_KEY_PATH to that same file on every server and push worker"]


CHECKS = (_secret_key, _limits, _files, _jobs, _push_key)


def problems(config) -> list[str]:
    if not config.get("PRODUCTION"):
        return []
    servers = int(config.get("SERVERS") or 1)
    return [problem for check in CHECKS for problem in check(config, servers)]


def check(config) -> None:
    found = problems(config)
    if found:
        raise UnsafeConfiguration("Refusing to start in production mode: " + "; ".join(found))
