"""Row ids that arrive from outside (form fields, queued mutations), checked before they reach a query.

Integer columns are 32-bit on PostgreSQL and SQLite refuses integers beyond 64 bits: an id outside
that range would end a request in a database error instead of a "not found" or a form error."""
from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # PostgreSQL ``integer``, the type of every id column here


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
