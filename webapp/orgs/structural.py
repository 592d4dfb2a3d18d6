"""Structural rules of the organization (docs/domain.md "Organization"): checked when an organization is set
up or changed and again in the checklist. They warn and never block: to go ahead against one, the
higher committee writes a reason, which is stored (``StructuralException``), shown and audited.

Each check is a plain function of the facts it needs, returning the warnings (empty when the rule holds).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..rules.organization import (
    COMMITTEE_SIZE_MAX, COMMITTEE_SIZE_MIN, COMMITTEE_TERM_YEARS_MAX, COMMITTEE_TERM_YEARS_MIN, GROUP_MIN_FULL_MEMBERS,
    GROUP_MIN_MEMBERS, TEMP_BRANCH_MIN_DAYS_EXCLUSIVE as DEFAULT_MIN_DAYS_EXCLUSIVE,
    TEMP_BRANCH_MIN_MEMBERS_EXCLUSIVE as DEFAULT_MIN_MEMBERS_EXCLUSIVE, TEMP_BRANCH_MIN_PEOPLE as DEFAULT_MIN_PEOPLE,
)


@dataclass(frozen=True)
class Warning:
    key: str  # the standard it belongs to (rules/standards.py): temporary_conditions, committee_term_length, …
    message: str

    def as_dict(self) -> dict:
        return {"key": self.key, "message": self.message}


def temporary_conditions(start: date | None, end: date | None, people: int | None,
                         members: int | None, thresholds: dict | None = None) -> list[Warning]:
    """A temporary branch: field work > 15 days, ≥ 20 people, > 5 party members. ``thresholds``: the
    values in force for the founding committee (rules/mobility.py TEMPORARY_CONDITIONS keys), when the
    caller read them from the rule book."""
    thresholds = thresholds or {}
    min_days = thresholds.get("min_days_exclusive", DEFAULT_MIN_DAYS_EXCLUSIVE)
    min_people = thresholds.get("min_people", DEFAULT_MIN_PEOPLE)
    min_members = thresholds.get("min_members_exclusive", DEFAULT_MIN_MEMBERS_EXCLUSIVE)
    key, out = "temporary_conditions", []
    if start and end:
        days = (end - start).days + 1
        if days <= min_days:
            out.append(Warning(key, f"工期 {days} 天，未超过 {min_days} 天"))
    else:
        out.append(Warning(key, f"未填写预计结束日期，无法核对工期是否超过 {min_days} 天"))
    if people is None:
        out.append(Warning(key, f"未填写项目人员数，无法核对是否达到 {min_people} 人"))
    elif people < min_people:
        out.append(Warning(key, f"项目人员 {people} 人，不足 {min_people} 人"))
    if members is None:
        out.append(Warning(key, f"未填写党员人数，无法核对是否超过 {min_members} 人"))
    elif members <= min_members:
        out.append(Warning(key, f"党员 {members} 人，未超过 {min_members} 人"))
    return out


def committee_composition(seats: int) -> list[Warning]:
    """A branch committee of 3–5, odd number."""
    if COMMITTEE_SIZE_MIN <= seats <= COMMITTEE_SIZE_MAX and seats % 2 == 1:
        return []
    return [Warning("committee_composition",
                    f"支委会委员 {seats} 人，应为 {COMMITTEE_SIZE_MIN} 至 {COMMITTEE_SIZE_MAX} 人且为奇数")]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def committee_term_length(start: date | None, end: date | None) -> list[Warning]:
    """A committee term of 3–5 years (from start to end, the end being the day before the anniversary)."""
    if not (start and end) or end < start:
        return []
    shortest = _add_years(start, COMMITTEE_TERM_YEARS_MIN) - timedelta(days=1)
    longest = _add_years(start, COMMITTEE_TERM_YEARS_MAX)
    if shortest <= end <= longest:
        return []
    return [Warning("committee_term_length",
                    f"任期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}，不在 {COMMITTEE_TERM_YEARS_MIN} 至 "
                    f"{COMMITTEE_TERM_YEARS_MAX} 年之间")]


def group_composition(name: str, members: int, full_members: int) -> list[Warning]:
    """A party group: ≥ 3 members, ≥ 1 full member."""
    out = []
    if members < GROUP_MIN_MEMBERS:
        out.append(Warning("group_composition", f"{name}：党员 {members} 人，不足 {GROUP_MIN_MEMBERS} 人"))
    if full_members < GROUP_MIN_FULL_MEMBERS:
        out.append(Warning("group_composition", f"{name}：没有正式党员"))
    return out


def creation_warnings(kind: str, is_temporary: bool, fields: dict, group_members: tuple[int, int] | None = None,
                      ) -> list[Warning]:
    """What the form warns about before an organization is created or changed."""
    out = []
    if kind == "branch" and is_temporary:
        out += temporary_conditions(fields.get("start_date"), fields.get("end_date"), fields.get("planned_people"),
                                    fields.get("planned_members"))
    if kind == "branch":
        out += committee_term_length(fields.get("committee_term_start"), fields.get("committee_term_end"))
    if kind == "group" and group_members is not None:
        out += group_composition(fields.get("name") or "党小组", *group_members)
    return out
