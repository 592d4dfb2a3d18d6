"""Points (积分制): attendance feeds task points automatically; other items are applied for, reviewed by
the committee, decided, and published. Every change is a ledger line with who and why."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..models import (
    Membership, Organization, PointsApplication, PointsExemption, PointsGradeOverride, PointsLine, Record, User,
    YearResult,
)
from ..records import photo_access
from ..records.expected import expected_at
from ..domain_errors import Invalid, NotAllowed
from ..records.validation import SHA256
from ..rules import points as rules
from ..standards.rule_book import attendance_points


def apply_attendance(record: Record) -> None:
    """Task points for those present at an approved record, a deduction for unexcused absence of
    those expected (``records.expected``): activists and others sitting in never lose points.

    Idempotent per record and member: re-approval after a correction replaces the record's lines, so a
    person removed by the correction loses theirs and nobody is counted twice. The monthly task cap is
    the person's, across every branch they take part in.
    """
    db.session.execute(delete(PointsLine).where(PointsLine.record_id == record.id))
    if record.state != "approved" or record.merged_into_id is not None \
            or record.type not in rules.ATTENDANCE_TASK_POINTS:
        db.session.flush()
        return
    year, month = record.occurred_on.year, record.occurred_on.month
    people = [a.user_id for a in record.attendances]
    gained = dict(db.session.execute(
        select(PointsLine.user_id, func.coalesce(func.sum(PointsLine.delta), 0)).where(
            PointsLine.user_id.in_(people), PointsLine.year == year, PointsLine.month == month,
            PointsLine.bucket == "task", PointsLine.record_id.is_not(None)).group_by(PointsLine.user_id)).all()) \
        if people else {}
    expected = expected_at(record).expected_ids
    # The points rules in force for the branch on the day (a higher committee may adjust them).
    in_force = attendance_points(record.org_id, record.type, record.occurred_on)
    award = in_force.award
    for attendance in record.attendances:
        if attendance.status == "present":
            delta = max(0, min(award, in_force.monthly_cap - gained.get(attendance.user_id, 0)))
            bucket, reason = "task", f"参加{record.type_label}（{record.occurred_on:%m月%d日}）"
        elif attendance.status == "absent" and attendance.user_id in expected:
            delta, bucket = -in_force.deduction, "base"
            reason = f"无故缺席{record.type_label}（{record.occurred_on:%m月%d日}）"
        else:
            continue
        db.session.add(PointsLine(org_id=record.org_id, user_id=attendance.user_id, year=year, month=month,
                                  bucket=bucket, delta=delta, reason=reason, record_id=record.id,
                                  created_by_id=record.approved_by_id))
    db.session.flush()


@dataclass
class MemberPoints:
    """One person's year: every branch's lines together (one total across branches)."""
    user: User
    base: int = 0
    task: int = 0
    bonus: int = 0
    award: int = 0
    override: PointsGradeOverride | None = None
    exemption: PointsExemption | None = None
    result: YearResult | None = None
    lines: list[PointsLine] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return self.result is not None and self.result.is_frozen

    @property
    def exempt(self) -> bool:
        if self.frozen:
            return self.result.source == "exempt"
        return self.exemption is not None and self.exemption.state == "approved"

    @property
    def total(self) -> int:
        if self.frozen and self.result.total is not None:
            return self.result.total
        return rules.total(self.base, self.task, self.bonus, self.award)

    @property
    def grade(self) -> str | None:
        """The year's grade: only once the year is closed (or for a disciplinary case, directly)."""
        if self.frozen:
            return self.result.grade
        if self.exempt:
            return None
        return self.override.grade if self.override else None

    @property
    def grade_label(self) -> str:
        if self.exempt:
            return rules.EXEMPT_LABEL
        grade = self.grade
        return rules.GRADE_LABELS[grade] if grade else rules.SO_FAR_LABEL

    @property
    def source_label(self) -> str:
        if self.frozen:
            return rules.RESULT_SOURCES.get(self.result.source or "", "")
        if self.exempt:
            return rules.RESULT_SOURCES["exempt"]
        return rules.RESULT_SOURCES["override"] if self.override else ""

    def elsewhere(self, org_id: int) -> list[tuple[PointsLine, str]]:
        """Lines earned in other branches, as another branch may see them: an activity's type and date
        (the line's reason), an application only as such — never its note."""
        return [(line, line.reason if line.application_id is None else f"申请认定{rules.BUCKETS[line.bucket]}")
                for line in self.lines if line.org_id != org_id]


def person_rows(users: list[User], year: int, until_month: int | None = None) -> dict[int, MemberPoints]:
    """Each person's points for the year across every branch, with their year result."""
    rows = {u.id: MemberPoints(user=u) for u in users}
    ids = list(rows)
    if not ids:
        return rows
    query = (select(PointsLine).where(PointsLine.user_id.in_(ids), PointsLine.year == year)
             .options(selectinload(PointsLine.org)).order_by(PointsLine.month, PointsLine.id))
    if until_month:
        query = query.where(PointsLine.month <= until_month)
    for line in db.session.scalars(query):
        row = rows[line.user_id]
        bucket = line.bucket if line.bucket in ("base", "task", "bonus", "award") else "bonus"
        setattr(row, bucket, getattr(row, bucket) + line.delta)
        row.lines.append(line)
    for override in db.session.scalars(select(PointsGradeOverride).where(
            PointsGradeOverride.user_id.in_(ids), PointsGradeOverride.year == year)):
        rows[override.user_id].override = override
    for exemption in db.session.scalars(select(PointsExemption).where(
            PointsExemption.user_id.in_(ids), PointsExemption.year == year)):
        rows[exemption.user_id].exemption = exemption
    for result in db.session.scalars(select(YearResult).where(YearResult.user_id.in_(ids),
                                                              YearResult.year == year)):
        rows[result.user_id].result = result
    return rows


def branch_table(org: Organization, year: int, until_month: int | None = None,
                 user_id: int | None = None) -> list[MemberPoints]:
    """The branch's points table for the year (or one member's row): each member's whole year, from
    every branch they take part in."""
    members_query = select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True))
    if user_id is not None:
        members_query = members_query.where(Membership.user_id == user_id)
    users = [m.user for m in db.session.scalars(members_query.options(selectinload(Membership.user)))]
    rows = person_rows(users, year, until_month)
    return sorted(rows.values(), key=lambda r: r.user.name)


def member_points(user: User, year: int) -> MemberPoints:
    """My points: one total across my home and temporary branches."""
    return person_rows([user], year)[user.id]


def apply(org: Organization, user: User, data: dict) -> PointsApplication:
    if not any(m.org_id == org.id for m in access.active_memberships(user)):
        raise NotAllowed("只能在自己所在的支部申请积分")
    errors = {}
    bucket = data.get("bucket")
    if bucket not in rules.APPLICATION_BUCKETS:
        errors["bucket"] = "请选择任务分、奖励分或县级以上表彰加分"
    try:
        points = int(str(data.get("points") or ""))
        if not 1 <= points <= rules.APPLICATION_MAX_POINTS:
            raise ValueError
    except ValueError:
        points = 0
        errors["points"] = f"申请分值应为 1–{rules.APPLICATION_MAX_POINTS} 分"
    note = str(data.get("note") or "").strip()
    if not note:
        errors["note"] = "请写明申请积分的事项"
    photo = str(data.get("photo_sha256") or "").strip().lower() or None
    if photo and not SHA256.match(photo):
        errors["photo_sha256"] = "照片标识无效"
    elif photo and photo_access.refused(user, [photo]):
        errors["photo_sha256"] = photo_access.REFUSED_MESSAGE
    if errors:
        raise Invalid(errors)
    today = china_today()
    application = PointsApplication(org_id=org.id, user_id=user.id, year=today.year, month=today.month,
                                    bucket=bucket, points=points, note=note[:2000], photo_sha256=photo)
    db.session.add(application)
    db.session.flush()
    audit.record(user, "apply_points", "points_application", application.uuid, org_id=org.id,
                 summary=f"申请{rules.BUCKETS[bucket]} {points} 分")
    return application


def review(application: PointsApplication, actor: User, *, accept: bool, note: str = "") -> None:
    """Committee first review (支委会初评), then the decision (党员大会评定) by the committee."""
    org = db.session.get(Organization, application.org_id)
    if not access.manages(actor, org):
        raise NotAllowed("只有支委可以审核积分申请")
    if actor.id == application.user_id:
        raise NotAllowed("不能审核自己的积分申请")
    if application.state not in ("applied", "reviewed"):
        raise Invalid({"state": "该申请已处理"})
    if not accept and not note.strip():
        raise Invalid({"note": "不予认定时请写明原因"})
    step = "初评" if application.state == "applied" else "评定"
    if not accept:
        application.state = "rejected"
    elif application.state == "applied":
        application.state = "reviewed"
    else:
        application.state = "approved"
    if step == "初评":
        application.reviewed_by_id, application.review_note = actor.id, note.strip()
    else:
        application.decided_by_id, application.decision_note = actor.id, note.strip()
    if application.state == "approved":
        db.session.add(PointsLine(org_id=org.id, user_id=application.user_id, year=application.year,
                                  month=application.month, bucket=application.bucket, delta=application.points,
                                  reason=f"申请认定：{application.note[:150]}", application_id=application.id,
                                  created_by_id=actor.id))
    db.session.flush()
    audit.record(actor, "review_points", "points_application", application.uuid, org_id=org.id,
                 summary=f"积分申请{step}：{'通过' if accept else '不予认定'}", changes={"state": application.state})


def set_unqualified(org: Organization, user: User, year: int, reason: str, actor: User) -> PointsGradeOverride:
    """A disciplinary case is graded 不合格 directly (seed 004), with a reason; audited."""
    if not access.manages(actor, org):
        raise NotAllowed("只有支委可以认定等次")
    if not reason.strip():
        raise Invalid({"reason": "请写明直接认定为不合格的原因"})
    override = db.session.scalar(select(PointsGradeOverride).where(
        PointsGradeOverride.org_id == org.id, PointsGradeOverride.user_id == user.id,
        PointsGradeOverride.year == year))
    if override is None:
        override = PointsGradeOverride(org_id=org.id, user_id=user.id, year=year, grade="unqualified", reason="")
        db.session.add(override)
    override.reason, override.set_by_id = reason.strip()[:500], actor.id
    db.session.flush()
    audit.record(actor, "set_grade", "points_grade", f"{org.id}-{user.id}-{year}", org_id=org.id,
                 summary=f"直接认定 {user.name} {year} 年度为不合格", changes={"reason": reason.strip()})
    return override


def pending_applications(org: Organization) -> list[PointsApplication]:
    return list(db.session.scalars(select(PointsApplication).where(
        PointsApplication.org_id == org.id, PointsApplication.state.in_(("applied", "reviewed")))
        .order_by(PointsApplication.id)))


def monthly_by_member(rows: list[MemberPoints]) -> dict[int, dict[int, int]]:
    table: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for line in row.lines:
            table[row.user.id][line.month] += line.delta
    return table
