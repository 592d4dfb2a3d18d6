"""Many rows into one table, fast, inside the caller's transaction.

Values go through the same column defaults and type bind processors SQLAlchemy applies to an
``insert()``, then straight to the driver: PostgreSQL takes them with COPY (one stream instead of a
statement per row, which costs the server and psycopg most of a sync batch's time), SQLite with
the DB-API ``executemany``. The integer primary key is left to the database.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any, Callable

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError


class _Layout:
    """How rows of one table go to one database: the columns written, their defaults, the bind
    processors that apply (by position), and the statement. Worked out once per table and dialect."""

    def __init__(self, table: Table, dialect):
        self.columns = [c for c in table.columns if c is not table.autoincrement_column]
        self.names = [c.name for c in self.columns]
        self.defaults = [_defaulted(c) for c in self.columns]
        processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns]
        self.processors = [(index, process) for index, process in enumerate(processors) if process is not None]
        names = ", ".join(dialect.identifier_preparer.quote(name) for name in self.names)
        target = dialect.identifier_preparer.format_table(table)
        if dialect.name == "postgresql":
            self.statement = f"COPY {target} ({names}) FROM STDIN"
        else:
            self.statement = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' for _ in self.columns)})"

    def values(self, rows: list[dict]) -> list[tuple]:
        """The rows as tuples in column order, built column by column (a sync batch writes
        thousands of rows: one pass per column instead of an interpreted loop per cell)."""
        keys = rows[0].keys()
        given = [name for name in self.names if name in keys]
        if len(given) > 1 and all(row.keys() == keys for row in rows):
            # Every row names the same columns (a batch's rows are laid out alike): taken out in C.
            taken = dict(zip(given, zip(*map(itemgetter(*given), rows), strict=True), strict=True))
        else:
            taken = {}
        columns = []
        for name, default in zip(self.names, self.defaults, strict=True):
            if name in taken:
                columns.append(taken[name])
            elif default is None:
                columns.append([row.get(name) for row in rows])
            else:
                columns.append([row[name] if name in row else default() for row in rows])
        for index, process in self.processors:
            column = columns[index]
            if len(set(map(id, column))) == 1:  # one value for every row (a batch's moment): once
                value = column[0]
                columns[index] = [None if value is None else process(value)] * len(column)
            else:
                columns[index] = [None if value is None else process(value) for value in column]
        return list(zip(*columns, strict=True))


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
    # Kept on the engine's dialect: bind processors may depend on its settings, and go with it.
    layouts = dialect.__dict__.setdefault("_zhibu_insert_layouts", {})
    layout = layouts.get(table.fullname)
    if layout is None:
        layout = layouts[table.fullname] = _Layout(table, dialect)
    values = layout.values(rows)
    statement = layout.statement
    driver = connection.connection.driver_connection
    try:
        if dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor = driver.cursor()
            try:
                cursor.executemany(statement, values)
            finally:
                cursor.close()
    except dialect.loaded_dbapi.IntegrityError as error:
        # As SQLAlchemy raises it, so callers tell a unique-key race from other faults the same way.
        raise IntegrityError(statement, None, error) from error
