"""Ingest benchmark: 20 simulated phones push 10,000 mutations in batches of 50 to a running server.

A real gunicorn server (2 sync workers, one per core of this machine: 4 measured slower here, the
workers then compete with PostgreSQL and the phones for the two cores; --workers to change) serves
a freshly migrated database with the demo data; each phone has its own device token and pushes theme
days and check-ins for the field branch concurrently. Prints
mutations per second and p50/p95 batch latency, on SQLite and PostgreSQL. Goal stated in the issue:
≥ 2,000 mutations/s and p95 < 300 ms on this 2-core machine.

    .venv/bin/python bench/sync_ingest.py [--devices 20] [--mutations 10000] [--batch 50] [--workers 2]
                                          [--rate 2000]

Two runs per database. Closed loop: every phone sends its next batch as soon as the last was answered,
which measures the most the server takes (with 20 phones always waiting, a batch's latency is about
20 / batches per second). Paced: the phones together offer --rate mutations/s (the issue's goal), and
latency counts from when each batch was due, which measures what a phone waits at that load.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _fresh_database import fresh_database  # noqa: E402
from tests.conftest import _config_dict, migrate_to_head  # noqa: E402
from tests.records_helpers import FIELD_BRANCH, org_named, theme_day_data  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/zhibu_sync_ingest")


def prepare(url: str, devices: int) -> tuple[list[str], dict, int]:
    from webapp import create_app
    from webapp.passwords import hash_password
    from webapp.demo import loader
    from webapp.extensions import db
    from webapp.offline import devices as device_registry

    migrate_to_head(url)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        accounts = loader.load(hash_password)
        db.session.commit()
        org = org_named(FIELD_BRANCH)
        template = theme_day_data(org)
        tokens = []
        for i in range(devices):
            _, token = device_registry.register(accounts["dangyuan"], f"bench-{i}")
            tokens.append(token)
        db.session.commit()
        org_id = org.id
        db.session.remove()
        db.engine.dispose()
    return tokens, template, org_id


def phone(base: str, token: str, template: dict, org_id: int, count: int, batch: int, latencies: list,
          failures: list, interval: float = 0.0, first_at: float = 0.0) -> None:
    """Push ``count`` mutations. Closed loop (``interval`` 0): the next batch as soon as the answer
    came. Paced: batch k is due at ``first_at + k * interval`` and its latency counts from then, so
    time spent waiting behind a slow server is not hidden (no coordinated omission)."""
    seq = 1
    sent = 0
    created: list[str] = []
    pending = []
    for i in range(count):
        if i % 5 == 4 and created:
            pending.append({"id": str(uuid.uuid4()), "seq": seq, "entity": "check_in", "target": created[-1],
                            "payload": {}})
        else:
            rid = str(uuid.uuid4())
            created.append(rid)
            pending.append({"id": str(uuid.uuid4()), "seq": seq, "entity": "record", "target": rid,
                            "payload": {"data": dict(template, topic=f"野外主题党日 {token[:4]}-{i}"),
                                        "org_id": org_id, "type": "theme_day"}})
        seq += 1
        if len(pending) == batch or i == count - 1:
            body = json.dumps({"mutations": pending}).encode()
            request = urllib.request.Request(base + "/api/sync/push", data=body, method="POST", headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            started = time.perf_counter()
            if interval:
                due = first_at + sent * interval
                if due > started:
                    time.sleep(due - started)
                started = due
            sent += 1
            with urllib.request.urlopen(request, timeout=120) as response:
                results = json.loads(response.read())["results"]
            latencies.append(time.perf_counter() - started)
            failures.extend(r for r in results if r["status"] != "applied")
            pending = []


def cpu_seconds(match) -> float:
    """User + system CPU seconds of the live processes ``match(pid, ppid, name)`` accepts (Linux /proc)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if match(int(entry.name), int(fields[1]), name):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(label: str, url: str, devices: int, mutations: int, batch: int, workers: int, rate: float = 0) -> None:
    tokens, template, org_id = prepare(url, devices)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "bench"}
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        failures: list = []
        per_phone = mutations // devices
        # Paced: the phones together offer ``rate`` mutations/s, their batches spread evenly in time.
        interval = devices * batch / rate if rate else 0.0
        first = time.perf_counter() + 0.5
        threads = [threading.Thread(target=phone, args=(base, t, template, org_id, per_phone, batch, latencies,
                                                        failures, interval, first + i * interval / devices))
                   for i, t in enumerate(tokens)]
        def server_process(pid, ppid, name):
            return pid == server.pid or ppid == server.pid

        def database_process(pid, ppid, name):
            return name.startswith("postgres")

        server_cpu, database_cpu = cpu_seconds(server_process), cpu_seconds(database_process)
        client_cpu = time.process_time()
        started = first if rate else time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu_seconds(server_process) - server_cpu
        database_cpu = cpu_seconds(database_process) - database_cpu if label == "PostgreSQL" else 0.0
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    mode = f"paced at {rate:.0f}/s offered" if rate else "closed loop"
    print(f"{label:<11} {per_phone * devices} mutations from {devices} phones in batches of {batch}, {mode}: "
          f"{per_phone * devices / elapsed:6.0f} mutations/s, batch p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, not applied: {len(failures)} ({workers} workers, load average "
          f"{os.getloadavg()[0]:.2f})")
    print(f"{'':<11} CPU seconds: app server {server_cpu:.1f}, benchmark's phones {client_cpu:.1f}"
          + (f", PostgreSQL {database_cpu:.1f}" if database_cpu else "") + f", over {elapsed:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--mutations", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--rate", type=float, default=2000,
                        help="also run paced at this many mutations/s offered (0: closed loop only)")
    args = parser.parse_args()
    rates = [0.0] + ([args.rate] if args.rate else [])
    folder = Path(tempfile.mkdtemp())
    for n, rate in enumerate(rates):
        run("SQLite", "sqlite:///" + str(folder / f"ingest-{n}.db"), args.devices, args.mutations, args.batch,
            args.workers, rate)
    for rate in rates:
        try:
            fresh_database(PG_URL)
        except Exception as error:  # noqa: BLE001 — no server: say so and stop
            print(f"PostgreSQL  skipped: {error.__class__.__name__}: {error}")
            return
        run("PostgreSQL", PG_URL, args.devices, args.mutations, args.batch, args.workers, rate)


if __name__ == "__main__":
    main()
