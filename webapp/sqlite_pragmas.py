"""SQLite connection settings: enforce foreign keys, WAL for concurrent readers, a busy timeout.

A new database file gets 8 KB pages (an existing one keeps its size: SQLite changes it only when the
file is empty). A record version snapshot takes about 1.1 KB: three fit a 4 KB page, leaving a
quarter of it empty, where seven fill an 8 KB page."""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

PAGE_SIZE = 8192


def install() -> None:
    """Listen to every engine's new connections (once, however many apps are created)."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")  # before WAL: no effect once the file has pages
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
