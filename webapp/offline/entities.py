"""Entity registry (contract 6): entity name → handler ``(actor, mutation) -> sync.Applied``.

A handler applies one mutation inside the transaction the sync core opened, and raises
``sync.Rejected`` when the mutation can never apply as it stands (it is then quarantined).
Other capabilities add theirs with ``register(name, handler)`` (the lead wires them at merge).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from sync import CONFLICT, DUPLICATE, Applied, Mutation, Rejected

from ..extensions import db
from ..input_numbers import row_id
from ..models import Organization, Record, StudyNote, User
from ..pwa.offline_pages import NEW_RECORD_ACTION
from ..records import photo_access, service
from ..study import notes as study_notes
from ..domain_errors import Invalid, NotAllowed
from ..records.errors import RecordLocked, VersionConflict
from ..records.validation import clean
from ..records.visibility import can_edit, can_view
from .payloads import PayloadInvalid, envelope, note_data, record_data

Handler = Callable[[User, Mutation], Applied]
# Set while a secretary retries a quarantined mutation: they confirm what a locked record refused.
_confirmed_by_manager: ContextVar[bool] = ContextVar("confirmed_by_manager", default=False)


@contextmanager
def confirmed_by_manager():
    token = _confirmed_by_manager.set(True)
    try:
        yield
    finally:
        _confirmed_by_manager.reset(token)
HANDLERS: dict[str, Handler] = {}
NEW_FORM_PATH = NEW_RECORD_ACTION  # one source: webapp/pwa/offline_pages.py


def register(name: str, handler: Handler) -> None:
    HANDLERS[name] = handler


def handler_for(entity: str) -> Handler:
    handler = HANDLERS.get(entity)
    if handler is None:
        raise Rejected("unknown_entity", f"不支持的离线内容类型：{entity}")
    return handler


def client_time(value: str | None) -> datetime | None:
    """The phone's clock, kept as a claim; ignored when unreadable or without a zone."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _invalid(error: Invalid, org_id: int | None) -> Rejected:
    return Rejected("invalid", "内容未通过校验：" + error.message, error.errors, org_id=org_id)


def _find_org(org_id: int) -> Organization | None:
    return db.session.get(Organization, org_id)


def _org_and_type(mutation: Mutation, find_org=_find_org) -> tuple[Organization, str]:
    fields = envelope(mutation.payload)
    org_id, record_type = fields.get("org_id"), fields.get("record_type") or fields.get("type")
    match = NEW_FORM_PATH.search(str(mutation.payload.get("action") or ""))
    if match:
        org_id = org_id or match.group(1)
        record_type = record_type or match.group(2)
    org_id = row_id(org_id)
    org = find_org(org_id) if org_id else None
    if org is None:
        raise Rejected("org_not_found", "找不到记录所属的支部")
    if not record_type:
        raise Rejected("invalid", "缺少记录类型", {"type": "缺少记录类型"}, org_id=org.id)
    return org, record_type


def record_uuid(mutation: Mutation) -> str | None:
    if mutation.target:
        return mutation.target
    fields = envelope(mutation.payload)
    return (fields.get("record_uuid") or fields.get("uuid") or "").lower() or None


def base_version(mutation: Mutation) -> int | None:
    if mutation.base_version is not None:
        return mutation.base_version
    raw = envelope(mutation.payload).get("base_version")
    if not raw:
        return None
    version = row_id(raw)  # a version number is stored in an integer column like an id
    if version is None:
        raise Rejected("invalid", "版本号无效", {"base_version": "版本号无效"})
    return version


def record_fields(mutation: Mutation) -> tuple[dict, str | None, int | None, datetime | None]:
    """The form data, the record's UUID, the base version an edit was made on, the phone's clock."""
    try:
        data = record_data(mutation.payload)
    except PayloadInvalid as error:
        raise Rejected("invalid", error.message) from error
    except Invalid as error:
        raise _invalid(error, None) from error
    return data, record_uuid(mutation), base_version(mutation), client_time(mutation.client_at)


def new_record(actor: User, mutation: Mutation, data: dict, uuid: str | None, claimed: datetime | None,
               create=service.create_record, find_org=_find_org) -> Applied:
    """Create under the client's UUID with ``create`` (the ORM service, or a sync batch's bulk writer,
    which return what has a ``uuid`` and a ``version``); ``find_org`` reads a branch by id (a batch
    keeps the branches it read)."""
    org, record_type = _org_and_type(mutation, find_org)
    try:
        created = create(org, record_type, data, actor, uuid=uuid, client_recorded_at=claimed, source="sync")
    except Invalid as error:
        raise _invalid(error, org.id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=org.id) from error
    return Applied(target=created.uuid, version=created.version)


def record(actor: User, mutation: Mutation) -> Applied:
    """Create a record under the client's UUID, or edit it compare-and-swap on ``base_version``."""
    data, uuid, base, claimed = record_fields(mutation)
    existing = db.session.scalar(select(Record).where(Record.uuid == uuid)) if uuid else None
    if existing is None:
        if base is not None:
            raise Rejected("not_found", "要修改的记录不存在或已删除")
        return new_record(actor, mutation, data, uuid, claimed)
    return edited_record(actor, existing, data, base, claimed)


def edited_record(actor: User, existing: Record, data: dict, base: int | None, claimed) -> Applied:
    """An edit, compare-and-swap on ``base``: a resend of the first version is a duplicate; an edit of an
    approved record, or one that lost a race, is kept as a conflict version for the secretary."""
    if not can_view(actor, existing):
        raise Rejected("not_found", "要修改的记录不存在或您无权查看")
    if not can_edit(actor, existing):
        raise Rejected("forbidden", "只有记录人或支委可以修改这条记录", org_id=existing.org_id)
    try:
        cleaned = clean(existing.org, existing.type, data, actor,
                        attached=photo_access.record_hashes(existing)).data
    except Invalid as error:
        raise _invalid(error, existing.org_id) from error
    if base is None:
        # The same record created again (posted online, then resent from the outbox).
        if existing.versions and cleaned == existing.versions[0].data:
            return Applied(status=DUPLICATE, target=existing.uuid, version=existing.version)
        base = 1
    if existing.state == "approved":
        kept = service.store_conflict(existing, cleaned, actor, base_version=base,
                                      client_recorded_at=claimed)
        return Applied(status=CONFLICT, target=existing.uuid, version=existing.version,
                       message=f"记录已审核通过，未修改；您的修改已另存为第 {kept.number} 版（冲突）待书记处理",
                       extra={"conflict_version": kept.number, "approved_version": existing.approved_version})
    try:
        version = service.revise_record(existing, data, actor, base_version=base, client_recorded_at=claimed,
                                        source="sync", allow_correction=False)
    except (VersionConflict, RecordLocked):
        kept = service.store_conflict(existing, cleaned, actor, base_version=base, client_recorded_at=claimed)
        return Applied(status=CONFLICT, target=existing.uuid, version=existing.version,
                       message=f"记录已被他人修改，您的修改已另存为第 {kept.number} 版（冲突）待书记处理",
                       extra={"conflict_version": kept.number})
    except Invalid as error:
        raise _invalid(error, existing.org_id) from error
    return Applied(target=existing.uuid, version=version.number)


def check_in(actor: User, mutation: Mutation) -> Applied:
    """Check-ins merge as a set: one per record and person, any number of resends."""
    uuid = record_uuid(mutation)
    target = db.session.scalar(select(Record).where(Record.uuid == uuid)) if uuid else None
    if target is None:
        raise Rejected("not_found", "要签到的活动记录不存在（可能尚未同步到服务器）")
    while target.merged_into_id is not None:  # the same meeting, merged in review: count it there
        target = target.merged_into
    if target.state == "approved" and not _confirmed_by_manager.get():
        # The approved record is not changed behind the reviewer's back; the secretary decides.
        already = any(c.user_id == actor.id for c in target.check_ins)
        if already:
            return Applied(status=DUPLICATE, target=target.uuid, version=target.version)
        raise Rejected("locked", "记录已审核通过，离线签到需书记确认后计入", org_id=target.org_id)
    try:
        service.check_in(target, actor, client_at=client_time(mutation.client_at), source="sync")
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=target.org_id) from error
    return Applied(target=target.uuid, version=target.version)


def study_note(actor: User, mutation: Mutation) -> Applied:
    try:
        data = note_data(mutation.payload)
    except PayloadInvalid as error:
        raise Rejected("invalid", error.message) from error
    fields = envelope(mutation.payload)
    uuid = (mutation.target or fields.get("uuid") or "").lower() or None
    existing = db.session.scalar(select(StudyNote).where(StudyNote.uuid == uuid)) if uuid else None
    try:
        if existing is not None:
            study_notes.update_note(existing, actor, data)
            return Applied(target=existing.uuid)
        org_id = row_id(fields.get("org_id"))
        org = db.session.get(Organization, org_id) if org_id else None
        if org is None:
            raise Rejected("org_not_found", "找不到学习笔记所属的支部")
        note = study_notes.create_note(actor, org, data, uuid=uuid,
                                       client_recorded_at=client_time(mutation.client_at))
        return Applied(target=note.uuid)
    except Invalid as error:
        raise _invalid(error, existing.org_id if existing else None) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=existing.org_id if existing else None) from error


def dues_payment(actor: User, mutation: Mutation) -> Applied:
    """A dues payment entered offline (webapp/dues/payment_form.py, idempotent on the form's uuid)."""
    from ..dues.payment_form import apply_payment
    from ..dues.service import PaymentConflict

    fields = envelope(mutation.payload)
    uuid = (mutation.target or fields.get("uuid") or "").lower()
    if not uuid:
        raise Rejected("invalid", "缺少标识（uuid）", {"uuid": "缺少标识"})
    org_id = row_id(fields.get("org_id"))
    try:
        payment = apply_payment(actor, uuid, mutation.payload)
    except PaymentConflict as error:
        raise Rejected("conflict", error.message, error.errors, org_id=org_id) from error
    except Invalid as error:
        raise _invalid(error, org_id) from error
    except NotAllowed as error:
        raise Rejected("forbidden", error.message, org_id=org_id) from error
    return Applied(target=payment.uuid)


def development_note(actor: User, mutation: Mutation) -> Applied:
    """A talk, observation report or contact's note of 发展党员 (webapp/development/offline.py)."""
    from ..development.offline import apply_note

    return apply_note(actor, mutation, client_recorded_at=client_time(mutation.client_at))


register("record", record)
register("check_in", check_in)
register("study_note", study_note)
register("dues_payment", dues_payment)
register("development_note", development_note)


def _mobility_handlers() -> None:
    """Members on the move (webapp/mobility/offline.py): a member's own whereabouts; a member from
    outside Zhibu added to an activity's attendance on site."""
    from ..mobility.offline import outside_attendance, whereabouts

    register("whereabouts", whereabouts)
    register("outside_attendance", outside_attendance)


_mobility_handlers()


def _register_yearly() -> None:
    """The branch's year (issue 22): what members write on the phone."""
    from ..appraisal.offline import self_assessment
    from ..reports.offline import member_report

    register("self_assessment", self_assessment)
    register("member_report", member_report)


_register_yearly()
