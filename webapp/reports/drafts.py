"""报告工作 (seed 003 "4.报告工作制度": "各党支部每年至少向上级党组织就全面工作进行一次汇报,可与支部书记述职
评议结合进行。支委会或支部书记每年年终向党员大会报告工作"): the branch's report to the higher committee and the
secretary's report (书记述职), drafted with the year's figures, then edited and saved by the committee."""
from __future__ import annotations

from sqlalchemy import select

from .. import access, audit
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import BranchReport, Organization, User
from ..nul_text import without_nul
from .figures import YearFigures, year_figures

KINDS = {"branch": "向上级党组织报告工作", "secretary": "支部书记述职报告"}
TEXT_MAX = 50000


def figures_paragraph(f: YearFigures) -> str:
    meetings = "，".join(f"{label} {n} 次" for label, n in f.meetings.items()) or "尚无审核通过的活动记录"
    parts = [f"{f.year} 年，支部共有党员 {f.members} 名。全年开展组织生活：{meetings}。"]
    if f.attendance_percent is not None:
        parts.append(f"党员参加组织生活 {f.present} 人次，出席率 {f.attendance_percent}%。")
    if f.points_average is not None:
        parts.append(f"党员积分人均 {f.points_average} 分" + (
            "，评定" + "、".join(f"{label} {n} 名" for label, n in f.grades.items()) if f.grades else "") + "。")
    parts.append(f"查找问题 {f.problems_total} 个，已整改销号 {f.problems_closed} 个" + (
        f"，{f.problems_total - f.problems_closed} 个正在整改。" if f.problems_total > f.problems_closed else "。"))
    return "".join(parts)


def draft(org: Organization, year: int, kind: str) -> str:
    figures = figures_paragraph(year_figures(org, year))
    if kind == "secretary":
        return (f"{org.name}支部书记 {year} 年度抓党建工作述职报告\n\n一、履行抓党建工作职责情况\n{figures}\n\n"
                "二、存在的问题和不足\n\n三、下一步工作打算\n")
    return (f"{org.name} {year} 年度工作报告\n\n一、全年工作情况\n{figures}\n\n二、主要做法和成效\n\n"
            "三、存在的问题\n\n四、下一年度工作计划\n")


def report_of(org: Organization, year: int, kind: str) -> BranchReport | None:
    return db.session.scalar(select(BranchReport).where(BranchReport.org_id == org.id, BranchReport.year == year,
                                                        BranchReport.kind == kind))


def save(org: Organization, year: int, kind: str, text: str, actor: User) -> BranchReport:
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以编写报告")
    if kind not in KINDS:
        raise Invalid({"kind": "报告类型无效"})
    text = without_nul(str(text or "")).strip()
    if not text:
        raise Invalid({"text": "请填写报告内容"})
    if len(text) > TEXT_MAX:
        raise Invalid({"text": f"报告不能超过 {TEXT_MAX} 字"})
    report = report_of(org, year, kind)
    if report is None:
        report = BranchReport(org_id=org.id, year=year, kind=kind, text=text)
        db.session.add(report)
    report.text, report.updated_by_id = text, actor.id
    db.session.flush()
    audit.record(actor, "save_branch_report", "branch_report", report.uuid, org_id=org.id,
                 summary=f"保存 {year} 年度{KINDS[kind]}")
    return report
