"""Resident memory of one web worker: after ``import wsgi`` (create_app), after a sync push, after pages.

A fresh process (as a gunicorn worker without preloading) imports ``wsgi`` against a migrated SQLite
database with the demo data, then with Flask's test client pushes batches of 50 theme days (the form
of bench/sync_vs_pouchdb.py) with a device token, signs in as the demo recorder and opens the pages a
phone opens (home, records list, outbox, me). Prints VmRSS (MB) at each step and the largest groups
of modules loaded. Goal (issue 18): < 80 MB for a worker serving pages and sync.

    .venv/bin/python bench/worker_memory.py [--batches 4]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

WORKER = r"""
import json, sys, uuid
from collections import Counter

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

steps = {"interpreter": rss()}
plan = json.loads(sys.argv[1])
import wsgi
steps["create_app"] = rss()
client = wsgi.app.test_client()
for batch in range(plan["batches"]):
    mutations = [{"id": str(uuid.uuid4()), "seq": batch * 50 + k + 1, "entity": "record", "target": str(uuid.uuid4()),
                  "payload": {"data": dict(plan["template"], topic=f"theme {batch}-{k}"), "org_id": plan["org_id"],
                              "type": "theme_day"}} for k in range(50)]
    answer = client.post("/api/sync/push", json={"mutations": mutations},
                         headers={"Authorization": "Bearer " + plan["token"]})
    assert answer.status_code == 200 and all(r["status"] == "applied" for r in answer.get_json()["results"]), answer.data
steps["sync push"] = rss()
page = client.get("/login").get_data(as_text=True)
token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
client.post("/login", data={"csrf_token": token, "login": "dangyuan", "password": "zhibu-demo"})
steps["sign-in"] = rss()
for path in ("/", "/records/", "/offline/outbox", "/me", "/offline/fallback"):
    client.get(path)
    steps[path] = rss()
groups = Counter(name.split(".")[0] for name in sys.modules)
print(json.dumps({"steps": steps, "modules": len(sys.modules), "largest": groups.most_common(12)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=4, help="sync pushes of 50 theme days")
    args = parser.parse_args()
    from sync_ingest import prepare

    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        url = "sqlite:///" + str(folder / "memory.db")
        tokens, template, org_id = prepare(url, 1)
        env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "bench"}
        env.pop("ZHIBU_ENV", None)
        plan = json.dumps({"token": tokens[0], "template": template, "org_id": org_id, "batches": args.batches},
                          ensure_ascii=False)
        done = subprocess.run([sys.executable, "-c", WORKER, plan], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            raise SystemExit(done.stderr)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for step, mb in answer["steps"].items():
        print(f"{step:<18} {mb:6.1f} MB resident")
    print(f"{answer['modules']} modules; largest groups: "
          + ", ".join(f"{name} {count}" for name, count in answer["largest"]))


if __name__ == "__main__":
    main()
