"""The committee dashboard as a tree: one row per child organization, with its whole subtree rolled up.

A province committee does not read 20,000 branch rows. The dashboard starts at the organization the user
manages and shows one row per child (city → county → …), each paginated, with drill-down to the next
level and a breadcrumb back up; where an organization has only branches below it, the leaf level is the
branch grid of ``dashboard.build`` restricted to that subtree.

Each row says, for the records standards that need no branch fact (主题党日, 支部党员大会, 党课, 支部书记讲
党课, 组织生活会, 民主评议党员): how many branches of the subtree have met the standard in the unit running
on the day viewed, how many have not yet, how many missed it, and how many missed the unit before it
(overdue). The judgement is the checklist's (``judge``): a unit is the standard's period by the rule in
force on its first day, met when the approved records in it reach the minimum in force, missed when it
has ended short, not judged (na) for a branch closed before the unit began.

How it is computed, so that the cost is the level's and not the province's:
  - The subtree is found by the materialized path (``organizations.path`` "/1/4/9/", kept by
    ``orgs.tree`` when an organization is created): a branch lies below an organization when its path
    starts with the organization's.
  - The figures come from the per-branch monthly counts (``standard_month_counts``, kept on approval)
    summed per unit and compared with the minimum in one SQL aggregate per rule book, grouped by the
    child organization: no branch is judged in Python, no branch row is read into the application.
  - The units and minimums come from the rule book (``rule_book``). Branches whose rule book differs from
    their child organization's (an override set by an organization inside the subtree) form their own
    class, rolled up by one more aggregate each: queries per page = distinct rule books on the page +
    organizations with standard overrides below it, neither of which grows with the number of branches.
  - Temporary branches (project branches, owing records prorated over their active days) are judged by
    ``judge.standard_met`` itself, with their counts read in one query: their count is the only part that
    grows with the subtree, and they are a small minority.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import aliased

from .. import access
from ..extensions import db
from ..models import Organization, RuleOverride, StandardMonthCount, User
from ..rules.standards import DASHBOARD_LEVEL_PAGE_SIZE, STANDARDS
from . import judge, rule_book, structure
from .periods import Period

# Records standards judged from the monthly counts alone (no committee or party-group fact needed).
ROLLED_UP = [spec for spec in STANDARDS
             if spec["check"] == "records" and spec.get("condition") not in ("has_committee", "per_group")]
STATUSES = ("met", "not_yet", "missed")


@dataclass
class Figures:
    """One standard over one child's subtree: branches per status in the running unit, and overdue
    (missed in the unit before)."""
    met: int = 0
    not_yet: int = 0
    missed: int = 0
    overdue: int = 0

    @property
    def due(self) -> int:
        return self.met + self.not_yet + self.missed

    def add(self, status: str, previous: str) -> None:
        if status in STATUSES:
            setattr(self, status, getattr(self, status) + 1)
        if previous == "missed":
            self.overdue += 1


@dataclass
class LevelRow:
    org: Organization
    branches: int = 0
    figures: dict[str, Figures] = field(default_factory=lambda: {spec["key"]: Figures() for spec in ROLLED_UP})


@dataclass
class Level:
    node: Organization | None  # None: the user manages several trees; their roots are the rows
    crumbs: list[Organization]
    rows: list[LevelRow]
    total: int
    page: int
    pages: int
    day: date
    standards: list[tuple[dict, str]]  # (spec, the running unit's label, e.g. "2026年第四季度")


def start_of(user: User) -> Organization | None:
    """Where the tree view begins: the one organization the user manages, else None (several roots)."""
    roots = _top_roots(user)
    return roots[0] if len(roots) == 1 else None


def _top_roots(user: User) -> list[Organization]:
    roots = [r for r in access.managed_roots(user) if r.kind != "group"]
    return sorted((r for r in roots if not any(r is not o and r.is_within(o) for o in roots)),
                  key=lambda r: (r.name, r.id))


def node_or_none(user: User, org_id: int) -> Organization | None:
    """The organization to view, only when the user manages it (else None: the caller answers 404)."""
    org = db.session.get(Organization, org_id)
    if org is None or org.kind == "group" or not access.manages(user, org):
        return None
    return org


def crumbs_of(user: User, node: Organization | None) -> list[Organization]:
    """The path from the top the user may see down to ``node`` (inclusive)."""
    if node is None:
        return []
    ids = node.ancestor_ids()
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(ids)))}
    return [orgs[i] for i in ids if i in orgs and access.manages(user, orgs[i])]


def is_leaf(node: Organization) -> bool:
    """True when nothing but branches (and party groups) lies right below: the branch grid is shown."""
    if node.kind == "branch":
        return True
    return db.session.scalar(select(func.count()).select_from(Organization).where(
        Organization.parent_id == node.id, Organization.kind.not_in(("branch", "group")))) == 0


def build(user: User, node: Organization | None, today: date, year: int, page: int = 1) -> Level:
    day = min(today, date(year, 12, 31))
    if node is None:
        roots = _top_roots(user)
        total, children = len(roots), None
    else:
        children = select(Organization).where(Organization.parent_id == node.id, Organization.kind != "group")
        total = db.session.scalar(select(func.count()).select_from(children.subquery())) or 0
    pages = max(1, (total + DASHBOARD_LEVEL_PAGE_SIZE - 1) // DASHBOARD_LEVEL_PAGE_SIZE)
    page = min(max(1, page), pages)
    offset = (page - 1) * DASHBOARD_LEVEL_PAGE_SIZE
    if children is None:
        page_orgs = roots[offset:offset + DASHBOARD_LEVEL_PAGE_SIZE]
    else:
        page_orgs = list(db.session.scalars(children.order_by(Organization.name, Organization.id)
                                            .limit(DASHBOARD_LEVEL_PAGE_SIZE).offset(offset)))
    rows = rollup(page_orgs, day, today)
    book = rule_book.book_for(node) if node is not None else rule_book.RuleBook([], [])
    standards = [(spec, judge.unit_at(book, spec["key"], day).period.label) for spec in ROLLED_UP]
    return Level(node=node, crumbs=crumbs_of(user, node), rows=rows, total=total, page=page, pages=pages, day=day,
                 standards=standards)


def rollup(orgs: list[Organization], day: date, today: date) -> list[LevelRow]:
    """Rolled-up figures of each organization's subtree (see the module docstring for how)."""
    rows = {org.id: LevelRow(org=org) for org in orgs}
    if not orgs:
        return []
    inner = _override_roots(orgs)
    class_roots = orgs + inner
    by_path = sorted(class_roots, key=lambda o: len(o.path))
    books = rule_book.books_for(class_roots)
    # Each class root's own branches: below it, not below a deeper class root.
    plain: dict[tuple, list[Organization]] = {}
    for org in orgs:
        if any(o.path != org.path and o.path.startswith(org.path) for o in inner):
            _add(rows, _aggregate([org], books[org.id], day, today, _deeper(org, by_path), owner=org.id))
        else:
            plain.setdefault(books[org.id].signature, []).append(org)
    for group in plain.values():
        _add(rows, _aggregate(group, books[group[0].id], day, today, []))
    for root in inner:
        owner = next(o.id for o in orgs if root.path.startswith(o.path))
        _add(rows, _aggregate([root], books[root.id], day, today, _deeper(root, by_path), owner=owner))
    _temporary(rows, orgs, day, today)
    return [rows[org.id] for org in orgs]


def _override_roots(orgs: list[Organization]) -> list[Organization]:
    """Organizations strictly inside the subtrees with an override of a standard's rule: their branches
    are judged by a different rule book."""
    return list(db.session.scalars(
        select(Organization).where(
            Organization.id.in_(select(RuleOverride.org_id).where(RuleOverride.key.startswith("standard."))),
            or_(*[and_(Organization.path.startswith(o.path, autoescape=True), Organization.id != o.id)
                  for o in orgs]))
        .order_by(Organization.path)))


def _deeper(root: Organization, by_path: list[Organization]) -> list[str]:
    return [o.path for o in by_path if o.path != root.path and o.path.startswith(root.path)]


def _units(book: rule_book.RuleBook, day: date) -> dict[str, tuple[judge.Unit, judge.Unit]]:
    out = {}
    for spec in ROLLED_UP:
        unit = judge.unit_at(book, spec["key"], day)
        out[spec["key"]] = (unit, judge.unit_at(book, spec["key"], unit.period.start - timedelta(days=1)))
    return out


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _aggregate(roots: list[Organization], book: rule_book.RuleBook, day: date, today: date,
               excluded: list[str], owner: int | None = None):
    """One query: per root, the number of (non-temporary) branches below it, and per standard and status
    how many are in that status in the running unit and how many missed the unit before."""
    units = _units(book, day)
    months: list[str] = []
    done_columns = []
    for i, spec in enumerate(ROLLED_UP):
        key = judge.default_count_key(spec)
        for j, unit in enumerate(units[spec["key"]]):
            first, last = _month(unit.period.start), _month(unit.period.end)
            months += [first, last]
            done_columns.append(func.sum(case(
                (and_(StandardMonthCount.key == key, StandardMonthCount.month.between(first, last)),
                 StandardMonthCount.count), else_=0)).label(f"d{i}_{j}"))
    done = (select(StandardMonthCount.org_id, *done_columns)
            .where(StandardMonthCount.key.in_({judge.default_count_key(s) for s in ROLLED_UP}),
                   StandardMonthCount.month.between(min(months), max(months)),
                   StandardMonthCount.org_id.in_(select(Organization.id).where(
                       or_(*[Organization.path.startswith(r.path, autoescape=True) for r in roots]))))
            .group_by(StandardMonthCount.org_id).subquery())
    root = aliased(Organization)
    branch = aliased(Organization)
    columns = [root.id, func.count(branch.id)]
    for i, spec in enumerate(ROLLED_UP):
        for j, unit in enumerate(units[spec["key"]]):
            period = unit.period
            open_then = or_(branch.closed_at.is_(None), branch.closed_at >= _utc(period.start))
            reached = func.coalesce(getattr(done.c, f"d{i}_{j}"), 0) >= unit.minimum
            for status in (STATUSES if j == 0 else ("missed",)):
                columns.append(func.sum(case((and_(open_then, _status_clause(status, reached, period, today)), 1),
                                             else_=0)))
    query = (select(*columns).select_from(root)
             .join(branch, branch.path.startswith(root.path))
             .outerjoin(done, done.c.org_id == branch.id)
             .where(root.id.in_([r.id for r in roots]), branch.kind == "branch", branch.is_temporary.is_(False),
                    *[not_(branch.path.startswith(path, autoescape=True)) for path in excluded])
             .group_by(root.id))
    for found in db.session.execute(query):
        yield (owner or found[0]), found[1:]


def _utc(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def _status_clause(status: str, reached, period: Period, today: date):
    """The SQL form of ``judge.unit_status`` for a branch without conditions (not temporary)."""
    if period.start > today:
        return true() if status == "not_yet" else false()
    if status == "met":
        return reached
    ended = period.end < today
    return not_(reached) if (status == "missed") == ended else false()


def _add(rows: dict[int, LevelRow], found) -> None:
    for owner, values in found:
        row = rows[owner]
        row.branches += values[0]
        values = values[1:]
        for spec in ROLLED_UP:
            figures = row.figures[spec["key"]]
            met, not_yet, missed, overdue = (int(v or 0) for v in values[:4])
            figures.met += met
            figures.not_yet += not_yet
            figures.missed += missed
            figures.overdue += overdue
            values = values[4:]


def _temporary(rows: dict[int, LevelRow], orgs: list[Organization], day: date, today: date) -> None:
    """Temporary branches: judged by ``judge.standard_met`` (prorated over their active days)."""
    temporary = list(db.session.scalars(select(Organization).where(
        Organization.kind == "branch", Organization.is_temporary.is_(True),
        or_(*[Organization.path.startswith(o.path, autoescape=True) for o in orgs]))))
    if not temporary:
        return
    books = rule_book.books_for(temporary)
    counts: dict[int, dict[tuple[str, str], int]] = {t.id: {} for t in temporary}
    first = _month(date(day.year - 1, 1, 1))
    for org_id, month, key, count in db.session.execute(
            select(StandardMonthCount.org_id, StandardMonthCount.month, StandardMonthCount.key,
                   StandardMonthCount.count)
            .where(StandardMonthCount.org_id.in_(list(counts)), StandardMonthCount.month.between(first, _month(day)),
                   StandardMonthCount.key.in_({judge.default_count_key(s) for s in ROLLED_UP}))):
        counts[org_id][(month, key)] = count
    for branch in temporary:
        owner = next(o.id for o in orgs if branch.path.startswith(o.path))
        row = rows[owner]
        row.branches += 1
        ctx = judge.BranchContext(book=books[branch.id], counts=counts[branch.id], has_committee=lambda _d: False,
                                  is_temporary=True, window=structure.active_window(branch), notes=False)
        for spec, (unit, previous) in _units(books[branch.id], day).items():
            status = judge.standard_met(spec, unit.period, today, ctx).status
            before = judge.standard_met(spec, previous.period, today, ctx).status
            row.figures[spec].add(status, before)


__all__ = ["Level", "LevelRow", "Figures", "ROLLED_UP", "build", "rollup", "start_of", "node_or_none", "is_leaf",
           "crumbs_of"]
