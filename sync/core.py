"""Batch processing: each mutation in its own transaction together with its processed marker."""
from __future__ import annotations

from typing import Any, Iterable

from .fingerprint import fingerprint
from .ports import Store
from .types import (
    APPLIED, CONFLICT, DUPLICATE, REJECTED, Applied, Mutation, Outcome, Race, Rejected,
)


class Processor:
    """Applies one device's batch. A crash (any exception other than ``Rejected``) stops the batch:
    mutations before it are committed with their markers, the failing one is rolled back entirely,
    and resending the same batch converges (processed ones answer ``duplicate``)."""

    def __init__(self, store: Store, device_id: Any):
        self.store = store
        self.device_id = device_id

    def order(self, mutations: Iterable[Mutation]) -> list[Mutation]:
        """In sequence order; the same mutation twice in one batch is answered once."""
        seen: set[str] = set()
        ordered = []
        for mutation in sorted(mutations, key=lambda m: m.seq):
            if mutation.id not in seen:
                seen.add(mutation.id)
                ordered.append(mutation)
        return ordered

    def process(self, mutations: Iterable[Mutation]) -> list[Outcome]:
        return [self.process_one(mutation) for mutation in self.order(mutations)]

    def process_one(self, mutation: Mutation) -> Outcome:
        fp = fingerprint(mutation)
        for _attempt in range(3):
            prior = self.store.find_processed(mutation.id)
            if prior is not None:
                return self._resend(mutation, fp, prior)
            try:
                return self._first_time(mutation, fp)
            except Race:
                continue  # another request touched the same keys at once: look again
        raise RuntimeError(f"mutation {mutation.id}: repeated write races")

    def _resend(self, mutation: Mutation, fp: str, prior) -> Outcome:
        if prior.fingerprint == fp and prior.device_id == self.device_id:
            before = prior.outcome
            return Outcome(id=mutation.id, seq=mutation.seq, status=DUPLICATE, target=before.target,
                           version=before.version, code=before.code, message=before.message,
                           fields=before.fields, extra={"first_status": before.status, **before.extra})
        return Outcome(id=mutation.id, seq=mutation.seq, status=CONFLICT, target=mutation.target,
                       code="id_reused", message="同一标识的变更内容不同，已保留先收到的版本")

    def _first_time(self, mutation: Mutation, fp: str) -> Outcome:
        last = self.store.last_seq(self.device_id)
        if mutation.seq <= last:
            rejection = Rejected("stale_sequence",
                                 f"序号 {mutation.seq} 已用过（本设备已处理到 {last}），请导出待同步内容后重新登记设备")
            return self._reject(mutation, fp, rejection)
        gap = mutation.seq - last - 1
        try:
            with self.store.transaction():
                applied = self.store.apply(mutation)
                outcome = self._outcome(mutation, applied, gap)
                self.store.mark_processed(self.device_id, mutation, fp, outcome)
            return outcome
        except Rejected as rejection:
            return self._reject(mutation, fp, rejection)

    def _outcome(self, mutation: Mutation, applied: Applied, gap: int) -> Outcome:
        status = applied.status if applied.status in (APPLIED, DUPLICATE, CONFLICT) else APPLIED
        extra = dict(applied.extra)
        if gap:
            extra["gap"] = gap  # earlier mutations of this device have not arrived (yet)
        return Outcome(id=mutation.id, seq=mutation.seq, status=status,
                       target=applied.target or mutation.target, version=applied.version,
                       message=applied.message, extra=extra)

    def _reject(self, mutation: Mutation, fp: str, rejection: Rejected) -> Outcome:
        outcome = Outcome(id=mutation.id, seq=mutation.seq, status=REJECTED, target=mutation.target,
                          code=rejection.code, message=rejection.message, fields=rejection.fields)
        with self.store.transaction():
            self.store.mark_processed(self.device_id, mutation, fp, outcome)
            self.store.quarantine(self.device_id, mutation, outcome, rejection.org_id)
        return outcome


def process_batch(store: Store, device_id: Any, mutations: Iterable[Mutation]) -> list[Outcome]:
    return Processor(store, device_id).process(mutations)
