"""Signals other capabilities subscribe to (standards summaries, points, reminders).

Receivers run inside the transaction that made the change, so what they derive commits with it.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Record, after it became approved (record.approved_version is the approved one).
record_approved = _signals.signal("record-approved")
# sender: the Record, after a new version was saved (created, revised, or check-ins changed).
record_changed = _signals.signal("record-changed")
# sender: a Record just merged into another (record.merged_into_id): no longer counted anywhere.
record_merged = _signals.signal("record-merged")
