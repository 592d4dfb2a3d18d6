"""Zhibu's sync ingest side by side with pouchdb-server (the CouchDB-protocol reference server).

The same work for both: N theme days (default 10,000), each one JSON document of the same shape and
size — the theme-day form of the demo field branch (date, times, place, topic, about 10 attendance
entries: attendees, one absentee with a reason, one invited guest; the theme items) with minutes
(``content``) of 500 Chinese characters, a window of real prose at a random place of
``bench/minutes_corpus.txt``, different for every record. 20 concurrent clients push
new documents back to back in batches of 50:

* Zhibu: ``POST /api/sync/push`` with 50 ``record`` mutations ``{"data": DOC, "org_id", "type"}``,
  each client with its own device token, served by gunicorn (2 sync workers) on SQLite and on
  PostgreSQL, each run on a freshly migrated database with the demo data;
* pouchdb-server 4.2.0 (npm, LevelDB; pinned in ``bench/pouchdb/package-lock.json`` and installed
  there by this script with ``npm ci``): ``POST /DB/_bulk_docs`` with 50 documents
  ``{"_id": UUID, "type", "org_id", "data": DOC}``, request logging off.

Then every client sends its batches again, identically (a phone that never got the answers):
Zhibu answers ``duplicate``, pouchdb-server answers a ``conflict`` per document; neither writes.

The runs are interleaved (pouchdb, SQLite, PostgreSQL, with the order rotated each round) so the
noise of a shared machine falls on all of them alike; each prints records/s, batch p50/p95, server
CPU seconds per 10,000 records (gunicorn's processes; for PostgreSQL also the backends connected to
the bench's database — the server's shared background processes are left out; node for pouchdb),
the ratio to pouchdb-server of the same round, storage per record (Zhibu: growth of the database —
the SQLite file after a checkpoint, ``pg_database_size`` on PostgreSQL — over the records; pouchdb:
its LevelDB folder of the database over the documents), and the resident memory of each gunicorn
worker after it served pages (sign-in, home, records list, outbox) and sync.

    .venv/bin/python bench/sync_vs_pouchdb.py [--records 10000] [--clients 20] [--batch 50]
        [--workers 2] [--rounds 1] [--only pouchdb,sqlite,postgresql] [--tables]

PostgreSQL: ``BENCH_DATABASE_URL`` (default ``postgresql+psycopg://127.0.0.1:5432/bench_speed_vs_pouchdb``),
dropped and created anew each run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POUCH_DIR = Path(__file__).resolve().parent / "pouchdb"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fresh_database import fresh_database  # noqa: E402
from sync_ingest import cpu_seconds, free_port, prepare  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/bench_speed_vs_pouchdb")
# Minutes as a recorder writes them: 500 characters of real Chinese prose per record, a window at a
# random place in this corpus (paragraphs of the Party-branch documents in the project's seeds).
CORPUS = (Path(__file__).resolve().parent / "minutes_corpus.txt").read_text(encoding="utf-8").replace("\n", "")


def minutes(rng: random.Random, length: int = 500) -> str:
    start = rng.randrange(len(CORPUS) - length)
    return CORPUS[start:start + length]


# --- Zhibu ---------------------------------------------------------------------------------------

def documents(template: dict, org_id: int, count: int, seed: int) -> list[tuple[str, dict]]:
    """(uuid, theme-day document) for every record of one client."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        doc = dict(template, topic=f"野外主题党日 {seed}-{i}", content=minutes(rng))
        out.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), doc))
    return out


def zhibu_batches(docs: list[tuple[str, dict]], org_id: int, batch: int, seed: int) -> list[bytes]:
    rng = random.Random(seed + 1_000_000)
    bodies = []
    for start in range(0, len(docs), batch):
        mutations = [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "seq": start + k + 1,
                      "entity": "record", "target": rid,
                      "payload": {"data": doc, "org_id": org_id, "type": "theme_day"}}
                     for k, (rid, doc) in enumerate(docs[start:start + batch])]
        bodies.append(json.dumps({"mutations": mutations}, ensure_ascii=False).encode())
    return bodies


def pouch_batches(docs: list[tuple[str, dict]], org_id: int, batch: int) -> list[bytes]:
    return [json.dumps({"docs": [{"_id": rid, "type": "theme_day", "org_id": org_id, "data": doc}
                                 for rid, doc in docs[start:start + batch]]}, ensure_ascii=False).encode()
            for start in range(0, len(docs), batch)]


def post(url: str, body: bytes, headers: dict) -> list:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read())


def push_all(url: str, per_client: list[tuple[list[bytes], dict]], check) -> tuple[float, list[float], int]:
    """Every client sends its batches back to back. Returns (seconds, batch latencies, unexpected)."""
    latencies: list[float] = []
    bad = [0]
    errors: list[BaseException] = []

    def client(bodies: list[bytes], headers: dict) -> None:
        try:
            for body in bodies:
                started = time.perf_counter()
                answer = post(url, body, headers)
                latencies.append(time.perf_counter() - started)
                bad[0] += check(answer)
        except BaseException as error:  # noqa: BLE001 — reported after the run
            errors.append(error)

    threads = [threading.Thread(target=client, args=item) for item in per_client]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed: {errors[0]!r}")
    return elapsed, latencies, bad[0]


def zhibu_unexpected(status: str):
    return lambda answer: sum(1 for r in answer["results"] if r["status"] != status)


def pouch_unexpected(expect_ok: bool):
    return lambda answer: sum(1 for r in answer if bool(r.get("ok")) != expect_ok)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def process_tree(root: int) -> list[int]:
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2:].split()[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve_pages(base: str, rounds: int = 4) -> None:
    """Sign in as the demo recorder and open the pages a phone opens, on every worker (several times)."""
    for _ in range(rounds):
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/login", timeout=60).read().decode()
        token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        form = urllib.parse.urlencode({"csrf_token": token, "login": "dangyuan", "password": "zhibu-demo"})
        opener.open(base + "/login", data=form.encode(), timeout=60).read()
        for path in ("/", "/records/", "/offline/outbox", "/me"):
            try:
                opener.open(base + path, timeout=60).read()
            except urllib.error.HTTPError:
                pass  # a page this person may not open still loads the code that answers it


def pg_backends(url: str) -> list[int]:
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    dsn = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (target.database,))]


def pid_cpu(pids: list[int]) -> float:
    wanted = set(pids)
    return cpu_seconds(lambda pid, ppid, name: pid in wanted)


def database_bytes(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        path = url.split("///", 1)[1]
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*"))
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def table_bytes(url: str) -> list[tuple[str, int]]:
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            try:
                rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
            except sqlite3.OperationalError:
                return []
        return [(name, size) for name, size in rows][:14]
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return list(conn.execute(
            "SELECT relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't') ORDER BY 2 DESC LIMIT 14").fetchall())


class Result:
    def __init__(self, label: str, records: int):
        self.label, self.records = label, records
        self.lines: list[str] = []
        self.throughput = 0.0

    def timing(self, what: str, elapsed: float, latencies: list[float], cpu: str, bad: int) -> float:
        latencies = sorted(latencies)
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
        rate = self.records / elapsed
        self.lines.append(f"{self.label:<20} {what:<8} {rate:7.0f} records/s  p50 {statistics.median(latencies) * 1000:5.0f} ms"
                          f"  p95 {p95 * 1000:5.0f} ms  CPU s/10k: {cpu}" + (f"  UNEXPECTED ANSWERS: {bad}" if bad else ""))
        return rate


def run_zhibu(backend: str, args, folder: Path) -> Result:
    url = ("sqlite:///" + str(folder / f"zhibu-{uuid.uuid4().hex[:8]}.db")) if backend == "sqlite" else PG_URL
    if backend == "postgresql":
        fresh_database(url)
    tokens, template, org_id = prepare(url, args.clients)
    per = args.records // args.clients
    plans = []
    for i, token in enumerate(tokens):
        docs = documents(template, org_id, per, seed=i)
        plans.append((zhibu_batches(docs, org_id, args.batch, seed=i), {"Authorization": f"Bearer {token}"}))
    size_before = database_bytes(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "bench"}
    env.pop("ZHIBU_ENV", None)
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    result = Result(f"Zhibu {'SQLite' if backend == 'sqlite' else 'PostgreSQL'}", per * args.clients)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/login")
        for what, status in (("new", "applied"), ("resend", "duplicate")):
            tree = process_tree(server.pid)
            app_cpu = pid_cpu(tree)
            db_pids = pg_backends(url) if backend == "postgresql" else []
            db_cpu = pid_cpu(db_pids)
            elapsed, latencies, bad = push_all(base + "/api/sync/push", plans, zhibu_unexpected(status))
            app_cpu = pid_cpu(tree) - app_cpu
            scale = 10_000 / result.records
            if backend == "postgresql":
                # backends that connected during the run started at zero
                db_cpu = pid_cpu(pg_backends(url)) - db_cpu
                cpu = f"{app_cpu * scale:.1f} app + {db_cpu * scale:.1f} database"
            else:
                cpu = f"{app_cpu * scale:.1f}"
            rate = result.timing(what, elapsed, latencies, cpu, bad)
            if what == "new":
                result.throughput = rate
                grown = database_bytes(url) - size_before
                result.lines.append(f"{'':<20} storage  {grown / result.records:7.0f} bytes per record "
                                    f"({grown / 1e6:.1f} MB for {result.records} records)")
                if args.tables:
                    result.lines.append(f"{'':<20} largest: " + ", ".join(
                        f"{name} {size / result.records:.0f}" for name, size in table_bytes(url)))
        serve_pages(f"http://127.0.0.1:{port}")
        workers = [pid for pid in process_tree(server.pid) if pid != server.pid]
        result.lines.append(f"{'':<20} memory   gunicorn workers after pages and sync: "
                            + ", ".join(f"{rss_mb(pid):.0f} MB" for pid in workers) + " resident")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return result


# --- pouchdb-server ------------------------------------------------------------------------------

def pouch_installed() -> Path:
    binary = POUCH_DIR / "node_modules" / ".bin" / "pouchdb-server"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=POUCH_DIR, check=True)
    return binary


def run_pouch(args, folder: Path, template: dict, org_id: int) -> Result:
    binary = pouch_installed()
    data = folder / f"pouch-{uuid.uuid4().hex[:8]}"
    data.mkdir()
    port = free_port()
    server = subprocess.Popen([str(binary), "--host", "127.0.0.1", "--port", str(port), "--dir", str(data),
                               "--no-stdout-logs"], cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = Result("pouchdb-server", (args.records // args.clients) * args.clients)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/")
        urllib.request.urlopen(urllib.request.Request(base + "/bench", method="PUT"), timeout=60).read()
        per = args.records // args.clients
        plans = [(pouch_batches(documents(template, org_id, per, seed=i), org_id, args.batch), {})
                 for i in range(args.clients)]
        size_before = folder_bytes(data / "bench")
        for what, ok in (("new", True), ("resend", False)):
            tree = process_tree(server.pid)
            cpu = pid_cpu(tree)
            elapsed, latencies, bad = push_all(base + "/bench/_bulk_docs", plans, pouch_unexpected(ok))
            cpu = pid_cpu(tree) - cpu
            rate = result.timing(what, elapsed, latencies, f"{cpu * 10_000 / result.records:.1f}", bad)
            if what == "new":
                result.throughput = rate
                time.sleep(1)  # LevelDB writes its log behind the answers
                grown = folder_bytes(data / "bench") - size_before
                result.lines.append(f"{'':<20} storage  {grown / result.records:7.0f} bytes per record "
                                    f"({grown / 1e6:.1f} MB for {result.records} documents, LevelDB folder)")
        result.lines.append(f"{'':<20} memory   node {rss_mb(server.pid):.0f} MB resident")
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)
    return result


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def field_branch_template() -> tuple[dict, int]:
    """The theme-day template as Zhibu's demo field branch fills it (same document for pouchdb)."""
    folder = Path(tempfile.mkdtemp())
    url = "sqlite:///" + str(folder / "template.db")
    _tokens, template, org_id = prepare(url, 0)
    shutil.rmtree(folder, ignore_errors=True)
    return template, org_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for Zhibu")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="pouchdb,sqlite,postgresql")
    parser.add_argument("--tables", action="store_true", help="also print the largest tables per record")
    args = parser.parse_args()
    systems = [s for s in ("pouchdb", "sqlite", "postgresql") if s in args.only.split(",")]
    template, org_id = field_branch_template()
    sample = json.dumps(documents(template, org_id, 1, seed=0)[0][1], ensure_ascii=False)
    print(f"one theme day: {len(sample.encode())} bytes of UTF-8 JSON, {len(template['attendee_ids'])} attendees + "
          f"{len(template['absentees'])} absentee + {len(template['invited'])} invited, 500 characters of minutes; "
          f"{args.records} records, {args.clients} clients, batches of {args.batch}, {args.workers} gunicorn workers; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    folder = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    try:
        for round_number in range(args.rounds):
            order = systems[round_number % len(systems):] + systems[:round_number % len(systems)]
            results = {}
            for system in order:
                if system == "pouchdb":
                    results[system] = run_pouch(args, folder, template, org_id)
                else:
                    try:
                        results[system] = run_zhibu(system, args, folder)
                    except Exception as error:  # noqa: BLE001 — e.g. no PostgreSQL server: say so, go on
                        print(f"Zhibu {system} skipped: {error.__class__.__name__}: {error}")
            print(f"--- round {round_number + 1} (order: {', '.join(order)}; load average {os.getloadavg()[0]:.1f})")
            for system in systems:
                if system in results:
                    print("\n".join(results[system].lines))
            if "pouchdb" in results:
                peer = results["pouchdb"].throughput
                for system in ("sqlite", "postgresql"):
                    if system in results:
                        print(f"{results[system].label:<20} new records: {results[system].throughput / peer:.2f}x "
                              "pouchdb-server's throughput")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
