"""The points year's end (seed 004: "以一年为一个积分周期 … 年底评议—评定格次"): 民主评议 feeds the
person's one year result, the branch closes the year (年度结算) which grades and freezes it, reopening is
audited; exemptions (免于积分) are applied for by the branch and approved by the higher committee."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..members.participation import in_force_during
from ..models import Membership, Organization, PointsExemption, PointsYear, Record, User, YearResult
from ..models.base import utcnow
from ..domain_errors import Invalid, NotAllowed
from ..rules import points as rules
from .service import person_rows


def apply_evaluation(record: Record) -> None:
    """An approved 民主评议 record feeds grades typed on it into each person's one year result (unless
    frozen, or graded by the 民主评议 workflow's 组织评定, webapp/appraisal/, which then is the source)."""
    if record.type != "evaluation" or record.state != "approved" or record.current is None:
        return
    year = record.occurred_on.year
    for user_id, grade in (record.current.data.get("grades") or {}).items():
        result = year_result(int(user_id), year)
        if result.is_frozen or result.evaluation_appraisal_id is not None:
            continue
        result.evaluation_grade, result.evaluation_record_id = grade, record.id
    db.session.flush()


def year_result(user_id: int, year: int) -> YearResult:
    result = db.session.scalar(select(YearResult).where(YearResult.user_id == user_id, YearResult.year == year))
    if result is None:
        result = YearResult(user_id=user_id, year=year, note="")
        db.session.add(result)
    return result


def year_of(org: Organization, year: int) -> PointsYear | None:
    return db.session.scalar(select(PointsYear).where(PointsYear.org_id == org.id, PointsYear.year == year))


def graded_by(org: Organization, year: int) -> list[User]:
    """Whom the branch grades at its year end: its home members of the year, and members who have no
    home branch at all (non-staff members on a project)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    memberships = list(db.session.scalars(select(Membership).where(
        Membership.org_id == org.id, in_force_during(start, end)).options(selectinload(Membership.user))))
    homed = set(db.session.scalars(select(Membership.user_id).where(
        Membership.user_id.in_([m.user_id for m in memberships]), Membership.relation == "home"))) \
        if memberships else set()
    users = {}
    for membership in memberships:
        if membership.user.category in ("full", "probationary") and (
                membership.relation == "home" or membership.user_id not in homed):
            users[membership.user_id] = membership.user
    return sorted(users.values(), key=lambda u: u.name)


def close_year(org: Organization, year: int, actor: User, today: date | None = None) -> tuple[PointsYear, int]:
    """年度结算: grade the members the branch grades and freeze their year results. Audited."""
    today = today or china_today()
    if not access.manages(actor, org) or org.kind != "branch":
        raise NotAllowed("只有本支部支委可以进行年度结算")
    if year > today.year:
        raise Invalid({"year": "不能结算尚未开始的年度"})
    points_year = year_of(org, year)
    if points_year is None:
        points_year = PointsYear(org_id=org.id, year=year, reopen_reason="")
        db.session.add(points_year)
    if points_year.is_closed:
        raise Invalid({"year": f"{year} 年度已结算"})
    now = utcnow()
    rows = {uid: row for uid, row in person_rows(graded_by(org, year), year).items()
            if row.result is None or not row.result.is_frozen}  # not frozen by another branch
    for row in rows.values():
        result = row.result or year_result(row.user.id, year)
        result.org_id = org.id
        result.base, result.task, result.bonus, result.award = row.base, row.task, row.bonus, row.award
        result.total = rules.total(row.base, row.task, row.bonus, row.award)
        result.points_grade = rules.grade_for(result.total)
        if row.exemption is not None and row.exemption.state == "approved":
            result.grade, result.source, result.note = None, "exempt", row.exemption.reason
        elif row.override is not None:
            result.grade, result.source, result.note = row.override.grade, "override", row.override.reason
        elif result.evaluation_grade:
            result.grade, result.source, result.note = result.evaluation_grade, "evaluation", ""
        else:
            result.grade, result.source, result.note = result.points_grade, "points", ""
        result.frozen_at, result.frozen_by_id = now, actor.id
    points_year.closed_at, points_year.closed_by_id = now, actor.id
    db.session.flush()
    audit.record(actor, "close_points_year", "points_year", f"{org.id}-{year}", org_id=org.id,
                 summary=f"{year} 年度积分结算，评定 {len(rows)} 名党员",
                 changes={"graded": sorted(u for u in rows)})
    return points_year, len(rows)


def reopen_year(org: Organization, year: int, actor: User, reason: str) -> PointsYear:
    """Reopen a closed year (a correction): audited with the reason and the grades it unfreezes."""
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以重新打开年度")
    if not reason.strip():
        raise Invalid({"reason": "请写明重新打开年度的原因"})
    points_year = year_of(org, year)
    if points_year is None or not points_year.is_closed:
        raise Invalid({"year": f"{year} 年度尚未结算"})
    results = list(db.session.scalars(select(YearResult).where(YearResult.org_id == org.id,
                                                               YearResult.year == year)))
    before = {r.user_id: r.grade for r in results if r.is_frozen}
    for result in results:
        result.frozen_at = result.frozen_by_id = None
    points_year.closed_at = points_year.closed_by_id = None
    points_year.reopened_at, points_year.reopened_by_id = utcnow(), actor.id
    points_year.reopen_reason = reason.strip()[:500]
    db.session.flush()
    audit.record(actor, "reopen_points_year", "points_year", f"{org.id}-{year}", org_id=org.id,
                 summary=f"重新打开 {year} 年度积分：{reason.strip()[:100]}",
                 changes={"reason": reason.strip(), "grades_before": {str(k): v for k, v in before.items()}})
    return points_year


def request_exemption(org: Organization, user: User, year: int, reason: str, actor: User) -> PointsExemption:
    """The branch applies for 免于积分 for a member, with the reason (the member's wish, the situation)."""
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以申请免于积分")
    if not reason.strip():
        raise Invalid({"reason": "请写明免于积分的原因"})
    exemption = db.session.scalar(select(PointsExemption).where(PointsExemption.user_id == user.id,
                                                                PointsExemption.year == year))
    if exemption is not None and exemption.state != "rejected":
        raise Invalid({"reason": f"{user.name} {year} 年度已申请免于积分"})
    if exemption is None:
        exemption = PointsExemption(org_id=org.id, user_id=user.id, year=year, reason="", decision_note="")
        db.session.add(exemption)
    exemption.org_id, exemption.reason, exemption.state = org.id, reason.strip()[:500], "requested"
    exemption.requested_by_id, exemption.decided_by_id, exemption.decided_at = actor.id, None, None
    db.session.flush()
    audit.record(actor, "request_exemption", "points_exemption", exemption.uuid, org_id=org.id,
                 summary=f"申请 {user.name} {year} 年度免于积分", changes={"reason": exemption.reason})
    return exemption


def decide_exemption(exemption: PointsExemption, actor: User, *, approve: bool, note: str = "") -> None:
    """The higher committee (主管党组织) approves or refuses; never the one who applied."""
    org = db.session.get(Organization, exemption.org_id)
    if not (access.manages(actor, org) and any(
            root.kind in ("committee", "general_branch") and org.is_within(root)
            for root in access.managed_roots(actor))):
        raise NotAllowed("免于积分须由上级党组织审批")
    if actor.id == exemption.requested_by_id:
        raise NotAllowed("不能审批自己提出的申请")
    if exemption.state != "requested":
        raise Invalid({"state": "该申请已处理"})
    if not approve and not note.strip():
        raise Invalid({"note": "不予批准时请写明原因"})
    exemption.state = "approved" if approve else "rejected"
    exemption.decided_by_id, exemption.decided_at = actor.id, utcnow()
    exemption.decision_note = note.strip()[:500]
    db.session.flush()
    audit.record(actor, "decide_exemption", "points_exemption", exemption.uuid, org_id=org.id,
                 summary=f"{'批准' if approve else '不批准'}免于积分", changes={"state": exemption.state})


def pending_exemptions(org: Organization) -> list[PointsExemption]:
    return list(db.session.scalars(select(PointsExemption).where(
        PointsExemption.org_id == org.id, PointsExemption.state == "requested").order_by(PointsExemption.id)))
