"""An in-memory Store for tests and the benchmark: copy-on-transaction, so a failure rolls back."""
from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Any, Callable

from .types import Applied, Mutation, Outcome, ProcessedEntry, Race, Rejected


class MemoryStore:
    def __init__(self, handlers: dict[str, Callable[[dict, Mutation], Applied]]):
        self.handlers = handlers
        self.state: dict = {"data": {}, "processed": {}, "last_seq": {}, "quarantine": []}
        self._working: dict | None = None
        self.commits = 0  # how many transactions committed (batch or single)

    @property
    def _s(self) -> dict:
        return self._working if self._working is not None else self.state

    def find_processed(self, mutation_id: str) -> ProcessedEntry | None:
        return self._s["processed"].get(mutation_id)

    def find_processed_many(self, mutation_ids: list[str]) -> dict[str, ProcessedEntry]:
        return {i: self._s["processed"][i] for i in mutation_ids if i in self._s["processed"]}

    def last_seq(self, device_id: Any) -> int:
        return self._s["last_seq"].get(device_id, 0)

    @contextmanager
    def transaction(self):
        self._working = copy.deepcopy(self.state)
        try:
            yield
        except BaseException:
            self._working = None
            raise
        self.state, self._working = self._working, None
        self.commits += 1

    def batch(self, mutations: list[Mutation]):
        return self.transaction()

    def apply(self, mutation: Mutation) -> Applied:
        before = copy.deepcopy(self._s["data"])
        try:
            return self.handlers[mutation.entity](self._s["data"], mutation)
        except Rejected:
            self._s["data"] = before  # a rejected mutation leaves no trace
            raise

    def mark_processed(self, device_id, mutation: Mutation, fingerprint: str, outcome: Outcome) -> None:
        if mutation.id in self._s["processed"]:
            raise Race(mutation.id)
        self._s["processed"][mutation.id] = ProcessedEntry(mutation.id, device_id, fingerprint, outcome)
        self._s["last_seq"][device_id] = max(self._s["last_seq"].get(device_id, 0), mutation.seq)

    def quarantine(self, device_id, mutation: Mutation, outcome: Outcome, org_id) -> None:
        self._s["quarantine"].append((device_id, mutation, outcome))
