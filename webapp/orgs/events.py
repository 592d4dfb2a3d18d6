"""Signals other capabilities subscribe to when the tree changes (the committee dashboard's stored figures).

Receivers run inside the transaction that made the change, so what they derive commits with it.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Organization, after it was created, closed, reopened or edited (dates may have moved).
organization_changed = _signals.signal("organization-changed")
