"""Monthly counts of approved records per branch, kept current when a record is approved or changed.

The checklist and the dashboard read these counts instead of the records, so a dashboard over thousands
of branches is one indexed query. A record counts as of its approved version (a correction awaiting
review does not move it until approved).
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, or_, select

from ..china_time import month_bounds
from ..extensions import db
from ..models import DuesPayment, Record, StandardMonthCount
from ..records import events
from . import rollup_store, theme_days


def approved_facts(record: Record, paid_record_ids: set[int] | None = None) -> tuple[date, list[str]] | None:
    """The approved version's date and the count keys it contributes, or None if never approved.
    ``paid_record_ids``: theme days with dues entered in the ledger, when the caller read them at once."""
    if record.approved_version is None or record.merged_into_id is not None:
        return None
    version = record.version_number(record.approved_version)
    data = version.data if version else {}
    when = date.fromisoformat(data["occurred_on"]) if data.get("occurred_on") else record.occurred_on
    keys = [record.type]
    if record.type == "theme_day" and theme_days.version_meets_standard(
            data, dues_paid=record.id in paid_record_ids if paid_record_ids is not None
            else bool(record.dues_payments)):
        keys.append(theme_days.COUNT_KEY)
    if record.type == "lecture" and record.is_secretary_lecture:
        keys.append("secretary_lecture")
    if record.type == "group_meeting" and data.get("group_id"):
        keys.append(f"group_meeting:{data['group_id']}")
    return when, keys


def refresh(org_id: int, month: str) -> None:
    """Recount one branch-month from its approved records."""
    start, end = month_bounds(month)
    candidates = db.session.scalars(select(Record).where(
        Record.org_id == org_id, Record.approved_version.is_not(None),
        or_(Record.occurred_on.between(start, end), Record.state != "approved")))
    counts: Counter[str] = Counter()
    for record in candidates:
        facts = approved_facts(record)
        if facts and start <= facts[0] < end:
            counts.update(facts[1])
    db.session.execute(delete(StandardMonthCount).where(StandardMonthCount.org_id == org_id,
                                                        StandardMonthCount.month == month))
    for key, count in counts.items():
        db.session.add(StandardMonthCount(org_id=org_id, month=month, key=key, count=count))
    db.session.flush()


def months_touched(record: Record) -> set[str]:
    months = {record.occurred_on.strftime("%Y-%m")}
    for version in record.versions:
        if version.data.get("occurred_on"):
            months.add(version.data["occurred_on"][:7])
    return months


def on_record_event(record: Record, **_) -> None:
    if record.approved_version is None:
        return
    months = months_touched(record)
    for month in months:
        refresh(record.org_id, month)
    rollup_store.counts_changed(record.org_id, months)


def rebuild(org_ids: list[int] | None = None) -> int:
    """Recount everything (or the given branches) from the records; returns the rows written."""
    query = select(Record).where(Record.approved_version.is_not(None))
    if org_ids:
        query = query.where(Record.org_id.in_(org_ids))
        db.session.execute(delete(StandardMonthCount).where(StandardMonthCount.org_id.in_(org_ids)))
    else:
        db.session.execute(delete(StandardMonthCount))
    counts: Counter[tuple[int, str, str]] = Counter()
    paid = set(db.session.scalars(select(DuesPayment.record_id).where(DuesPayment.record_id.is_not(None))))
    for record in db.session.scalars(query).yield_per(2000):
        facts = approved_facts(record, paid)
        if facts:
            for key in facts[1]:
                counts[(record.org_id, facts[0].strftime("%Y-%m"), key)] += 1
    db.session.add_all(StandardMonthCount(org_id=o, month=m, key=k, count=c) for (o, m, k), c in counts.items())
    db.session.flush()
    rollup_store.forget()  # filled again from the new counts on the next view
    return len(counts)


def on_record_merged(record: Record, **_) -> None:
    """A record merged into another no longer counts: recount the months it touched."""
    months = months_touched(record)
    for month in months:
        refresh(record.org_id, month)
    rollup_store.counts_changed(record.org_id, months)


def install() -> None:
    events.record_merged.connect(on_record_merged, weak=False)
    events.record_approved.connect(on_record_event, weak=False)
    events.record_changed.connect(on_record_event, weak=False)
