"""Member alerts: who has not taken part in organizational life for 3 months (warning) or 6 months
(serious: the 自行脱党 threshold). Leave with a reason is not a miss: it keeps the member in touch.

Per person, across branches: a member who takes part only in a temporary branch's activities is in
touch at home too (``members.participation``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..members import participation
from ..members.participation import Took
from ..models import Organization
from ..rules.attendance import SITTING_IN_CATEGORIES
from ..rules.standards import ALERT_SERIOUS_MONTHS, ALERT_WARNING_MONTHS
from .structure import members_on


@dataclass
class Alert:
    user: object
    level: str  # warning / serious
    months: int
    since: date
    last_attended: Took | None


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def member_alerts(org: Organization, today: date) -> list[Alert]:
    # Activists are not party members: they sit in (列席) and are never absent, so never 自行脱党.
    members = [m for m in members_on(org, today) if m.user.category not in SITTING_IN_CATEGORIES]
    ids = [m.user_id for m in members]
    if not ids:
        return []
    in_touch = participation.last_in_touch(ids)
    last_present = participation.last_present(ids)
    alerts = []
    for membership in members:
        touch = in_touch.get(membership.user_id)
        since = touch.occurred_on if touch else (membership.joined_on or today)
        months = _months_between(since, today)
        if months >= ALERT_WARNING_MONTHS:
            alerts.append(Alert(user=membership.user, level="serious" if months >= ALERT_SERIOUS_MONTHS else "warning",
                                months=months, since=since, last_attended=last_present.get(membership.user_id)))
    return sorted(alerts, key=lambda a: (-a.months, a.user.name))
