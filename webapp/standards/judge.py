"""Is standard S met for branch B in period P? ``standard_met`` answers it, for the checklist, the
committee dashboard, the weekly reminders and the ledgers alike.

Each standard is judged over its own period, by the rule in force then (``rule_book``): the year is cut
into the standard's units from 1 January on, each unit of the kind in force on its first day (a 党课
half-yearly until June and quarterly from 1 July gives H1, Q3, Q4). Asked about a period:
  - inside one unit (the January view of a quarterly meeting): that unit's status, said as
    "本季度已完成", "本季度尚缺，剩 N 天" or "本季度未完成";
  - made of several units (the year view of a quarterly meeting): each unit, and "2/4 个季度达标".
A temporary branch owes records only for its active days, prorated over the standard's period (see
``DAYS_PER_PERIOD`` in the rules).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable

from ..rules.standards import DAYS_PER_PERIOD, PERIOD_ORDER, PERIODS, STANDARDS_BY_KEY, THIS_PERIOD
from . import periods, theme_days
from .periods import Period
from .rule_book import RuleBook

RANK = {kind: i for i, kind in enumerate(PERIOD_ORDER)}


@dataclass(frozen=True)
class Unit:
    period: Period
    minimum: int


@dataclass
class Verdict:
    status: str  # met / not_yet / missed / na
    done: int = 0
    required: int = 0
    note: str = ""
    kind: str = "month"  # the kind of period the standard is judged over (by the rule in force)
    minimum: int = 1
    scope: Period | None = None  # the longer period judged when asked about a shorter one
    days_left: int | None = None
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, status) per unit inside the period


@dataclass
class BranchContext:
    """What a judgment reads about one branch: its monthly counts, rules, facts and active window."""
    book: RuleBook
    counts: dict[tuple[str, str], int]  # (month "YYYY-MM", key) → approved records
    has_committee: Callable[[date], bool]
    is_temporary: bool = False
    window: tuple[date | None, date | None] = (None, None)
    notes: bool = True  # False: the status and counts only (a dashboard cell shows no notes)


_TILES: dict[tuple, list[Unit]] = {}


def units_of_year(book: RuleBook, spec_key: str, year: int) -> list[Unit]:
    """The standard's units over the year, each of the kind and minimum in force on its first day."""
    memo_key = (book.signature, spec_key, year)
    if memo_key in _TILES:
        return _TILES[memo_key]
    out, day = [], date(year, 1, 1)
    while day.year == year:
        kind = book.get(f"standard.{spec_key}.period", day)
        calendar = periods.containing(kind, day)
        unit = calendar if calendar.start == day else Period(kind, day, calendar.end, calendar.code)
        out.append(Unit(unit, book.get(f"standard.{spec_key}.minimum", day)))
        day = unit.end + timedelta(days=1)
    if len(_TILES) > 20000:
        _TILES.clear()
    _TILES[memo_key] = out
    return out


_BY_MONTH: dict[tuple, list[Unit]] = {}
_OVERLAPPING: dict[tuple, list[Unit]] = {}


def unit_at(book: RuleBook, spec_key: str, day: date) -> Unit:
    """The unit holding ``day`` (units are whole months)."""
    memo_key = (book.signature, spec_key, day.year)
    by_month = _BY_MONTH.get(memo_key)
    if by_month is None:
        units = units_of_year(book, spec_key, day.year)
        by_month = [next(u for u in units if u.period.start.month <= m <= u.period.end.month) for m in range(1, 13)]
        if len(_BY_MONTH) > 20000:
            _BY_MONTH.clear()
        _BY_MONTH[memo_key] = by_month
    return by_month[day.month - 1]


def _overlapping(book: RuleBook, spec_key: str, period: Period) -> list[Unit]:
    memo_key = (book.signature, spec_key, period)
    units = _OVERLAPPING.get(memo_key)
    if units is None:
        units = [u for u in units_of_year(book, spec_key, period.start.year) if _overlaps(u.period, period)]
        if len(_OVERLAPPING) > 20000:
            _OVERLAPPING.clear()
        _OVERLAPPING[memo_key] = units
    return units


def label(spec: dict, kind: str, minimum: int) -> str:
    """A records standard's label under the rule in force: "党课每季度至少 1 次"."""
    return f"{spec['short']}每{PERIODS[kind]}至少 {minimum} 次{spec.get('detail', '')}"


def _contains(outer: Period, inner: Period) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _overlaps(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end


@lru_cache(maxsize=4096)
def _month_keys(start_year: int, start_month: int, end_year: int, end_month: int) -> tuple[str, ...]:
    out, year, month = [], start_year, start_month
    while (year, month) <= (end_year, end_month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def _done(counts, key: str, start: date, end: date) -> int:
    return sum(counts.get((month, key), 0) for month in _month_keys(start.year, start.month, end.year, end.month))


def _unit_status(done: int, minimum: int, unit: Period, today: date) -> str:
    if done >= minimum:
        return "met"
    return "not_yet" if unit.end >= today else "missed"


def _prorated(days: int, kind: str) -> int:
    """Records owed by a temporary branch active ``days`` days (round half up; see the rules file)."""
    return int(days / DAYS_PER_PERIOD[kind] + 0.5)


def standard_met(spec_key: str, period: Period, today: date, ctx: BranchContext,
                 count_key: str | None = None) -> Verdict:
    """Is the records standard ``spec_key`` met over ``period``? ``count_key`` picks the monthly count
    (default: the standard's own, e.g. "theme_day_ok"; "group_meeting:17" for one party group)."""
    spec = STANDARDS_BY_KEY[spec_key]
    key = count_key or default_count_key(spec)
    if ctx.is_temporary:
        return _temporary(spec, key, period, today, ctx)
    units = _overlapping(ctx.book, spec_key, period)
    if len(units) == 1 and _contains(units[0].period, period):
        return _one_unit(spec, key, units[0], period, today, ctx)
    marks, done_total, required_total, status = [], 0, 0, "met"
    for unit in units:
        verdict = _one_unit(spec, key, unit, unit.period, today, ctx)
        marks.append((unit.period.code, verdict.status))
        if verdict.status == "na":
            continue
        done_total += verdict.done
        required_total += unit.minimum
        if verdict.status == "missed":
            status = "missed"
        elif verdict.status == "not_yet" and status == "met":
            status = "not_yet"
    kinds = {u.period.kind for u in units}
    kind = units[-1].period.kind
    if required_total == 0:
        return Verdict("na", note="未设支委会" if spec.get("condition") == "has_committee" else "", kind=kind,
                       minimum=units[-1].minimum, units=marks)
    word = f"个{PERIODS[kind]}" if len(kinds) == 1 else "个考核周期"
    met = sum(1 for _, s in marks if s == "met")
    note = f"{met}/{sum(1 for _, s in marks if s != 'na')} {word}达标"
    return Verdict(status, done=done_total, required=required_total, note=note, kind=kind,
                   minimum=units[-1].minimum, units=marks)


def unit_status(spec: dict, key: str, unit: Unit, today: date, ctx: BranchContext) -> tuple[str, int]:
    """(status, records counted) of one unit of a standard for a branch that is not temporary."""
    period = unit.period
    if period.start > today:
        return "not_yet", 0
    if spec.get("condition") == "has_committee" and not ctx.has_committee(min(period.end, today)):
        return "na", 0
    done = _done(ctx.counts, key, period.start, period.end)
    return _unit_status(done, unit.minimum, period, today), done


def _one_unit(spec, key, unit: Unit, asked: Period, today: date, ctx: BranchContext) -> Verdict:
    period, kind = unit.period, unit.period.kind
    scope = period if period != asked else None
    base = {"kind": kind, "minimum": unit.minimum, "scope": scope}
    status, done = unit_status(spec, key, unit, today, ctx)
    if period.start > today:
        return Verdict("not_yet", required=unit.minimum, note=f"{period.label}尚未开始", **base)
    if status == "na":
        return Verdict("na", note="未设支委会", **base)
    days_left = (period.end - today).days + 1 if status == "not_yet" else None
    word = THIS_PERIOD[kind]
    if not ctx.notes:
        note = ""
    elif scope is not None:
        note = {"met": f"{word}已完成", "not_yet": f"{word}尚缺，剩 {days_left} 天",
                "missed": f"{word}未完成"}[status] + f"（{period.label}：{done}/{unit.minimum}）"
    else:
        note = f"{word}尚缺，剩 {days_left} 天" if status == "not_yet" else ""
    return Verdict(status, done=done, required=unit.minimum, note=note, days_left=days_left, **base)


def _temporary(spec, key, period: Period, today: date, ctx: BranchContext) -> Verdict:
    start, end = ctx.window
    first_day = max(period.start, start) if start else period.start
    kind = ctx.book.get(f"standard.{spec['key']}.period", first_day)
    minimum = ctx.book.get(f"standard.{spec['key']}.minimum", first_day)
    judged = period if RANK[period.kind] >= RANK[kind] else periods.containing(kind, period.start)
    span_start, span_end = max(judged.start, start or judged.start), min(judged.end, end or judged.end)
    scope = judged if judged != period else None
    if span_start > span_end:
        return Verdict("na", note="该期间临时党支部未在运行", kind=kind, minimum=minimum, scope=scope)
    days = (span_end - span_start).days + 1
    required = _prorated(days, kind) * minimum
    done = _done(ctx.counts, key, span_start, span_end)
    if spec.get("condition") == "has_committee" and not ctx.has_committee(min(span_end, today)):
        return Verdict("na", note="未设支委会", kind=kind, minimum=minimum, scope=scope)
    if required == 0:
        return Verdict("na", done=done, note=f"临时党支部运行 {days} 天，按比例不要求", kind=kind, minimum=minimum,
                       scope=scope)
    status = "met" if done >= required else ("not_yet" if span_end >= today else "missed")
    days_left = (span_end - today).days + 1 if status == "not_yet" else None
    note = f"临时党支部运行 {days} 天，按比例应有 {required} 次"
    if scope is not None:
        word = THIS_PERIOD[kind]
        note = {"met": f"{word}已完成", "not_yet": f"{word}尚缺，剩 {days_left} 天",
                "missed": f"{word}未完成"}[status] + "；" + note
    return Verdict(status, done=done, required=required, note=note, kind=kind, minimum=minimum, scope=scope,
                   days_left=days_left)


def default_count_key(spec: dict) -> str:
    condition = spec.get("condition")
    if condition == "meets_standard":
        return theme_days.COUNT_KEY
    if condition == "secretary_lecture":
        return "secretary_lecture"
    return spec["record_type"]


def group_count_key(group_id: int) -> str:
    return f"group_meeting:{group_id}"
