"""The demo organization, built once and copied into each test's emptied database.

Building it runs the app's own services (records created and approved, points, dues, standards) and
costs seconds; copying its rows back costs a few hundredths. The copy is exact: every table's rows
in key order, and the id counters as they were left (PostgreSQL sequences, SQLite's
``sqlite_sequence``), so ids are the same as after a fresh build. Times written during the build
are moved forward by the time since, so the data looks built just now (a sign-in, a session, a
deadline measured from ``created_at`` behave as after a fresh build).

A copy is taken per database and China date (the demo is dated from today), and taken anew after
``MAX_AGE``, so moved times never stray far.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, select, text

from webapp.china_time import china_today
from webapp.extensions import db

MAX_AGE = timedelta(minutes=20)


@dataclass
class _Snapshot:
    taken_at: datetime
    tables: list[tuple[object, list[dict]]]  # (Table, rows), parents before children
    counters: list[tuple[str, int, bool]]  # PostgreSQL: (sequence, last_value, is_called); SQLite: (table, seq, _)
    accounts: dict[str, int]  # username -> user id


_taken: dict[tuple[str, object], _Snapshot] = {}


def load_demo(url: str) -> dict:
    """The demo in the (empty) database of the current app: copied from a snapshot when one is
    fresh, else built by the loader and snapshotted. Returns the named accounts, as the loader."""
    from webapp.models import User

    key = (url, china_today())
    snapshot = _taken.get(key)
    now = datetime.now(timezone.utc)
    if snapshot is None or now - snapshot.taken_at > MAX_AGE:
        return _build_and_take(url, key)
    _restore(snapshot, now - snapshot.taken_at)
    db.session.commit()
    return {name: db.session.get(User, user_id) for name, user_id in snapshot.accounts.items()}


def _build_and_take(url: str, key) -> dict:
    from webapp.demo import loader
    from webapp.passwords import hash_password

    accounts = loader.load(hash_password)
    db.session.commit()
    # Times are moved by the time since the build ended: a copy's rows all lie in the past, as a fresh
    # build's do, never after rows a test writes next.
    taken_at = datetime.now(timezone.utc)
    connection = db.session.connection()
    tables = []
    for table in db.metadata.sorted_tables:
        keys = [column.key for column in table.columns]
        rows = connection.execute(select(table).order_by(*table.primary_key.columns)).all()
        tables.append((table, [dict(zip(keys, row, strict=True)) for row in rows]))
    _taken[key] = _Snapshot(taken_at, tables, _counters(connection, url),
                            {name: user.id for name, user in accounts.items()})
    db.session.commit()
    return accounts


def _counters(connection, url: str) -> list[tuple[str, int, bool]]:
    if url.startswith("postgresql"):
        names = connection.execute(text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema()")).scalars().all()
        return [(name, *connection.execute(text(f'SELECT last_value, is_called FROM "{name}"')).one())
                for name in names]
    has_sequence = connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first()
    if not has_sequence:
        return []
    return [(name, seq, True) for name, seq in connection.execute(text("SELECT name, seq FROM sqlite_sequence"))]


def _restore(snapshot: _Snapshot, elapsed: timedelta) -> None:
    connection = db.session.connection()
    for table, rows in snapshot.tables:
        if not rows:
            continue
        moved = [column.key for column in table.columns if isinstance(column.type, DateTime)
                 or isinstance(getattr(column.type, "impl", None), DateTime)]
        if moved:
            rows = [{**row, **{key: row[key] + elapsed for key in moved if row[key] is not None}} for row in rows]
        connection.execute(table.insert(), rows)
    if connection.dialect.name == "postgresql":
        for name, last_value, is_called in snapshot.counters:
            connection.execute(text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                               {"name": f'"{name}"', "value": last_value, "called": is_called})
    else:
        for name, seq, _ in snapshot.counters:
            connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                               {"name": name, "seq": seq})
