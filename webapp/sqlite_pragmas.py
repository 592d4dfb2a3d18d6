"""SQLite connection settings: enforce foreign keys, WAL for concurrent readers, a busy timeout."""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


def install() -> None:
    """Listen to every engine's new connections (once, however many apps are created)."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
