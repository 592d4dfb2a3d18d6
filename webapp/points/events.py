"""Points follow approvals: subscribed to the records core's signals."""
from __future__ import annotations

from ..records import events
from . import service, year_end


def _on_record_approved(record, **_):
    service.apply_attendance(record)
    year_end.apply_evaluation(record)


def install() -> None:
    events.record_approved.connect(_on_record_approved, weak=False)
    events.record_merged.connect(_on_record_approved, weak=False)  # its lines go: it no longer counts
