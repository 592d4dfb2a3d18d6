"""When a 流动党员 was last heard of, and how loudly to say so (docs/domain.md "Members on the move";
months from webapp/rules/mobility.py, adjustable per committee). Plain functions, tested at their
boundaries in tests/unit/test_mobility_rules.py."""
from __future__ import annotations

from datetime import date


def whole_months(since: date, today: date) -> int:
    """Whole calendar months from ``since`` to ``today`` (0 when today is before since): 3-15 → 6-14 is 2,
    3-15 → 6-15 is 3. A since-day past the end of a shorter month counts that month's last day."""
    if today <= since:
        return 0
    months = (today.year - since.year) * 12 + today.month - since.month
    if today.day < since.day:
        # the month has not come round yet, unless today is the last day of a month shorter than since.day
        next_day = date.fromordinal(today.toordinal() + 1)
        if next_day.month == today.month:
            months -= 1
    return max(months, 0)


def alert_level(months: int, warning_months: int, alert_months: int) -> str | None:
    """None, "warning" (at ``warning_months`` or more) or "alert" (at ``alert_months`` or more)."""
    if months >= alert_months:
        return "alert"
    if months >= warning_months:
        return "warning"
    return None


def last_heard(*days: date | None) -> date | None:
    """The latest of the days someone was heard of (took part anywhere, sent their whereabouts)."""
    known = [d for d in days if d is not None]
    return max(known) if known else None
