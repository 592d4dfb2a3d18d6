"""Numbers that arrive from outside (URLs, query strings, form fields, queued mutations), checked
before they reach a query or ``int()``.

Integer columns are 32-bit on PostgreSQL and SQLite refuses integers beyond 64 bits: an id outside
that range would end a request in a database error instead of a "not found" or a form error. And
``str.isdigit()`` admits characters such as "²" that ``int()`` refuses: only ASCII digits count here."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from sync import MAX_NUMBER

MAX_ROW_ID = MAX_NUMBER  # PostgreSQL ``integer``, the type of every id column here, as of seq and version


class RowIdConverter(IntegerConverter):
    """The ``int`` of URL rules: beyond the integer columns' range a URL is simply not found, where
    Werkzeug's own would pass any size on to a query (a database error on PostgreSQL)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def row_id(value) -> int | None:
    """A positive id from an int or a string of digits, or None when absent, malformed or out of range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= MAX_ROW_ID:
        return None
    return value


def is_month_text(value: str) -> bool:
    """A month written as "2026-11": four ASCII digits, a dash, a month from 01 to 12."""
    digits = value[:4] + value[5:]
    return (len(value) == 7 and value[4] == "-" and digits.isascii() and digits.isdigit()
            and 1 <= int(value[5:]) <= 12)
