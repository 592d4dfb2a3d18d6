"""The storage port the application implements (SQLAlchemy in webapp/offline, a dict in tests)."""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from .types import Applied, Mutation, Outcome, ProcessedEntry


class Store(Protocol):
    def find_processed(self, mutation_id: str) -> ProcessedEntry | None:
        """The marker of an already processed mutation (from any device), or None."""

    def find_processed_many(self, mutation_ids: list[str]) -> dict[str, ProcessedEntry]:
        """The markers of those of the ids already processed, by id."""

    def last_seq(self, device_id: Any) -> int:
        """The highest sequence number processed for the device (0 if none)."""

    def transaction(self) -> AbstractContextManager:
        """One mutation's atomic unit: committed on normal exit, rolled back on an exception.
        A unique-key clash must surface as ``sync.Race``."""

    def batch(self, mutations: list[Mutation]) -> AbstractContextManager:
        """A whole batch as one atomic unit, like ``transaction``. The store may read ahead what the
        mutations name and defer writes to the end, as long as every read inside sees the batch's
        own earlier effects."""

    def apply(self, mutation: Mutation) -> Applied:
        """Run the entity handler; raise ``sync.Rejected`` when it can never apply. A rejected
        mutation leaves no trace: what the handler wrote before raising is undone."""

    def mark_processed(self, device_id: Any, mutation: Mutation, fingerprint: str, outcome: Outcome) -> None:
        """Write the processed marker and advance the device's last sequence number."""

    def quarantine(self, device_id: Any, mutation: Mutation, outcome: Outcome, org_id: int | None) -> None:
        """Park a rejected mutation for a person to resolve."""
