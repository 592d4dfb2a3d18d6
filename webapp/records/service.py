"""Saving, revising, reviewing and checking in to records. Callers commit.

Every version is kept. Edits are compare-and-swap on the current version (``base_version``). An
approved record is locked: a correction becomes a new version that needs approval again, while the
approved version stays in force. Every change writes the audit log.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import select, update

from .. import audit
from ..china_time import china_today
from ..extensions import db
from ..models import (
    Attendance, AuditLog, CheckIn, Organization, Record, RecordPhoto, RecordVersion, ReviewComment, User,
)
from ..models.base import new_uuid, utcnow
from ..rules.life import PRIVATE_RECORD_TYPES, RECORD_TYPE_LABELS
from . import events, photo_access, photos
from ..domain_errors import Invalid, NotAllowed
from .errors import RecordLocked, ReviewRefused, VersionConflict
from ..standards.theme_days import meets_standard
from .validation import clean
from .visibility import (
    PRIVATE_TYPE_REFUSED, can_check_in, can_edit, can_record, can_record_type, can_review, is_own_record,
)

__all__ = [
    "NewRecord", "NotAllowed", "Invalid", "RecordLocked", "ReviewRefused", "VersionConflict",
    "approve", "attendance_statuses", "check_in", "check_in_audit", "create_record", "plan_record",
    "resolve_conflict", "return_for_correction", "revise_record", "store_conflict",
]


def mirrored_columns(cleaned) -> dict:
    """The record's columns that mirror its newest version (for lists, filters and checklists)."""
    data = cleaned.data
    return {
        "occurred_on": cleaned.occurred_on,
        "starts_at": cleaned.starts_at,
        "ends_at": cleaned.ends_at,
        "duration_minutes": cleaned.duration_minutes,
        "topic": data["topic"],
        "place": data["place"],
        "meets_standard": cleaned.meets_standard,
        "standard_problems": cleaned.standard_problems,
        "group_id": data.get("group_id"),
        "lecturer_id": data.get("lecturer_id"),
        "is_secretary_lecture": cleaned.is_secretary_lecture,
    }


def _apply(record: Record, cleaned) -> None:
    """Mirror the newest version onto the record's columns, attendance and photo list."""
    for column, value in mirrored_columns(cleaned).items():
        setattr(record, column, value)
    record.recorder_id = cleaned.data.get("recorder_id") or record.recorder_id
    if record.type == "theme_day" and record.id is not None and record.dues_payments:
        # 交纳当月党费 is derived from the payments entered at this theme day (webapp/dues/theme_day.py).
        record.meets_standard, record.standard_problems = meets_standard(
            cleaned.duration_minutes, cleaned.data["theme_items"], dues_paid=True)
    _sync_photos(record, cleaned.data["photos"])


def _sync_photos(record: Record, hashes: list[str]) -> None:
    existing = {p.sha256: p for p in record.photos}
    for sha in list(existing):
        if sha not in hashes:
            record.photos.remove(existing.pop(sha))
    for position, sha in enumerate(hashes):
        link = existing.get(sha)
        if link is None:
            link = RecordPhoto(sha256=sha)
            record.photos.append(link)
        link.position = position
    record.photos_missing = photos.count_missing(hashes)


def attendance_statuses(data: dict, checked_in: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Who was present, on leave or absent according to a version's data, with every check-in
    counted as present: {user_id: (status, reason)}."""
    status: dict[int, tuple[str, str]] = {}
    for item in data.get("absentees", []):
        reason = item.get("reason") or ""
        status[int(item["user_id"])] = ("leave" if reason else "absent", reason)
    for user_id in data.get("attendee_ids", []):
        status[int(user_id)] = ("present", "")
    for user_id in checked_in:
        status[user_id] = ("present", "")
    return status


def rebuild_attendance(record: Record) -> None:
    """Attendance = the newest version's lists, with every check-in counted as present."""
    version = record.current
    status = attendance_statuses(version.data if version else {}, (c.user_id for c in record.check_ins))
    existing = {a.user_id: a for a in record.attendances}
    for user_id, row in list(existing.items()):
        if user_id not in status:
            record.attendances.remove(row)
    for user_id, (state, reason) in status.items():
        row = existing.get(user_id)
        if row is None:
            record.attendances.append(Attendance(user_id=user_id, status=state, reason=reason))
        else:
            row.status, row.reason = state, reason


@dataclass
class NewRecord:
    """A record about to be created, as column values: what ``create_record`` saves through the
    ORM and a sync batch inserts in bulk (webapp/offline/bulk_ingest.py)."""
    record: dict
    version_row: dict
    attendance: dict[int, tuple[str, str]]
    photos: list[str]
    audit: dict

    @property
    def uuid(self) -> str:
        return self.record["uuid"]

    @property
    def version(self) -> int:
        return self.record["version"]


def plan_record(org: Organization, record_type: str, data: dict, actor: User, *,
                uuid: str | None = None, client_recorded_at: datetime | None = None,
                source: str = "web", members: dict | None = None, may_record: bool | None = None,
                today: date | None = None, expected_memo: dict | None = None) -> NewRecord:
    """Check the right and the rules, and lay out the new record's rows (nothing is written).
    ``members`` and ``may_record`` (``can_record``): when the caller already worked them out for
    this branch and person (a sync batch records many times in one branch); ``today`` in China, once
    per batch too; ``expected_memo`` who is expected at a meeting, once per branch, type and day
    (``expected.expected_for``)."""
    if not (can_record(actor, org) if may_record is None else may_record):
        raise NotAllowed("您不是本支部的记录员或支委，不能记录组织生活")
    if record_type in PRIVATE_RECORD_TYPES and not can_record_type(actor, org, record_type):
        raise NotAllowed(PRIVATE_TYPE_REFUSED)  # the right to record was checked just above
    today = today or china_today()
    cleaned = clean(org, record_type, data, actor, members=members, today=today, expected_memo=expected_memo)
    uuid = uuid or new_uuid()
    record = {"uuid": uuid, "org_id": org.id, "type": record_type, "state": "submitted", "version": 1,
              "is_private": record_type in PRIVATE_RECORD_TYPES, "created_by_id": actor.id,
              "recorder_id": cleaned.data.get("recorder_id") or actor.id,
              "recorded_late_days": max(0, (today - cleaned.occurred_on).days), **mirrored_columns(cleaned)}
    version = {"number": 1, "kind": "edit", "base_version": None, "data": cleaned.data,
               "created_by_id": actor.id, "client_recorded_at": client_recorded_at, "source": source}
    label = RECORD_TYPE_LABELS.get(record_type, record_type)
    entry = audit.entry_values(actor, "create", "record", uuid, org_id=org.id,
                               summary=f"记录{label}：{record['topic']}", changes={"version": 1})
    return NewRecord(record, version, attendance_statuses(cleaned.data, ()), list(cleaned.data["photos"]),
                     entry)


def create_record(org: Organization, record_type: str, data: dict, actor: User, *,
                  uuid: str | None = None, client_recorded_at: datetime | None = None,
                  source: str = "web") -> Record:
    plan = plan_record(org, record_type, data, actor, uuid=uuid, client_recorded_at=client_recorded_at,
                       source=source)
    record = Record(**plan.record)
    record.org = org
    _sync_photos(record, plan.photos)
    record.versions.append(RecordVersion(**plan.version_row))
    for user_id, (state, reason) in plan.attendance.items():
        record.attendances.append(Attendance(user_id=user_id, status=state, reason=reason))
    db.session.add(record)
    db.session.add(AuditLog(**plan.audit))
    db.session.flush()
    events.record_changed.send(record)
    return record


def revise_record(record: Record, data: dict, actor: User, *, base_version: int | None,
                  client_recorded_at: datetime | None = None, source: str = "web",
                  allow_correction: bool = True) -> RecordVersion:
    """A new version. On an approved record it is a correction needing approval again, unless
    ``allow_correction`` is False (offline edits: an approved record is then not changed)."""
    if not can_edit(actor, record):
        raise NotAllowed("只有记录人或支委可以修改这条记录")
    if record.merged_into_id is not None:
        raise RecordLocked("这条记录已合并到同一次活动的另一条记录，请修改合并后的记录")
    if record.state == "approved" and not allow_correction:
        raise RecordLocked("记录已审核通过，不能直接修改")
    if base_version != record.version:
        raise VersionConflict(record.version, base_version)
    cleaned = clean(record.org, record.type, data, actor, attached=photo_access.record_hashes(record))
    if record.current is not None and cleaned.data == record.current.data:
        return record.current  # nothing changed: no new version
    number = _next_number(record)
    # The compare-and-swap itself, in the database: two edits on the same base can never both win,
    # even when both read the record before either committed.
    swapped = db.session.execute(
        update(Record).where(Record.id == record.id, Record.version == base_version)
        .values(version=number).execution_options(synchronize_session=False))
    if swapped.rowcount != 1:
        db.session.expire(record, ["version", "versions"])
        raise VersionConflict(record.version, base_version)
    version = RecordVersion(number=number, kind="edit", base_version=base_version, data=cleaned.data,
                            created_by_id=actor.id, client_recorded_at=client_recorded_at, source=source)
    record.versions.append(version)
    was = record.state
    record.version = number
    record.state = "submitted"
    _apply(record, cleaned)
    rebuild_attendance(record)
    audit.record(actor, "revise", "record", record.uuid, org_id=record.org_id,
                 summary=f"修改{record.type_label}（第 {number} 版）",
                 changes={"version": [base_version, number], "state": [was, "submitted"]})
    events.record_changed.send(record)
    return version


def _next_number(record: Record) -> int:
    return max((v.number for v in record.versions), default=0) + 1


def store_conflict(record: Record, data: dict, actor: User, *, base_version: int | None,
                   client_recorded_at: datetime | None = None, source: str = "sync") -> RecordVersion:
    """Keep an edit made on an old base as its own version marked 冲突; the record is unchanged."""
    version = RecordVersion(number=_next_number(record), kind="conflict", base_version=base_version,
                            data=data, created_by_id=actor.id, client_recorded_at=client_recorded_at,
                            source=source)
    record.versions.append(version)
    record.has_conflict = True
    audit.record(actor, "conflict", "record", record.uuid, org_id=record.org_id,
                 summary=f"离线修改与当前版本冲突（基于第 {base_version} 版）",
                 changes={"conflict_version": version.number, "current_version": record.version})
    return version


def resolve_conflict(record: Record, version: RecordVersion, actor: User, *, adopt: bool) -> None:
    """The secretary adopts a conflicting edit (as a new version) or dismisses it; both are kept."""
    from .. import access

    if not access.manages(actor, record.org):
        raise NotAllowed("只有支委可以处理冲突")
    if not version.is_conflict or version.resolved_at is not None:
        raise ReviewRefused("该冲突已处理")
    if adopt:
        if record.state == "approved":
            raise RecordLocked("记录已审核通过，请先提交更正版本再采纳")
        revise_record(record, version.data, actor, base_version=record.version, source="conflict")
    version.resolved_at = utcnow()
    version.resolved_by_id = actor.id
    version.resolution = "adopted" if adopt else "dismissed"
    record.has_conflict = any(v.is_conflict and v.resolved_at is None for v in record.versions)
    db.session.add(ReviewComment(record=record, version_number=record.version, author_id=actor.id,
                                 action="resolve",
                                 text=f"{'采纳' if adopt else '不采纳'}第 {version.number} 版冲突修改"))
    audit.record(actor, "resolve_conflict", "record", record.uuid, org_id=record.org_id,
                 summary=f"处理冲突第 {version.number} 版：{'采纳' if adopt else '不采纳'}")


def _check_reviewable(record: Record, reviewer: User, verb: str) -> None:
    """A reviewer decides only others' records waiting for review, in branches they manage."""
    if is_own_record(reviewer, record):
        raise ReviewRefused("不能审核自己记录或修改的记录")
    if not can_review(reviewer, record):
        raise ReviewRefused("您无权审核这条记录")
    if record.state != "submitted":
        raise ReviewRefused(f"只能{verb}“待审核”的记录（当前：{record.state_label}）")


def approve(record: Record, reviewer: User, comment: str = "") -> None:
    _check_reviewable(record, reviewer, "审核")
    record.state = "approved"
    record.approved_version = record.version
    record.approved_at = utcnow()
    record.approved_by_id = reviewer.id
    db.session.add(ReviewComment(record=record, version_number=record.version, author_id=reviewer.id,
                                 action="approve", text=comment.strip()))
    audit.record(reviewer, "approve", "record", record.uuid, org_id=record.org_id,
                 summary=f"审核通过{record.type_label}（第 {record.version} 版）")
    events.record_approved.send(record)


def return_for_correction(record: Record, reviewer: User, comment: str) -> None:
    if not comment or not comment.strip():
        raise Invalid({"comment": "退回时请写明需要修改的地方"})
    _check_reviewable(record, reviewer, "退回")
    record.state = "returned"
    db.session.add(ReviewComment(record=record, version_number=record.version, author_id=reviewer.id,
                                 action="return", text=comment.strip()))
    audit.record(reviewer, "return", "record", record.uuid, org_id=record.org_id,
                 summary=f"退回{record.type_label}（第 {record.version} 版）", changes={"comment": comment})


def comment(record: Record, author: User, text: str) -> ReviewComment:
    from .. import access

    if not access.manages(author, record.org):
        raise NotAllowed("只有支委可以写审核意见")
    if not text or not text.strip():
        raise Invalid({"comment": "请填写意见"})
    entry = ReviewComment(record=record, version_number=record.version, author_id=author.id,
                          action="comment", text=text.strip())
    db.session.add(entry)
    audit.record(author, "comment", "record", record.uuid, org_id=record.org_id, summary="审核意见")
    return entry


def check_in_audit(user: User, record_uuid: str, org_id: int) -> dict:
    return audit.entry_values(user, "check_in", "record", record_uuid, org_id=org_id, summary="签到")


def check_in(record: Record, user: User, *, client_at: datetime | None = None,
             source: str = "web") -> CheckIn:
    """Idempotent: a second check-in by the same person returns the first."""
    if not can_check_in(user, record):
        raise NotAllowed("只有本支部人员可以签到")
    while record.merged_into_id is not None:  # the same meeting: the check-in counts on the merged record
        record = record.merged_into
    existing = db.session.scalar(select(CheckIn).where(CheckIn.record_id == record.id,
                                                       CheckIn.user_id == user.id))
    if existing is not None:
        return existing
    entry = CheckIn(user_id=user.id, client_at=client_at, source=source)
    record.check_ins.append(entry)
    db.session.flush()
    rebuild_attendance(record)
    db.session.add(AuditLog(**check_in_audit(user, record.uuid, record.org_id)))
    events.record_changed.send(record)
    return entry
