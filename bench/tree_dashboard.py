"""Benchmark: the committee dashboard as a tree (province → city → county → branches) at 1×, 2× and 4×.

For each scale (1× = 5,000 branches, as ``bench/dashboard.py``) it generates a province anew: 16 cities,
8 × scale counties per city, ~39 branches per county (1 in 50 a temporary branch), 10 members per
branch and 24 approved records per branch over the year (12 theme days, 6 committee meetings, 4 general
meetings, 2 lectures) with bulk Core inserts, fills the monthly counts the way approvals would
(``bench/dashboard.py`` ``fill_counts``), then times through the real HTTP stack (Flask's test client,
signed in as the province committee):
  - province level: one row per city, each with its whole subtree rolled up (``standards/rollup.py``)
  - city level: one page of counties
  - county level (the leaf): the branch grid of that county's branches
  - one branch's checklist for the year
printing p50/p95 per level and the SQL statements and rows one request reads, so one can see which
levels grow with the province and which do not. The committee levels read the stored roll-up
(``standards/rollup_store.py``), filled once after generation (timed separately: the one step that
reads the whole province).

With ``--existing`` nothing is generated: the levels are timed on a database already filled by
``bench/province_data.py`` (its committee user "bench", the province 1, its first city and county).

Usage: .venv/bin/python bench/tree_dashboard.py [--scales 1,2,4] [--backend postgresql|sqlite]
       [--repeat 20] [--pg-url postgresql+psycopg://127.0.0.1:5432/NAME] (the database is dropped and
       created anew for each scale)
       .venv/bin/python bench/tree_dashboard.py --existing postgresql+psycopg://127.0.0.1:5432/NAME
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, func, insert, select, text  # noqa: E402

from dashboard import fill_counts, ms, record_row  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.config import TestConfig  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Membership, Organization, Record, User  # noqa: E402
from webapp.passwords import hash_password  # noqa: E402
from webapp.standards import rollup_store  # noqa: E402

PG_URL = "postgresql+psycopg://127.0.0.1:5432/zhibu_tree_bench"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
YEAR = 2025
CITIES = 16
BRANCHES_PER_1X = 5000
MEMBERS = 10
RECORDS = [("theme_day", 12), ("committee_meeting", 6), ("general_meeting", 4), ("lecture", 2)]


def _org(oid: int, parent: int | None, path: str, kind: str, name: str, **extra) -> dict:
    # Every row names the same columns: a bulk insert takes its columns from a chunk's first row.
    return {"id": oid, "uuid": str(uuid.uuid4()), "parent_id": parent, "path": path, "kind": kind, "name": name,
            "description": "", "is_temporary": False, "start_date": None, "end_date": None,
            "committee_term_end": None, "created_at": NOW, "updated_at": NOW, **extra}


def generate(scale: float) -> dict[str, int]:
    """The province; returns the ids the timings visit."""
    rng = random.Random(11)
    counties_per_city = max(1, round(8 * scale))
    per_county = max(1, round(BRANCHES_PER_1X * scale / (CITIES * counties_per_city)))
    orgs = [_org(1, None, "/1/", "committee", "省委直属机关工委")]
    branches = []
    oid = 1
    for c in range(CITIES):
        oid += 1
        city = oid
        orgs.append(_org(city, 1, f"/1/{city}/", "committee", f"第{c + 1:02d}市委"))
        for k in range(counties_per_city):
            oid += 1
            county = oid
            orgs.append(_org(county, city, f"/1/{city}/{county}/", "committee", f"第{c + 1:02d}市第{k + 1:02d}县委"))
            for b in range(per_county):
                oid += 1
                temporary = len(branches) % 50 == 0
                orgs.append(_org(oid, county, f"/1/{city}/{county}/{oid}/", "branch", f"{county}-{b + 1:02d}党支部",
                                 is_temporary=temporary, start_date=date(YEAR, 3, 1) if temporary else None,
                                 end_date=date(YEAR, 9, 30) if temporary else None,
                                 committee_term_end=date(YEAR + 2, 6, 30)))
                branches.append(oid)
    conn = db.session.connection()
    for start in range(0, len(orgs), 20000):
        conn.execute(insert(Organization), orgs[start:start + 20000])
    _people(conn, branches)
    rid = _records(conn, branches, rng)
    db.session.commit()
    return {"branches": len(branches), "records": rid, "counties_per_city": counties_per_city,
            "per_county": per_county, "city": 2, "county": 3, "branch": 5}


def _people(conn, branches: list[int]) -> None:
    password = hash_password("bench")
    users, memberships, uid = [], [], 0
    for org_id in branches:
        for k in range(MEMBERS):
            uid += 1
            users.append({"id": uid, "uuid": str(uuid.uuid4()), "username": None, "name": f"党员{uid}",
                          "category": "full", "password_hash": password, "session_version": 1, "active": True,
                          "created_at": NOW, "updated_at": NOW})
            memberships.append({"user_id": uid, "org_id": org_id, "relation": "home",
                                "title": ("secretary", "deputy_secretary", "organization")[k] if k < 3 else None,
                                "is_recorder": k == 3, "active": True, "joined_on": date(YEAR - 3, 1, 1),
                                "created_at": NOW, "updated_at": NOW})
    uid += 1
    users.append({"id": uid, "uuid": str(uuid.uuid4()), "username": "bench", "name": "省委工委书记", "category": "full",
                  "password_hash": password, "session_version": 1, "active": True, "created_at": NOW,
                  "updated_at": NOW})
    memberships.append({"user_id": uid, "org_id": 1, "relation": "home", "title": "secretary", "is_recorder": False,
                        "joined_on": date(YEAR - 3, 1, 1), "active": True, "created_at": NOW, "updated_at": NOW})
    for start in range(0, len(users), 20000):
        conn.execute(insert(User), users[start:start + 20000])
        conn.execute(insert(Membership), memberships[start:start + 20000])


def _records(conn, branches: list[int], rng: random.Random) -> int:
    rid, batch = 0, []
    for org_id in branches:
        for kind, count in RECORDS:
            for _ in range(count):
                if rng.random() < 0.15:
                    continue  # some branches miss some meetings
                rid += 1
                batch.append(record_row(rng, rid, org_id, kind, YEAR))
                if len(batch) == 20000:
                    conn.execute(insert(Record), batch)
                    batch = []
    if batch:
        conn.execute(insert(Record), batch)
    return rid


def _app(url: str):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SCHEMA_CHECK=False, WTF_CSRF_ENABLED=False)
    return create_app(config)


def run(url: str, scale: float, repeat: int) -> None:
    app = _app(url)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        made = generate(scale)
        fill_counts(db.engine.dialect.name)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"  {scale}×: {made['branches']} branches ({CITIES} cities × {made['counties_per_city']} counties × "
              f"{made['per_county']}), {made['branches'] * MEMBERS} members, {made['records']} records, "
              f"generated in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        rows = rollup_store.refresh_all({YEAR - 1, YEAR})
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"    stored roll-up filled once: {rows} rows in {time.perf_counter() - started:.1f} s")
        levels = {"province (16 cities)": f"/standards/?year={YEAR}&org=1",
                  f"city ({made['counties_per_city']} counties, page 1)": f"/standards/?year={YEAR}&org={made['city']}",
                  f"county leaf ({made['per_county']} branches)": f"/standards/?year={YEAR}&org={made['county']}",
                  "branch checklist (year)": f"/standards/{made['branch']}?period={YEAR}"}
        time_levels(app, levels, repeat)
        db.session.remove()
        db.engine.dispose()


def time_levels(app, levels: dict[str, str], repeat: int) -> None:
    """p50/p95 per level through the HTTP stack, with the statements and rows one request reads."""
    client = app.test_client()
    response = client.post("/login", data={"login": "bench", "password": "bench"})
    assert response.status_code == 302
    seen = {"statements": 0, "rows": 0}

    def count(conn, cursor, statement, parameters, context, executemany):
        seen["statements"] += 1
        seen["rows"] += max(cursor.rowcount, 0) if statement.lstrip().upper().startswith("SELECT") else 0

    for name, path in levels.items():
        assert client.get(path).status_code == 200, path  # warm
        event.listen(db.engine, "after_cursor_execute", count)
        seen.update(statements=0, rows=0)
        assert client.get(path).status_code == 200
        event.remove(db.engine, "after_cursor_execute", count)
        timings = []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - t)
            assert response.status_code == 200
        p50, p95 = ms(timings)
        print(f"    {name}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({repeat} requests; one request: "
              f"{seen['statements']} statements, {seen['rows']} rows read)", flush=True)


def run_existing(url: str, repeat: int) -> None:
    """Time the levels on a database filled by ``bench/province_data.py``."""
    app = _app(url)
    with app.app_context():
        upgrade()  # adds the stored roll-up tables when the data predates them
        started = time.perf_counter()
        rollup_store.ensure({YEAR - 1, YEAR})
        db.session.commit()
        print(f"  stored roll-up ensured for {YEAR - 1}-{YEAR} in {time.perf_counter() - started:.1f} s")
        branches = select(func.count()).select_from(Organization).where(Organization.kind == "branch")
        city = db.session.scalar(select(Organization.id).where(Organization.parent_id == 1).order_by(Organization.id))
        county = db.session.scalar(select(Organization.id).where(Organization.parent_id == city)
                                   .order_by(Organization.id))
        branch = db.session.scalar(select(Organization.id).where(Organization.parent_id == county,
                                                                 Organization.kind == "branch").order_by(Organization.id))
        print(f"  {db.session.scalar(branches)} branches")
        levels = {"province": f"/standards/?year={YEAR}&org=1", "city (page 1)": f"/standards/?year={YEAR}&org={city}",
                  "county leaf": f"/standards/?year={YEAR}&org={county}",
                  "branch checklist (year)": f"/standards/{branch}?period={YEAR}"}
        time_levels(app, levels, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4", help="comma-separated multiples of 5,000 branches")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL database to create anew for each scale")
    parser.add_argument("--existing", help="time on this database (filled by bench/province_data.py) instead")
    args = parser.parse_args()
    print(f"tree dashboard benchmark (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f})")
    if args.existing:
        run_existing(args.existing, args.repeat)
        return
    for scale in (float(s) for s in args.scales.split(",")):
        if args.backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                run(f"sqlite:///{folder}/bench.db", scale, args.repeat)
            continue
        import psycopg

        from _fresh_database import fresh_database

        try:
            fresh_database(args.pg_url)
        except psycopg.OperationalError as error:
            print(f"PostgreSQL unavailable, skipped: {error}")
            return
        run(args.pg_url, scale, args.repeat)


if __name__ == "__main__":
    main()
