"""China time for dates people type; the server stores UTC. Dates and times shown to people are
written the Chinese way (2026年11月30日（星期一） 14:05); form inputs keep ISO for <input type=date>."""
from __future__ import annotations

import re

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


WEEKDAYS = "一二三四五六日"
ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")


def cn_date(day: date | str | None, *, weekday: bool = False) -> str:
    """2026年11月30日, or with ``weekday`` 2026年11月30日（星期一）; "" for no date. Also takes the ISO
    text kept in records' JSON ("2026-11-30"; a month "2026-11" → 2026年11月); other text as it is."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        return _cn_date_text(day, weekday)
    if isinstance(day, datetime):
        day = day.astimezone(CHINA_TZ).date()
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（星期{WEEKDAYS[day.weekday()]}）" if weekday else text


def _cn_date_text(text: str, weekday: bool) -> str:
    if ISO_MONTH.match(text):
        return f"{int(text[:4])}年{int(text[5:7])}月"
    try:
        return cn_date(date.fromisoformat(text), weekday=weekday)
    except ValueError:
        return text


def cn_datetime(value: datetime | None) -> str:
    """An instant in China time: 2026年11月30日 14:05 (naive values are taken as UTC); "" for none."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(CHINA_TZ)
    return f"{cn_date(local.date())} {local:%H:%M}"
