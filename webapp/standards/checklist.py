"""A branch's checklist for a period, computed from approved records (via the monthly counts), facts
about the branch, and the secretary's ticks. Every standard comes from ``rules/standards.py``."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Organization, Record, StandardMonthCount, StandardTick
from ..rules.standards import DAYS_PER_PERIOD, STANDARDS, STATUS_LABELS, TERM_WARNING_DAYS
from . import periods, structure
from .periods import Period
from .summaries import approved_facts


@dataclass
class Item:
    spec: dict
    status: str  # met / not_yet / missed / na
    done: int = 0
    required: int = 0
    note: str = ""
    records: list[Record] = field(default_factory=list)
    tick: StandardTick | None = None
    units: list[tuple[str, str]] = field(default_factory=list)  # (label, status) per month/quarter

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _counts(org: Organization, period: Period) -> dict[tuple[str, str], int]:
    rows = db.session.execute(select(StandardMonthCount.month, StandardMonthCount.key, StandardMonthCount.count)
                              .where(StandardMonthCount.org_id == org.id,
                                     StandardMonthCount.month.in_(period.months())))
    return {(month, key): count for month, key, count in rows}


def _overlap(a_start: date, a_end: date, b_start: date | None, b_end: date | None) -> tuple[date, date] | None:
    start, end = max(a_start, b_start or a_start), min(a_end, b_end or a_end)
    return (start, end) if start <= end else None


def _prorated(days: int, kind: str) -> int:
    """Records owed by a temporary branch active ``days`` days (round half up; see the rules file)."""
    return int(days / DAYS_PER_PERIOD[kind] + 0.5)


LINKS_SHOWN = 24


def _record_links(org: Organization, period: Period, spec: dict, key: str) -> list[Record]:
    """The approved records proving ``key`` in the period (the newest first, at most LINKS_SHOWN).

    A record whose columns mirror its approved version is judged from the columns; one with a
    correction awaiting review is judged from its approved version."""
    in_window = Record.occurred_on.between(period.start, period.end)
    query = (select(Record).where(
        Record.org_id == org.id, Record.type == spec["record_type"], Record.approved_version.is_not(None),
        or_(and_(Record.state == "approved", in_window), Record.state != "approved"))
        .order_by(Record.occurred_on.desc()).limit(LINKS_SHOWN * 2))
    if key == "theme_day_ok":
        query = query.where((Record.meets_standard.is_(True)) | (Record.state != "approved"))
    elif key == "secretary_lecture":
        query = query.where(Record.is_secretary_lecture.is_(True))
    elif key.startswith("group_meeting:"):
        query = query.where((Record.group_id == int(key.split(":")[1])) | (Record.state != "approved"))
    out = []
    for record in db.session.scalars(query):
        if record.state == "approved":
            if period.start <= record.occurred_on <= period.end:
                out.append(record)
        else:
            facts = approved_facts(record)
            if facts and period.start <= facts[0] <= period.end and key in facts[1]:
                out.append(record)
        if len(out) >= LINKS_SHOWN:
            break
    return out


def _records_item(org, spec, period, counts, today, window) -> list[Item]:
    kind = spec["period"]
    condition = spec.get("condition")
    keys = [spec["record_type"]]
    if condition == "meets_standard":
        keys = ["theme_day_ok"]
    elif condition == "secretary_lecture":
        keys = ["secretary_lecture"]
    elif condition == "per_group":
        groups = structure.facts_on(org, min(period.end, today)).groups
        if not groups:
            return [Item(spec, "na", note="本支部未设党小组")]
        keys = [f"group_meeting:{g.id}" for g in groups]
    items = []
    for key in keys:
        label_suffix = ""
        if key.startswith("group_meeting:"):
            group = db.session.get(Organization, int(key.split(":")[1]))
            label_suffix = f"：{group.name}"
        item = _evaluate_key(org, spec, kind, period, counts, key, today, window, condition)
        if label_suffix:
            item.note = (group.name + "。" + item.note).rstrip("。")
        item.records = _record_links(org, period, spec, key) if item.done else []
        items.append(item)
    return items


def _evaluate_key(org, spec, kind, period, counts, key, today, window, condition) -> Item:
    minimum = spec.get("minimum", 1)
    if org.is_temporary:
        # Judged over the active days only, prorated.
        span = _overlap(period.start, period.end, *window)
        if span is None:
            return Item(spec, "na", note="该期间临时党支部未在运行")
        days = (span[1] - span[0]).days + 1
        required = _prorated(days, kind) * minimum
        done = sum(counts.get((m, key), 0) for m in period.months() if span[0].strftime("%Y-%m") <= m
                   <= span[1].strftime("%Y-%m"))
        if condition == "has_committee" and not structure.facts_on(org, min(span[1], today)).has_committee:
            return Item(spec, "na", note="未设支委会")
        if required == 0:
            return Item(spec, "na", done=done, note=f"临时党支部运行 {days} 天，按比例不要求")
        status = "met" if done >= required else ("not_yet" if span[1] >= today else "missed")
        return Item(spec, status, done=done, required=required, note=f"临时党支部运行 {days} 天，按比例应有 {required} 次")
    units = periods.units(kind, period)
    marks, done_total, required_total, status = [], 0, 0, "met"
    for unit in units:
        if unit.start > today:
            marks.append((unit.code, "not_yet"))
            status = "not_yet" if status == "met" else status
            required_total += minimum
            continue
        if condition == "has_committee" and not structure.facts_on(org, min(unit.end, today)).has_committee:
            marks.append((unit.code, "na"))
            continue
        done = sum(counts.get((m, key), 0) for m in unit.months())
        required_total += minimum
        done_total += done
        if done >= minimum:
            marks.append((unit.code, "met"))
        elif unit.end >= today:
            marks.append((unit.code, "not_yet"))
            status = "not_yet" if status == "met" else status
        else:
            marks.append((unit.code, "missed"))
            status = "missed"
    if required_total == 0:
        return Item(spec, "na", note="未设支委会" if condition == "has_committee" else "", units=marks)
    note = ""
    if len(units) > 1:
        met_units = sum(1 for _, s in marks if s == "met")
        note = f"{met_units}/{sum(1 for _, s in marks if s != 'na')} 个{ {'month': '月', 'quarter': '季度', 'half_year': '半年', 'year': '年'}[kind] }达标"
    return Item(spec, status, done=done_total, required=required_total, note=note, units=marks)


def _structural_item(org, spec, period, today) -> Item:
    day = min(period.end, today)
    facts = structure.facts_on(org, day)
    fact = spec["fact"]
    if fact == "committee_term":
        if not facts.has_committee:
            return Item(spec, "na", note="未设支委会")
        end = org.committee_term_end
        if end is None:
            return Item(spec, "missed", note="未登记支委会任期")
        if end < day:
            return Item(spec, "missed", note=f"任期已于 {end:%Y-%m-%d} 届满，请及时换届")
        if (end - day).days <= TERM_WARNING_DAYS:
            return Item(spec, "met", note=f"任期将于 {end:%Y-%m-%d} 届满，请准备换届")
        return Item(spec, "met", note=f"任期至 {end:%Y-%m-%d}")
    if fact == "committee_when_large":
        if facts.members <= 7:
            return Item(spec, "na", note=f"党员 {facts.members} 人，设书记即可")
        return Item(spec, "met" if facts.has_committee else "missed",
                    note=f"党员 {facts.members} 人，支委 {facts.committee_seats} 人")
    if fact == "full_members":
        minimum = spec.get("minimum", 3)
        return Item(spec, "met" if facts.full_members >= minimum else "missed",
                    done=facts.full_members, required=minimum, note=f"正式党员 {facts.full_members} 人")
    raise ValueError(f"unknown structural fact {fact}")


def _manual_item(org, spec, period, today) -> Item:
    tick = db.session.scalar(select(StandardTick).where(StandardTick.org_id == org.id, StandardTick.key == spec["key"],
                                                        StandardTick.year == period.start.year))
    if tick:
        return Item(spec, "met", tick=tick, note=tick.note)
    return Item(spec, "missed" if period.end < today else "not_yet", note="由支部书记核实后勾选")


def evaluate(org: Organization, period: Period, today: date) -> list[Item]:
    with structure.remembered():
        return _evaluate(org, period, today)


def _evaluate(org: Organization, period: Period, today: date) -> list[Item]:
    counts = _counts(org, period)
    window = structure.active_window(org)
    items: list[Item] = []
    for spec in STANDARDS:
        if spec["check"] == "records":
            items.extend(_records_item(org, spec, period, counts, today, window))
        elif spec["check"] == "structural":
            items.append(_structural_item(org, spec, period, today))
        else:
            items.append(_manual_item(org, spec, period, today))
    return items


def completion(items: list[Item]) -> tuple[int, int]:
    """(met, due) over the items that apply."""
    due = [i for i in items if i.status != "na"]
    return sum(1 for i in due if i.status == "met"), len(due)
