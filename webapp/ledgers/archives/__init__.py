"""The six archives of seed 003 (组织管理, 党员管理, 组织生活, 集中教育, 创先争优, 经费保障), each built
from the records already entered, bound as one branch-year (``binder``) or summed across the branches
below a committee (``summary``). An archive with nothing in it is kept, empty: the renderer says so.

Who may bind what is ``scope.export_view`` (a branch its own, a committee any branch below it, a home
branch its members' part of a closed temporary branch)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from ...china_time import china_today
from ...extensions import db
from ...members.participation import in_force_during
from ...models import Membership, Organization
from . import education, excellence, funds, members, org_life, organization
from .common import year_span
from .model import Archive, Binder, Entry, Table

# Binding order (seed 003 "(四)信息台账标准化" items 2–7).
ARCHIVES = (organization, members, org_life, education, excellence, funds)
# Entries counted rather than listed by title in a summary: kind → (label, measure word).
SUMMARY_KINDS = {"meeting": ("会议记录", "篇"), "spending": ("经费支出", "笔"), "election": ("选举", "次")}


def binder(org: Organization, year: int, *, viewer: Organization | None = None) -> Binder:
    """A branch-year; with ``viewer`` a home branch reading a temporary branch: only its members' parts."""
    only = None
    scope_note = ""
    if viewer is not None and viewer.id != org.id:
        only = home_members(org, viewer, year)
        state = "已撤销" if org.is_closed else "运行中"
        scope_note = f"{org.name}（{state}）；本册仅含{viewer.name}党员（{len(only)} 人）的部分"
    archives = [module.build(org, year, only=only) for module in ARCHIVES]
    return Binder(org_name=org.name, year=year, title=f"{org.name} {year} 年党支部工作台账", archives=archives,
                  scope_note=scope_note)


def home_members(org: Organization, home: Organization, year: int) -> frozenset[int]:
    """People in ``org`` during the year whose formal relation (home) was in ``home`` then."""
    start, end = year_span(year)
    in_org = select(Membership.user_id).where(Membership.org_id == org.id, in_force_during(start, end))
    return frozenset(db.session.scalars(select(Membership.user_id).where(
        Membership.org_id == home.id, Membership.relation == "home", in_force_during(start, end),
        Membership.user_id.in_(in_org))))


def branches_below(committee: Organization) -> list[Organization]:
    return list(db.session.scalars(select(Organization).where(
        Organization.path.startswith(committee.path, autoescape=True), Organization.id != committee.id,
        Organization.kind == "branch").order_by(Organization.path)))


def summary(committee_org: Organization, year: int) -> Binder:
    """A committee's summary: per archive, each branch below it with how many catalogue entries the
    year holds and of what kinds (the branches' own binders are exported one by one)."""
    start, end = year_span(year)
    branches = [b for b in branches_below(committee_org) if _active_in(b, start, end)]
    binders = [_counted(b, year) for b in branches]
    archives = []
    for index, module in enumerate(ARCHIVES):
        rows = [(b.name, len(bound.archives[index].entries), _kinds(bound.archives[index]))
                for b, bound in zip(branches, binders, strict=True)]
        entries = [Entry("各党支部归档情况", None, [Table(("党支部", "目录条数", "内容"), rows, (4, 1, 6))],
                         kind="summary")] if any(r[1] for r in rows) else []
        archives.append(Archive(module.KEY, module.TITLE, module.SOURCE, entries))
    return Binder(org_name=committee_org.name, year=year, title=f"{committee_org.name} {year} 年党支部台账汇总",
                  archives=archives, scope_note=f"汇总所属 {len(branches)} 个党支部（含临时党支部）")


def _counted(org: Organization, year: int) -> Binder:
    """A branch-year for counting: the meeting entries without their pages (the costly part)."""
    built = [module.build(org, year, pages=False) if module is org_life else module.build(org, year)
             for module in ARCHIVES]
    return Binder(org_name=org.name, year=year, title="", archives=built)


def _active_in(org: Organization, start, end) -> bool:
    if org.start_date and org.start_date > end:
        return False
    closed = china_today(org.closed_at) if org.closed_at else None
    return closed is None or closed >= start


def _kinds(archive: Archive) -> str:
    counts = Counter(e.kind for e in archive.entries)
    parts = []
    for entry in archive.entries:
        counted = SUMMARY_KINDS.get(entry.kind)
        if counted:
            if counts.get(entry.kind):
                parts.append(f"{counted[0]} {counts.pop(entry.kind)} {counted[1]}")
        else:
            parts.append(entry.title)
    return "、".join(parts)
