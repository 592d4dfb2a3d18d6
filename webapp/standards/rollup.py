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

How it is computed, so that the cost is the level's and not the province's: the figures are stored per
organization (``rollup_store``, table ``standard_rollups``): for each standard and unit, how many branches
at or below the organization owe the unit and how many reached its minimum, kept when a record is
approved, changed or merged and when a branch is created, closed or given new dates. A page reads the
rows of its (at most ``DASHBOARD_LEVEL_PAGE_SIZE``) organizations for the units holding the day viewed,
of each kind of period (a branch's unit is of the kind its rule book says, so whichever rule book a
branch follows, its figures are under exactly one of those codes; each row also counts the branches
that missed the unit before, by the rule then in force): one query whose size depends on the page, not
on the branches below it. Temporary branches are in the same
rows, judged by ``judge.standard_met`` (owing records prorated over their active days) when stored;
their unit "ends" on their last active day, so they turn "missed" then, as in their checklist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from .. import access
from ..extensions import db
from ..models import Organization, User
from ..rules.standards import DASHBOARD_LEVEL_PAGE_SIZE, PERIOD_ORDER
from . import judge, periods, rule_book, rollup_store
from .periods import Period

ROLLED_UP = rollup_store.ROLLED_UP
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
    """Rolled-up figures of each organization's subtree, read from the stored figures (see the module
    docstring): the units holding ``day``, of every kind of period."""
    rows = {org.id: LevelRow(org=org) for org in orgs}
    if not orgs:
        return []
    rollup_store.ensure({day.year, day.year - 1})
    running = {periods.containing(kind, day).code: periods.containing(kind, day) for kind in PERIOD_ORDER}
    for org_id, key, code, ends, due, reached, overdue in rollup_store.read(list(rows), set(running)):
        row = rows[org_id]
        if key == rollup_store.BRANCHES:
            row.branches += due
        elif key in row.figures:
            _running(row.figures[key], running[code], ends, due, reached, today)
            row.figures[key].overdue += overdue
    return [rows[org.id] for org in orgs]


def _running(figures: Figures, period: Period, ends: date, due: int, reached: int, today: date) -> None:
    """The SQL-free form of ``judge``'s unit status, for ``due`` branches of which ``reached`` met it."""
    if period.start > today:
        figures.not_yet += due
        return
    figures.met += reached
    if ends < today:
        figures.missed += due - reached
    else:
        figures.not_yet += due - reached


__all__ = ["Level", "LevelRow", "Figures", "ROLLED_UP", "build", "rollup", "start_of", "node_or_none", "is_leaf",
           "crumbs_of"]
