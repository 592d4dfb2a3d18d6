"""A processed marker's answer as stored: without what the marker's own columns hold.

The answer to a mutation (``sync.Outcome.to_json``) repeats the mutation's id, its sequence number,
the status and the target, which ``sync_processed`` keeps in columns already; an applied new record's
answer is then ``{"version": 1}`` (13 bytes instead of about 115, on every mutation ever received).
A key is left out only where it equals its column, so an answer that differs (a quarantined mutation
retried under another sequence number) is kept whole; reading puts the columns back first.
"""
from __future__ import annotations

# answer key -> the sync_processed column holding the same value
COLUMNS = {"id": "mutation_id", "seq": "seq", "status": "status", "target": "target"}


def stored(answer: dict, row: dict) -> dict:
    """``answer`` without the keys whose value the marker ``row`` (its columns) holds already."""
    return {k: v for k, v in answer.items() if k not in COLUMNS or row.get(COLUMNS[k]) != v}


def answer(columns: dict, kept: dict) -> dict:
    """The whole answer from the marker's columns and its stored answer (stored whole before 0018)."""
    return {**{k: columns[c] for k, c in COLUMNS.items()}, **kept}
