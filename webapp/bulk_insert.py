"""Many rows into one table, fast, inside the caller's transaction.

Values go through the same column defaults and type bind processors SQLAlchemy applies to an
``insert()``, then straight to the driver: PostgreSQL takes them with COPY (one stream instead of a
statement per row, which costs the server and psycopg most of a sync batch's time), SQLite with
the DB-API ``executemany``. The integer primary key is left to the database.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError


def _columns(table: Table) -> list:
    return [c for c in table.columns if not (c.primary_key and c.autoincrement in (True, "auto"))]


def _defaulted(column) -> Callable[[], Any] | None:
    default = column.default
    if default is None:
        return None
    if default.is_callable:
        return lambda: default.arg(None)  # SQLAlchemy wraps column default callables to take a context
    return lambda: default.arg


def insert_rows(connection: Connection, model, rows: list[dict]) -> None:
    if not rows:
        return
    table: Table = model.__table__
    dialect = connection.dialect
    columns = _columns(table)
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    defaults = [_defaulted(c) for c in columns]
    values = []
    for row in rows:
        value = [row[c.name] if c.name in row else (default() if default else None)
                 for c, default in zip(columns, defaults)]
        for index, process in enumerate(processors):
            if process is not None and value[index] is not None:
                value[index] = process(value[index])
        values.append(value)
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    target = dialect.identifier_preparer.format_table(table)
    driver = connection.connection.driver_connection
    try:
        if dialect.name == "postgresql":
            statement = f"COPY {target} ({names}) FROM STDIN"
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            statement = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' for _ in columns)})"
            cursor = driver.cursor()
            try:
                cursor.executemany(statement, values)
            finally:
                cursor.close()
    except dialect.loaded_dbapi.IntegrityError as error:
        # As SQLAlchemy raises it, so callers tell a unique-key race from other faults the same way.
        raise IntegrityError(statement, None, error) from error
