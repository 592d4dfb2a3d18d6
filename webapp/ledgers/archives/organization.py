"""组织管理档案: the branch's founding and approval, elections and terms, plans, and its yearly report to
the higher committee, from the rows the elections, mobility, plans and reports capabilities keep.
Nothing here concerns one member alone, so a home branch's view of a temporary branch holds none of it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...china_time import china_today
from ...extensions import db
from ...models import BranchReport, Election, Organization, PlannedActivity, TemporaryCharter, TermExtension
from ...rules.organization import COMMITTEE_TITLES
from .common import Part, year_span
from .model import Archive, Entry, Paragraphs, Table

KEY, TITLE = "organization", "组织管理档案"
SOURCE = ("存放党支部成立、换届选举及党支部委员变更相关资料,党支部计划、总结,党支部建设相关论文、案例等理论和实践成果,"
          "其它组织管理相关资料。")
ELECTION_KINDS = {"general": "换届选举", "by_election": "补选"}
DECISION_STATES = {"reported": "已报上级待批", "approved": "上级已批复", "rejected": "上级未批准",
                   "requested": "已申请"}


def build(org: Organization, year: int, *, only: frozenset[int] | None = None) -> Archive:
    part = Part(org, year, only)
    entries: list[Entry] = []
    if part.whole:
        entries += _founding(part) + _elections(part) + _extensions(part) + _plans(part) + _reports(part)
    return Archive(KEY, TITLE, SOURCE, entries)


def _founding(part: Part) -> list[Entry]:
    """党支部成立: a temporary branch's approval (and closing) when either falls in the year."""
    charter = db.session.scalar(select(TemporaryCharter).where(TemporaryCharter.org_id == part.org.id))
    start, end = part.span
    org = part.org
    founded = org.start_date or (charter.approval_date if charter else None)
    closed = charter.closed_on if charter else None
    if not any(d is not None and start <= d <= end for d in (founded, closed)):
        return []
    rows = [("名称", org.name), ("类别", org.kind_label), ("上级党组织", org.parent.name if org.parent else ""),
            ("项目", org.project_name or ""), ("地点", org.site or ""),
            ("批准文号", charter.approval_number if charter else ""),
            ("批准日期", charter.approval_date if charter else None),
            ("开始日期", org.start_date), ("结束日期", org.end_date), ("撤销日期", closed)]
    return [Entry("党支部成立及批准", founded, [Table(("项目", "内容"), rows, (1, 3))], kind="founding")]


def _elections(part: Part) -> list[Entry]:
    start, end = part.span
    elections = db.session.scalars(
        select(Election).where(Election.org_id == part.org.id, Election.held_on.between(start, end))
        .options(selectinload(Election.candidates)).order_by(Election.held_on, Election.id))
    return [_election(e) for e in elections]


def _election(election: Election) -> Entry:
    facts = Table(("项目", "内容"), [
        ("选举日期", election.held_on), ("应选名额", election.seats), ("应到会有选举权党员", election.electors),
        ("发出选票", election.ballots_issued), ("收回选票", election.ballots_returned),
        ("任期（年）", election.term_years), ("上级批复", DECISION_STATES.get(election.state, election.state)),
        ("批复日期", election.approved_on), ("批复意见", election.decision_note)], (1, 3))
    votes = Table(("候选人", "得票", "当选", "分工"), [
        (c.user.name, c.votes, "当选" if c.elected else "", COMMITTEE_TITLES.get(c.title or "", ""))
        for c in election.candidates], (2, 1, 1, 2))
    title = f"{ELECTION_KINDS.get(election.kind, election.kind)}（{election.held_on:%Y-%m-%d}）"
    return Entry(title, election.held_on, [facts, votes], kind="election")


def _extensions(part: Part) -> list[Entry]:
    extensions = db.session.scalars(
        select(TermExtension).where(TermExtension.org_id == part.org.id).order_by(TermExtension.id))
    entries = []
    for ext in extensions:
        asked = china_today(ext.created_at)
        if asked.year != part.year:
            continue
        table = Table(("项目", "内容"), [
            ("申请日期", asked), ("原任期届满", ext.term_end_before), ("延期（月）", ext.months),
            ("理由", ext.reason), ("上级批复", DECISION_STATES.get(ext.state, ext.state)),
            ("批复日期", china_today(ext.decided_at) if ext.decided_at else None)], (1, 3))
        entries.append(Entry("延期换届", asked, [table], kind="term_extension"))
    return entries


def _plans(part: Part) -> list[Entry]:
    start, end = part.span
    activities = list(db.session.scalars(
        select(PlannedActivity).where(PlannedActivity.org_id == part.org.id,
                                      PlannedActivity.on_date.between(start, end))
        .order_by(PlannedActivity.on_date, PlannedActivity.start_time)))
    if not activities:
        return []
    rows = [(a.on_date, a.start_time.strftime("%H:%M"), a.type_label, a.title, a.place, a.state_label)
            for a in activities]
    table = Table(("日期", "时间", "类型", "活动", "地点", "状态"), rows, (2, 1, 2, 4, 3, 1))
    return [Entry(f"{part.year} 年活动安排（计划）", start, [table], kind="plan")]


def _reports(part: Part) -> list[Entry]:
    report = db.session.scalar(select(BranchReport).where(
        BranchReport.org_id == part.org.id, BranchReport.year == part.year, BranchReport.kind == "branch"))
    if report is None:
        return []
    _, end = year_span(part.year)
    return [Entry(f"{part.year} 年度向上级党组织报告工作（总结）", china_today(report.updated_at) if report.updated_at else end,
                  [Paragraphs([p for p in report.text.splitlines() if p.strip()])], kind="report")]
