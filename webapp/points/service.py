"""Points (积分制): attendance feeds task points automatically; other items are applied for, reviewed by
the committee, decided, and published. Every change is a ledger line with who and why."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select

from .. import access, audit
from ..china_time import china_today
from ..extensions import db
from ..models import Membership, Organization, PointsApplication, PointsGradeOverride, PointsLine, Record, User
from ..records import photo_access
from ..records.errors import NotAllowed, RecordInvalid
from ..records.validation import SHA256
from ..rules import points as rules
from ..standards.rule_book import attendance_points


def apply_attendance(record: Record) -> None:
    """Task points for those present at an approved record, a deduction for unexcused absence.

    Idempotent per record and member: re-approval after a correction replaces the record's lines, so a
    person removed by the correction loses theirs and nobody is counted twice.
    """
    db.session.execute(delete(PointsLine).where(PointsLine.record_id == record.id))
    if record.state != "approved" or record.merged_into_id is not None \
            or record.type not in rules.ATTENDANCE_TASK_POINTS:
        db.session.flush()
        return
    year, month = record.occurred_on.year, record.occurred_on.month
    gained = dict(db.session.execute(
        select(PointsLine.user_id, func.coalesce(func.sum(PointsLine.delta), 0)).where(
            PointsLine.org_id == record.org_id, PointsLine.year == year, PointsLine.month == month,
            PointsLine.bucket == "task", PointsLine.record_id.is_not(None)).group_by(PointsLine.user_id)).all())
    # The points rules in force for the branch on the day (a higher committee may adjust them).
    in_force = attendance_points(record.org_id, record.type, record.occurred_on)
    award = in_force.award
    for attendance in record.attendances:
        if attendance.status == "present":
            delta = max(0, min(award, in_force.monthly_cap - gained.get(attendance.user_id, 0)))
            bucket, reason = "task", f"参加{record.type_label}（{record.occurred_on:%m月%d日}）"
        elif attendance.status == "absent":
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
    user: User
    base: int = 0
    task: int = 0
    bonus: int = 0
    override: PointsGradeOverride | None = None
    lines: list[PointsLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return rules.total(self.base, self.task, self.bonus)

    @property
    def grade(self) -> str:
        return self.override.grade if self.override else rules.grade_for(self.total)

    @property
    def grade_label(self) -> str:
        return rules.GRADE_LABELS[self.grade]


def branch_table(org: Organization, year: int, until_month: int | None = None,
                 user_id: int | None = None) -> list[MemberPoints]:
    """The branch's points table for the year (or one member's row)."""
    members_query = select(Membership).where(Membership.org_id == org.id, Membership.active.is_(True))
    query = select(PointsLine).where(PointsLine.org_id == org.id, PointsLine.year == year)
    if user_id is not None:
        members_query = members_query.where(Membership.user_id == user_id)
        query = query.where(PointsLine.user_id == user_id)
    rows = {m.user_id: MemberPoints(user=m.user) for m in db.session.scalars(members_query)}
    if until_month:
        query = query.where(PointsLine.month <= until_month)
    for line in db.session.scalars(query.order_by(PointsLine.month, PointsLine.id)):
        row = rows.get(line.user_id)
        if row is None:
            continue
        setattr(row, line.bucket, getattr(row, line.bucket) + line.delta)
        row.lines.append(line)
    for override in db.session.scalars(select(PointsGradeOverride).where(
            PointsGradeOverride.org_id == org.id, PointsGradeOverride.year == year)):
        if override.user_id in rows:
            rows[override.user_id].override = override
    return sorted(rows.values(), key=lambda r: r.user.name)


def member_points(user: User, year: int) -> list[tuple[Organization, MemberPoints]]:
    result = []
    for membership in access.active_memberships(user):
        if membership.org.kind == "branch":
            rows = branch_table(membership.org, year, user_id=user.id)
            if rows:
                result.append((membership.org, rows[0]))
    return result


def apply(org: Organization, user: User, data: dict) -> PointsApplication:
    if not any(m.org_id == org.id for m in access.active_memberships(user)):
        raise NotAllowed("只能在自己所在的支部申请积分")
    errors = {}
    bucket = data.get("bucket")
    if bucket not in ("task", "bonus"):
        errors["bucket"] = "请选择任务分或奖励分"
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
        raise RecordInvalid(errors)
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
        raise RecordInvalid({"state": "该申请已处理"})
    if not accept and not note.strip():
        raise RecordInvalid({"note": "不予认定时请写明原因"})
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
        raise RecordInvalid({"reason": "请写明直接认定为不合格的原因"})
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
