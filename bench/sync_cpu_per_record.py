"""The sync push's own CPU per new record, in process: 10 batches of 50 theme days of the
``sync_vs_pouchdb`` work (after 2 warm-up batches) through the Flask test client, on SQLite and on
PostgreSQL. CPU time of this process only (the database server's is not counted): unlike records/s,
it hardly moves with the load of a shared machine.

    .venv/bin/python bench/sync_cpu_per_record.py [--only sqlite,postgresql] [--spread-days 60]

``--spread-days N``: each record on one of N different days before the template's (a phone back
after weeks without signal) instead of all on the same day.

PostgreSQL: ``BENCH_DATABASE_URL`` (default ``postgresql+psycopg://127.0.0.1:5432/bench_sync_cpu``),
dropped and created anew each run.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fresh_database import fresh_database  # noqa: E402
from sync_ingest import prepare  # noqa: E402
from sync_vs_pouchdb import documents, zhibu_batches  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/bench_sync_cpu")


def spread(docs: list[tuple[str, dict]], days: int) -> list[tuple[str, dict]]:
    from datetime import date, timedelta
    return [(rid, dict(doc, occurred_on=(date.fromisoformat(doc["occurred_on"]) - timedelta(days=i % days)).isoformat()))
            for i, (rid, doc) in enumerate(docs)]


def run(url: str, days: int = 0) -> str:
    from tests.conftest import _config_dict
    from webapp import create_app

    if url.startswith("postgresql"):
        fresh_database(url)
    tokens, template, org_id = prepare(url, 1)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    docs = documents(template, org_id, 600, seed=1)
    bodies = zhibu_batches(spread(docs, days) if days > 1 else docs, org_id, 50, seed=1)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[0]}", "Content-Type": "application/json"}
    for body in bodies[:2]:
        client.post("/api/sync/push", data=body, headers=headers)
    cpu, wall = time.process_time(), time.perf_counter()
    for body in bodies[2:]:
        results = client.post("/api/sync/push", data=body, headers=headers).get_json()["results"]
        assert all(r["status"] == "applied" for r in results), results[:1]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return f"{label:<11} app CPU {cpu / 500 * 1000:.2f} ms per record, wall {wall / 10 * 1000:.0f} ms per batch of 50"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="sqlite,postgresql")
    parser.add_argument("--spread-days", type=int, default=0, help="records on this many different days")
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        for system in args.only.split(","):
            url = "sqlite:///" + str(Path(folder) / "cpu.db") if system == "sqlite" else PG_URL
            lines.append(run(url, args.spread_days))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
