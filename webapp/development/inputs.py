"""Values from forms and queued mutations, checked at the edge (dates, counts, people)."""
from __future__ import annotations

import re
from datetime import date

from ..input_numbers import row_id

_DIGITS = re.compile(r"[0-9]{1,9}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST = date(1921, 7, 1)


def whole_number(value, low: int, high: int) -> int | None:
    """An int in [low, high] from an int or ASCII digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if low <= number <= high else None


def day(value, today: date) -> date | None:
    """An ISO date between the founding of the Party and today, else None."""
    text = str(value if value is not None else "").strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        return None
    return parsed if EARLIEST <= parsed <= today else None


def ids(values) -> list[int]:
    """Distinct positive ids in the order given; anything unreadable is dropped by the caller's check."""
    out: list[int] = []
    for value in values or []:
        number = row_id(value)
        if number is None:
            return [-1]  # marks the list unreadable
        if number not in out:
            out.append(number)
    return out
