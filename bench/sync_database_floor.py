"""What PostgreSQL alone spends to store the rows a sync push must write, with no app at all.

The app first pushes 100 theme days of the ``sync_vs_pouchdb`` work (about 1.9 KB of UTF-8 JSON, 10
people each) through its real push path. Their rows (record, first version, attendance, audit line,
processed marker) are then cloned, with new UUIDs and ids, into ``--records`` more, written as the
push writes them: per batch of 50 records, one transaction of COPY into each table (records first,
then their ids read back), the device's last sequence number noted, then COMMIT; ``--connections``
writers at once, as gunicorn's workers. Nothing is read, validated, parsed or answered.

Prints the database server's CPU seconds per 10,000 records and records/s: as the schema stands,
without the attendance rows, and with them but without their two foreign keys (dropped in this
benchmark's own database), to show what those rows and their checks cost. Compare with the whole CPU of
pouchdb-server in ``bench/sync_vs_pouchdb.py`` (its "CPU s/10k"): when the database alone spends
more per record than the whole peer, no work in the app can bring Zhibu on PostgreSQL to the peer's
throughput on a machine whose cores they share.

    BENCH_DATABASE_URL=postgresql+psycopg://127.0.0.1:5432/bench_database_floor \\
        .venv/bin/python bench/sync_database_floor.py [--records 10000] [--connections 2] [--batch 50]
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fresh_database import fresh_database  # noqa: E402
from sync_ingest import prepare  # noqa: E402
from sync_vs_pouchdb import documents, pg_backends, pid_cpu, zhibu_batches  # noqa: E402

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://127.0.0.1:5432/bench_database_floor")
TABLES = ("records", "record_versions", "attendances", "audit_log", "sync_processed")


def seed(url: str) -> int:
    """The app pushes 100 theme days; returns the device id."""
    from tests.conftest import _config_dict
    from webapp import create_app

    fresh_database(url)
    tokens, template, org_id = prepare(url, 1)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    client = app.test_client()
    headers = {"Authorization": f"Bearer {tokens[0]}", "Content-Type": "application/json"}
    for body in zhibu_batches(documents(template, org_id, 100, seed=1), org_id, 50, seed=1):
        answer = client.post("/api/sync/push", data=body, headers=headers).get_json()
        assert all(r["status"] == "applied" for r in answer["results"]), answer["results"][:1]
    with app.app_context():
        from webapp.extensions import db
        from webapp.models import Device

        device_id = db.session.query(Device.id).scalar()
        db.engine.dispose()
    return device_id


class Templates:
    """The pushed rows as COPY text, by table: the columns written (no serial id) and the lines."""

    def __init__(self, conn):
        self.columns: dict[str, list[str]] = {}
        self.lines: dict[str, list[list[str]]] = {}
        ids = [row[0] for row in conn.execute("SELECT id FROM records WHERE uuid IN "
                                              "(SELECT target FROM sync_processed) ORDER BY id")]
        self.record_ids = ids
        for table in TABLES:
            columns = [row[0] for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name <> 'id' ORDER BY ordinal_position", (table,))]
            self.columns[table] = columns
            listed = ", ".join(map(str, ids))
            where = {"records": f"id IN ({listed})", "record_versions": f"record_id IN ({listed})",
                     "attendances": f"record_id IN ({listed})",
                     "audit_log": "action = 'create' AND entity_id IN (SELECT target FROM sync_processed)",
                     "sync_processed": "TRUE"}[table]
            query = f"COPY (SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY 1) TO STDOUT"
            with conn.cursor() as cursor:
                with cursor.copy(query) as copy:
                    text = b"".join(bytes(chunk) for chunk in copy).decode()
            self.lines[table] = [line.split("\t") for line in text.rstrip("\n").split("\n")]


def writer(url: str, templates: Templates, device_id: int, batches: list[int], batch: int,
           attendance: bool, errors: list, done: threading.Barrier, measured: threading.Event) -> None:
    import psycopg

    cols = templates.columns
    at = {table: {name: i for i, name in enumerate(cols[table])} for table in TABLES}
    by_record: dict[str, list[list[str]]] = {}
    for line in templates.lines["attendances"]:
        by_record.setdefault(line[at["attendances"]["record_id"]], []).append(line)
    samples = [str(i) for i in templates.record_ids]
    try:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            for number in batches:
                uuids = [str(uuid.uuid4()) for _ in range(batch)]
                picks = [(number * batch + k) % len(samples) for k in range(batch)]
                with conn.cursor() as cursor:
                    rows = []
                    for k, pick in enumerate(picks):
                        line = list(templates.lines["records"][pick])
                        line[at["records"]["uuid"]] = uuids[k]
                        rows.append(line)
                    _copy(cursor, "records", cols["records"], rows)
                    ids = dict(cursor.execute("SELECT uuid, id FROM records WHERE uuid = ANY(%s)", (uuids,)).fetchall())
                    versions, people, audit, processed = [], [], [], []
                    for k, pick in enumerate(picks):
                        record_id = str(ids[uuids[k]])
                        line = list(templates.lines["record_versions"][pick])
                        line[at["record_versions"]["record_id"]] = record_id
                        versions.append(line)
                        if attendance:
                            for person in by_record[samples[pick]]:
                                person = list(person)
                                person[at["attendances"]["record_id"]] = record_id
                                people.append(person)
                        line = list(templates.lines["audit_log"][pick])
                        line[at["audit_log"]["entity_id"]] = uuids[k]
                        audit.append(line)
                        line = list(templates.lines["sync_processed"][pick])
                        line[at["sync_processed"]["mutation_id"]] = str(uuid.uuid4())
                        line[at["sync_processed"]["target"]] = uuids[k]
                        processed.append(line)
                    _copy(cursor, "record_versions", cols["record_versions"], versions)
                    _copy(cursor, "attendances", cols["attendances"], people)
                    _copy(cursor, "audit_log", cols["audit_log"], audit)
                    _copy(cursor, "sync_processed", cols["sync_processed"], processed)
                    cursor.execute("UPDATE sync_devices SET last_seq = GREATEST(last_seq, %s), last_seen_at = now() "
                                   "WHERE id = %s", (number, device_id))
                conn.commit()
            done.wait()  # the backend's CPU is read before it exits
            measured.wait()
    except Exception as error:  # reported by the caller: a failed writer must not read as a fast one
        errors.append(error)
        done.abort()


def _copy(cursor, table: str, columns: list[str], rows: list[list[str]]) -> None:
    if rows:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write("".join("\t".join(row) + "\n" for row in rows))


def run(url: str, templates: Templates, device_id: int, records: int, connections: int, batch: int,
        attendance: bool, label: str) -> str:
    count = records // batch
    plan = [list(range(start, count, connections)) for start in range(connections)]
    errors: list = []
    done, measured = threading.Barrier(connections + 1), threading.Event()
    threads = [threading.Thread(target=writer, args=(url, templates, device_id, [n + 10_000 * (1 + attendance) for n in p],
                                                     batch, attendance, errors, done, measured)) for p in plan]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the writers' backends are connected
    pids = pg_backends(url)
    before, wall = pid_cpu(pids), time.perf_counter()
    try:
        done.wait()
    except threading.BrokenBarrierError:
        pass
    cpu, wall = pid_cpu(pids) - before, time.perf_counter() - wall
    measured.set()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a writer failed: {errors[0]!r}")
    return (f"{label:<20} database CPU {cpu / count / batch * 10_000:5.2f} s per 10k records, "
            f"{count * batch / wall:6.0f} records/s (wall, {connections} connections)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    import psycopg

    device_id = seed(PG_URL)
    with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql")) as conn:
        templates = Templates(conn)
    print(f"load average {os.getloadavg()[0]:.1f}; rows of {len(templates.record_ids)} pushed theme days, "
          f"{len(templates.lines['attendances']) / len(templates.record_ids):.0f} attendance rows each")
    for attendance, label in ((True, "as stored"), (False, "no attendance rows")):
        print(run(PG_URL, templates, device_id, args.records, args.connections, args.batch, attendance, label))
    # This database is the benchmark's own: the attendance rows once more, without their two
    # foreign keys (to the record and to the person), to show what checking them costs.
    with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        for (name,) in conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = 'attendances'::regclass "
                                    "AND contype = 'f'").fetchall():
            conn.execute(f'ALTER TABLE attendances DROP CONSTRAINT "{name}"')
    print(run(PG_URL, templates, device_id, args.records, args.connections, args.batch, True, "no attendance FKs"))


if __name__ == "__main__":
    main()
