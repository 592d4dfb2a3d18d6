"""The committee dashboard's figures, stored per organization (``standard_rollups``) and kept right as
records are approved or changed, so that a dashboard page reads a few rows per child organization
whatever the size of the province.

For every branch, every rolled-up standard (``ROLLED_UP``) and every unit of a year (the standard's
period by the rule in force on its first day, as the checklist judges it), the branch either owes the
unit or not (closed before it began, or a temporary branch not active in it), and either reached the
minimum or not (``judge.standard_met``: a temporary branch owes the prorated number). Each branch
has its own row and adds the same figures to the rows of every organization above it, so a committee's
row is its whole subtree, temporary branches included, each branch counted once.

Kept by:
  - ``counts_changed``: after a record's approval, change or merge recounted a branch's months
    (``summaries``), the branch's rows of those years are judged again and the difference is added to
    the branch and its ancestors (a handful of rows whatever the province size);
  - ``branch_changed``: a branch created, closed, reopened or given new dates, likewise;
  - ``forget``: after a full recount or a change of a standard's rule (units or minimums may move
    for a whole subtree) the figures are dropped and filled again on the next view;
  - ``fill_year``: a year's figures for every branch at once (the one step that reads the whole
    province: on the first view of a year, from the command line, or by the data generator).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects import postgresql, sqlite

from ..bulk_insert import insert_rows
from ..china_time import china_today
from ..extensions import db
from ..models import Organization, StandardMonthCount, StandardRollup, StandardRollupYear
from ..rules.standards import STANDARDS
from . import judge, rule_book, structure

# Records standards judged from the monthly counts alone (no committee or party-group fact needed).
ROLLED_UP = [spec for spec in STANDARDS
             if spec["check"] == "records" and spec.get("condition") not in ("has_committee", "per_group")]
# The pseudo-standard counting the branches that existed in a year (period: the year).
BRANCHES = "_branches"
CHUNK = 2000


def _judged(spec: dict, unit: judge.Unit, ctx: judge.BranchContext) -> tuple[date, bool] | None:
    """(the day the unit ends for the branch, reached) or None when the branch does not owe the unit."""
    start, end = ctx.window
    period = unit.period
    if (end and end < period.start) or (start and start > period.end):
        return None
    verdict = judge.standard_met(spec["key"], period, date.max, ctx)  # date.max: reached or not, never "not yet"
    if verdict.status == "na":
        return None
    ends = min(period.end, end) if ctx.is_temporary and end else period.end
    return ends, verdict.status == "met"


def _branch_rows(branch: Organization, book: rule_book.RuleBook, counts: dict, year: int) -> dict:
    """A branch's own figures for the year: (key, period, ends) → (due, reached, overdue), where overdue
    says the branch owed the unit before this one (by the rule then in force) and missed it."""
    ctx = judge.BranchContext(book=book, counts=counts, has_committee=lambda _d: False,
                              is_temporary=branch.is_temporary, window=structure.active_window(branch), notes=False)
    rows: dict[tuple, tuple[int, int]] = {}
    start, end = ctx.window
    if not ((end and end < date(year, 1, 1)) or (start and start > date(year, 12, 31))):
        rows[(BRANCHES, str(year), date(year, 12, 31))] = (1, 0, 0)
    for spec in ROLLED_UP:
        before = _judged(spec, judge.unit_at(book, spec["key"], date(year - 1, 12, 31)), ctx)
        for unit in judge.units_of_year(book, spec["key"], year):
            judged = _judged(spec, unit, ctx)
            overdue = int(before is not None and not before[1])
            before = judged  # the units of a year follow one another
            if judged is not None:
                rows[(spec["key"], unit.period.code, judged[0])] = (1, int(judged[1]), overdue)
            elif overdue:
                rows[(spec["key"], unit.period.code, unit.period.end)] = (0, 0, 1)
    return rows


def _counts(org_ids: list[int], year: int) -> dict[int, dict[tuple[str, str], int]]:
    keys = {judge.default_count_key(spec) for spec in ROLLED_UP}
    out: dict[int, dict[tuple[str, str], int]] = {org_id: {} for org_id in org_ids}
    for org_id, month, key, count in db.session.execute(
            select(StandardMonthCount.org_id, StandardMonthCount.month, StandardMonthCount.key,
                   StandardMonthCount.count)
            .where(StandardMonthCount.org_id.in_(org_ids), StandardMonthCount.key.in_(keys),
                   StandardMonthCount.month.between(f"{year - 1}-01", f"{year}-12"))):
        out[org_id][(month, key)] = count
    return out


def _owners(branch: Organization) -> list[int]:
    """The branch and every organization above it: the rows its figures are added to."""
    return branch.ancestor_ids() or [branch.id]


def _upsert_add(deltas: dict[tuple, tuple[int, int, int]]) -> None:
    """Add (due, reached, overdue) to the rows (org_id, key, period, ends), creating missing ones."""
    if not deltas:
        return
    table = StandardRollup.__table__
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = statement.on_conflict_do_update(
        index_elements=["org_id", "key", "period", "ends"],
        set_={column: table.c[column] + statement.excluded[column] for column in ("due", "reached", "overdue")})
    # Sorted, so that two transactions touching the same ancestors lock them in the same order.
    db.session.execute(statement, [_row(*row, *values) for row, values in sorted(deltas.items())])


def _row(org_id: int, key: str, period: str, ends: date, due: int, reached: int, overdue: int) -> dict:
    return {"org_id": org_id, "key": key, "period": period, "ends": ends, "due": due, "reached": reached,
            "overdue": overdue}


def filled_years() -> set[int]:
    return set(db.session.scalars(select(StandardRollupYear.year)))


def fill_year(year: int) -> int:
    """Judge every branch over the year's units and store the figures per organization; returns rows."""
    db.session.execute(delete(StandardRollup).where(StandardRollup.period.like(f"{year}%")))
    db.session.execute(delete(StandardRollupYear).where(StandardRollupYear.year == year))
    totals: dict[tuple, tuple[int, int, int]] = {}
    branches = select(Organization).where(Organization.kind == "branch").order_by(Organization.id)
    last = 0
    while True:
        chunk = list(db.session.scalars(branches.where(Organization.id > last).limit(CHUNK)))
        if not chunk:
            break
        last = chunk[-1].id
        books = rule_book.books_for(chunk)
        counts = _counts([b.id for b in chunk], year)
        for branch in chunk:
            for row, values in _branch_rows(branch, books[branch.id], counts[branch.id], year).items():
                for owner in _owners(branch):
                    old = totals.get((owner, *row), (0, 0, 0))
                    totals[(owner, *row)] = tuple(a + b for a, b in zip(old, values, strict=True))
    # COPY on PostgreSQL (a province is about a million rows a year), else executemany.
    insert_rows(db.session.connection(), StandardRollup, [_row(*row, *values) for row, values in totals.items()])
    db.session.add(StandardRollupYear(year=year))
    db.session.flush()
    return len(totals)


def ensure(years: set[int]) -> int:
    """Fill the years not stored yet and commit them (a cache of the counts: the hourly job
    ``rollup_years`` fills a new year before anyone views it; else the first view reads the whole
    province once). Returns the years filled; when another process filled them at the same time, its
    figures stand."""
    missing = sorted(years - filled_years())
    if not missing:
        return 0
    try:
        for year in missing:
            fill_year(year)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return len(missing)


def refresh_all(years: set[int] | None = None) -> int:
    """Fill every year that has monthly counts and this year (or the given years) anew; returns rows."""
    if years is None:
        years = {int(m[:4]) for m in db.session.scalars(select(StandardMonthCount.month).distinct())}
        years.add(china_today().year)
    return sum(fill_year(year) for year in sorted(years))


def _stored(branch_id: int, year: int) -> dict:
    return {(k, p, e): (d, r, o) for k, p, e, d, r, o in db.session.execute(
        select(StandardRollup.key, StandardRollup.period, StandardRollup.ends, StandardRollup.due,
               StandardRollup.reached, StandardRollup.overdue)
        .where(StandardRollup.org_id == branch_id, StandardRollup.period.like(f"{year}%")))}


def branch_changed(branch: Organization, years: set[int] | None = None) -> None:
    """Judge the branch again over the stored years (or those given) and add the difference to it and
    every organization above it."""
    if branch.kind != "branch":
        return
    stored_years = filled_years()
    years = stored_years if years is None else years & stored_years
    if not years:
        return
    db.session.flush()
    book = rule_book.book_for(branch)
    deltas: dict[tuple, tuple[int, int, int]] = {}
    for year in years:
        new = _branch_rows(branch, book, _counts([branch.id], year)[branch.id], year)
        old = _stored(branch.id, year)
        for row in set(new) | set(old):
            change = tuple(a - b for a, b in zip(new.get(row, (0, 0, 0)), old.get(row, (0, 0, 0)), strict=True))
            if any(change):
                for owner in _owners(branch):
                    deltas[(owner, *row)] = change
    _upsert_add(deltas)


def counts_changed(org_id: int, months: set[str]) -> None:
    """A branch's monthly counts were recounted for ``months``: keep its figures and its ancestors' (those
    of the next year too: its first unit says whether the unit before it was missed)."""
    branch = db.session.get(Organization, org_id)
    if branch is not None:
        branch_changed(branch, {int(month[:4]) + k for month in months for k in (0, 1)})


def forget() -> None:
    """Drop every stored figure (after a full recount or a change of a standard's rule)."""
    db.session.execute(delete(StandardRollup))
    db.session.execute(delete(StandardRollupYear))


def on_organization_changed(org: Organization, **_) -> None:
    branch_changed(org)


def install() -> None:
    from ..orgs.events import organization_changed

    organization_changed.connect(on_organization_changed, weak=False)


def read(org_ids: list[int], periods: set[str]) -> list[tuple]:
    """(org_id, key, period, ends, due, reached, overdue) of the given organizations and periods."""
    if not org_ids:
        return []
    return list(db.session.execute(
        select(StandardRollup.org_id, StandardRollup.key, StandardRollup.period, StandardRollup.ends,
               StandardRollup.due, StandardRollup.reached, StandardRollup.overdue)
        .where(StandardRollup.org_id.in_(org_ids), StandardRollup.period.in_(periods))))


__all__ = ["ROLLED_UP", "BRANCHES", "fill_year", "ensure", "refresh_all", "branch_changed", "counts_changed",
           "forget", "read", "filled_years", "install"]
