"""Fault run: a phone pushes 2,000 mutations (creates, check-ins, edits) in batches of 50 while the
server process is killed (SIGKILL) and restarted at random moments and requests time out. The phone
resends whatever was not acknowledged. At the end every mutation must be applied exactly once.

    .venv/bin/python bench/sync_fault.py [--mutations 2000] [--database-url URL]

Prints the figures and exits non-zero when anything was lost or duplicated.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVE = ("import sys; from werkzeug.serving import run_simple; from wsgi import app; "
         "run_simple('127.0.0.1', int(sys.argv[1]), app, threaded=True)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(url: str) -> tuple[str, int, list[int]]:
    """Migrate, load the demo data, register a device; returns (token, org id, roster ids)."""
    from tests.conftest import _config_dict, migrate_to_head
    from tests.records_helpers import FIELD_BRANCH, member_ids, org_named
    from webapp import create_app
    from webapp.passwords import hash_password
    from webapp.demo import loader
    from webapp.extensions import db
    from webapp.offline import devices

    if url.startswith("postgresql"):
        from _fresh_database import fresh_database

        fresh_database(url)
    migrate_to_head(url)
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        accounts = loader.load(hash_password)
        db.session.commit()
        org = org_named(FIELD_BRANCH)
        _device, token = devices.register(accounts["dangyuan"], "fault run")
        db.session.commit()
        result = token, org.id, member_ids(org)
        db.engine.dispose()
    return result


def build(count: int, org_id: int, roster: list[int]) -> tuple[list[dict], dict]:
    from datetime import date, timedelta

    creates, mutations = [], []
    day = (date.today() - timedelta(days=1)).isoformat()

    def data(topic):
        return {"occurred_on": day, "start_time": "09:00", "end_time": "10:30", "place": "野外测站",
                "topic": topic, "content": "", "attendee_ids": roster, "theme_items":
                ["recite_constitution", "collective_study", "pay_dues"]}

    n_create, n_check = count * 3 // 5, count // 5
    for i in range(n_create):
        rid = str(uuid.uuid4())
        creates.append(rid)
        mutations.append({"entity": "record", "target": rid, "payload": {
            "data": data(f"故障演练 {i}"), "org_id": org_id, "type": "theme_day"}})
    for rid in creates[:n_check]:
        mutations.append({"entity": "check_in", "target": rid, "payload": {}})
    for i, rid in enumerate(creates[: count - len(mutations)]):
        mutations.append({"entity": "record", "target": rid, "base_version": 1,
                          "payload": {"data": data(f"故障演练 修改 {i}")}})
    for seq, m in enumerate(mutations, start=1):
        m.update(id=str(uuid.uuid4()), seq=seq)
    expected = {"creates": creates, "edited": creates[: count - n_create - n_check],
                "checked": creates[:n_check]}
    return mutations, expected


class Server:
    def __init__(self, url: str, port: int):
        self.env = {**os.environ, "DATABASE_URL": url, "ZHIBU_SECRET_KEY": "fault-run"}
        self.port = port
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def start(self):
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, str(self.port)], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_until_serving(self, done: threading.Event) -> bool:
        """Wait until the server accepts connections (False once ``done`` is set)."""
        while not done.is_set():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                done.wait(0.1)
        return False

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def run(url: str, count: int) -> bool:
    token, org_id, roster = prepare(url)
    mutations, expected = build(count, org_id, roster)
    server = Server(url, free_port())
    server.start()
    done = threading.Event()
    killer = threading.Thread(target=_chaos, args=(server, done), daemon=True)
    killer.start()
    started = time.perf_counter()
    pending, acked, attempts, failures = _push_until_acknowledged(server.port, token, mutations, started)
    done.set()
    killer.join()
    elapsed = time.perf_counter() - started
    server.stop()
    problems = _problems(url, mutations, expected, pending, acked)
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{label:<11} {count} mutations in {elapsed:.1f} s with {server.kills} server kills, "
          f"{attempts} requests ({failures} failed or timed out): "
          + ("every mutation applied exactly once" if not problems else "PROBLEMS: " + "; ".join(problems)))
    return not problems


def _chaos(server: Server, done: threading.Event) -> None:
    # Killed at a random moment once it serves: on a loaded machine starting takes longer than
    # the moments between kills, and a server killed before it ever answers tests nothing.
    rng = random.Random(7)
    while server.wait_until_serving(done) and not done.wait(rng.uniform(0.8, 2.5)):
        server.kill()
        time.sleep(rng.uniform(0.1, 0.5))
        server.start()


def _push_until_acknowledged(port: int, token: str, mutations: list[dict], started: float):
    """Push in batches of 50 as the phone does, resending what got no answer (at most 15 minutes).
    Returns (never acknowledged, {id: status}, requests, failed requests)."""
    pending = list(mutations)
    acked: dict[str, str] = {}
    attempts = failures = 0
    while pending and time.perf_counter() - started < 900:
        batch = pending[:50]
        attempts += 1
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/sync/push", data=json.dumps({"mutations": batch}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=random.uniform(0.5, 3.0)) as response:
                results = json.loads(response.read())["results"]
        except (urllib.error.URLError, OSError, ValueError, KeyError, http.client.HTTPException):
            # no answer, or one cut off by the kill: the phone resends
            failures += 1
            time.sleep(0.2)
            continue
        for result in results:
            acked[result["id"]] = result.get("first_status") or result["status"]
        pending = [m for m in pending if m["id"] not in acked]
    return pending, acked, attempts, failures


def _problems(url: str, mutations: list[dict], expected: dict, pending: list, acked: dict[str, str]) -> list[str]:
    """What the database holds against what every mutation applied exactly once would leave."""
    from sqlalchemy import create_engine, func, select

    from webapp.models import CheckIn, ProcessedMutation, Record, RecordVersion

    engine = create_engine(url)
    with engine.connect() as connection:
        processed = connection.execute(select(ProcessedMutation.mutation_id, func.count())
                                       .group_by(ProcessedMutation.mutation_id)).all()
        records = dict(connection.execute(select(Record.uuid, Record.version)
                                          .where(Record.uuid.in_(expected["creates"]))).all())
        versions = connection.execute(select(func.count()).select_from(RecordVersion).join(
            Record, Record.id == RecordVersion.record_id).where(Record.uuid.in_(expected["creates"]))).scalar()
        checks = connection.execute(select(func.count()).select_from(CheckIn).join(
            Record, Record.id == CheckIn.record_id).where(Record.uuid.in_(expected["creates"]))).scalar()
    engine.dispose()
    ids = {m["id"] for m in mutations}
    problems = []
    if pending:
        problems.append(f"{len(pending)} never acknowledged")
    if {mid for mid, _n in processed} & ids != ids or any(n != 1 for _mid, n in processed):
        problems.append("processed log is not exactly once")
    if len(records) != len(expected["creates"]):
        problems.append(f"records: {len(records)} of {len(expected['creates'])}")
    if any(records.get(rid) != 2 for rid in expected["edited"]):
        problems.append("an edit was lost or applied twice")
    if versions != len(expected["creates"]) + len(expected["edited"]):
        problems.append(f"versions: {versions}")
    if checks != len(expected["checked"]):
        problems.append(f"check-ins: {checks}")
    if any(status != "applied" for status in acked.values()):
        problems.append("unexpected statuses: " + ", ".join(sorted(set(acked.values()))))
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mutations", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + str(Path(tempfile.mkdtemp()) / "fault.db")
    sys.exit(0 if run(url, args.mutations) else 1)


if __name__ == "__main__":
    main()
