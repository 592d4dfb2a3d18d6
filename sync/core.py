"""Batch processing: a batch commits as one transaction together with its processed markers; when
that cannot be done (a concurrent request wrote the same keys, or a fault), mutation by mutation."""
from __future__ import annotations

from typing import Any, Iterable

from .fingerprint import fingerprint, same_content
from .ports import Store
from .types import (
    APPLIED, CONFLICT, DUPLICATE, REJECTED, Applied, Mutation, Outcome, ProcessedEntry, Race, Rejected,
)


class Processor:
    """Applies one device's batch.

    First the whole batch runs in one transaction: each mutation's effects and its processed marker
    commit together with the rest of the batch, or nothing does. If that transaction loses a race
    (another request wrote the same keys) or meets a fault, it is rolled back and the batch runs again
    mutation by mutation, each in its own transaction: a fault then keeps the mutations before it,
    rolls back the failing one entirely and is raised; resending the same batch converges (processed
    ones answer ``duplicate``)."""

    def __init__(self, store: Store, device_id: Any):
        self.store = store
        self.device_id = device_id
        # Why the last batch was redone one by one ("race" or the fault's repr), or None.
        self.redone_because: str | None = None

    def order(self, mutations: Iterable[Mutation]) -> list[Mutation]:
        """In sequence order; the same mutation twice in one batch is answered once."""
        seen: set[str] = set()
        ordered = []
        for mutation in sorted(mutations, key=lambda m: m.seq):
            if mutation.id not in seen:
                seen.add(mutation.id)
                ordered.append(mutation)
        return ordered

    def process(self, mutations: Iterable[Mutation], done: list[Outcome] | None = None) -> list[Outcome]:
        """Outcomes in sequence order. ``done`` (if given) receives each outcome once it is committed,
        so a caller can still answer for those when a fault ends the batch."""
        ordered = self.order(mutations)
        done = [] if done is None else done
        self.redone_because = None
        try:
            outcomes = self.process_together(ordered)
        except Race:
            self.redone_because = "race"  # another request touched the same keys: each looks again
        except Exception as fault:  # noqa: BLE001 - retried one by one, so the ones before it are kept
            self.redone_because = repr(fault)
        else:
            done.extend(outcomes)
            return outcomes
        outcomes = []
        for mutation in ordered:
            outcomes.append(self.process_one(mutation))
            done.append(outcomes[-1])
        return outcomes

    def process_together(self, ordered: list[Mutation]) -> list[Outcome]:
        """The whole batch in one transaction (raises ``Race`` or the fault, having rolled back)."""
        outcomes = []
        with self.store.batch(ordered):
            prior = self.store.find_processed_many([m.id for m in ordered])
            last = self.store.last_seq(self.device_id)
            for mutation in ordered:
                fp = fingerprint(mutation)
                if mutation.id in prior:
                    outcomes.append(self._resend(mutation, fp, prior[mutation.id]))
                    continue
                outcome = self._apply(mutation, fp, last)
                last = max(last, mutation.seq)
                outcomes.append(outcome)
        return outcomes

    def process_one(self, mutation: Mutation) -> Outcome:
        fp = fingerprint(mutation)
        for _attempt in range(3):
            prior = self.store.find_processed(mutation.id)
            if prior is not None:
                return self._resend(mutation, fp, prior)
            try:
                with self.store.transaction():
                    return self._apply(mutation, fp, self.store.last_seq(self.device_id))
            except Race:
                continue  # another request touched the same keys at once: look again
        raise RuntimeError(f"mutation {mutation.id}: repeated write races")

    def _resend(self, mutation: Mutation, fp: str, prior: ProcessedEntry) -> Outcome:
        if prior.device_id == self.device_id and same_content(mutation, fp, prior.fingerprint):
            before = prior.outcome
            return Outcome(id=mutation.id, seq=mutation.seq, status=DUPLICATE, target=before.target,
                           version=before.version, code=before.code, message=before.message,
                           fields=before.fields, extra={"first_status": before.status, **before.extra})
        return Outcome(id=mutation.id, seq=mutation.seq, status=CONFLICT, target=mutation.target,
                       code="id_reused", message="同一标识的变更内容不同，已保留先收到的版本")

    def _apply(self, mutation: Mutation, fp: str, last: int) -> Outcome:
        """Inside an open transaction: apply and mark processed, or mark rejected and quarantine.
        ``store.apply`` leaves no trace when it raises ``Rejected``.

        A mutation numbered at or below the device's last processed sequence number arrived late
        (a restored outbox export, a second tab): its id was never processed (the caller checked),
        so it is applied like any other, the entity's conflict rules deciding, and its answer says
        ``out_of_order``. Idempotency comes from the mutation id, never from the sequence number."""
        late = {"out_of_order": True, "last_seq": last} if mutation.seq <= last else {}
        try:
            applied = self.store.apply(mutation)
        except Rejected as rejection:
            return self._reject(mutation, fp, rejection, late)
        outcome = self._outcome(mutation, applied, 0 if late else mutation.seq - last - 1, late)
        self.store.mark_processed(self.device_id, mutation, fp, outcome)
        return outcome

    def _outcome(self, mutation: Mutation, applied: Applied, gap: int, late: dict) -> Outcome:
        status = applied.status if applied.status in (APPLIED, DUPLICATE, CONFLICT) else APPLIED
        extra = {**applied.extra, **late}
        if gap:
            extra["gap"] = gap  # earlier mutations of this device have not arrived (yet)
        return Outcome(id=mutation.id, seq=mutation.seq, status=status,
                       target=applied.target or mutation.target, version=applied.version,
                       message=applied.message, extra=extra)

    def _reject(self, mutation: Mutation, fp: str, rejection: Rejected, late: dict | None = None) -> Outcome:
        outcome = Outcome(id=mutation.id, seq=mutation.seq, status=REJECTED, target=mutation.target,
                          code=rejection.code, message=rejection.message, fields=rejection.fields,
                          extra=dict(late or {}))
        self.store.mark_processed(self.device_id, mutation, fp, outcome)
        self.store.quarantine(self.device_id, mutation, outcome, rejection.org_id)
        return outcome


def process_batch(store: Store, device_id: Any, mutations: Iterable[Mutation]) -> list[Outcome]:
    return Processor(store, device_id).process(mutations)
