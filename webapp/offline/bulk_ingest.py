"""A sync batch's new records and check-ins, written in bulk at the end of the batch.

Phones in the field mostly push new records and check-ins. Through the ORM each costs a dozen
statements; here they are checked and laid out with the same rules as one by one
(``records.service.plan_record``, ``entities.new_record``) and inserted with one statement per table.
Everything else (edits, conflicts, study notes, dues, check-ins to a record once approved) goes
through the entity handlers, after the rows pending so far are written, so they see them.

New records are submitted, never approved, and a check-in is taken here only while the record has
no approved version: nothing derived from approved records (standards counts, points) can change,
so ``records.events.record_changed`` is not sent for them (its receivers ignore unapproved records).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, select, update

from sync import Applied, Mutation, Rejected

from ..bulk_insert import insert_rows
from ..china_time import china_today
from ..extensions import db
from ..models import (
    Attendance, AuditLog, CheckIn, Organization, Photo, ProcessedMutation, Record, RecordPhoto,
    RecordVersion, User,
)
from ..models.base import utcnow
from ..records import service
from ..records.validation import branch_members
from ..records.visibility import can_record, may_check_in
from . import devices, entities, processed_outcome


# Statements a batch runs, built once: building one (and an IN list's bound values) costs more than
# running it. Those run before any handler or after the batch's own inserts go straight to the
# connection; the others through the session, which first flushes what a handler left pending.
# The records the batch names that exist already: (id, org, private, approved?, version), and
# whether this person has checked in to each.
EXISTING = select(
    Record.id, Record.uuid, Record.org_id, Record.is_private, Record.approved_version, Record.version,
    Record.merged_into_id,
    exists().where(CheckIn.record_id == Record.id, CheckIn.user_id == bindparam("actor")).label("checked_in"),
).where(Record.uuid.in_(bindparam("uuids", expanding=True)))
WRITTEN_IDS = select(Record.uuid, Record.id).where(Record.uuid.in_(bindparam("uuids", expanding=True)))
PHOTOS_PRESENT = select(Photo.sha256).where(Photo.sha256.in_(bindparam("hashes", expanding=True)))
ATTENDANCE_LISTED = select(Attendance.record_id).where(
    Attendance.user_id == bindparam("uid"), Attendance.record_id.in_(bindparam("rids", expanding=True)))


class BulkIngest:
    def __init__(self, actor: User, device_id: int, mutations: list[Mutation]):
        self.actor = actor
        self.device_id = device_id
        targets = sorted({m.target for m in mutations if m.target and m.entity in ("record", "check_in")})
        self.existing: dict[str, Any] = {}
        self.checked_in: set[str] = set()  # record UUIDs this person has checked in to
        if targets:
            rows = db.session.connection().execute(EXISTING, {"uuids": targets, "actor": actor.id}).all()
            self.existing = {row.uuid: row for row in rows}
            self.checked_in = {row.uuid for row in rows if row.checked_in}
        self._members: dict[int, dict] = {}
        self._orgs: dict[int, Organization | None] = {}
        self._may_record: dict[int, bool] = {}
        # Who is expected at a meeting, by branch, type and day (records.expected.expected_for): read
        # once per batch, not three queries a record. Emptied with the members when a handler ran.
        self._expected: dict = {}
        # One moment for the whole batch (one transaction): every row it writes carries it.
        self.now = utcnow()
        self.today = china_today(self.now)
        self.new: dict[str, service.NewRecord] = {}  # planned, not written yet
        self.check_ins: list[dict] = []  # pending rows, with "record_uuid" in place of record_id
        self.audit: list[dict] = []
        self.processed: list[dict] = []
        self.last_seq = 0  # the highest sequence number among the processed markers pending
        self.device_last_seq: int | None = None  # the device's last_seq once they are written

    # --- deciding -----------------------------------------------------------------------------

    def accepts(self, mutation: Mutation) -> bool:
        """Whether this mutation is a new record or a check-in this writer can take."""
        if entities.HANDLERS.get(mutation.entity) not in (entities.record, entities.check_in):
            return False  # only stands in for the standard handlers of records and check-ins
        try:
            uuid = entities.record_uuid(mutation)
            if mutation.entity == "record":
                return bool(uuid) and entities.base_version(mutation) is None and uuid not in self.new \
                    and uuid not in self.existing
            if mutation.entity == "check_in":
                # A record merged into another goes one by one: its check-in counts on the kept record.
                return uuid in self.new or (uuid in self.existing and self.existing[uuid].approved_version is None
                                            and self.existing[uuid].merged_into_id is None)
        except Rejected:
            return False  # the handler gives the same answer with its own reasons
        return False

    def forget(self, uuid: str | None) -> None:
        """A handler changed this record, and perhaps a roster (whereabouts, a member from outside):
        what was read ahead of them no longer holds."""
        self.existing.pop(uuid, None)
        self._members.clear()
        self._may_record.clear()
        self._expected.clear()

    # --- planning -----------------------------------------------------------------------------

    def apply(self, mutation: Mutation) -> Applied:
        if mutation.entity == "record":
            data, uuid, _base, claimed = entities.record_fields(mutation)
            return entities.new_record(self.actor, mutation, data, uuid, claimed, create=self._plan_record,
                                       find_org=self._org)
        return self._check_in(mutation)

    def _org(self, org_id: int) -> Organization | None:
        """A branch the batch names, read once per batch (held here, it also stays in the session)."""
        if org_id not in self._orgs:
            self._orgs[org_id] = db.session.get(Organization, org_id)
        return self._orgs[org_id]

    def _plan_record(self, org: Organization, record_type: str, data: dict, actor: User, **details):
        if org.id not in self._members:
            self._orgs[org.id] = org
            self._members[org.id] = branch_members(org)
            self._may_record[org.id] = can_record(actor, org)
        plan = service.plan_record(org, record_type, data, actor, members=self._members[org.id],
                                   may_record=self._may_record[org.id], today=self.today,
                                   expected_memo=self._expected, **details)
        plan.record["created_at"] = plan.record["updated_at"] = plan.version_row["created_at"] = self.now
        plan.audit["at"] = self.now
        self.new[plan.uuid] = plan
        return plan

    def _check_in(self, mutation: Mutation) -> Applied:
        uuid = entities.record_uuid(mutation)
        plan = self.new.get(uuid)
        if plan is not None:
            org_id, private, version = plan.record["org_id"], plan.record["is_private"], plan.version
        else:
            row = self.existing[uuid]
            org_id, private, version = row.org_id, row.is_private, row.version
        if not may_check_in(self.actor, org_id, private):
            raise Rejected("forbidden", "只有本支部人员可以签到", org_id=org_id)
        if uuid not in self.checked_in:  # a set: checking in twice is checking in once
            self.checked_in.add(uuid)
            self.check_ins.append({"record_uuid": uuid, "user_id": self.actor.id, "source": "sync",
                                   "client_at": entities.client_time(mutation.client_at), "at": self.now})
            if plan is not None:
                plan.attendance[self.actor.id] = ("present", "")
            self.audit.append({**service.check_in_audit(self.actor, uuid, org_id), "at": self.now})
        return Applied(target=uuid, version=version)

    def mark_processed(self, row: dict, seq: int) -> None:
        row["processed_at"] = self.now
        self.processed.append(row)
        self.last_seq = max(self.last_seq, seq)

    # --- writing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write every pending row: one INSERT per table (and one UPDATE per kind of change)."""
        connection = db.session.connection()
        ids: dict[str, int] = {}
        if self.new:
            plans = list(self.new.values())
            self._count_missing_photos(plans)
            insert_rows(connection, Record, [p.record for p in plans])
            ids = dict(connection.execute(WRITTEN_IDS, {"uuids": list(self.new)}).all())
            versions, attendance, links = [], [], []
            for plan in plans:
                record_id = ids[plan.uuid]
                versions.append({**plan.version_row, "record_id": record_id})
                attendance.extend({"record_id": record_id, "user_id": user_id, "status": state, "reason": reason}
                                  for user_id, (state, reason) in plan.attendance.items())
                links.extend({"record_id": record_id, "sha256": sha, "position": position}
                             for position, sha in enumerate(plan.photos))
                self.existing[plan.uuid] = _Written(record_id, plan)
            insert_rows(connection, RecordVersion, versions)
            insert_rows(connection, Attendance, attendance)
            insert_rows(connection, RecordPhoto, links)
            self.audit[:0] = [p.audit for p in plans]
        if self.check_ins:
            self._write_check_ins(connection, ids)
        insert_rows(connection, AuditLog, self.audit)
        if self.processed:
            insert_rows(connection, ProcessedMutation, self.processed)
            self.device_last_seq = devices.note_contact(connection, self.device_id, self.last_seq)
        self.new, self.check_ins, self.audit, self.processed = {}, [], [], []
        # Objects of these kinds the session holds may be stale now.
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, (Record, RecordVersion, CheckIn, Attendance)):
                db.session.expire(obj)

    def _count_missing_photos(self, plans: list[service.NewRecord]) -> None:
        hashes = sorted({sha for p in plans for sha in p.photos})
        present = set(db.session.execute(PHOTOS_PRESENT, {"hashes": hashes}).scalars()) if hashes else set()
        for plan in plans:
            plan.record["photos_missing"] = sum(1 for sha in plan.photos if sha not in present)

    def _write_check_ins(self, connection, ids: dict[str, int]) -> None:
        def record_id(uuid: str) -> int:
            return ids.get(uuid) or self.existing[uuid].id
        rows = [{**{k: v for k, v in c.items() if k != "record_uuid"}, "record_id": record_id(c["record_uuid"])}
                for c in self.check_ins]
        insert_rows(connection, CheckIn, rows)
        # Attendance of records written before this batch (new ones were planned present already).
        earlier = [r["record_id"] for r, c in zip(rows, self.check_ins, strict=True) if c["record_uuid"] not in ids]
        if not earlier:
            return
        listed = set(db.session.execute(ATTENDANCE_LISTED, {"uid": self.actor.id, "rids": earlier}).scalars())
        if listed:
            connection.execute(
                update(Attendance).where(Attendance.record_id == bindparam("rid"),
                                         Attendance.user_id == bindparam("uid")).values(status="present", reason=""),
                [{"rid": rid, "uid": self.actor.id} for rid in sorted(listed)])
        insert_rows(connection, Attendance, [{"record_id": rid, "user_id": self.actor.id, "status": "present",
                                              "reason": ""} for rid in earlier if rid not in listed])


class _Written:
    """A record this batch wrote, as the check-in path reads records named ahead."""

    def __init__(self, record_id: int, plan: service.NewRecord):
        self.id = record_id
        self.uuid = plan.uuid
        self.org_id = plan.record["org_id"]
        self.is_private = plan.record["is_private"]
        self.approved_version = None
        self.version = plan.version


def processed_row(actor: User, device_id: int, mutation: Mutation, fingerprint: str, outcome,
                  at: datetime | None = None) -> dict:
    row = {"mutation_id": mutation.id, "device_id": device_id, "user_id": actor.id, "seq": mutation.seq,
           "entity": mutation.entity, "target": outcome.target, "fingerprint": fingerprint,
           "status": outcome.status, "client_at": mutation.client_at, "processed_at": at or utcnow()}
    row["outcome"] = processed_outcome.stored(outcome.to_json(), row)
    return row
