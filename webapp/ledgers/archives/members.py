"""党员管理档案: roster, transfers of the formal relation and 流动党员, the dues ledger, development files,
评先推优 (the year's results), members in hardship, and the handover reports of closed temporary
branches. The roster is the one place a member's phone number is printed."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...china_time import china_today
from ...extensions import db
from ...models import (DevelopmentStep, DuesPayment, FlowingMember, HandoverReport, HardshipCase,
                       MembershipTransfer, Organization, User, YearResult)
from ...rules.development import STEPS
from ...rules.life import EVALUATION_GRADES
from ...rules.mobility import FLOWING_DIRECTIONS, TRANSFER_KINDS
from ...rules.organization import GENDERS, MEMBER_CATEGORIES
from ...rules.points import GRADE_LABELS
from .common import Part, memberships, yuan
from .model import Archive, Entry, Table

KEY, TITLE = "members", "党员管理档案"
SOURCE = ("存放党员花名册、党员组织关系转接材料、党费收缴票据及台账、发展党员相关资料、评先推优资料、困难党员台账、"
          "其它党员管理相关资料。上述资料应建立目录,每年合订一次。")
STEP_LABELS = {step["key"]: step["label"] for step in STEPS}
GRADE_SOURCES = {"points": "积分", "evaluation": "民主评议", "override": "支委会认定", "exempt": "免于积分"}


def build(org: Organization, year: int, *, only: frozenset[int] | None = None) -> Archive:
    part = Part(org, year, only)
    entries = [*_roster(part), *_transfers(part), *_flowing(part), *_dues(part), *_development(part),
               *_results(part), *_hardship(part), *_handovers(part)]
    return Archive(KEY, TITLE, SOURCE, entries)


def _roster(part: Part) -> list[Entry]:
    rows = []
    for index, m in enumerate(memberships(part), start=1):
        u = m.user
        rows.append((index, u.name, GENDERS.get(u.gender or "", ""), u.birth_date,
                     MEMBER_CATEGORIES.get(u.category or "", ""), u.join_date, m.relation_label, m.title_label,
                     u.post or "", u.phone or "", m.joined_on, m.left_on))
    if not rows:
        return []
    table = Table(("序号", "姓名", "性别", "出生日期", "人员类别", "入党日期", "组织关系", "职务", "工作岗位",
                   "手机号", "加入本支部", "离开本支部"), rows, (1, 2, 1, 2, 2, 2, 2, 2, 3, 3, 2, 2))
    return [Entry("党员花名册", None, [table], kind="roster")]


def _transfers(part: Part) -> list[Entry]:
    start, end = part.span
    org_id = part.org.id
    transfers = [t for t in db.session.scalars(
        select(MembershipTransfer).where(or_(MembershipTransfer.from_org_id == org_id,
                                             MembershipTransfer.to_org_id == org_id),
                                         MembershipTransfer.issued_on.between(start, end))
        .order_by(MembershipTransfer.issued_on, MembershipTransfer.id)) if part.keeps(t.user_id)]
    if not transfers:
        return []
    today = china_today()
    rows = [(t.user.name, TRANSFER_KINDS.get(t.kind, t.kind), "转出" if t.from_org_id == org_id else "转入",
             t.from_org.name if t.from_org else t.outside_name if t.kind == "incoming" else "",
             t.to_org.name if t.to_org else t.outside_name if t.kind == "outgoing" else "",
             t.letter_number, t.issued_on, t.state_label_on(today), t.decided_on) for t in transfers]
    table = Table(("姓名", "类型", "方向", "转出组织", "转入组织", "介绍信编号", "开具日期", "状态", "办结日期"), rows,
                  (2, 3, 1, 3, 3, 2, 2, 2, 2))
    return [Entry("党员组织关系转接", transfers[0].issued_on, [table], kind="transfers")]


def _flowing(part: Part) -> list[Entry]:
    """流动党员 away from this branch or taking part here during the year (no contact phone: the
    registry keeps it for the secretary, the bound archive does not need it)."""
    start, end = part.span
    org_id = part.org.id
    entries = [f for f in db.session.scalars(
        select(FlowingMember).where(or_(FlowingMember.home_org_id == org_id, FlowingMember.receiving_org_id == org_id),
                                    FlowingMember.from_date <= end,
                                    or_(FlowingMember.returned_on.is_(None), FlowingMember.returned_on >= start))
        .order_by(FlowingMember.from_date, FlowingMember.id)) if part.keeps(f.user_id)]
    if not entries:
        return []
    rows = [(f.user.name, FLOWING_DIRECTIONS.get(f.direction, f.direction),
             f.destination or f.receiving_label if f.direction == "outflow" else f.home_label,
             f.reason, f.card_number, f.from_date, f.returned_on or f.until_date, f.state_label) for f in entries]
    table = Table(("姓名", "流向", "外出地点 / 原组织", "原因", "流动党员活动证", "外出日期", "返回日期", "状态"), rows,
                  (2, 3, 4, 3, 2, 2, 2, 1))
    return [Entry("流动党员台账", entries[0].from_date, [table], kind="flowing")]


def _dues(part: Part) -> list[Entry]:
    months = [f"{part.year:04d}-{m:02d}" for m in range(1, 13)]
    payments = list(db.session.scalars(
        select(DuesPayment).where(DuesPayment.org_id == part.org.id, DuesPayment.month.in_(months))
        .options(selectinload(DuesPayment.user))))
    payments = [p for p in payments if part.keeps(p.user_id)]
    if not payments:
        return []
    by_person: dict[int, dict[str, int]] = {}
    people: dict[int, User] = {}
    for p in payments:
        by_person.setdefault(p.user_id, {})[p.month] = p.amount_fen
        people[p.user_id] = p.user
    rows = []
    for user_id in sorted(by_person, key=lambda i: (people[i].name, i)):
        paid = by_person[user_id]
        rows.append((people[user_id].name, *[yuan(paid[m]) if m in paid else None for m in months],
                     yuan(sum(paid.values()))))
    rows.append(("合计", *[yuan(sum(b.get(m, 0) for b in by_person.values())) for m in months],
                 yuan(sum(p.amount_fen for p in payments))))
    headers = ("姓名", *[f"{m}月" for m in range(1, 13)], "合计（元）")
    return [Entry(f"{part.year} 年党费收缴台账（元）", None, [Table(headers, rows, (2,) + (1,) * 12 + (2,))],
                  kind="dues")]


def _development(part: Part) -> list[Entry]:
    """The development steps recorded in this branch during the year, each person's in order."""
    start, end = part.span
    steps = [s for s in db.session.scalars(
        select(DevelopmentStep).where(DevelopmentStep.org_id == part.org.id, DevelopmentStep.done_on.between(start, end))
        .options(selectinload(DevelopmentStep.file)).order_by(DevelopmentStep.done_on, DevelopmentStep.id))
        if part.keeps(s.file.user_id)]
    if not steps:
        return []
    rows = [(s.file.user.name, STEP_LABELS.get(s.step, s.step), s.done_on, s.note) for s in steps]
    rows.sort(key=lambda r: (r[0], r[2]))
    table = Table(("姓名", "发展步骤", "日期", "说明"), rows, (2, 5, 2, 4))
    return [Entry("发展党员工作记录", steps[0].done_on, [table], kind="development")]


def _results(part: Part) -> list[Entry]:
    """评先推优资料: each member's year result (points, 民主评议 grade, the grade kept), the ground on
    which the branch recommends for awards (seed 004: the top 20% by points are considered first)."""
    results = [r for r in db.session.scalars(
        select(YearResult).where(YearResult.org_id == part.org.id, YearResult.year == part.year))
        if part.keeps(r.user_id)]
    if not results:
        return []
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_([r.user_id for r in results]))).all())
    results.sort(key=lambda r: (-(r.total or 0), names.get(r.user_id, "")))
    rows = [(names.get(r.user_id, ""), r.total, GRADE_LABELS.get(r.points_grade or "", r.points_grade or ""),
             EVALUATION_GRADES.get(r.evaluation_grade or "", r.evaluation_grade or ""),
             EVALUATION_GRADES.get(r.grade or "", GRADE_LABELS.get(r.grade or "", r.grade or "")),
             GRADE_SOURCES.get(r.source or "", r.source or ""), r.note) for r in results]
    table = Table(("姓名", "年度积分", "积分等次", "民主评议等次", "年度等次", "等次来源", "说明"), rows,
                  (2, 1, 2, 2, 2, 2, 4))
    return [Entry(f"{part.year} 年度党员评定结果（评先推优）", None, [table], kind="results")]


def _hardship(part: Part) -> list[Entry]:
    start, end = part.span
    cases = [c for c in db.session.scalars(
        select(HardshipCase).where(HardshipCase.org_id == part.org.id, HardshipCase.since <= end,
                                   or_(HardshipCase.closed_on.is_(None), HardshipCase.closed_on >= start))
        .options(selectinload(HardshipCase.visits)).order_by(HardshipCase.since, HardshipCase.id))
        if part.keeps(c.user_id)]
    if not cases:
        return []
    rows = [(c.user.name, c.situation, c.since, c.closed_on) for c in cases]
    visits = [(c.user.name, v.visited_on, v.visitors, v.help_given, yuan(v.amount_fen))
              for c in cases for v in c.visits if start <= v.visited_on <= end]
    blocks = [Table(("姓名", "困难情况", "列入日期", "解除日期"), rows, (2, 6, 2, 2))]
    if visits:
        blocks.append(Table(("姓名", "走访日期", "走访人", "帮扶内容", "金额（元）"), visits, (2, 2, 3, 5, 2)))
    return [Entry("困难党员台账", None, blocks, kind="hardship")]


def _handovers(part: Part) -> list[Entry]:
    """A closed temporary branch's report per member: filed by the home branch that received it and by
    the temporary branch that wrote it."""
    start, end = part.span
    org_id = part.org.id
    reports = [r for r in db.session.scalars(
        select(HandoverReport).where(or_(HandoverReport.home_org_id == org_id, HandoverReport.org_id == org_id),
                                     HandoverReport.closed_on.between(start, end))
        .order_by(HandoverReport.closed_on, HandoverReport.id)) if part.keeps(r.user_id)]
    if not reports:
        return []
    rows = [(r.user.name, r.org.name, r.home_org.name if r.home_org else r.home_org_name, r.closed_on,
             int(r.content.get("present") or 0), int(r.content.get("excused") or 0), int(r.content.get("points") or 0),
             len(r.content.get("study") or [])) for r in reports]
    table = Table(("姓名", "临时党支部", "正式组织关系所在支部", "撤销日期", "出席（次）", "请假（次）", "积分", "学习笔记（篇）"),
                  rows, (2, 4, 4, 2, 1, 1, 1, 1))
    return [Entry("临时党支部党员表现移交报告", reports[0].closed_on, [table], kind="handover")]
