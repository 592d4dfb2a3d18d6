"""A worker that serves pages and sync does not load the PDF, spreadsheet, image or push libraries:
they are imported where they are used (ledger exports, roster sheets, photo uploads, the push worker,
boto3 by processes configured with an S3 store), and Alembic only by the ``flask`` command and tests.
The Redis client (the optional ``redis`` extra) is loaded only when sign-in limits are configured to
live in Redis. Huey (the job queue, which imports the Redis client when it is installed) is loaded only
by code that enqueues a job (an export) and by the job worker. Months are added with the standard
library (dateutil is not needed to serve pages). Issue 18: these are most of what a worker could
shed; what remains (Flask, SQLAlchemy and its mapped models) is shared with the gunicorn master."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import migrate_to_head

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fpdf", "fontTools", "openpyxl", "PIL", "pywebpush", "py_vapid", "http_ece", "aiohttp", "requests",
         "cryptography", "alembic", "flask_migrate", "mako", "boto3", "botocore", "s3transfer", "redis", "huey",
         "dateutil", "six")

PROBE = """
import json, sys
import wsgi
client = wsgi.app.test_client()
pages = [client.get(path).status_code for path in ("/login", "/offline/fallback", "/api/openapi.json")]
pushed = client.post("/api/sync/push", json={"mutations": []}).status_code
print(json.dumps({"pages": pages, "push": pushed,
                  "loaded": sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))}))
"""


def _serve_pages_and_sync(tmp_path, **environ) -> dict:
    url = "sqlite:///" + str(tmp_path / "lazy.db")
    migrate_to_head(url)
    env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "lazy-imports", **environ}
    env.pop("ZHIBU_ENV", None)
    if "ZHIBU_RATELIMIT_STORAGE" not in environ:
        env.pop("ZHIBU_RATELIMIT_STORAGE", None)
    done = subprocess.run([sys.executable, "-c", PROBE, *HEAVY], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["pages"] == [200, 200, 200]
    assert answer["push"] == 401  # served (no device): the sync path was imported and ran
    return answer


def test_serving_pages_and_sync_loads_no_heavy_library(tmp_path):
    assert _serve_pages_and_sync(tmp_path)["loaded"] == []


def test_the_redis_client_is_loaded_only_when_limits_are_kept_in_redis(tmp_path):
    # Nothing connects while these pages are served, so no Redis server needs to answer.
    answer = _serve_pages_and_sync(tmp_path, ZHIBU_RATELIMIT_STORAGE="redis://127.0.0.1:6379/2")
    assert "redis" in answer["loaded"]  # with what the client itself loads (cryptography)
