"""补录: a record entered days after the activity is shown with the gap wherever it is counted (the
checklist, the review queue, the ledger exports), not only on its own page (docs/domain.md Lessons: "keep
both when it happened and when it was recorded, and show the gap honestly")."""
from __future__ import annotations

from ..models import Record
from ..rules.standards import LATE_ENTRY_MIN_DAYS


def late_days(record: Record) -> int | None:
    """Days between the activity and its entry, when that makes it a late entry (补录)."""
    days = record.recorded_late_days or 0
    return days if days >= LATE_ENTRY_MIN_DAYS else None


def late_text(record: Record) -> str:
    days = late_days(record)
    return f"补录（活动后 {days} 天录入）" if days else ""
