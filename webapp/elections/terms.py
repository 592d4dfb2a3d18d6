"""The committee's term: when re-election is due, and the reminders before and after its end
(issue 22: "6 months and 3 months ahead, monthly once overdue"; seed 003: "届满按时改选")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..models import Organization
from ..rules.branch_year import TERM_REMINDER_MONTHS_AHEAD


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months (the last day of a shorter month when the day does not exist)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


@dataclass(frozen=True)
class TermReminder:
    stage: str  # "6m" / "3m" / "overdue-N" (N whole months since the end): one reminder per stage
    text: str
    overdue: bool


def term_reminder(org: Organization, today: date) -> TermReminder | None:
    """The reminder due for the branch's committee term on ``today``, or None."""
    end = org.committee_term_end
    if end is None or org.kind != "branch" or org.is_closed:
        return None
    if today > end:
        months = (today.year - end.year) * 12 + today.month - end.month - (1 if today.day <= end.day else 0)
        months = max(months, 0)
        return TermReminder(f"overdue-{months}", f"{org.name}支委会任期已于 {end:%Y-%m-%d} 届满，请尽快换届"
                                                 "（确需延期须报上级党组织批准，延期不超过 1 年）", True)
    for ahead in sorted(TERM_REMINDER_MONTHS_AHEAD):
        if today >= add_months(end, -ahead):
            return TermReminder(f"{ahead}m", f"{org.name}支委会任期将于 {end:%Y-%m-%d} 届满（不足 {ahead} 个月），"
                                             "请做好换届准备", False)
    return None
