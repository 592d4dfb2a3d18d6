"""The sync core's storage port on SQLAlchemy.

A batch is one transaction: new records and check-ins are written in bulk at its end
(``bulk_ingest``), other mutations run their entity handler in a savepoint. One mutation on its own
(the core's fallback after a race or a fault) is one transaction with its processed marker."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from sync import Applied, Mutation, Outcome, ProcessedEntry, Race

from .. import audit
from ..db_savepoint import savepoint
from ..extensions import db
from ..models import (
    Attendance, CheckIn, Device, ProcessedMutation, QuarantinedMutation, Record, RecordVersion,
    User,
)
from . import devices, processed_outcome
from .bulk_ingest import BulkIngest, processed_row
from .entities import handler_for, record_uuid
from .quarantine import parking_org_id


# Built once: building a statement (and an IN list of bound values) costs more than running it.
PROCESSED = select(ProcessedMutation.mutation_id, ProcessedMutation.device_id, ProcessedMutation.fingerprint,
                   ProcessedMutation.seq, ProcessedMutation.status, ProcessedMutation.target,
                   ProcessedMutation.outcome).where(ProcessedMutation.mutation_id.in_(bindparam("ids", expanding=True)))
LAST_SEQ = select(Device.last_seq).where(Device.id == bindparam("device_id"))


def _expire_records() -> None:
    # Records are what other phones and reviewers change between two mutations: each mutation reads
    # them afresh (compare-and-swap needs the current version). The person, branch and roster loaded
    # for this request stay as they were read at its start.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, (Record, RecordVersion, CheckIn, Attendance)):
            db.session.expire(obj)


@contextmanager
def _committed():
    try:
        yield
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        db.session.expire_all()
        raise Race(str(error.orig)) from error
    except BaseException:
        db.session.rollback()
        raise


class SqlStore:
    def __init__(self, actor: User, device: Device):
        self.actor = actor
        self.device = device
        self.bulk: BulkIngest | None = None
        # The device's last processed sequence number as last read or written in a transaction
        # that committed (None once one rolled back): the push answer reports it without a query.
        self.known_last_seq: int | None = None

    def find_processed(self, mutation_id: str) -> ProcessedEntry | None:
        return self.find_processed_many([mutation_id]).get(mutation_id)

    def find_processed_many(self, mutation_ids: list[str]) -> dict[str, ProcessedEntry]:
        if not mutation_ids:
            return {}
        rows = db.session.execute(PROCESSED, {"ids": mutation_ids})
        return {row.mutation_id: ProcessedEntry(row.mutation_id, row.device_id, row.fingerprint,
                                                Outcome.from_json(processed_outcome.answer(row._mapping, row.outcome)))
                for row in rows}

    def last_seq(self, device_id) -> int:
        self.known_last_seq = db.session.execute(LAST_SEQ, {"device_id": device_id}).scalar() or 0
        return self.known_last_seq

    def device_last_seq(self) -> int:
        """The device's last processed sequence number after this request's transactions."""
        if self.known_last_seq is None:
            self.last_seq(self.device.id)
        return self.known_last_seq

    @contextmanager
    def _committed(self):
        try:
            with _committed():
                yield
        except BaseException:
            self.known_last_seq = None  # what was read or written there is undone
            raise

    @contextmanager
    def transaction(self):
        _expire_records()
        with self._committed():
            yield

    @contextmanager
    def batch(self, mutations: list[Mutation]):
        _expire_records()
        try:
            with self._committed():
                self.bulk = BulkIngest(self.actor, self.device.id, mutations)
                yield
                self.bulk.flush()
                if self.bulk.device_last_seq is not None:
                    self.known_last_seq = self.bulk.device_last_seq
        finally:
            self.bulk = None

    def apply(self, mutation: Mutation) -> Applied:
        if self.bulk is not None:
            if self.bulk.accepts(mutation):
                return self.bulk.apply(mutation)
            self.bulk.flush()  # the handler below must see what the batch wrote so far
            _expire_records()
        handler = handler_for(mutation.entity)
        with savepoint():  # a rejection undoes what the handler wrote
            applied = handler(self.actor, mutation)
        if self.bulk is not None:
            self.bulk.forget(record_uuid(mutation))
        return applied

    def mark_processed(self, device_id, mutation: Mutation, fingerprint: str, outcome: Outcome) -> None:
        row = processed_row(self.actor, device_id, mutation, fingerprint, outcome)
        if self.bulk is not None:
            self.bulk.mark_processed(row, mutation.seq)
            return
        db.session.add(ProcessedMutation(**row))
        self.known_last_seq = db.session.execute(
            devices.contact(device_id, mutation.seq).execution_options(synchronize_session=False)).scalar_one()
        db.session.flush()

    def quarantine(self, device_id, mutation: Mutation, outcome: Outcome, org_id: int | None) -> None:
        org_id = parking_org_id(self.actor, org_id)  # the phone's claim, never another branch
        db.session.add(QuarantinedMutation(
            mutation_id=mutation.id, device_id=device_id, user_id=self.actor.id, org_id=org_id,
            entity=mutation.entity, target=mutation.target, base_version=mutation.base_version,
            payload=mutation.payload, code=outcome.code, message=outcome.message, fields=outcome.fields))
        audit.record(self.actor, "quarantine", "sync_mutation", mutation.id, org_id=org_id,
                     summary=f"离线提交未能入库：{outcome.message}")
        db.session.flush()
