"""Configuration objects for the app factory.

Values come from the environment so the same code runs in development, tests and production.
"""
import os
from datetime import timedelta

from .rules.reminders import PUSH_SERVICE_HOSTS_DEFAULT


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # None: read or create instance/secret_key (never committed), see create_app.
    SECRET_KEY = os.environ.get("ZHIBU_SECRET_KEY")
    # None means "instance/zhibu.db", resolved in create_app once the instance path is known.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Members on field sites stay signed in for weeks (issue: "remember me").
    REMEMBER_COOKIE_DURATION = timedelta(days=60)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("ZHIBU_SECURE_COOKIES", False)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("ZHIBU_SECURE_COOKIES", False)
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)

    WTF_CSRF_TIME_LIMIT = 3600
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    RATELIMIT_STORAGE_URI = os.environ.get("ZHIBU_RATELIMIT_STORAGE", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Failed sign-ins allowed per window, per (account, client address) pair and per client address
    # (webapp/auth/login_limits.py). The owner at another address is never refused.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("ZHIBU_LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("ZHIBU_LOGIN_LIMIT_ADDRESS", "30 per 15 minutes")
    # Past this many failures on one account from anywhere, each further wrong answer waits.
    LOGIN_SLOWDOWN_AFTER = os.environ.get("ZHIBU_LOGIN_SLOWDOWN_AFTER", "10 per 15 minutes")
    LOGIN_SLOWDOWN_SECONDS = float(os.environ.get("ZHIBU_LOGIN_SLOWDOWN_SECONDS", "1"))
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none).
    TRUSTED_PROXIES = int(os.environ.get("ZHIBU_TRUSTED_PROXIES", "0") or 0)
    # Declared app processes: workers per server (gunicorn reads WEB_CONCURRENCY) and servers. In
    # production more than one of either needs shared limit storage (webapp/startup_checks.py).
    WORKERS = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    SERVERS = int(os.environ.get("ZHIBU_SERVERS", "1") or 1)
    PRODUCTION = False

    # Argon2id parameters (argon2-cffi defaults are RFC 9106 "low memory").
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    # Where photos, thumbnails and ledger exports are kept (webapp/storage/): unset means the folder
    # INSTANCE_UPLOADS (default instance/uploads); s3://bucket?endpoint=... an S3-compatible store.
    STORAGE_URL = os.environ.get("ZHIBU_STORAGE_URL")
    STORAGE_ACCESS_KEY = os.environ.get("ZHIBU_STORAGE_ACCESS_KEY")
    STORAGE_SECRET_KEY = os.environ.get("ZHIBU_STORAGE_SECRET_KEY")
    # 0: downloads from an object store are streamed by the app. N > 0: the app redirects to a URL
    # signed for N seconds (the store must be reachable by the phones; access is checked first).
    STORAGE_SIGNED_URL_SECONDS = int(os.environ.get("ZHIBU_STORAGE_SIGNED_URL_SECONDS", "0") or 0)

    # Logs: "json" (JSON lines with a request id, webapp/ops/request_log.py) or "text" (Flask's own).
    LOG_FORMAT = os.environ.get("ZHIBU_LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("ZHIBU_LOG_LEVEL", "INFO")
    # /metrics answers a bearer of this token from anywhere, else only a direct loopback scraper.
    METRICS_TOKEN = os.environ.get("ZHIBU_METRICS_TOKEN")

    # Refuse to serve an un-migrated database.
    SCHEMA_CHECK = True
    # Background jobs (Huey, webapp/jobs/, docs/jobs.md): empty means a SQLite file in the instance
    # folder (the embedded default); redis://host:port/db a Redis shared by every server and worker.
    JOBS_URL = os.environ.get("ZHIBU_JOBS_URL", "")
    # True: a task runs where it is enqueued (inside the request), no worker. Tests that just need
    # the result use it; the job worker refuses to start with it.
    JOBS_IMMEDIATE = _env_bool("ZHIBU_JOBS_IMMEDIATE", False)
    # A failing task is tried again this many times, this many seconds apart; then it is recorded failed.
    JOBS_RETRIES = int(os.environ.get("ZHIBU_JOBS_RETRIES", "2") or 0)
    JOBS_RETRY_DELAY = int(os.environ.get("ZHIBU_JOBS_RETRY_DELAY", "30") or 0)
    # Seconds an export pauses at each progress step: 0 in use; tests set it to kill a worker mid-export.
    EXPORT_STEP_PAUSE = float(os.environ.get("ZHIBU_EXPORT_STEP_PAUSE", "0") or 0)
    HSTS = _env_bool("ZHIBU_HSTS", False)

    # Response compression (Flask-Compress, issue 16): brotli when the browser takes it, else gzip,
    # for text only; PNG/JPEG photos are compressed already. Behind the production proxy the proxy
    # may compress instead (deploy/README.md); a response already encoded is left alone.
    COMPRESS_REGISTER = _env_bool("ZHIBU_COMPRESS", True)  # 0: the proxy compresses (deploy/README.md)
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript",
                          "application/json", "application/manifest+json", "image/svg+xml",
                          "text/plain"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    # Streamed responses (ledger files, exports) pass through untouched.
    COMPRESS_STREAMS = False

    # Web push (issues 13 and 17). VAPID contact for push service operators (mailto: or https:).
    VAPID_SUBJECT = os.environ.get("ZHIBU_VAPID_SUBJECT")
    REQUIRE_VAPID_SUBJECT = False
    # The VAPID private key (PEM): unset means instance/vapid_private.pem. With several servers, one
    # key file copied to every server and push worker (webapp/startup_checks.py refuses otherwise).
    VAPID_PRIVATE_KEY_PATH = os.environ.get("ZHIBU_VAPID_PRIVATE_KEY_PATH") or None
    # Hosts of the push services whose endpoints are accepted ("*." matches subdomains).
    PUSH_SERVICE_HOSTS = tuple(h.strip().lower() for h in os.environ.get("ZHIBU_PUSH_SERVICE_HOSTS", "").split(",")
                               if h.strip()) or PUSH_SERVICE_HOSTS_DEFAULT
    # Test only: configured hosts allowed to resolve to a loopback address (the fake push service).
    PUSH_LOOPBACK_TEST_HOSTS: tuple = ()


class ProductionConfig(Config):
    PRODUCTION = True
    LOG_FORMAT = os.environ.get("ZHIBU_LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    REQUIRE_VAPID_SUBJECT = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    RATELIMIT_STORAGE_URI = "memory://"
    JOBS_IMMEDIATE = True
    JOBS_RETRY_DELAY = 0  # immediate mode retries at once (a delayed retry would never run)
    VAPID_SUBJECT = "mailto:push-test@zhibu.example.cn"
    # The fake push service of tests/push_service.py listens on 127.0.0.1.
    PUSH_SERVICE_HOSTS = PUSH_SERVICE_HOSTS_DEFAULT + ("127.0.0.1",)
    PUSH_LOOPBACK_TEST_HOSTS = ("127.0.0.1",)
