"""Periods a checklist is read for: a month, quarter, half year or year, written "2026-11",
"2026-Q4", "2026-H2" or "2026"."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..china_time import month_bounds

PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4])|-H([12]))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # month / quarter / half_year / year
    start: date
    end: date  # inclusive
    code: str

    @property
    def label(self) -> str:
        year = self.start.year
        return {"month": f"{year} 年 {self.start.month} 月", "quarter": f"{year} 年第 {(self.start.month - 1) // 3 + 1} 季度",
                "half_year": f"{year} 年{'上' if self.start.month == 1 else '下'}半年", "year": f"{year} 年"}[self.kind]

    def months(self) -> list[str]:
        out, d = [], self.start.replace(day=1)
        while d <= self.end:
            out.append(d.strftime("%Y-%m"))
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
        return out


def _month_end(year: int, month: int) -> date:
    return month_bounds(f"{year:04d}-{month:02d}")[1] - timedelta(days=1)


def make(kind: str, year: int, index: int = 1) -> Period:
    if kind == "month":
        return Period("month", date(year, index, 1), _month_end(year, index), f"{year}-{index:02d}")
    if kind == "quarter":
        first = 3 * (index - 1) + 1
        return Period("quarter", date(year, first, 1), _month_end(year, first + 2), f"{year}-Q{index}")
    if kind == "half_year":
        first = 1 if index == 1 else 7
        return Period("half_year", date(year, first, 1), _month_end(year, first + 5), f"{year}-H{index}")
    return Period("year", date(year, 1, 1), date(year, 12, 31), str(year))


def parse(code: str | None, today: date) -> Period:
    match = PATTERN.match((code or "").strip())
    if not match:
        return make("month", today.year, today.month)
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2))
        return make("month", year, month) if 1 <= month <= 12 else make("month", today.year, today.month)
    if match.group(3):
        return make("quarter", year, int(match.group(3)))
    if match.group(4):
        return make("half_year", year, int(match.group(4)))
    return make("year", year)


def containing(kind: str, day: date) -> Period:
    index = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "half_year": 1 if day.month <= 6 else 2,
             "year": 1}[kind]
    return make(kind, day.year, index)


def units(kind: str, period: Period) -> list[Period]:
    """The periods of ``kind`` that overlap ``period`` (e.g. the quarters of a year)."""
    out, day = [], period.start
    while day <= period.end:
        unit = containing(kind, day)
        out.append(unit)
        day = unit.end + timedelta(days=1)
    return out
