"""A branch's checklist for a period, computed from approved records (via the monthly counts), facts
about the branch, and the secretary's ticks. Every standard comes from ``rules/standards.py``, judged
by the rule in force (``rule_book``) over its own period (``judge``): the January view shows the
quarterly general meeting as "本季度已完成" when the quarter had one, whichever month it was in."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Organization, Record, StandardMonthCount, StandardTick, StructuralException
from ..rules.standards import LATE_ENTRY_MIN_DAYS, STANDARDS, STATUS_LABELS
from . import judge, periods, rule_book, structure, theme_days
from .periods import Period
from .structural_verdicts import StructureFacts, structural_verdict
from .summaries import approved_facts
from .yearly_verdicts import yearly_verdict


@dataclass
class Item:
    spec: dict
    status: str  # met / not_yet / missed / na / waived
    done: int = 0
    required: int = 0
    note: str = ""
    records: list[Record] = field(default_factory=list)
    tick: StandardTick | None = None
    units: list[tuple[str, str]] = field(default_factory=list)  # (code, status) per month/quarter
    label: str = ""  # under the rule in force ("党课每季度至少 1 次"); the table's label otherwise
    scope: Period | None = None  # the longer period judged (the quarter of a month view)
    days_left: int | None = None

    def __post_init__(self):
        self.label = self.label or self.spec["label"]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def late_records(self) -> list[Record]:
        """Counted records entered after the fact (补录), shown with the gap."""
        return [r for r in self.records if (r.recorded_late_days or 0) >= LATE_ENTRY_MIN_DAYS]


def _counts(org: Organization, year: int) -> dict[tuple[str, str], int]:
    rows = db.session.execute(select(StandardMonthCount.month, StandardMonthCount.key, StandardMonthCount.count)
                              .where(StandardMonthCount.org_id == org.id,
                                     StandardMonthCount.month.between(f"{year}-01", f"{year}-12")))
    return {(month, key): count for month, key, count in rows}


def context(org: Organization, year: int, book: rule_book.RuleBook | None = None) -> judge.BranchContext:
    """What judging ``org`` over periods of ``year`` reads, read once."""
    return judge.BranchContext(
        book=book or rule_book.book_for(org), counts=_counts(org, year),
        has_committee=lambda day: structure.facts_on(org, day).has_committee,
        is_temporary=org.is_temporary, window=structure.active_window(org))


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
    if key == theme_days.COUNT_KEY:
        query = query.where(theme_days.proving_filter())
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


def _records_item(org, spec, period, today, ctx) -> list[Item]:
    keys = [(judge.default_count_key(spec), None)]
    if spec.get("condition") == "per_group":
        groups = structure.facts_on(org, min(period.end, today)).groups
        if not groups:
            return [Item(spec, "na", note="本支部未设党小组")]
        keys = [(judge.group_count_key(g.id), g) for g in groups]
    items = []
    for key, group in keys:
        verdict = judge.standard_met(spec["key"], period, today, ctx, key)
        note = verdict.note
        if group is not None:
            note = (group.name + "。" + note).rstrip("。")
        item = Item(spec, verdict.status, done=verdict.done, required=verdict.required, note=note,
                    units=verdict.units, label=judge.label(spec, verdict.kind, verdict.minimum),
                    scope=verdict.scope, days_left=verdict.days_left)
        item.records = _record_links(org, verdict.scope or period, spec, key) if verdict.done else []
        items.append(item)
    return items


def structure_facts(org: Organization, day: date) -> StructureFacts:
    facts = structure.facts_on(org, day)
    sizes = structure.group_sizes([g.id for g in facts.groups], day)
    return StructureFacts(facts.members, facts.full_members, facts.committee_seats,
                          [(g.id, g.name, *sizes[g.id]) for g in facts.groups])


def exceptions_of(org_ids: list[int]) -> dict[int, list[StructuralException]]:
    out: dict[int, list[StructuralException]] = {org_id: [] for org_id in org_ids}
    if org_ids:
        for row in db.session.scalars(select(StructuralException).where(StructuralException.org_id.in_(org_ids))
                                      .order_by(StructuralException.created_at, StructuralException.id)):
            out[row.org_id].append(row)
    return out


def _structural_item(org, spec, day, facts, ctx, exceptions) -> Item:
    verdict = structural_verdict(spec, org, facts, day, ctx.book, exceptions)
    return Item(spec, verdict.status, done=verdict.done, required=verdict.required, note=verdict.note)


def _yearly_item(org, spec, period, today) -> Item:
    """A yearly obligation judged by the year's workflow records; a shorter view shows the year's status."""
    scope = periods.make("year", period.start.year) if period.kind != "year" else None
    verdict = yearly_verdict(spec, org, period.start.year, today)
    return Item(spec, verdict.status, done=verdict.done, required=verdict.required, note=verdict.note, scope=scope,
                days_left=verdict.days_left)


def _manual_item(org, spec, period, today) -> Item:
    """Ticked once a year: a shorter view shows the year's status."""
    year = periods.make("year", period.start.year)
    scope = year if period.kind != "year" else None
    tick = db.session.scalar(select(StandardTick).where(StandardTick.org_id == org.id, StandardTick.key == spec["key"],
                                                        StandardTick.year == period.start.year))
    if tick:
        return Item(spec, "met", tick=tick, note=("本年度已完成：" if scope else "") + tick.note, scope=scope)
    if year.end < today:
        return Item(spec, "missed", note="由支部书记核实后勾选", scope=scope)
    days_left = (year.end - today).days + 1
    return Item(spec, "not_yet", note=f"本年度尚缺，剩 {days_left} 天；由支部书记核实后勾选", scope=scope,
                days_left=days_left)


def evaluate(org: Organization, period: Period, today: date) -> list[Item]:
    with structure.remembered():
        return _evaluate(org, period, today)


def _evaluate(org: Organization, period: Period, today: date) -> list[Item]:
    ctx = context(org, period.start.year)
    exceptions = exceptions_of([org.id])[org.id]
    day = min(period.end, today)
    facts = structure_facts(org, day)
    items: list[Item] = []
    for spec in STANDARDS:
        if spec["check"] == "records":
            items.extend(_records_item(org, spec, period, today, ctx))
        elif spec["check"] == "structural":
            items.append(_structural_item(org, spec, day, facts, ctx, exceptions))
        elif spec["check"] == "yearly":
            items.append(_yearly_item(org, spec, period, today))
        else:
            items.append(_manual_item(org, spec, period, today))
    return items


def completion(items: list[Item]) -> tuple[int, int]:
    """(met, due) over the items that apply (an accepted exception is not due)."""
    due = [i for i in items if i.status not in ("na", "waived")]
    return sum(1 for i in due if i.status == "met"), len(due)
