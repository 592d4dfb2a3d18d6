"""志愿服务: hours recorded per activity and per member (seed 004: "详实记录并展示每位党员 … 的公益情况和公益
时间"). No points rule counts volunteering hours, so they feed no points (a rule that did would read them
here, never a second entry)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from .. import access, audit
from ..china_time import china_today
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import Membership, Organization, User, VolunteerHours
from ..nul_text import without_nul

MINUTES_MAX = 24 * 60


def record(org: Organization, actor: User, activity: str, served_on: date, minutes_by_user: dict[int, int],
           today: date | None = None) -> int:
    """One activity: each member's minutes of service."""
    today = today or china_today()
    if not access.manages(actor, org):
        raise NotAllowed("只有本支部支委可以登记志愿服务时长")
    activity = without_nul(str(activity or "")).strip()
    errors = {}
    if not activity or len(activity) > 200:
        errors["activity"] = "请填写活动名称（200 字以内）"
    if served_on > today:
        errors["served_on"] = "服务日期不能晚于今天"
    members = set(db.session.scalars(select(Membership.user_id).where(Membership.org_id == org.id)))
    if not minutes_by_user or not set(minutes_by_user) <= members:
        errors["minutes"] = "请填写本支部人员的服务时长"
    elif any(not 0 < m <= MINUTES_MAX for m in minutes_by_user.values()):
        errors["minutes"] = "每人服务时长应在 1 分钟至 24 小时之间"
    if errors:
        raise Invalid(errors)
    for user_id, minutes in minutes_by_user.items():
        db.session.add(VolunteerHours(org_id=org.id, user_id=user_id, activity=activity, served_on=served_on,
                                      minutes=minutes, created_by_id=actor.id))
    db.session.flush()
    audit.record(actor, "record_volunteer_hours", "organization", org.id, org_id=org.id,
                 summary=f"登记志愿服务：{activity}（{len(minutes_by_user)} 人）")
    return len(minutes_by_user)


def totals(org: Organization, year: int) -> dict[int, int]:
    """Minutes per member over the year."""
    return dict(db.session.execute(select(VolunteerHours.user_id, func.sum(VolunteerHours.minutes)).where(
        VolunteerHours.org_id == org.id, VolunteerHours.served_on.between(date(year, 1, 1), date(year, 12, 31)))
        .group_by(VolunteerHours.user_id)).all())


def activities(org: Organization, year: int) -> list[VolunteerHours]:
    return list(db.session.scalars(select(VolunteerHours).where(
        VolunteerHours.org_id == org.id, VolunteerHours.served_on.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(VolunteerHours.served_on, VolunteerHours.id)))
