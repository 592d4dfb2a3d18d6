"""A worker that serves pages and sync does not load the PDF, spreadsheet, image or push libraries:
they are imported where they are used (ledger exports, roster sheets, photo uploads, the push worker,
boto3 by processes configured with an S3 store), and Alembic only by the ``flask`` command and tests."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import migrate_to_head

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fpdf", "fontTools", "openpyxl", "PIL", "pywebpush", "py_vapid", "http_ece", "aiohttp", "requests",
         "cryptography", "alembic", "flask_migrate", "mako", "boto3", "botocore", "s3transfer")

PROBE = """
import json, sys
import wsgi
client = wsgi.app.test_client()
pages = [client.get(path).status_code for path in ("/login", "/offline/fallback", "/api/openapi.json")]
pushed = client.post("/api/sync/push", json={"mutations": []}).status_code
print(json.dumps({"pages": pages, "push": pushed,
                  "loaded": sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))}))
"""


def test_serving_pages_and_sync_loads_no_heavy_library(tmp_path):
    url = "sqlite:///" + str(tmp_path / "lazy.db")
    migrate_to_head(url)
    env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "lazy-imports"}
    env.pop("ZHIBU_ENV", None)
    done = subprocess.run([sys.executable, "-c", PROBE, *HEAVY], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["pages"] == [200, 200, 200]
    assert answer["push"] == 401  # served (no device): the sync path was imported and ran
    assert answer["loaded"] == []
