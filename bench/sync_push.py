"""Throughput of the sync push: a batch of 500 mutations (creates, check-ins, edits) from one phone,
through the HTTP API (batches of 100, the phone's way) and through the core directly (one batch of
500), on SQLite and PostgreSQL. Prints mutations per second; asserts nothing about speed.

    .venv/bin/python bench/sync_push.py            # both backends (PostgreSQL from BENCH_DATABASE_URL
                                                   #   or postgresql+psycopg://127.0.0.1:5432/zhibu_sync)
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _fresh_database import fresh_database  # noqa: E402

from tests.conftest import _config_dict, migrate_to_head  # noqa: E402
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data  # noqa: E402

N = 500
HTTP_BATCH = 100


def mutations(org, start_seq: int) -> list[dict]:
    out, seq = [], start_seq
    creates = []
    for i in range(N * 3 // 5):
        rid = str(uuid.uuid4())
        creates.append(rid)
        out.append({"id": str(uuid.uuid4()), "seq": seq, "entity": "record", "target": rid,
                    "payload": {"data": theme_day_data(org, topic=f"野外主题党日 {i}"), "org_id": org.id,
                                "type": "theme_day"}})
        seq += 1
    for rid in creates[: N // 5]:
        out.append({"id": str(uuid.uuid4()), "seq": seq, "entity": "check_in", "target": rid, "payload": {}})
        seq += 1
    for i, rid in enumerate(creates[: N - len(out)]):
        out.append({"id": str(uuid.uuid4()), "seq": seq, "entity": "record", "target": rid, "base_version": 1,
                    "payload": {"data": theme_day_data(org, topic=f"补充修改 {i}")}})
        seq += 1
    return out


def run(label: str, url: str) -> None:
    from webapp import create_app
    from webapp.passwords import hash_password
    from webapp.demo import loader
    from webapp.extensions import db
    from webapp.offline import devices
    from webapp.offline.store import SqlStore
    from sync import Mutation, Processor

    migrate_to_head(url)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_UPLOADS": tempfile.mkdtemp()})
    with app.app_context():
        accounts = loader.load(hash_password)
        db.session.commit()
        user = accounts["dangyuan"]
        org = org_named(FIELD_BRANCH)
        device, token = devices.register(user, "bench")
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        batch = mutations(org, 1)
        latencies = []
        started = time.perf_counter()
        for i in range(0, N, HTTP_BATCH):
            t0 = time.perf_counter()
            response = client.post("/api/sync/push", json={"mutations": batch[i:i + HTTP_BATCH]}, headers=headers)
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.get_data(as_text=True)
            statuses = {r["status"] for r in response.get_json()["results"]}
            assert statuses == {"applied"}, statuses
        http_rate = N / (time.perf_counter() - started)

        started = time.perf_counter()
        for i in range(0, N, HTTP_BATCH):
            client.post("/api/sync/push", json={"mutations": batch[i:i + HTTP_BATCH]}, headers=headers)
        resend_rate = N / (time.perf_counter() - started)

        second = [Mutation.from_json(m) for m in mutations(org, N + 1)]
        started = time.perf_counter()
        results = Processor(SqlStore(user, device), device.id).process(second)
        core_rate = N / (time.perf_counter() - started)
        assert {r.status for r in results} == {"applied"}
        db.session.remove()
        db.engine.dispose()
    print(f"{label:<11} HTTP {HTTP_BATCH}/request: {http_rate:7.0f} mutations/s "
          f"(p50 {statistics.median(latencies) * 1000:.0f} ms per request)  "
          f"identical resend: {resend_rate:7.0f}/s  core, one batch of {N}: {core_rate:7.0f}/s")


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    run("SQLite", "sqlite:///" + str(folder / "bench.db"))
    pg = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/zhibu_sync")
    try:
        fresh_database(pg)
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL  skipped: {error.__class__.__name__}")
        return
    run("PostgreSQL", pg)


if __name__ == "__main__":
    main()
