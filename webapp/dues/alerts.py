"""自行脱党 by dues: members who have paid nothing for 3 months (warning) or 6 months (serious).

Seed 003: "连续六个月 … 不交纳党费 … 按自行脱党处理". Counted over whole months that have ended, in the
member's home ledger, as one continuous sequence (a year end does not reset it). Activists owe nothing
and are never alerted. Listed beside the non-participation alerts (standards/alerts.html).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models import Organization, User
from ..rules import dues as rules
from . import service


@dataclass
class DuesAlert:
    user: User
    level: str  # warning / serious
    months: list[str]  # the unpaid months, oldest first

    @property
    def count(self) -> int:
        return len(self.months)


def last_ended_month(today: date) -> str:
    """The last month that has ended: its dues were due and are now missed if unpaid."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


def member_dues_alerts(org: Organization, today: date) -> list[DuesAlert]:
    """Members of this (home) branch with 3 or more consecutive ended months unpaid."""
    last = last_ended_month(today)
    alerts = []
    for row in service.branch_year(org, today.year, today):
        if row.due_fen is None:
            continue  # no base set yet: the ledger shows 设置基数, nothing can be owed
        paid = {m for m in service.months_between(row.start_month, last) if m not in row.arrears}
        streak = service.unpaid_streak(paid, row.start_month, last)
        if len(streak) >= rules.DUES_ALERT_WARNING_MONTHS:
            level = "serious" if len(streak) >= rules.DUES_ALERT_SERIOUS_MONTHS else "warning"
            alerts.append(DuesAlert(user=row.user, level=level, months=streak))
    return sorted(alerts, key=lambda a: (-a.count, a.user.name))
