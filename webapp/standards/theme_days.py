"""Where theme days (主题党日) are checked: one function per question, used by record saving
(``records/validation.py``, ``records/service.py``), the dues entered at a theme day
(``dues/theme_day.py``), the monthly counts behind the checklist and the dashboard (``summaries.py``,
``checklist.py``, ``dashboard.py``) and the secretaries' weekly reminder (``push/scheduler.py``).

The rule itself is data: ``THEME_DAY_MIN_MINUTES``, ``THEME_DAY_REQUIRED_ITEMS`` and
``THEME_DAY_OPTIONAL_FORMS`` in ``webapp/rules/life.py`` (docs/domain.md: at least one hour, the three
required items).
"""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import func, select

from ..extensions import db
from ..models import Organization, Record, StandardMonthCount
from ..rules.life import THEME_DAY_MIN_MINUTES, THEME_DAY_OPTIONAL_FORMS, THEME_DAY_REQUIRED_ITEMS

# The monthly count (``standard_month_counts.key``) of approved theme days that meet the standard.
COUNT_KEY = "theme_day_ok"


def ticked_items(raw: dict, errors: dict[str, str]) -> tuple[list[str], list[str]]:
    """The required items and optional forms a theme day's form ticked, in the rules' order; an
    unknown one is reported in ``errors``."""
    items = [str(i) for i in (raw.get("theme_items") or [])]
    forms = [str(f) for f in (raw.get("theme_forms") or [])]
    if any(i not in THEME_DAY_REQUIRED_ITEMS for i in items):
        errors["theme_items"] = "必备内容无效"
    if any(f not in THEME_DAY_OPTIONAL_FORMS for f in forms):
        errors["theme_forms"] = "活动形式无效"
    return ([i for i in THEME_DAY_REQUIRED_ITEMS if i in items],
            [f for f in THEME_DAY_OPTIONAL_FORMS if f in forms])


def meets_standard(duration_minutes: int, items: list[str], dues_paid: bool = False) -> tuple[bool, list[str]]:
    """Whether a theme day meets the standard, and why not (docs/domain.md: ≥ 1 hour, three items).

    ``dues_paid``: the attendees' dues for the month were entered in the dues ledger from this theme
    day (webapp/dues/theme_day.py): "交纳当月党费" is then derived, not ticked. A tick in ``items`` is
    still read from versions saved (or queued on a phone) before the item became derived."""
    if dues_paid:
        items = list(items) + ["pay_dues"]
    problems = []
    if duration_minutes < THEME_DAY_MIN_MINUTES:
        problems.append(f"时长不足 1 小时（实际 {duration_minutes} 分钟）")
    missing = [label for key, label in THEME_DAY_REQUIRED_ITEMS.items() if key not in items]
    if missing:
        problems.append("缺少必备内容：" + "、".join(missing))
    return not problems, problems


def version_meets_standard(data: dict, dues_paid: bool) -> bool:
    """Whether a saved theme-day version (its data dict) meets the standard; False without times."""
    if not (data.get("start_time") and data.get("end_time")):
        return False
    start, end = time.fromisoformat(data["start_time"]), time.fromisoformat(data["end_time"])
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return meets_standard(minutes, data.get("theme_items", []), dues_paid=dues_paid)[0]


def proving_filter():
    """The records that may prove the standard: approved ones meeting it, and any not yet approved
    as such (a correction awaiting review is judged from its approved version by the caller)."""
    return (Record.meets_standard.is_(True)) | (Record.state != "approved")


def held_in_month(org: Organization, today: date) -> bool:
    """Whether the branch held a theme day this month up to ``today`` (submitted or approved,
    meeting the standard or not): the weekly reminder's first question."""
    first = today.replace(day=1)
    return bool(db.session.scalar(select(func.count()).select_from(Record).where(
        Record.org_id == org.id, Record.type == "theme_day", Record.state.in_(("submitted", "approved")),
        Record.occurred_on >= first, Record.occurred_on <= today)))


def months_met(year: int, org_ids=None):
    """Per branch (of ``org_ids``, a list or a subquery of ids, when given), how many months of ``year``
    had a theme day meeting the standard (a subquery with ``org_id`` and ``n``). Restricted to the
    branches shown, it reads their counts only, not the whole province's."""
    query = (select(StandardMonthCount.org_id, func.count().label("n"))
             .where(StandardMonthCount.key == COUNT_KEY, StandardMonthCount.month.between(f"{year}-01", f"{year}-12"),
                    StandardMonthCount.count > 0))
    if org_ids is not None:
        query = query.where(StandardMonthCount.org_id.in_(org_ids))
    return query.group_by(StandardMonthCount.org_id).subquery()


def branches_met_in(month: str):
    """The branches (ids) with a theme day meeting the standard in ``month``."""
    return select(StandardMonthCount.org_id).where(StandardMonthCount.key == COUNT_KEY,
                                                   StandardMonthCount.month == month)


def branches_met_per_month(months: list[str], org_ids) -> dict[str, int]:
    """How many of ``org_ids`` had a theme day meeting the standard, per month of ``months``."""
    if not months:
        return {}
    return dict(db.session.execute(
        select(StandardMonthCount.month, func.count()).where(
            StandardMonthCount.key == COUNT_KEY, StandardMonthCount.count > 0,
            StandardMonthCount.month.in_(months), StandardMonthCount.org_id.in_(org_ids))
        .group_by(StandardMonthCount.month)).all())
