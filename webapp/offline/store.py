"""The sync core's storage port on SQLAlchemy: each mutation commits with its processed marker."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sync import Applied, Mutation, Outcome, ProcessedEntry, Race

from .. import audit
from ..extensions import db
from ..models import (
    Attendance, CheckIn, Device, ProcessedMutation, QuarantinedMutation, Record, RecordVersion, User,
)
from .entities import handler_for


class SqlStore:
    def __init__(self, actor: User, device: Device):
        self.actor = actor
        self.device = device

    def find_processed(self, mutation_id: str) -> ProcessedEntry | None:
        row = db.session.scalar(select(ProcessedMutation).where(ProcessedMutation.mutation_id == mutation_id))
        if row is None:
            return None
        return ProcessedEntry(row.mutation_id, row.device_id, row.fingerprint, Outcome.from_json(row.outcome))

    def last_seq(self, device_id) -> int:
        return db.session.scalar(select(Device.last_seq).where(Device.id == device_id)) or 0

    @contextmanager
    def transaction(self):
        # Records are what other phones and reviewers change between two mutations: each mutation reads
        # them afresh (compare-and-swap needs the current version). The person, branch and roster loaded
        # for this request stay as they were read at its start.
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, (Record, RecordVersion, CheckIn, Attendance)):
                db.session.expire(obj)
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

    def apply(self, mutation: Mutation) -> Applied:
        return handler_for(mutation.entity)(self.actor, mutation)

    def mark_processed(self, device_id, mutation: Mutation, fingerprint: str, outcome: Outcome) -> None:
        db.session.add(ProcessedMutation(
            mutation_id=mutation.id, device_id=device_id, user_id=self.actor.id, seq=mutation.seq,
            entity=mutation.entity, target=outcome.target, fingerprint=fingerprint, status=outcome.status,
            outcome=outcome.to_json(), client_at=mutation.client_at))
        db.session.execute(update(Device).where(Device.id == device_id, Device.last_seq < mutation.seq)
                           .values(last_seq=mutation.seq).execution_options(synchronize_session=False))
        db.session.flush()

    def quarantine(self, device_id, mutation: Mutation, outcome: Outcome, org_id: int | None) -> None:
        db.session.add(QuarantinedMutation(
            mutation_id=mutation.id, device_id=device_id, user_id=self.actor.id, org_id=org_id,
            entity=mutation.entity, target=mutation.target, base_version=mutation.base_version,
            payload=mutation.payload, code=outcome.code, message=outcome.message, fields=outcome.fields))
        audit.record(self.actor, "quarantine", "sync_mutation", mutation.id, org_id=org_id,
                     summary=f"离线提交未能入库：{outcome.message}")
        db.session.flush()
