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


def member_dues_alerts(org: Organization, today: date) -> list[DuesAlert]:
    """Members of this (home) branch with 3 or more consecutive ended months unpaid."""
    alerts = []
    for row in service.branch_year(org, today.year, today):
        level = alert_level(row.unpaid_run) if row.due_fen is not None else None
        if level:  # no base set yet: the ledger shows 设置基数, nothing can be owed
            alerts.append(DuesAlert(user=row.user, level=level, months=row.unpaid_run))
    return sorted(alerts, key=lambda a: (-a.count, a.user.name))


def alert_level(unpaid_run: list[str]) -> str | None:
    if len(unpaid_run) >= rules.DUES_ALERT_SERIOUS_MONTHS:
        return "serious"
    if len(unpaid_run) >= rules.DUES_ALERT_WARNING_MONTHS:
        return "warning"
    return None
