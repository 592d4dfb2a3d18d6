"""The branch grid of the committee dashboard: every branch below one organization (the leaf level of the
tree view, ``rollup.py``), every standard over its own period.

Each row has a cell per month (the month's monthly standards), per quarter, per half year and for the
year (the standards judged over those periods by the rule in force, e.g. the quarterly general meeting,
the half-yearly 党课, the yearly 组织生活会 and the secretary's ticks), and one for the organization's
structure. A cell is judged by the same functions as the branch checklist (``judge.standard_met``,
``structural_verdict``), so a cell says what the checklist of that period says. The overall figures and
the chart use the headline standard (the monthly theme day) over all branches in one aggregate query;
the grid is read for one page of branches at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Organization, StandardMonthCount, StandardTick, User
from ..rules.standards import DASHBOARD_BRANCH_PAGE_SIZE, STANDARDS
from . import judge, periods, rule_book, structure, theme_days
from .checklist import exceptions_of
from .structural_verdicts import StructureFacts, structural_verdict

PER_PAGE = DASHBOARD_BRANCH_PAGE_SIZE
# Sorting runs in SQL over every branch: by the headline standard, the months with a theme day met.
SORTS = {"name": "名称", "rate": "主题党日达标月数（少到多）", "rate_desc": "主题党日达标月数（多到少）"}


@dataclass
class Row:
    org: Organization
    # (month, met/missed/not_yet/na, what is still missing that month: "主题党日", "党小组会（第一党小组）")
    cells: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    theme_months: int = 0
    # (period code, status, what is still missing) for each quarter, half year and the year, then the
    # organization's structure under the code "structure".
    period_cells: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for _, s, _missing in self.cells if s == "met")

    @property
    def due(self) -> int:
        return sum(1 for _, s, _missing in self.cells if s in ("met", "missed"))

    @property
    def rate(self) -> int | None:
        return round(100 * self.met / self.due) if self.due else None


@dataclass
class Dashboard:
    rows: list[Row]
    total: int
    page: int
    pages: int
    months: list[str]
    overall_rate: int | None
    chart: list[tuple[str, int | None]]
    longer: list[periods.Period] = field(default_factory=list)  # the quarters, halves and year shown


def _months(year: int, today: date) -> list[str]:
    last = 12 if year < today.year else (today.month if year == today.year else 0)
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def branches_query(user: User, *, temporary_only: bool = False, under: Organization | None = None):
    query = select(Organization.id).where(Organization.kind == "branch", access.managed_filter(user))
    if under is not None:  # the leaf level of the tree view: the branches below one organization
        query = query.where(Organization.path.startswith(under.path, autoescape=True))
    if temporary_only:
        query = query.where(Organization.is_temporary.is_(True))
    return query


def build(user: User, year: int, today: date, *, temporary_only=False, missing_this_month=False,
          sort="name", page=1, under: Organization | None = None) -> Dashboard:
    months = _months(year, today)
    this_month = today.strftime("%Y-%m")
    ids = branches_query(user, temporary_only=temporary_only, under=under)
    theme = theme_days.months_met(year, ids)
    query = (select(Organization, func.coalesce(theme.c.n, 0))
             .outerjoin(theme, theme.c.org_id == Organization.id).where(Organization.id.in_(ids)))
    if missing_this_month:
        query = query.where(Organization.id.not_in(theme_days.branches_met_in(this_month)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {"rate": (func.coalesce(theme.c.n, 0).asc(), Organization.name),
             "rate_desc": (func.coalesce(theme.c.n, 0).desc(), Organization.name)}.get(sort, (Organization.name,))
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(max(1, page), pages)
    found = db.session.execute(query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    longer = _longer_periods(year, today)
    rows = _rows(found, year, months, longer, today)
    # Headline over every branch: the share of branch-months with a theme day meeting the standard.
    per_month = theme_days.branches_met_per_month(months, ids)
    branch_count = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    chart = [(m, round(100 * per_month.get(m, 0) / branch_count) if branch_count else None) for m in months]
    closed = [m for m in months if m != this_month]
    overall = (round(100 * sum(per_month.get(m, 0) for m in closed) / (branch_count * len(closed)))
               if branch_count and closed else None)
    return Dashboard(rows=rows, total=total, page=page, pages=pages, months=months, overall_rate=overall,
                     chart=chart, longer=longer)


def _longer_periods(year: int, today: date) -> list[periods.Period]:
    out = [periods.make("quarter", year, q) for q in (1, 2, 3, 4)] + [
        periods.make("half_year", year, h) for h in (1, 2)] + [periods.make("year", year)]
    return [p for p in out if p.start <= today]


def _rows(found, year: int, months: list[str], longer: list[periods.Period], today: date) -> list[Row]:
    page_ids = [org.id for org, _ in found]
    if not page_ids:
        return []
    day = min(today, date(year, 12, 31))
    counts: dict[int, dict[tuple[str, str], int]] = {org_id: {} for org_id in page_ids}
    for org_id, month, key, count in db.session.execute(
            select(StandardMonthCount.org_id, StandardMonthCount.month, StandardMonthCount.key,
                   StandardMonthCount.count)
            .where(StandardMonthCount.org_id.in_(page_ids),
                   StandardMonthCount.month.between(f"{year}-01", f"{year}-12"))):
        counts[org_id][(month, key)] = count
    facts_by_org = structure.page_facts(page_ids, day)
    sizes = structure.member_counts(page_ids, day)
    group_sizes = structure.group_sizes([g for _, groups in facts_by_org.values() for g in groups], day)
    books = rule_book.books_for([org for org, _ in found])
    exceptions = exceptions_of(page_ids)
    ticked = set(db.session.execute(select(StandardTick.org_id, StandardTick.key).where(
        StandardTick.org_id.in_(page_ids), StandardTick.year == year)).all())
    month_periods = [periods.make("month", year, int(m[5:])) for m in months]
    rows = []
    for org, theme_months in found:
        has_committee, groups = facts_by_org[org.id]
        ctx = judge.BranchContext(book=books[org.id], counts=counts[org.id],
                                  has_committee=lambda _day, has=has_committee: has,
                                  is_temporary=org.is_temporary, window=structure.active_window(org), notes=False)
        row = Row(org=org, theme_months=theme_months)
        window = structure.active_window(org)
        for period in month_periods:
            row.cells.append((period.code, *_combine(_judged(period, today, ctx, groups, window))))
        for period in longer:
            judged = _judged(period, today, ctx, groups, window)
            if period.kind == "year":
                judged += [(("met" if (org.id, spec["key"]) in ticked else
                             "missed" if period.end < today else "not_yet"), spec["label"])
                           for spec in STANDARDS if spec["check"] == "manual"]
            row.period_cells.append((period.code, *_combine(judged)))
        members, full, seats = sizes[org.id]
        facts = StructureFacts(members, full, seats, [(g, name, *group_sizes[g]) for g, name in groups.items()])
        verdicts = [(spec, structural_verdict(spec, org, facts, day, ctx.book, exceptions[org.id]))
                    for spec in STANDARDS if spec["check"] == "structural"]
        row.period_cells.append(("structure", *_combine(
            [(v.status, spec["label"] + (f"（{v.note}）" if v.note else "")) for spec, v in verdicts])))
        rows.append(row)
    return rows


def _judged(period: periods.Period, today: date, ctx: judge.BranchContext, groups: dict[int, str],
            window) -> list[tuple[str, str]]:
    """(status, label) of the records standards judged over exactly this period, by the rule in force."""
    start, end = window
    if (start and period.end < start) or (end and period.start > end):
        return []  # the branch did not exist yet, or was closed
    judged = []
    for spec in _judged_over(ctx.book, period):
        if spec.get("condition") == "per_group":
            for group_id, name in groups.items():
                judged.append((_status(spec, period, today, ctx, judge.group_count_key(group_id)),
                               f"{spec['short']}（{name}）"))
        else:
            judged.append((_status(spec, period, today, ctx, judge.default_count_key(spec)), spec["short"]))
    return judged


def _status(spec: dict, period: periods.Period, today: date, ctx: judge.BranchContext, key: str) -> str:
    """A standard's status over the period: the unit's own when the period is exactly one unit (the
    common case, read without building a verdict), else the full judgment (temporary branches)."""
    if not ctx.is_temporary:
        unit = judge.unit_at(ctx.book, spec["key"], period.start)
        if unit.period.start == period.start and unit.period.end == period.end:
            return judge.unit_status(spec, key, unit, today, ctx)[0]
    return judge.standard_met(spec["key"], period, today, ctx, key).status


_SPECS_BY_PERIOD: dict[tuple, list[dict]] = {}


def _judged_over(book: rule_book.RuleBook, period: periods.Period) -> list[dict]:
    """The records standards whose unit (by the rule in force) is exactly this kind of period."""
    memo_key = (book.signature, period)
    specs = _SPECS_BY_PERIOD.get(memo_key)
    if specs is None:
        specs = [spec for spec in STANDARDS if spec["check"] == "records"
                 and judge.unit_at(book, spec["key"], period.start).period.kind == period.kind]
        if len(_SPECS_BY_PERIOD) > 20000:
            _SPECS_BY_PERIOD.clear()
        _SPECS_BY_PERIOD[memo_key] = specs
    return specs


def _combine(judged: list[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    """A cell's status from its standards' (status, label): missed over running over met; none due: na."""
    due = [(status, label) for status, label in judged if status not in ("na", "waived")]
    if not due:
        return "na", ()
    missing = tuple(label for status, label in due if status in ("missed", "not_yet"))
    if any(status == "missed" for status, _ in due):
        return "missed", missing
    return ("not_yet" if missing else "met"), missing


__all__ = ["Dashboard", "Row", "build"]
