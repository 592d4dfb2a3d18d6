"""Benchmark: the committee dashboard and a branch checklist at province scale.

Generates (by default) 5,000 branches, 150,000 members and 2,000,000 approved records with bulk Core
inserts, fills the monthly counts with one aggregate the way approvals would, checks a sample branch
against the real recount (``summaries.rebuild``), then times through the real HTTP stack (Flask's test
client, signed in as the higher committee):
  - the dashboard for all branches for one year (goal p95 < 300 ms)
  - a branch checklist for the year (goal p95 < 50 ms)
and prints the query plan of the dashboard's main query.

Usage: .venv/bin/python bench/dashboard.py [--scale 1.0] [--backend sqlite|postgresql|both] [--repeat 30]
       [--pg-url postgresql+psycopg://127.0.0.1:5432/NAME] (the database is dropped and created anew)
"""
from __future__ import annotations

import argparse
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.passwords import hash_password  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Membership, Organization, Record, StandardMonthCount, User  # noqa: E402
from webapp.standards import summaries  # noqa: E402

PG_URL = "postgresql+psycopg://127.0.0.1:5432/zhibu_standards_bench"
TYPES = ["theme_day", "committee_meeting", "general_meeting", "lecture", "group_meeting", "life_meeting"]
WEIGHTS = [5, 5, 1, 1, 3, 1]
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def ms(values):
    """Median and 95th percentile (nearest rank) in milliseconds."""
    values = sorted(values)
    return statistics.median(values) * 1000, values[max(0, math.ceil(len(values) * 0.95) - 1)] * 1000


def record_row(rng: random.Random, rid: int, org_id: int, kind: str, year: int) -> dict:
    """One approved record of ``kind`` on a random day of ``year``, as a row for a bulk insert (a tenth
    of them 50 minutes long, so some theme days miss the standard)."""
    day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    minutes = 90 if rng.random() > 0.1 else 50
    start = datetime(day.year, day.month, day.day, 1, 0, tzinfo=timezone.utc)
    return {"id": rid, "uuid": str(uuid.uuid4()), "org_id": org_id, "type": kind, "state": "approved",
            "version": 1, "approved_version": 1, "has_conflict": False, "occurred_on": day,
            "starts_at": start, "ends_at": start + timedelta(minutes=minutes),
            "duration_minutes": minutes, "topic": "学习", "place": "会议室",
            "meets_standard": (minutes >= 60) if kind == "theme_day" else None,
            "standard_problems": [], "is_secretary_lecture": kind == "lecture" and rng.random() < 0.5,
            "is_private": False, "recorded_late_days": 0, "photos_missing": 0,
            "created_at": NOW, "updated_at": NOW}


def generate(branches: int, members_per_branch: int, records_per_branch: int, year: int) -> int:
    rng = random.Random(7)
    conn = db.session.connection()
    conn.execute(insert(Organization), [{"id": 1, "uuid": str(uuid.uuid4()), "path": "/1/", "kind": "committee",
                                         "name": "省直机关工委", "description": "", "is_temporary": False,
                                         "created_at": NOW, "updated_at": NOW}])
    orgs = []
    for i in range(branches):
        oid = i + 2
        temporary = i % 10 == 0
        orgs.append({"id": oid, "uuid": str(uuid.uuid4()), "parent_id": 1, "path": f"/1/{oid}/", "kind": "branch",
                     "name": f"第{i + 1:04d}党支部" + ("（临时）" if temporary else ""), "description": "",
                     "is_temporary": temporary, "start_date": date(year, 3, 1) if temporary else None,
                     "end_date": date(year, 9, 30) if temporary else None,
                     "committee_term_end": date(year + 2, 6, 30), "created_at": NOW, "updated_at": NOW})
    conn.execute(insert(Organization), orgs)
    password = hash_password("bench")
    users, memberships = [], []
    uid = 0
    for org in orgs:
        for k in range(members_per_branch):
            uid += 1
            users.append({"id": uid, "uuid": str(uuid.uuid4()), "username": None, "name": f"党员{uid}", "category": "full",
                          "password_hash": password, "session_version": 1, "active": True,
                          "created_at": NOW, "updated_at": NOW})
            memberships.append({"user_id": uid, "org_id": org["id"], "relation": "home",
                                "title": ("secretary", "deputy_secretary", "organization")[k] if k < 3 else None,
                                "is_recorder": k == 3, "active": True, "joined_on": date(year - 3, 1, 1),
                                "created_at": NOW, "updated_at": NOW})
    uid += 1
    users.append({"id": uid, "uuid": str(uuid.uuid4()), "username": "bench", "name": "工委书记", "category": "full",
                  "password_hash": password, "session_version": 1, "active": True, "created_at": NOW,
                  "updated_at": NOW})
    memberships.append({"user_id": uid, "org_id": 1, "relation": "home", "title": "secretary", "is_recorder": False,
                        "joined_on": date(year - 3, 1, 1),
                        "active": True, "created_at": NOW, "updated_at": NOW})
    for start in range(0, len(users), 20000):
        conn.execute(insert(User), users[start:start + 20000])
        conn.execute(insert(Membership), memberships[start:start + 20000])
    rid = 0
    batch = []
    for org in orgs:
        for _ in range(records_per_branch):
            rid += 1
            kind = rng.choices(TYPES, WEIGHTS)[0]
            batch.append(record_row(rng, rid, org["id"], kind, year))
            if len(batch) == 20000:
                conn.execute(insert(Record), batch)
                batch = []
    if batch:
        conn.execute(insert(Record), batch)
    db.session.commit()
    return uid


def fill_counts(dialect: str) -> None:
    month = "strftime('%Y-%m', occurred_on)" if dialect == "sqlite" else "to_char(occurred_on, 'YYYY-MM')"
    for key, condition in (("type", "1=1"), ("'theme_day_ok'", "type = 'theme_day' AND meets_standard"),
                           ("'secretary_lecture'", "type = 'lecture' AND is_secretary_lecture")):
        db.session.execute(text(
            f"INSERT INTO standard_month_counts (org_id, month, key, count) "
            f"SELECT org_id, {month}, {key}, count(*) FROM records WHERE approved_version IS NOT NULL AND {condition} "
            f"GROUP BY org_id, {month}" + (", type" if key == "type" else "")))
    db.session.commit()


def verify_sample(org_id: int) -> None:
    """The bulk counts equal what the real recount (run on approval) computes for a sample branch."""
    before = {(c.month, c.key): c.count for c in db.session.scalars(
        select(StandardMonthCount).where(StandardMonthCount.org_id == org_id))}
    summaries.rebuild([org_id])
    after = {(c.month, c.key): c.count for c in db.session.scalars(
        select(StandardMonthCount).where(StandardMonthCount.org_id == org_id))}
    db.session.rollback()
    # Generated records carry no versions, so the recount sees type counts only; those must agree.
    plain = {k: v for k, v in before.items() if k[1] in TYPES}
    assert {k: v for k, v in after.items() if k[1] in TYPES} == plain, "bulk counts differ from the recount"


def run(url: str, scale: float, repeat: int) -> None:
    branches = max(10, int(5000 * scale))
    members, records = 30, 400
    year = 2025
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SCHEMA_CHECK=False, WTF_CSRF_ENABLED=False)
    app = create_app(config)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        generate(branches, members, records, year)
        fill_counts(db.engine.dialect.name)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        else:
            db.session.execute(text("ANALYZE"))
        print(f"  generated {branches} branches, {branches * members} members, {branches * records} records "
              f"in {time.perf_counter() - started:.0f} s")
        verify_sample(2)
        client = app.test_client()
        response = client.post("/login", data={"login": "bench", "password": "bench"})
        assert response.status_code == 302, re.findall(r"role=\"alert\">([^<]*)", response.get_data(as_text=True))
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            upper = statement.upper()
            if "STANDARD_MONTH_COUNTS" in upper and "LIMIT" in upper and "ORDER BY" in upper and "ORGANIZATIONS" in upper:
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        client.get(f"/standards/?year={year}")
        event.remove(db.engine, "before_cursor_execute", capture)
        timings = {"dashboard": [], "checklist": []}
        for _ in range(repeat):
            t = time.perf_counter()
            r = client.get(f"/standards/?year={year}")
            timings["dashboard"].append(time.perf_counter() - t)
            assert r.status_code == 200
            org_id = random.randrange(2, branches + 2)
            t = time.perf_counter()
            r = client.get(f"/standards/{org_id}?period={year}")
            timings["checklist"].append(time.perf_counter() - t)
            assert r.status_code == 200
        for name, goal in (("dashboard", 300), ("checklist", 50)):
            p50, p95 = ms(timings[name])
            print(f"  {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms (goal p95 < {goal} ms, {repeat} requests)")
        if statements:
            statement, parameters = statements[0]
            prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(prefix + statement, parameters)
                plan = cursor.fetchall()
            finally:
                raw.close()
            print("  main dashboard query:", re.sub(r"\s+", " ", statement)[:400], "...")
            print("  plan:")
            for row in plan:
                print("   ", row[-1] if db.engine.dialect.name == "sqlite" else row[0])
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 5,000 branches and 2,000,000 records")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL database to create anew for the run")
    args = parser.parse_args()
    print(f"dashboard benchmark, scale {args.scale} (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f})")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            print("SQLite:")
            run(f"sqlite:///{folder}/bench.db", args.scale, args.repeat)
    if args.backend in ("postgresql", "both"):
        import psycopg

        from _fresh_database import fresh_database

        try:
            fresh_database(args.pg_url)
        except psycopg.OperationalError as error:
            print(f"PostgreSQL unavailable, skipped: {error}")
            return
        print("PostgreSQL:")
        run(args.pg_url, args.scale, args.repeat)


if __name__ == "__main__":
    main()
