"""The higher committee's dashboard: every branch below, month by month, from the monthly counts.

A cell is met when the month's monthly standards are proven by approved records: a theme day meeting
the standard, a committee meeting where the branch has a committee, and a meeting of every party group.
The overall figures and the chart use the headline standard (the monthly theme day) over all branches
in one aggregate query; the grid is read for one page of branches at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Organization, StandardMonthCount, User
from ..rules.life import RECORD_TYPE_LABELS
from . import structure

PER_PAGE = 50
# Sorting runs in SQL over every branch: by the headline standard, the months with a theme day met.
SORTS = {"name": "名称", "rate": "主题党日达标月数（少到多）", "rate_desc": "主题党日达标月数（多到少）"}


@dataclass
class Row:
    org: Organization
    # (month, met/missed/not_yet/na, what is still missing that month: "主题党日", "党小组会（第一党小组）")
    cells: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    theme_months: int = 0

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


def _months(year: int, today: date) -> list[str]:
    last = 12 if year < today.year else (today.month if year == today.year else 0)
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def branches_query(user: User, *, temporary_only: bool = False):
    query = select(Organization.id).where(Organization.kind == "branch", access.managed_filter(user))
    if temporary_only:
        query = query.where(Organization.is_temporary.is_(True))
    return query


def build(user: User, year: int, today: date, *, temporary_only=False, missing_this_month=False,
          sort="name", page=1) -> Dashboard:
    months = _months(year, today)
    this_month = today.strftime("%Y-%m")
    ids = branches_query(user, temporary_only=temporary_only)
    theme = (select(StandardMonthCount.org_id, func.count().label("n"))
             .where(StandardMonthCount.key == "theme_day_ok", StandardMonthCount.month.between(f"{year}-01", f"{year}-12"),
                    StandardMonthCount.count > 0)
             .group_by(StandardMonthCount.org_id).subquery())
    query = (select(Organization, func.coalesce(theme.c.n, 0))
             .outerjoin(theme, theme.c.org_id == Organization.id).where(Organization.id.in_(ids)))
    if missing_this_month:
        held = select(StandardMonthCount.org_id).where(StandardMonthCount.key == "theme_day_ok",
                                                       StandardMonthCount.month == this_month)
        query = query.where(Organization.id.not_in(held))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    order = {"rate": (func.coalesce(theme.c.n, 0).asc(), Organization.name),
             "rate_desc": (func.coalesce(theme.c.n, 0).desc(), Organization.name)}.get(sort, (Organization.name,))
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(max(1, page), pages)
    found = db.session.execute(query.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    page_ids = [org.id for org, _ in found]
    counts: dict[tuple[int, str, str], int] = {}
    if page_ids and months:
        for org_id, month, key, count in db.session.execute(
                select(StandardMonthCount.org_id, StandardMonthCount.month, StandardMonthCount.key,
                       StandardMonthCount.count)
                .where(StandardMonthCount.org_id.in_(page_ids), StandardMonthCount.month.in_(months))):
            counts[(org_id, month, key)] = count
    rows = []
    facts_by_org = structure.page_facts(page_ids, min(today, date(year, 12, 31))) if page_ids else {}
    for org, theme_months in found:
        has_committee, groups = facts_by_org[org.id]
        start, end = structure.active_window(org)
        row = Row(org=org, theme_months=theme_months)
        for month in months:
            first = date(int(month[:4]), int(month[5:]), 1)
            if (start and start.strftime("%Y-%m") > month) or (end and end < first):
                row.cells.append((month, "na", ()))
                continue
            missing = _missing(lambda key: counts.get((org.id, month, key), 0) > 0, has_committee, groups)
            status = "met" if not missing else ("not_yet" if month == this_month else "missed")
            row.cells.append((month, status, missing))
        rows.append(row)
    # Headline over every branch: the share of branch-months with a theme day meeting the standard.
    per_month = dict(db.session.execute(
        select(StandardMonthCount.month, func.count()).where(
            StandardMonthCount.key == "theme_day_ok", StandardMonthCount.count > 0,
            StandardMonthCount.month.in_(months), StandardMonthCount.org_id.in_(ids))
        .group_by(StandardMonthCount.month)).all()) if months else {}
    branch_count = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    chart = [(m, round(100 * per_month.get(m, 0) / branch_count) if branch_count else None) for m in months]
    closed = [m for m in months if m != this_month]
    overall = (round(100 * sum(per_month.get(m, 0) for m in closed) / (branch_count * len(closed)))
               if branch_count and closed else None)
    return Dashboard(rows=rows, total=total, page=page, pages=pages, months=months, overall_rate=overall,
                     chart=chart)


def _missing(held, has_committee: bool, groups: dict[int, str]) -> tuple[str, ...]:
    """The month's monthly standards not yet proven: a theme day meeting the standard, a committee
    meeting where the branch has a committee, a meeting of every party group."""
    missing = []
    if not held("theme_day_ok"):
        missing.append(RECORD_TYPE_LABELS["theme_day"])
    if has_committee and not held("committee_meeting"):
        missing.append(RECORD_TYPE_LABELS["committee_meeting"])
    missing.extend(f"{RECORD_TYPE_LABELS['group_meeting']}（{name}）"
                   for group_id, name in groups.items() if not held(f"group_meeting:{group_id}"))
    return tuple(missing)


__all__ = ["Dashboard", "Row", "build"]
