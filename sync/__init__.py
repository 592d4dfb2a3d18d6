"""Reconciliation core for offline mutations (plain Python, no Flask).

Learned from ODK Central (client instance IDs: an identical resend is success, the same ID with
different content is a conflict; edits are compare-and-swap on the current version) and Replicache
(per-client mutation sequence; the processed marker is written in the same transaction as the
effects; an invalid mutation is still marked processed so it never blocks the queue).
"""
from .core import Processor, process_batch
from .fingerprint import canonical_json, fingerprint
from .ports import Store
from .types import (
    APPLIED, CONFLICT, DUPLICATE, MAX_NUMBER, REJECTED, STATUSES, UUID_PATTERN, Applied, Mutation,
    MutationInvalid, Outcome, ProcessedEntry, Race, Rejected,
)

__all__ = [
    "APPLIED", "CONFLICT", "DUPLICATE", "MAX_NUMBER", "REJECTED", "STATUSES", "UUID_PATTERN", "Applied",
    "Mutation", "MutationInvalid", "Outcome", "ProcessedEntry", "Processor", "Race", "Rejected", "Store",
    "canonical_json", "fingerprint", "process_batch",
]
