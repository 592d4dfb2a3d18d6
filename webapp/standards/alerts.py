"""Member alerts: who has not taken part in organizational life for 3 months (warning) or 6 months
(serious: the 自行脱党 threshold). Leave with a reason is not a miss: it keeps the member in touch."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from ..extensions import db
from ..models import Attendance, Organization, Record
from ..rules.standards import ALERT_SERIOUS_MONTHS, ALERT_WARNING_MONTHS
from .structure import members_on


@dataclass
class Alert:
    user: object
    level: str  # warning / serious
    months: int
    since: date
    last_attended: Record | None


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def member_alerts(org: Organization, today: date) -> list[Alert]:
    members = members_on(org, today)
    ids = [m.user_id for m in members]
    if not ids:
        return []
    approved = (Record.approved_version.is_not(None)) & (Record.org_id == org.id)
    # The last approved activity each member attended, or was excused from with a reason.
    in_touch = dict(db.session.execute(
        select(Attendance.user_id, func.max(Record.occurred_on)).join(Record, Attendance.record_id == Record.id)
        .where(approved, Attendance.user_id.in_(ids),
               (Attendance.status == "present") | ((Attendance.status == "leave") & (Attendance.reason != "")))
        .group_by(Attendance.user_id)).all())
    last_present = {}
    for user_id, record in db.session.execute(
            select(Attendance.user_id, Record).join(Record, Attendance.record_id == Record.id)
            .where(approved, Attendance.user_id.in_(ids), Attendance.status == "present")
            .order_by(Record.occurred_on)).all():
        last_present[user_id] = record
    alerts = []
    for membership in members:
        since = in_touch.get(membership.user_id) or membership.joined_on or today
        months = _months_between(since, today)
        if months >= ALERT_WARNING_MONTHS:
            alerts.append(Alert(user=membership.user, level="serious" if months >= ALERT_SERIOUS_MONTHS else "warning",
                                months=months, since=since, last_attended=last_present.get(membership.user_id)))
    return sorted(alerts, key=lambda a: (-a.months, a.user.name))
