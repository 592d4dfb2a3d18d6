"""Benchmark: two worker processes send 1,000 reminders to a slow push service on PostgreSQL.

Issue 17: every reminder once per device; throughput and duplicates printed (duplicates must be 0).
The push service is the test one (tests/push_service.py: verifies VAPID, decrypts every payload),
answering each message after --delay-ms. The workers are separate processes (`--worker`), each running
`sender.run_once` rounds until nothing is left, on one PostgreSQL queue.

Usage: .venv/bin/python bench/push_delivery.py [--messages 1000] [--users 100] [--delay-ms 50] [--workers 2]
Database: BENCH_PG_URL (default postgresql+psycopg://127.0.0.1:5432/zhibu_bench_push), created anew.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://127.0.0.1:5432/zhibu_bench_push")


def _app(vapid_path: str, schema_check: bool = True):
    from webapp import create_app
    from webapp.config import TestConfig

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    return create_app({**config, "SQLALCHEMY_DATABASE_URI": PG_URL, "VAPID_PRIVATE_KEY_PATH": vapid_path,
                       "SCHEMA_CHECK": schema_check})


def worker(name: str, vapid_path: str) -> None:
    """One worker process: rounds until no delivery or message is left to send."""
    import requests
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import PushDelivery, PushMessage
    from webapp.push import sender

    app = _app(vapid_path)
    sent = 0
    with app.app_context(), requests.Session() as session:
        session.trust_env = False
        while True:
            counts = sender.run_once(worker=name, compute=False, session=session)
            sent += counts.get("sent", 0)
            left = db.session.scalar(select(func.count()).select_from(PushDelivery).where(
                PushDelivery.state.in_(("queued", "sending")))) + db.session.scalar(
                select(func.count()).select_from(PushMessage).where(PushMessage.state == "queued"))
            db.session.rollback()
            if not left:
                break
            if not counts:
                time.sleep(0.05)  # the other worker holds what is left
    print(f"{name} sent={sent}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--delay-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--vapid", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(worker, args.worker, args.vapid)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        else:
            worker(args.worker, args.vapid)
        return

    import psycopg
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    sys.path.insert(0, str(ROOT / "bench"))
    from _fresh_database import fresh_database
    from tests.push_service import start_push_service
    from webapp.extensions import db
    from webapp.models import PushDelivery, PushMessage, PushSubscription, User
    from webapp.push import keys, scheduler

    try:
        fresh_database(PG_URL)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL unavailable, skipped: {error}")
        return
    folder = Path(tempfile.mkdtemp(prefix="zhibu-bench-push-"))
    vapid_path = str(folder / "vapid.pem")
    service, server = start_push_service()
    delay = args.delay_ms / 1000
    moments = []

    def slow(_received):
        moments.append(time.perf_counter())
        time.sleep(delay)

    service.on_receive = slow

    app = _app(vapid_path, schema_check=False)
    with app.app_context():
        upgrade()
        keys.create_keys(keys.key_path(app))
        now = datetime.now(timezone.utc)
        users = []
        for index in range(args.users):
            user = User(name=f"党员{index}", username=f"bench_{index}", phone=f"139{index:08d}", category="full")
            db.session.add(user)
            users.append(user)
        db.session.flush()
        for user in users:
            endpoint, browser_keys = service.subscription(f"device-{user.id}")
            db.session.add(PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=browser_keys["p256dh"],
                                            auth=browser_keys["auth"], user_agent="bench"))
        for n in range(args.messages):
            user = users[n % len(users)]
            payload = {"title": f"学习提醒 {n}", "body": "请按期完成学习", "url": "/", "tag": f"study-{n}",
                       "kind": "study"}
            scheduler.enqueue("study", user.id, now, payload, f"study-{n}", f"bench:{n}", respect_prefs=False)
        db.session.commit()

    started = time.perf_counter()
    processes = [subprocess.Popen([sys.executable, __file__, "--worker", f"worker-{i}", "--vapid", vapid_path],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True) for i in range(args.workers)]
    outputs = [p.communicate()[0].strip() for p in processes]
    elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()

    with app.app_context():
        states = Counter(db.session.scalars(select(PushDelivery.state)))
        messages_sent = db.session.scalar(select(func.count()).select_from(PushMessage).where(
            PushMessage.state == "sent"))
        db.engine.dispose()
    received = Counter((r.path, r.payload["title"] if r.payload else None) for r in service.received)
    duplicates = sum(count - 1 for count in received.values())
    print(f"push delivery on PostgreSQL: {args.messages} reminders, {args.users} devices, "
          f"{args.workers} worker processes, push service answering after {args.delay_ms} ms")
    for line in outputs:
        print(f"  {line}")
    sending = (moments[-1] - moments[0]) if len(moments) > 1 else elapsed
    print(f"  wall time with worker start-up: {elapsed:.1f} s ({len(service.received) / elapsed:.1f} messages/s); "
          f"first to last send: {sending:.1f} s ({len(service.received) / sending:.1f} messages/s)")
    print(f"  received by the push service: {len(service.received)}, distinct: {len(received)}, "
          f"duplicates: {duplicates}, verification errors: {len(service.errors)}")
    print(f"  deliveries by state: {dict(states)}, messages sent: {messages_sent}")
    ok = duplicates == 0 and not service.errors and messages_sent == args.messages and len(received) == args.messages
    print("  OK" if ok else "  FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
