"""A province-size data set on PostgreSQL, in the app's real schema, generated with COPY.

The tree: one provincial committee → 16 cities → 16 counties each → ~80 branches each (20,480 by
default), every branch with 3 party groups; 1 branch in 50 is a temporary (project) branch whose
members keep their home branch elsewhere in the county and hold a temporary relation there. About 30
members per branch (600,000 by default). Records over ``--years`` years ending with ``--year``, per
branch and year by the rules' frequencies (``rules/standards.py``): a theme day and a committee meeting
each month, a group meeting per group each month, a general meeting each quarter, 4 lectures (党课, the
minimum is one a half year), one 组织生活会 and one 民主评议党员; about 4 % of meetings missed, a tenth of the
theme days too short to count, the latest month's records partly still awaiting review. Attendance:
about 10 people per record (the whole branch sampled for plenary meetings, the committee for committee
meetings, the group for group meetings), 85 % present, 10 % on leave, 5 % absent.

How: ``flask db upgrade`` (Alembic) creates the schema; the bulk tables' indexes and constraints are
read from the catalogue and dropped, the rows are streamed from Python generators with
``cursor.copy()`` in text format, the indexes and constraints are re-created exactly as they were,
the monthly counts (``standard_month_counts``) are filled by one aggregate as approvals would, the
committee roll-up figures of the last two years are filled (``standards.rollup_store.refresh_all``) and
everything is ANALYZEd. Every phase prints its time; the end prints table sizes.

Usage: .venv/bin/python bench/province_data.py [--pg-url postgresql+psycopg://127.0.0.1:5432/NAME]
       [--branches 20480] [--members 600000] [--years 6] [--year 2025]
(the database is dropped and created anew; never point it at a database you need)
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PG_URL = "postgresql+psycopg://127.0.0.1:5432/zhibu_bench_province"
CITIES = 16
COUNTIES_PER_CITY = 16
GROUPS = 3
TEMPORARY_EVERY = 50
NOW = "2026-01-01 00:00:00+00"
BULK_TABLES = ("organizations", "users", "memberships", "records", "attendances", "standard_month_counts")
# (type, occurrences per year, how the month is picked, who may attend)
YEARLY_RECORDS = [("theme_day", 12, "each_month", "branch"), ("committee_meeting", 12, "each_month", "committee"),
                  ("group_meeting", 12, "each_month", "group"), ("general_meeting", 4, "each_quarter", "branch"),
                  ("lecture", 4, "any", "branch"), ("life_meeting", 1, "q4_q1", "branch"),
                  ("evaluation", 1, "q4_q1", "branch")]
ATTENDING = {"branch": 16, "committee": 5, "group": 8}
MISSED = 0.04


def copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    """Stream ``rows`` (tuples) into ``table`` by COPY in text format; returns the row count."""
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk = []
        for row in rows:
            chunk.append("\t".join(copy_text(v) for v in row))
            n += 1
            if len(chunk) == 50000:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return n


class Province:
    """The tree's shape: ids are assigned in a fixed order so that every generator agrees."""

    def __init__(self, branches: int, members: int, seed: int = 19):
        self.rng = random.Random(seed)
        counties = CITIES * COUNTIES_PER_CITY
        self.per_county = -(-branches // counties)
        self.orgs: list[tuple] = []  # (id, parent, path, kind, name, temporary)
        self.branches: list[tuple[int, int, bool]] = []  # (branch id, county id, temporary)
        self.groups: dict[int, list[int]] = {}
        self.county_path: dict[int, str] = {}
        self._tree(branches)
        home = [b for b, _, temporary in self.branches if not temporary]
        self.homes_of: dict[int, list[int]] = {}
        for branch, county, temporary in self.branches:
            if not temporary:
                self.homes_of.setdefault(county, []).append(branch)
        self.per_branch = max(GROUPS * 3, -(-members // len(home)))
        # Each home branch's members are the contiguous user ids [first, first + per_branch).
        self.first_user = {b: 1 + i * self.per_branch for i, b in enumerate(home)}
        self.bench_user = 1 + len(home) * self.per_branch

    def _tree(self, branches: int) -> None:
        self.orgs.append((1, None, "/1/", "committee", "省委组织部直属机关工委", False))
        oid = 1
        for c in range(CITIES):
            oid += 1
            city = oid
            self.orgs.append((city, 1, f"/1/{city}/", "committee", f"第{c + 1:02d}市委", False))
            for k in range(COUNTIES_PER_CITY):
                oid += 1
                county = oid
                self.county_path[county] = f"/1/{city}/{county}/"
                self.orgs.append((county, city, f"/1/{city}/{county}/", "committee",
                                  f"第{c + 1:02d}市第{k + 1:02d}县委", False))
                for b in range(self.per_county):
                    if len(self.branches) == branches:
                        break
                    oid += 1
                    temporary = len(self.branches) % TEMPORARY_EVERY == TEMPORARY_EVERY - 1
                    name = f"第{c + 1:02d}市{k + 1:02d}县{b + 1:03d}" + ("临时党支部" if temporary else "党支部")
                    self.orgs.append((oid, county, f"/1/{city}/{county}/{oid}/", "branch", name, temporary))
                    self.branches.append((oid, county, temporary))
        for branch, county, _temporary in self.branches:
            ids = []
            for g in range(GROUPS):
                oid += 1
                ids.append(oid)
                self.orgs.append((oid, branch, f"{self.county_path[county]}{branch}/{oid}/", "group",
                                  f"第{g + 1}党小组", False))
            self.groups[branch] = ids

    def temporary_members(self, branch: int, county: int) -> list[int]:
        """People of the county's home branches sent to a temporary branch (one in five of two branches)."""
        rng = random.Random(branch)
        homes = self.homes_of[county]
        people = []
        for home in rng.sample(homes, min(2, len(homes))):
            first = self.first_user[home]
            people += [first + i for i in range(3, self.per_branch, 5)]
        return people


def organization_rows(p: Province, year: int):
    for oid, parent, path, kind, name, temporary in p.orgs:
        start = date(year, 3, 1) if temporary else None
        end = date(year, 10, 31) if temporary else None
        term = date(year + 2, 6, 30) if kind == "branch" else None
        yield (oid, str(uuid.uuid4()), parent, path, kind, name, "", temporary, start, end,
               date(year - 1, 7, 1) if term else None, term, NOW, NOW)


def user_rows(p: Province, password: str, year: int):
    rng = random.Random(1)
    for uid in range(1, p.bench_user):
        full = rng.random() > 0.05
        yield (uid, str(uuid.uuid4()), None, f"党员{uid}", "full" if full else "probationary",
               date(year - rng.randrange(1, 40), rng.randrange(1, 13), 1), password, 1, True, NOW, NOW)
    yield (p.bench_user, str(uuid.uuid4()), "bench", "省委组织部工委书记", "full", date(2000, 7, 1), password, 1, True,
           NOW, NOW)


def membership_rows(p: Province, year: int):
    mid = 0
    joined = date(year - 5, 1, 1)
    for branch, county, temporary in p.branches:
        groups = p.groups[branch]
        people = (p.temporary_members(branch, county) if temporary
                  else range(p.first_user[branch], p.first_user[branch] + p.per_branch))
        for k, uid in enumerate(people):
            mid += 1
            title = ("secretary", "deputy_secretary", "organization", "propaganda", "discipline")[k] if k < 5 else None
            yield (mid, uid, branch, "temporary" if temporary else "home", title, k == 5, groups[k % GROUPS], True,
                   date(year, 3, 1) if temporary else joined, NOW, NOW)
    mid += 1
    yield mid, p.bench_user, 1, "home", "secretary", False, None, True, joined, NOW, NOW


def _months(how: str, count: int, rng: random.Random) -> list[int]:
    if how == "each_month":
        return list(range(1, 13))
    if how == "each_quarter":
        return [3 * q + rng.randrange(1, 4) for q in range(4)]
    if how == "q4_q1":
        return [rng.choice((1, 2, 11, 12))]
    return sorted(rng.randrange(1, 13) for _ in range(count))


class RecordMaker:
    """Records and their attendance, generated together so attendance refers to real record ids."""

    def __init__(self, p: Province, years: list[int], last_month: tuple[int, int]):
        self.p, self.years, self.last_month = p, years, last_month
        self.rng = random.Random(7)
        self.rid = 0
        self.attendance: list[tuple[int, int, str]] = []

    def people(self, branch: int, county: int, temporary: bool) -> list[int]:
        if temporary:
            return self.p.temporary_members(branch, county)
        first = self.p.first_user[branch]
        return list(range(first, first + self.p.per_branch))

    def records(self):
        for branch, county, temporary in self.p.branches:
            people = self.people(branch, county, temporary)
            for year in (self.years[-1:] if temporary else self.years):
                yield from self._branch_year(branch, temporary, people, year)

    def _branch_year(self, branch: int, temporary: bool, people: list[int], year: int):
        rng = self.rng
        for kind, count, how, who in YEARLY_RECORDS:
            for g, group in enumerate(self.p.groups[branch] if who == "group" else [None]):
                for month in _months(how, count, rng):
                    if rng.random() < MISSED or (temporary and not 3 <= month <= 10):
                        continue
                    members = people[g::GROUPS] if group else people[:5] if who == "committee" else people
                    yield self._record(branch, kind, group, year, month, members)

    def _record(self, branch: int, kind: str, group: int | None, year: int, month: int, members: list[int]) -> tuple:
        rng = self.rng
        self.rid += 1
        day = date(year, month, 1) + timedelta(days=rng.randrange(28))
        minutes = 50 if rng.random() < 0.1 else rng.choice((90, 120))
        pending = (year, month) == self.last_month and rng.random() < 0.3
        for uid in rng.sample(members, min(len(members), ATTENDING["group" if group else "branch"]
                                           if kind != "committee_meeting" else ATTENDING["committee"])):
            roll = rng.random()
            self.attendance.append((self.rid, uid, "present" if roll < 0.85 else "leave" if roll < 0.95 else "absent",
                                    "出差" if 0.85 <= roll < 0.95 else ""))
        start = f"{day.isoformat()} 01:00:00+00"
        end = f"{day.isoformat()} {1 + minutes // 60:02d}:{minutes % 60:02d}:00+00"
        return (self.rid, str(uuid.uuid4()), branch, kind, "submitted" if pending else "approved", 1,
                None if pending else 1, False, day, start, end, minutes, "学习贯彻党的二十大精神", "党员活动室",
                (minutes >= 60) if kind == "theme_day" else None, "[]", group,
                kind == "lecture" and rng.random() < 0.4, False, 0, 0, NOW, NOW)

    def take_attendance(self) -> list[tuple]:
        rows, self.attendance = self.attendance, []
        return rows


ORG_COLUMNS = ("id", "uuid", "parent_id", "path", "kind", "name", "description", "is_temporary", "start_date",
               "end_date", "committee_term_start", "committee_term_end", "created_at", "updated_at")
USER_COLUMNS = ("id", "uuid", "username", "name", "category", "join_date", "password_hash", "session_version",
                "active", "created_at", "updated_at")
MEMBERSHIP_COLUMNS = ("id", "user_id", "org_id", "relation", "title", "is_recorder", "group_id", "active",
                      "joined_on", "created_at", "updated_at")
RECORD_COLUMNS = ("id", "uuid", "org_id", "type", "state", "version", "approved_version", "has_conflict",
                  "occurred_on", "starts_at", "ends_at", "duration_minutes", "topic", "place", "meets_standard",
                  "standard_problems", "group_id", "is_secretary_lecture", "is_private", "recorded_late_days",
                  "photos_missing", "created_at", "updated_at")
ATTENDANCE_COLUMNS = ("record_id", "user_id", "status", "reason")


def drop_bulk_indexes(cur) -> list[str]:
    """Drop the bulk tables' constraints and indexes; returns the DDL that re-creates them as they were."""
    cur.execute("""SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
                   FROM pg_constraint WHERE (conrelid::regclass::text = ANY(%s) AND contype IN ('p', 'u', 'f'))
                   OR (contype = 'f' AND confrelid::regclass::text = ANY(%s))""",
                [list(BULK_TABLES), list(BULK_TABLES)])
    constraints = cur.fetchall()
    cur.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)
                   AND indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(BULK_TABLES)])
    indexes = cur.fetchall()
    order = {"p": 0, "u": 1, "f": 2}
    constraints.sort(key=lambda c: order[c[3]])
    for table, name, _definition, _kind in reversed(constraints):
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return ([f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k != "f"]
            + [d for _n, d in indexes]
            + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, k in constraints if k == "f"])


def fill_counts(cur) -> None:
    """The monthly counts of approved records, as approvals keep them (``standards/summaries.py``)."""
    month = "to_char(occurred_on, 'YYYY-MM')"
    for key, condition in (("type", "true"), ("'theme_day_ok'", "type = 'theme_day' AND meets_standard"),
                           ("'secretary_lecture'", "type = 'lecture' AND is_secretary_lecture"),
                           ("'group_meeting:' || group_id", "type = 'group_meeting' AND group_id IS NOT NULL")):
        group = ", type" if key == "type" else ", group_id" if "group_id" in key else ""
        cur.execute(f"INSERT INTO standard_month_counts (org_id, month, key, count) "
                    f"SELECT org_id, {month}, {key}, count(*) FROM records WHERE approved_version IS NOT NULL "
                    f"AND {condition} GROUP BY org_id, {month}{group}")


class Phases:
    def __init__(self):
        self.started = self.last = time.perf_counter()

    def done(self, name: str, detail: str = "") -> None:
        now = time.perf_counter()
        print(f"  {name}: {now - self.last:.0f} s {detail}".rstrip(), flush=True)
        self.last = now


def migrate(url: str) -> str:
    """Create the schema by the app's migrations; returns the password hash every generated user gets."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.passwords import hash_password

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SCHEMA_CHECK=False)
    with create_app(config).app_context():
        upgrade()
        return hash_password("bench")


def refresh_rollup(url: str, years: set[int]) -> str:
    """Fill the stored roll-up figures of ``years`` (the committee dashboard reads them) through the
    app's own code; older years are filled when first viewed."""
    from webapp import create_app
    from webapp.config import TestConfig
    from webapp.extensions import db

    try:
        from webapp.standards import rollup_store
    except ImportError:
        return "no stored roll-up in this version"
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SCHEMA_CHECK=False)
    with create_app(config).app_context():
        rows = rollup_store.refresh_all(years)
        db.session.commit()
    return f"{rows} rows"


def load(conn, p: Province, args, password: str, phases: Phases) -> None:
    years = list(range(args.year - args.years + 1, args.year + 1))
    with conn.cursor() as cur:
        n = copy_rows(cur, "organizations", ORG_COLUMNS, organization_rows(p, args.year))
        phases.done("organizations", f"({n} rows: {len(p.branches)} branches)")
        n = copy_rows(cur, "users", USER_COLUMNS, user_rows(p, password, args.year))
        phases.done("users", f"({n} rows)")
        n = copy_rows(cur, "memberships", MEMBERSHIP_COLUMNS, membership_rows(p, args.year))
        phases.done("memberships", f"({n} rows)")
        maker = RecordMaker(p, years, (args.year, 12))
        records = attendance = 0
        for batch in _batches(maker.records(), 200000):
            records += copy_rows(cur, "records", RECORD_COLUMNS, batch)
            attendance += copy_rows(cur, "attendances", ATTENDANCE_COLUMNS, maker.take_attendance())
            conn.commit()
        phases.done("records + attendance", f"({records} records, {attendance} attendance rows, years {years})")


def _batches(rows, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def sizes(cur) -> None:
    cur.execute("""SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))
                   FROM pg_stat_user_tables WHERE relname = ANY(%s) OR relname LIKE 'standard_rollup%%'
                   ORDER BY pg_total_relation_size(relid) DESC""", [list(BULK_TABLES)])
    for name, rows, size in cur.fetchall():
        print(f"    {name}: {rows} rows, {size}")
    cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    print(f"    database: {cur.fetchone()[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--branches", type=int, default=20480)
    parser.add_argument("--members", type=int, default=600000)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    import psycopg
    from sqlalchemy.engine import make_url

    from _fresh_database import fresh_database

    print(f"province data (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f})", flush=True)
    phases = Phases()
    fresh_database(args.pg_url)
    password = migrate(args.pg_url)
    phases.done("schema (alembic upgrade)")
    raw = make_url(args.pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        with conn.cursor() as cur:
            ddl = drop_bulk_indexes(cur)
        conn.commit()
        province = Province(args.branches, args.members)
        load(conn, province, args, password, phases)
        with conn.cursor() as cur:
            fill_counts(cur)
            conn.commit()
            phases.done("monthly counts")
            for statement in ddl:
                cur.execute(statement)
                conn.commit()
            phases.done("indexes and constraints", f"({len(ddl)} statements)")
            for table in ("organizations", "users", "memberships", "records"):
                cur.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
            conn.commit()
    phases.done("stored roll-up", refresh_rollup(args.pg_url, {args.year - 1, args.year}))
    with psycopg.connect(raw, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("ANALYZE")
        phases.done("analyze")
        print(f"  total: {time.perf_counter() - phases.started:.0f} s")
        sizes(cur)


if __name__ == "__main__":
    main()
