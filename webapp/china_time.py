"""China time for dates people type; the server stores UTC."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_today(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(CHINA_TZ).date()


def china_datetime(day: date, at: time) -> datetime:
    """A date and wall-clock time in China, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=CHINA_TZ).astimezone(timezone.utc)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(key: str) -> tuple[date, date]:
    """A month "YYYY-MM" as (its first day, the first day of the next month)."""
    year, month = int(key[:4]), int(key[5:7])
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)
