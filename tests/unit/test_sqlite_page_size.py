"""A new SQLite database gets 8 KB pages (snapshots of about 1.1 KB pack seven to a page, not three
to 4 KB); one that has pages already keeps its size."""
import sqlite3

from sqlalchemy import create_engine, text

from webapp import sqlite_pragmas


def _page_size(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA page_size").fetchone()[0]


def test_a_new_database_gets_8_kb_pages_in_wal_mode(tmp_path):
    sqlite_pragmas.install()
    path = tmp_path / "new.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x BLOB)"))
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
    assert _page_size(path) == 8192


def test_an_existing_database_keeps_its_page_size(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("CREATE TABLE t (x BLOB)")
    sqlite_pragmas.install()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (x'00')"))
    engine.dispose()
    assert _page_size(path) == 4096
