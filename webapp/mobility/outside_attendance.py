"""On site, the leader adds a member from outside Zhibu to an activity's attendance: the person is
registered as a 流动党员 of the branch (``flowing_members.register_from_outside``) and marked present in
a new version of the record. From the web form or, offline, through the sync API (entity
``outside_attendance``): the entry's uuid is the phone's, so a resend finds the same person and adds
nothing twice."""
from __future__ import annotations

from sqlalchemy import select

from .. import access
from ..domain_errors import Invalid, NotAllowed
from ..extensions import db
from ..models import FlowingMember, Record, User
from ..records import service
from ..records.errors import RecordLocked, VersionConflict
from . import flowing_members


def add(actor: User, record: Record, data: dict, entry_uuid: str | None = None) -> FlowingMember:
    if not access.manages(actor, record.org):
        raise NotAllowed("只有本支部负责人可以登记流动党员出席")
    entry = db.session.scalar(select(FlowingMember).where(FlowingMember.uuid == entry_uuid)) if entry_uuid else None
    if entry is not None and entry.receiving_org_id != record.org_id:
        raise Invalid({"uuid": "该流动党员登记不属于本支部"})
    if entry is None:
        entry = flowing_members.register_from_outside(record.org, actor, data, on=record.occurred_on,
                                                      uuid=entry_uuid)
    current = dict(record.current.data) if record.current else {}
    attendees = [int(i) for i in current.get("attendee_ids") or []]
    if entry.user_id in attendees:
        return entry
    current["attendee_ids"] = attendees + [entry.user_id]
    current["absentees"] = [a for a in current.get("absentees") or [] if a.get("user_id") != entry.user_id]
    try:
        service.revise_record(record, current, actor, base_version=record.version, source="sync",
                              allow_correction=False)
    except (RecordLocked, VersionConflict) as error:
        raise NotAllowed("记录已审核通过或正被修改，请由书记在记录中补充出席人员") from error
    return entry
